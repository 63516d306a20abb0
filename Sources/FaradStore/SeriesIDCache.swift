import FaradCore
import Synchronization

/// The ids of recently written series, so that the ingest path finds a known series without a
/// SQLite lookup; bounded, and empty at open (a miss looks the series up in the `series` table).
///
/// Entries are keyed by a 128-bit digest of the key's bytes (two SipHash-1-3 runs with the
/// process's random seed), 16 bytes instead of a whole key: at 1M series the cache holds about
/// 45 MB instead of the keys' hundreds. Two keys sharing a digest (about n²/2¹²⁹ for n series)
/// would share a series. Eviction is two generations: entries go into `hot`; when it reaches
/// `capacity` it becomes `cold` and the old `cold` is dropped; a hit in `cold` moves back to
/// `hot`. So at most `2 × capacity` entries, and anything used once per `capacity` writes stays.
struct SeriesIDCache {
    struct Digest: Hashable {
        var a: UInt64
        var b: UInt64
    }

    struct Entry {
        var id: Int64
        var types: ValueTypes
    }

    private var hot: [Digest: Entry] = [:]
    private var cold: [Digest: Entry] = [:]
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    var count: Int { hot.count + cold.count }

    mutating func get(_ d: Digest) -> Entry? {
        if let e = hot[d] { return e }
        guard let e = cold.removeValue(forKey: d) else { return nil }
        put(d, e)
        return e
    }

    mutating func put(_ d: Digest, _ e: Entry) {
        hot[d] = e
        if hot.count >= capacity {
            cold = hot
            hot = [:]
        }
    }

    mutating func remove(_ d: Digest) {
        hot[d] = nil
        cold[d] = nil
    }

    static func digest(_ key: SeriesKey) -> Digest {
        var h1 = Hasher()
        var h2 = Hasher()
        h1.combine(UInt8(0x5A))
        h2.combine(UInt8(0xA5))
        func mix(_ s: String) {
            // Bytes, not the string's canonical form: names are stored as the bytes they are.
            var s = s
            s.withUTF8 { bytes in
                h1.combine(bytes.count)
                h1.combine(bytes: UnsafeRawBufferPointer(bytes))
                h2.combine(bytes.count)
                h2.combine(bytes: UnsafeRawBufferPointer(bytes))
            }
        }
        mix(key.metric)
        mix(key.namespace)
        h1.combine(key.tags.count)
        h2.combine(key.tags.count)
        for t in key.tags {
            mix(t.key)
            mix(t.value)
        }
        return Digest(a: UInt64(bitPattern: Int64(h1.finalize())), b: UInt64(bitPattern: Int64(h2.finalize())))
    }
}

/// The cache shared by the store's writer paths (commits, deletes), which SQLite's single writer
/// already serializes; the lock makes that explicit.
final class SeriesCache: Sendable {
    private let state: Mutex<SeriesIDCache>

    init(capacity: Int) {
        state = Mutex(SeriesIDCache(capacity: capacity))
    }

    func withLock<R>(_ body: (inout SeriesIDCache) -> R) -> R {
        state.withLock { body(&$0) }
    }
}
