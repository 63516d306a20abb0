import FaradCore
import FaradStore
import Foundation
import Testing

@testable import FaradQuery

/// Queries answered while the store scans (streamed aggregates, pushed-down limits) give the
/// same bytes as the same queries over every point read into memory.
@Suite struct StreamedQueryTests {
    static let t0: Int64 = 1_700_000_000_000
    static let day: Int64 = 86_400_000

    /// Five number series over 70 days (some times written twice: the later write wins), some
    /// flushed into chunks and some still in the memtable, and one text series.
    private func withData(_ body: (QueryExecutor) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "farad-streamed-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = FaradStore.Configuration()
        config.syncEveryCommit = false
        config.flushPoints = 700
        config.flushPointsPerSeries = 0
        let store = try FaradStore(directory: dir, configuration: config)
        defer { store.close() }
        var state: UInt64 = 7
        func next(_ n: Int64) -> Int64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int64((state >> 33) % UInt64(n))
        }
        for round in 0..<6 {
            var writes: [SeriesWrite] = []
            for s in 0..<5 {
                var w = SeriesWrite(key: SeriesKey(metric: "q", tags: [.init("host", "h\(s % 3)"), .init("dc", "d\(s % 2)")]))
                for _ in 0..<200 {
                    w.times.append(Self.t0 + next(70 * Self.day))
                    // Whole and half numbers: every sum is exact, whatever the order.
                    let v = next(2_000) - 1_000
                    w.values.append(next(2) == 0 ? .long(v) : .double(Double(v) + 0.5))
                }
                writes.append(w)
            }
            var text = SeriesWrite(key: SeriesKey(metric: "q", tags: [.init("host", "text")]))
            text.times = [Self.t0 + Int64(round) * Self.day]
            text.values = [.string("r\(round)")]
            writes.append(text)
            try await store.append(writes)
        }
        try await body(QueryExecutor(store: store))
    }

    /// - Parameter readsFewer: the streamed query reads fewer points (a pushed-down limit), so
    ///   `sample_size` differs: KairosDB counts the points its datastore returned, after its
    ///   own pushed-down CQL `LIMIT`.
    private func compare(_ executor: QueryExecutor, _ metric: String, readsFewer: Bool = false, hasPoints: Bool = true) async throws {
        let body = #"{"start_absolute":\#(Self.t0 + Self.day),"end_absolute":\#(Self.t0 + 60 * Self.day),"metrics":[\#(metric)]}"#
        let now = Self.t0 + 100 * Self.day
        let request = try QueryRequest.parse(Array(body.utf8), now: now)
        var reference = executor
        reference.readsEveryPoint = true
        var streamed = String(decoding: try await executor.query(request, now: now), as: UTF8.self)
        var full = String(decoding: try await reference.query(request, now: now), as: UTF8.self)
        if readsFewer {
            let sampleSize = #/"sample_size":[0-9]+/#
            streamed.replace(sampleSize, with: "")
            full.replace(sampleSize, with: "")
        }
        #expect(streamed == full, "\(metric)")
        #expect(full.contains("\"values\":[[") == hasPoints, "\(metric): \(full)")
    }

    @Test func aggregatesFoldedWhileScanningEqualTheFullRead() async throws {
        try await withData { executor in
            let samplings = [#"{"value":7,"unit":"hours"}"#, #"{"value":1,"unit":"days"}"#, #"{"value":1,"unit":"weeks"}"#,
                             #"{"value":1,"unit":"months"}"#, #"{"value":100,"unit":"years"}"#]
            let alignments = ["", #","align_sampling":false"#, #","align_start_time":true"#, #","align_end_time":true"#]
            let groupings = ["", #","group_by":[{"name":"tag","tags":["host"]}]"#, #","group_by":[{"name":"tag","tags":["dc","host"]}]"#]
            let filters = [#","tags":{"dc":["d0"]}"#, #","tags":{"host":["h0","h1","h2"]}"#]
            for aggregator in ["count", "sum", "avg", "min", "max"] {
                for sampling in samplings {
                    for alignment in alignments {
                        for (g, grouping) in groupings.enumerated() {
                            let filter = aggregator == "count" && g == 0 ? "" : filters[g % 2]
                            try await compare(executor, #"{"name":"q"\#(filter)\#(grouping),"aggregators":[{"name":"\#(aggregator)","sampling":\#(sampling)\#(alignment)}]}"#)
                        }
                    }
                }
            }
            // A chain: the first aggregator is folded, the rest run on its buckets.
            try await compare(executor, #"{"name":"q","tags":{"dc":["d1"]},"aggregators":[{"name":"avg","sampling":{"value":1,"unit":"days"}},{"name":"max","sampling":{"value":1,"unit":"weeks"}},{"name":"div","divisor":2}]}"#)
            // Text points counted with the numbers of their series' group.
            try await compare(executor, #"{"name":"q","group_by":[{"name":"tag","tags":["host"]}],"aggregators":[{"name":"count","sampling":{"value":1,"unit":"days"}}]}"#)
        }
    }

    @Test func limitsReadFromTheEndEqualTheFullRead() async throws {
        try await withData { executor in
            for limit in [0, 1, 10, 1_000, 100_000] {
                for order in [#","order":"desc""#, #","order":"asc""#, ""] {
                    for grouping in ["", #","group_by":[{"name":"tag","tags":["host"]}]"#] {
                        try await compare(executor, #"{"name":"q","tags":{"dc":["d0","d1"]},"limit":\#(limit)\#(order)\#(grouping)}"#, readsFewer: true, hasPoints: limit > 0)
                        try await compare(executor, #"{"name":"q","limit":\#(limit)\#(order)\#(grouping),"aggregators":[{"name":"sum","sampling":{"value":1,"unit":"days"}}]}"#, readsFewer: true, hasPoints: limit > 0)
                    }
                }
            }
        }
    }
}
