import FaradCore
import Foundation
import Testing

@testable import FaradStore

/// Flushes on their own thread, in several transactions: a flush cut short is invisible and is
/// redone from the log, without losing or doubling a point.
@Suite struct FlushTests {
    private func directory() -> String { NSTemporaryDirectory() + "farad-flush-" + UUID().uuidString }

    private func configuration() -> FaradStore.Configuration {
        var config = FaradStore.Configuration()
        config.flushPoints = 1 << 30
        config.flushAge = .seconds(3600)
        config.flushTransactionPoints = 3
        return config
    }

    /// 10 series, 3 commits of one point each.
    private func write(_ store: FaradStore, from t0: Int64 = 0) async throws {
        for round in 0..<3 {
            let t = t0 + Int64(round)
            try await store.append((0..<10).map { SeriesWrite(key: SeriesKey(metric: "m", tags: [.init("s", "\($0)")]), times: [t], values: [.long(t)]) })
        }
    }

    private func points(_ store: FaradStore) throws -> Int {
        try store.read(series: store.series(metric: "m", filter: TagFilter()), start: .min, end: .max).reduce(0) { $0 + $1.times.count }
    }

    /// Points in the chunks a reader may see.
    private func visibleChunkPoints(_ store: FaradStore) throws -> Int {
        try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM chunks WHERE \(FaradStore.visibleChunks)") ?? 0
        }
    }

    @Test(arguments: [1, 2, 4])
    func aFlushCutAfterSomeTransactionsLosesAndDoublesNothing(transactions: Int) async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try FaradStore(directory: dir, configuration: configuration())
            try await write(store)
            store.flusher.crashAfter(transactions: transactions)
            #expect(throws: StoreError.self) { try store.committer.flushNow() }
            // Half a flush in SQLite: readers still count each point once (from the memtable).
            #expect(try points(store) == 30)
            #expect(try store.statistics().chunkPoints > 0 || transactions == 1)
            #expect(try visibleChunkPoints(store) == 0)
            store.abandonForTesting()
        }
        let store = try FaradStore(directory: dir, configuration: configuration())
        defer { store.close() }
        #expect(try points(store) == 30)
        #expect(try store.statistics().chunkPoints == 30)
        #expect(try visibleChunkPoints(store) == 30)
    }

    @Test func aFailedFlushIsRedoneByTheNext() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try FaradStore(directory: dir, configuration: configuration())
        defer { store.close() }
        try await write(store)
        store.flusher.crashAfter(transactions: 2)
        #expect(throws: StoreError.self) { try store.committer.flushNow() }
        store.flusher.crashAfter(transactions: nil)
        try await write(store, from: 10)
        try store.committer.flushNow()
        #expect(try points(store) == 60)
        #expect(try store.statistics().chunkPoints == 60)
    }
}
