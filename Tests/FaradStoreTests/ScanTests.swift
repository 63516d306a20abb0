import FaradTestSupport
import FaradCore
import Foundation
import Testing

@testable import FaradStore

/// `scan` and the newest-N read give what the whole-range `read` gives, whatever the chunk
/// layout: overlapping chunks, rewritten times, points still in the memtable.
@Suite struct ScanTests {
    private func withStore(_ body: (FaradStore) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "farad-scan-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = FaradStore.Configuration()
        config.syncEveryCommit = false
        let store = try FaradStore(directory: dir, configuration: config)
        defer { store.close() }
        try await body(store)
    }

    /// Three series written in rounds of shuffled, overlapping and repeated times, some rounds
    /// flushed into chunks and the last left in the memtable.
    private func fill(_ store: FaradStore, seed: UInt64) async throws -> [SeriesEntry] {
        var rng = SplitMix64(seed: seed)
        for round in 0..<8 {
            var writes: [SeriesWrite] = []
            for s in 0..<3 {
                var w = SeriesWrite(key: SeriesKey(metric: "scan", tags: [.init("s", "\(s)")]))
                for _ in 0..<Int.random(in: 0...300, using: &rng) {
                    w.times.append(Int64.random(in: 0...2_000, using: &rng))
                    w.values.append(Bool.random(using: &rng) ? .long(Int64(round)) : .double(Double(round) + 0.5))
                }
                writes.append(w)
            }
            try await store.append(writes)
            if round % 3 != 2 { try store.committer.flushNow() }
        }
        return try store.findSeries(metric: "scan", filter: TagFilter())
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64]) func scanVisitsWhatReadReturns(seed: UInt64) async throws {
        try await withStore { store in
            let series = try await fill(store, seed: seed)
            #expect(series.count == 3)
            for (start, end) in [(Int64.min, Int64.max), (100, 1_500), (700, 700), (2_001, 3_000)] {
                let expected = try store.read(series: series, start: start, end: end)
                var ascending = [[(Int64, MetricValue)]](repeating: [], count: series.count)
                try store.scan(series: series, start: start, end: end) { i, t, v in
                    ascending[i].append((t, v))
                    return true
                }
                var descending = [[(Int64, MetricValue)]](repeating: [], count: series.count)
                try store.scan(series: series, start: start, end: end, order: .descending) { i, t, v in
                    descending[i].append((t, v))
                    return true
                }
                for (i, entry) in series.enumerated() {
                    let want = expected.first { $0.series.id == entry.id }.map { Array(zip($0.times, $0.values)) } ?? []
                    #expect(ascending[i].map(\.0) == want.map(\.0), "seed \(seed), [\(start), \(end)], series \(i)")
                    #expect(ascending[i].map(\.1) == want.map(\.1), "seed \(seed), [\(start), \(end)], series \(i)")
                    #expect(descending[i].map(\.0) == want.reversed().map(\.0))
                    #expect(descending[i].map(\.1) == want.reversed().map(\.1))
                }
            }
        }
    }

    @Test(arguments: [1, 7, 100, 5_000]) func newestAndOldestNAreTheEndsOfTheFullRead(limit: Int) async throws {
        try await withStore { store in
            let series = try await fill(store, seed: 42)
            let full = try store.read(series: series, start: 50, end: 1_950)
            let newest = try store.read(series: series, start: 50, end: 1_950, limit: limit, from: .descending)
            let oldest = try store.read(series: series, start: 50, end: 1_950, limit: limit, from: .ascending)
            #expect(newest.map(\.series.id) == full.map(\.series.id))
            for (i, data) in full.enumerated() {
                #expect(newest[i].times == Array(data.times.suffix(limit)))
                #expect(newest[i].values == Array(data.values.suffix(limit)))
                #expect(oldest[i].times == Array(data.times.prefix(limit)))
                #expect(oldest[i].values == Array(data.values.prefix(limit)))
            }
        }
    }

    @Test func newestPointsOfALongSeriesReadOnlyTheLastChunks() async throws {
        try await withStore { store in
            let key = SeriesKey(metric: "long", tags: [])
            // 40,000 points in time order: five chunks of at most 8,192.
            let times = (0..<40_000).map { Int64($0) * 10 }
            try await store.append([SeriesWrite(key: key, times: times, values: times.map { .long($0) })])
            try store.committer.flushNow()
            let series = try store.findSeries(metric: "long", filter: TagFilter())
            var visited = 0
            try store.scan(series: series, start: .min, end: .max, order: .descending) { _, _, _ in
                visited += 1
                return visited < 1_000
            }
            #expect(visited == 1_000)
            let newest = try store.read(series: series, start: .min, end: .max, limit: 1_000, from: .descending)
            #expect(newest.first?.times == Array(times.suffix(1_000)))
        }
    }

    @Test func seriesWithPointsSkipsSeriesEmptyInTheRange() async throws {
        try await withStore { store in
            try await store.append([
                SeriesWrite(key: SeriesKey(metric: "w", tags: [.init("h", "early")]), times: [10], values: [.long(1)]),
                SeriesWrite(key: SeriesKey(metric: "w", tags: [.init("h", "late")]), times: [1_000], values: [.long(2)]),
            ])
            let series = try store.findSeries(metric: "w", filter: TagFilter())
            #expect(try store.seriesWithPoints(series, start: 500, end: 2_000).map { $0.key.tag("h") } == ["late"])
            try store.committer.flushNow()
            #expect(try store.seriesWithPoints(series, start: 0, end: 100).map { $0.key.tag("h") } == ["early"])
            #expect(series.map(\.types) == [.long, .long])
        }
    }
}
