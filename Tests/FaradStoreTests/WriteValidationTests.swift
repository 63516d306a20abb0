import FaradCore
import Foundation
import Testing

@testable import FaradStore

/// A write the store cannot keep faithfully is refused alone; writes queued beside it commit.
@Suite struct WriteValidationTests {
    static let refused: [(String, SeriesWrite)] = [
        ("metric", SeriesWrite(key: SeriesKey(metric: "victim\u{0}evil", tags: []), times: [1], values: [.long(1)])),
        ("namespace", SeriesWrite(key: SeriesKey(metric: "victim", tags: [], namespace: "db\u{0}/rp"), times: [1], values: [.long(1)])),
        ("tag key", SeriesWrite(key: SeriesKey(metric: "victim", tags: [.init("h\u{0}", "a")]), times: [1], values: [.long(1)])),
        ("tag value", SeriesWrite(key: SeriesKey(metric: "victim", tags: [.init("h", "a\u{0}b")]), times: [1], values: [.long(1)])),
        ("lengths", SeriesWrite(key: SeriesKey(metric: "victim", tags: []), times: [1, 2], values: [.long(1)])),
    ]

    @Test(arguments: 0..<refused.count) func aBadWriteFailsOnlyItsOwnRequest(_ index: Int) async throws {
        let (what, bad) = Self.refused[index]
        let dir = NSTemporaryDirectory() + "farad-valid-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = SeriesKey(metric: "victim", tags: [])
        do {
            let store = try FaradStore(directory: dir)
            defer { store.close() }
            // Another client's write waits in the queue for the same group commit.
            store.committer.setPaused(true)
            let good = Task { try await store.append([SeriesWrite(key: victim, times: [10], values: [.long(7)])]) }
            let deadline = ContinuousClock.now + .seconds(10)
            while store.queuedPoints < 1 && ContinuousClock.now < deadline { await Task.yield() }
            #expect(store.queuedPoints == 1)
            let other = SeriesWrite(key: SeriesKey(metric: "other", tags: []), times: [1], values: [.long(1)])
            do {
                try await store.append([other, bad])
                Issue.record("a write with a bad \(what) was stored")
            } catch {
                #expect(error.code == .invalid, "\(what): \(error)")
                #expect(error.message.contains("write 2 of 2"), "\(error.message)")
            }
            store.committer.setPaused(false)
            try await good.value
        }
        // After a restart the good write is there alone, under its own name.
        let store = try FaradStore(directory: dir)
        defer { store.close() }
        #expect(store.metricNames() == ["victim"])
        let series = store.series(metric: "victim", filter: TagFilter())
        #expect(series.map(\.key) == [victim])
        let data = try store.read(series: series, start: .min, end: .max)
        #expect(data.map(\.times) == [[10]])
        #expect(data.map(\.values) == [[.long(7)]])
    }

    /// A TTL whose expiry does not fit in 64 bits keeps the points (it used to trap the writer).
    @Test func aHugeTTLNeverExpiresAndNeverTraps() async throws {
        #expect(GroupCommitter.expiry(now: 1_000, ttlSeconds: 9_300_000_000_000_000) == nil)
        #expect(GroupCommitter.expiry(now: .max - 10, ttlSeconds: 1) == nil)
        #expect(GroupCommitter.expiry(now: 1_000, ttlSeconds: 2) == 3_000)
        #expect(GroupCommitter.expiry(now: 1_000, ttlSeconds: -5) == nil)
        let dir = NSTemporaryDirectory() + "farad-valid-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try FaradStore(directory: dir)
        defer { store.close() }
        let key = SeriesKey(metric: "m", tags: [])
        try await store.append([SeriesWrite(key: key, ttl: .max, times: [1], values: [.long(1)])])
        let series = store.series(metric: "m", filter: TagFilter())
        #expect(try store.read(series: series, start: .min, end: .max, now: .max).map(\.times) == [[1]])
    }
}
