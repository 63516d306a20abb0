import FaradCore
import Foundation
import Testing

@testable import FaradStore

/// Small chunks of a series are merged after flushes, keeping every point and the last write.
@Suite struct CompactorTests {
    @Test func mergingKeepsEveryPointAndTheLastWriteOfATime() async throws {
        let dir = NSTemporaryDirectory() + "farad-compact-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = FaradStore.Configuration()
        config.flushPoints = 1 << 30
        config.flushAge = .seconds(3600)
        config.compactionMinChunks = 4
        let store = try FaradStore(directory: dir, configuration: config)
        defer { store.close() }
        let plain = SeriesKey(metric: "m", tags: [.init("s", "plain")])
        let ttl = SeriesKey(metric: "m", tags: [.init("s", "ttl")])
        for round in 0..<6 {
            let t = Int64(round)
            var writes = [
                SeriesWrite(key: plain, times: [t], values: [.long(t)]),
                SeriesWrite(key: ttl, ttl: 3600, times: [t], values: [.long(t)]),
            ]
            // Rewrites time 1 after its chunk was written: the rewrite must win after merging.
            if round == 3 { writes.append(SeriesWrite(key: plain, times: [1], values: [.long(100)])) }
            try await store.append(writes)
            try store.committer.flushNow()
        }
        let data = try store.read(series: store.series(metric: "m", filter: TagFilter()), start: .min, end: .max)
        let byName = Dictionary(uniqueKeysWithValues: data.map { ($0.series.key.tags[0].value, $0) })
        #expect(byName["plain"]?.times == [0, 1, 2, 3, 4, 5])
        #expect(byName["plain"]?.values == [.long(0), .long(100), .long(2), .long(3), .long(4), .long(5)])
        #expect(byName["ttl"]?.times == [0, 1, 2, 3, 4, 5])
        // Plain: 4 chunks merged into 1 at the 4th flush, then 2 more; the TTL series keeps 6.
        let stats = try store.statistics()
        #expect(stats.chunks == 3 + 6)
        #expect(stats.chunkPoints == 6 + 6)
    }

    @Test func sortKeepsTheLaterOfEqualTimes() {
        var times: [Int64] = [3, 1, 3, 2, 1]
        var values: [MetricValue] = [.long(30), .long(10), .long(31), .long(20), .long(11)]
        Compactor.sortKeepingLastWrite(&times, &values)
        #expect(times == [1, 2, 3])
        #expect(values == [.long(11), .long(20), .long(31)])
    }
}
