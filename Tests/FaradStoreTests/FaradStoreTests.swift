import FaradCore
import Foundation
import Testing

@testable import FaradStore

@Suite struct FaradStoreTests {
    private func withStore(_ body: (FaradStore, String) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "farad-store-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try FaradStore(directory: dir)
        try await body(store, dir)
        store.close()
    }

    private let key = SeriesKey(metric: "m", tags: [.init("host", "a:b"), .init("dc", "x=y")])

    @Test func appendReadRoundTripsEveryType() async throws {
        try await withStore { store, _ in
            let values: [MetricValue] = [.long(-300), .double(13.2), .string("héllo"), .complex(real: 0.5, imaginary: -2), .long(.max)]
            try await store.append([SeriesWrite(key: key, times: [5, 1, 3, 2, 4], values: values)])
            let series = store.series(metric: "m", filter: TagFilter())
            #expect(series.map(\.key) == [key])
            let data = try store.read(series: series, start: .min, end: .max)
            #expect(data[0].times == [1, 2, 3, 4, 5])
            #expect(data[0].values == [.double(13.2), .complex(real: 0.5, imaginary: -2), .string("héllo"), .long(.max), .long(-300)])
            #expect(try store.read(series: series, start: 2, end: 3)[0].times == [2, 3])
        }
    }

    @Test func laterWriteOfTheSameTimeWins() async throws {
        try await withStore { store, _ in
            try await store.append([SeriesWrite(key: key, times: [1, 2], values: [.long(1), .long(2)])])
            try await store.append([SeriesWrite(key: key, times: [2, 2], values: [.long(20), .long(21)])])
            let data = try store.read(series: store.series(metric: "m", filter: TagFilter()), start: .min, end: .max)
            #expect(data[0].values == [.long(1), .long(21)])
        }
    }

    @Test func seriesAndPointsSurviveReopening() async throws {
        let dir = NSTemporaryDirectory() + "farad-store-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try FaradStore(directory: dir)
            try await store.append([SeriesWrite(key: key, times: [1], values: [.long(1)])])
            store.close()
        }
        let store = try FaradStore(directory: dir)
        defer { store.close() }
        // Tags with ':' and '=' come back intact from KairosDB's escaped row-key form.
        #expect(store.series(metric: "m", filter: TagFilter()).map(\.key) == [key])
        #expect(store.metricNames() == ["m"])
    }

    @Test func ttlHidesAndReclaimsPoints() async throws {
        try await withStore { store, _ in
            // The expiry is the commit's time + 10 s, somewhere between `before` and `after` + 10 s
            // however slow the commit: visible at `before`, gone 10 s after `after`.
            let before = FaradStore.nowMillis()
            try await store.append([SeriesWrite(key: key, ttl: 10, times: [1], values: [.long(1)])])
            let after = FaradStore.nowMillis()
            let series = store.series(metric: "m", filter: TagFilter())
            #expect(try store.read(series: series, start: .min, end: .max, now: before).count == 1)
            #expect(try store.read(series: series, start: .min, end: .max, now: after + 10_001).isEmpty)
            #expect(try store.reclaimExpired(now: after + 10_001) == 1)
            #expect(store.metricNames().isEmpty)
        }
    }

    @Test func deleteRewritesPartialChunksAndForgetsEmptySeries() async throws {
        try await withStore { store, _ in
            try await store.append([SeriesWrite(key: key, times: [1, 2, 3, 4], values: [.long(1), .long(2), .long(3), .long(4)])])
            let series = store.series(metric: "m", filter: TagFilter())
            #expect(try store.delete(series: series, start: 2, end: 3) == 2)
            #expect(try store.read(series: series, start: .min, end: .max)[0].times == [1, 4])
            #expect(try store.delete(series: series, start: .min, end: .max) == 2)
            #expect(store.metricNames().isEmpty)
        }
    }

    @Test func aFullQueueRefusesTheWholeWrite() async throws {
        let dir = NSTemporaryDirectory() + "farad-store-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = FaradStore.Configuration()
        config.maxQueuedPoints = 5
        let store = try FaradStore(directory: dir, configuration: config)
        defer { store.close() }
        store.committer.setPaused(true)
        let key = self.key
        let first = Task { try await store.append([SeriesWrite(key: key, times: [1, 2, 3], values: [.long(1), .long(2), .long(3)])]) }
        let deadline = ContinuousClock.now + .seconds(10)
        while store.queuedPoints < 3 && ContinuousClock.now < deadline { await Task.yield() }
        await #expect(throws: StoreError.self) {
            try await store.append([SeriesWrite(key: SeriesKey(metric: "other", tags: []), times: [1, 2, 3], values: [.long(1), .long(2), .long(3)])])
        }
        store.committer.setPaused(false)
        try await first.value
        #expect(store.metricNames() == ["m"])
    }

    @Test func aMemtableThatFlushesCannotDrainRefusesWritesUntilItIsFlushed() async throws {
        let dir = NSTemporaryDirectory() + "farad-store-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = FaradStore.Configuration()
        // Every flush fails (as if cut by a crash): the memtable only fills.
        config.flushPoints = 4
        config.maxMemtablePoints = 4
        config.flushAge = .seconds(3600)
        let store = try FaradStore(directory: dir, configuration: config)
        defer { store.close() }
        store.committer.flusher.crashAfter(transactions: 0)
        try await store.append([SeriesWrite(key: key, times: [1, 2, 3], values: [.long(1), .long(2), .long(3)])])
        try await store.append([SeriesWrite(key: key, times: [4], values: [.long(4)])])
        do {
            try await store.append([SeriesWrite(key: key, times: [5], values: [.long(5)])])
            Issue.record("a fifth point was taken into a full memtable")
        } catch {
            #expect(error.code == .queueFull)
            #expect(error.message.contains("flushes are behind (4 points"), "\(error.message)")
        }
        store.committer.flusher.crashAfter(transactions: nil)
        try store.committer.flushNow()
        try await store.append([SeriesWrite(key: key, times: [5], values: [.long(5)])])
        let series = store.series(metric: "m", filter: TagFilter())
        #expect(try store.read(series: series, start: .min, end: .max).first?.times == [1, 2, 3, 4, 5])
    }

    @Test func tagTextEscapesLikeKairosDBRowKeys() {
        let tags = [SeriesKey.Tag("dc", "x=y"), SeriesKey.Tag("host", "a:b")]
        #expect(TagText.encode(tags) == "dc=x==y:host=a=:b:")
        #expect(TagText.decode("dc=x==y:host=a=:b:") == tags)
        let odd = [SeriesKey.Tag("k:=", "=:v")]
        #expect(TagText.decode(TagText.encode(odd)) == odd)
    }
}
