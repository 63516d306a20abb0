/// A key of a ``GroupTable``: equality, and a hash the key computes itself (once, or cheaply).
protocol GroupTableKey: Equatable {
    var tableHash: Int { get }
}

/// An open-addressing hash table (linear probing, at most half full) for the per-message
/// lookups of the engine's nodes: it probes with the key's own hash, where `Dictionary` would
/// run a seeded hasher for every lookup. Removal shifts the following entries back, so lookups
/// never meet tombstones.
struct GroupTable<Key: GroupTableKey, Value> {
    private var keys: [Key?]
    private var values: [Value?]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        keys = Array(repeating: nil, count: size)
        values = Array(repeating: nil, count: size)
        mask = size - 1
    }

    typealias Slot = Int

    /// The slot holding `key`, or the empty slot where it would go.
    private func probe(_ key: Key) -> (slot: Slot, found: Bool) {
        var i = key.tableHash & mask
        while let k = keys[i] {
            if k == key { return (i, true) }
            i = (i + 1) & mask
        }
        return (i, false)
    }

    /// The slot of `key`, if it is in the table.
    func slot(of key: Key) -> Slot? {
        let (slot, found) = probe(key)
        return found ? slot : nil
    }

    /// The slot of `key`, inserting `make()` first if it is not in the table.
    mutating func slot(of key: Key, orInsert make: () -> Value) -> Slot {
        let (slot, found) = probe(key)
        if found { return slot }
        if (count + 1) * 2 > keys.count {
            grow()
            return insert(key, make())
        }
        keys[slot] = key
        values[slot] = make()
        count += 1
        return slot
    }

    /// The value in `slot` (from ``slot(of:)``, before any insertion or removal), changed in place.
    subscript(slot: Slot) -> Value {
        get { values[slot]! }
        _modify { yield &values[slot]! }
    }

    /// The key in `slot`.
    func key(at slot: Slot) -> Key { keys[slot]! }

    /// Every occupied slot, in table order.
    var slots: [Slot] { keys.indices.filter { keys[$0] != nil } }

    /// Removes `key` and returns its value.
    @discardableResult
    mutating func remove(_ key: Key) -> Value? {
        let (found, present) = probe(key)
        guard present else { return nil }
        let value = values[found]
        keys[found] = nil
        values[found] = nil
        count -= 1
        // Shift back the entries after it whose home slot is not between the hole and them.
        var hole = found
        var i = (found + 1) & mask
        while let k = keys[i] {
            let home = k.tableHash & mask
            let between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i)
            if !between {
                keys[hole] = k
                values[hole] = values[i]
                keys[i] = nil
                values[i] = nil
                hole = i
            }
            i = (i + 1) & mask
        }
        return value
    }

    /// Empties the table, keeping its storage.
    mutating func removeAll() {
        for i in keys.indices where keys[i] != nil {
            keys[i] = nil
            values[i] = nil
        }
        count = 0
    }

    private mutating func insert(_ key: Key, _ value: Value) -> Slot {
        let (slot, _) = probe(key)
        keys[slot] = key
        values[slot] = value
        count += 1
        return slot
    }

    private mutating func grow() {
        let oldKeys = keys
        var oldValues = values
        keys = Array(repeating: nil, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for i in oldKeys.indices {
            guard let k = oldKeys[i] else { continue }
            _ = insert(k, oldValues[i].take()!)
        }
    }
}

extension GroupID: GroupTableKey {}

/// A tag value as a table key, hashed from its bytes with a per-process seed.
struct TagValueKey: GroupTableKey {
    let value: String
    let tableHash: Int

    init(_ value: String) {
        self.value = value
        tableHash = Self.hash(value)
    }

    static func == (a: TagValueKey, b: TagValueKey) -> Bool { a.tableHash == b.tableHash && a.value == b.value }

    /// A random seed, so that tag values chosen to collide cannot be written in advance.
    private static let seed = UInt64.random(in: .min ... .max) | 1

    static func hash(_ s: String) -> Int {
        var s = s
        return s.withUTF8 { bytes in
            var h = seed ^ UInt64(bytes.count)
            var i = 0
            let base = UnsafeRawPointer(bytes.baseAddress)
            while i + 8 <= bytes.count {
                h = (h ^ base!.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
                h ^= h >> 29
                i += 8
            }
            if i < bytes.count {
                var tail: UInt64 = 0
                var shift: UInt64 = 0
                while i < bytes.count {
                    tail |= UInt64(bytes[i]) << shift
                    shift += 8
                    i += 1
                }
                h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
            }
            h ^= h >> 31
            h = h &* 0x94D0_49BB_1331_11EB
            h ^= h >> 32
            return Int(truncatingIfNeeded: h)
        }
    }
}
