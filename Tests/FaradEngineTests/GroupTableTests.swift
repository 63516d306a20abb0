import Testing
@testable import FaradEngine

/// The engine's open-addressing table against `Dictionary`, under random inserts and removals.
@Suite struct GroupTableTests {
    /// A key with a chosen hash, to force collisions and wrap-around.
    struct Key: GroupTableKey, Hashable {
        let id: Int
        let tableHash: Int
    }

    @Test(arguments: [1, 7, 1 << 40])
    func behavesAsADictionary(_ hashRange: Int) {
        var rng = SystemRandomNumberGenerator()
        var table = GroupTable<Key, Int>()
        var model: [Key: Int] = [:]
        for step in 0..<20_000 {
            let key = Key(id: Int.random(in: 0..<500, using: &rng), tableHash: 0)
            let hashed = Key(id: key.id, tableHash: key.id % hashRange &* 31)
            if Int.random(in: 0..<3, using: &rng) == 0 {
                #expect(table.remove(hashed) == model.removeValue(forKey: hashed))
            } else {
                let slot = table.slot(of: hashed) { step }
                if model[hashed] == nil { model[hashed] = step }
                table[slot] += 1
                model[hashed]! += 1
            }
            #expect(table.count == model.count)
        }
        for (k, v) in model {
            let slot = table.slot(of: k)
            #expect(slot.map { table[$0] } == v)
        }
        #expect(Set(table.slots.map { table.key(at: $0) }) == Set(model.keys))
        table.removeAll()
        #expect(table.count == 0 && table.slots.isEmpty)
    }

    @Test func tagValuesHashByTheirBytes() {
        #expect(TagValueKey("server1").tableHash == TagValueKey(String("server1".reversed().reversed())).tableHash)
        #expect(TagValueKey("server1") != TagValueKey("server2"))
        #expect(TagValueKey("a-rather-long-tag-value-over-16-bytes") == TagValueKey("a-rather-long-tag-value-over-16-bytes"))
        let distinct = Set((0..<10_000).map { TagValueKey("host\($0)").tableHash & 0xFFFF })
        #expect(distinct.count > 8_000)
    }
}
