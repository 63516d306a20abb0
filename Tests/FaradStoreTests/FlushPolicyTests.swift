import FaradCore
import FaradTestSupport
import Foundation
import Testing

@testable import FaradStore

/// With many series a flush waits until the memtable holds a few points of each, so that it does
/// not write (and later merge) a chunk row per point; the ceiling and the longest wait still apply.
@Suite struct FlushPolicyTests {
    private let policy = FlushPolicy(points: 100, age: .seconds(30), pointsPerSeries: 4, ceilingPoints: 1_000, maxAge: .seconds(600))

    @Test func pointsOrAgeFlushOnceEachSeriesHoldsEnoughOnAverage() {
        #expect(!policy.isDue(points: 0, series: 0, age: .seconds(3600)))
        #expect(!policy.isDue(points: 99, series: 1, age: .seconds(1)))
        #expect(policy.isDue(points: 100, series: 25, age: .zero))
        #expect(!policy.isDue(points: 100, series: 26, age: .zero))
        #expect(policy.isDue(points: 8, series: 2, age: .seconds(30)))
        #expect(!policy.isDue(points: 8, series: 3, age: .seconds(30)))
    }

    @Test func theCeilingAndTheLongestWaitFlushWhateverTheSeries() {
        #expect(policy.isDue(points: 1_000, series: 1_000, age: .zero))
        #expect(!policy.isDue(points: 999, series: 999, age: .seconds(599)))
        #expect(policy.isDue(points: 1, series: 1, age: .seconds(600)))
    }

    @Test func zeroPointsPerSeriesIsTheOldRuleAndHugeOnesCannotOverflow() {
        let plain = FlushPolicy(points: 100, age: .seconds(30), pointsPerSeries: 0, ceilingPoints: 1_000, maxAge: .seconds(600))
        #expect(plain.isDue(points: 100, series: 100, age: .zero))
        let huge = FlushPolicy(points: 1, age: .seconds(30), pointsPerSeries: .max, ceilingPoints: .max, maxAge: .seconds(600))
        #expect(!huge.isDue(points: 10, series: 2, age: .seconds(31)))
        #expect(huge.isDue(points: 10, series: 0, age: .zero))
    }

    @Test func aStoreOfManySeriesFlushesOnceTheyHoldEnoughPoints() async throws {
        let dir = NSTemporaryDirectory() + "farad-flush-policy-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = FaradStore.Configuration()
        config.flushPoints = 10
        config.flushPointsPerSeries = 4
        config.flushAge = .seconds(3600)
        let store = try FaradStore(directory: dir, configuration: config)
        defer { store.close() }
        let keys = (0..<20).map { SeriesKey(metric: "m", tags: [.init("s", "\($0)")]) }
        let generation = store.memtable.activeGeneration
        for round in 0..<3 {
            try await store.append(keys.map { SeriesWrite(key: $0, times: [Int64(round)], values: [.long(1)]) })
        }
        // 60 points of 20 series: past flushPoints, but 3 a series. The writer decides after each
        // commit, before it takes the next: after a second commit the first one's decision is made.
        try await store.append([SeriesWrite(key: keys[0], times: [100], values: [.long(1)])])
        try await store.append([SeriesWrite(key: keys[0], times: [101], values: [.long(1)])])
        #expect(store.memtable.activeGeneration == generation)
        #expect(store.memtable.points == 62)
        try await store.append(keys.map { SeriesWrite(key: $0, times: [3], values: [.long(1)]) })
        #expect(await eventually { store.memtable.points == 0 })
        #expect(store.memtable.activeGeneration > generation)
        #expect(try store.statistics().chunkPoints == 82)
    }
}
