import FaradCore
import FaradSystem
import Foundation
import GRDB
import Logging
import Synchronization

/// Moves sealed memtable sets into chunks on its own thread, in small SQLite transactions, so
/// that commits (and their new series) are never held for a whole flush.
///
/// The writer thread seals set G and starts log segment G + 1 (``seal(_:log:)``), then hands the
/// job here. A flush of G writes its chunks tagged `gen = G` in transactions of at most
/// `transactionPoints` points; its last transaction sets `meta.flushed_gen = G`. Readers see only
/// chunks with `gen <= flushed_gen` (``FaradStore/visibleChunks``) and take generations newer than
/// that from the memtable, so a half-done flush is invisible and its points are read once. A flush
/// cut by a crash or an error leaves chunks with `gen > flushed_gen`; the next flush (and every
/// open) deletes them first (``discardUnfinished(_:)``), and writes their points again from the
/// memtable (or the log replay). Log segments up to G are deleted only after G's last transaction.
final class Flusher: Sendable {
    struct Job: Sendable {
        var generation: Int64
        var buffers: [(MemTable.Key, MemTable.Buffer)]
    }

    private struct State {
        var job: Job?
        var stopping = false
        /// Tests: a simulated crash; the flush in progress stops before its next transaction.
        var abandoning = false
        /// Tests: transactions after which every flush stops as if the process died.
        var crashAfterTransactions: Int?
    }

    private let state = ConditionLock(State())
    private let thread = Mutex<OSThread?>(nil)
    let transactionPoints: Int
    let compactor: Compactor

    init(transactionPoints: Int, compactionMinChunks: Int) {
        self.transactionPoints = max(transactionPoints, 1)
        compactor = Compactor(minChunks: compactionMinChunks, transactionPoints: max(transactionPoints, 1))
    }

    /// Seals the memtable's active set and starts the log segment of the next one; `nil` when
    /// there is nothing to flush. Runs on the writer thread, between commits, so that every
    /// record in segments up to G is in a set up to G.
    static func seal(_ memtable: MemTable, log: CommitLog) throws -> Job? {
        guard !memtable.isEmpty else { return nil }
        var (generation, buffers) = memtable.beginFlush()
        try log.start(generation: generation + 1)
        // In series order, each of the flush's transactions touches its own run of the
        // (series_id, max_time) index's pages: in random order each would dirty (and write to
        // the WAL, then checkpoint) nearly every page of that index again.
        buffers.sort { ($0.0.series, $0.0.expiresAt ?? .min) < ($1.0.series, $1.0.expiresAt ?? .min) }
        return Job(generation: generation, buffers: buffers)
    }

    func start(pool: DatabasePool, memtable: MemTable, log: CommitLog, logger: Logger, done: @escaping @Sendable (String?) -> Void) throws(SystemError) {
        let t = try OSThread(name: "farad-store-flusher") { [self] in
            while true {
                let job: Job? = state.withLock(waitingUntil: { $0.job != nil || $0.stopping }) { s in
                    defer { s.job = nil }
                    return s.job
                }
                guard let job else { break }
                var failure: String?
                do {
                    try flush(job, memtable: memtable, pool: pool, log: log)
                    // After the flush has published: merging is not needed for correctness, and a
                    // crash keeps each series either merged or not.
                    try compactor.compact(series: Array(Set(job.buffers.map(\.0.series))).sorted(), pool: pool)
                } catch {
                    failure = "\(error)"
                    logger.error("store flush failed", metadata: ["error": "\(error)"])
                }
                done(failure)
            }
        }
        thread.withLock { $0 = t }
    }

    /// Hands a sealed job to the flush thread (the writer hands one at a time).
    func submit(_ job: Job) {
        state.withLock { $0.job = job }
        state.broadcast()
    }

    /// Ends the flush thread once its job is done; `abandon` (tests) cuts the job short.
    func stop(abandon: Bool = false) {
        state.withLock { s in
            s.stopping = true
            if abandon { s.abandoning = true }
        }
        state.broadcast()
        thread.takeAndJoin()
    }

    /// Tests: every later flush stops after `count` transactions, as if the process died there.
    func crashAfter(transactions count: Int?) {
        state.withLock { $0.crashAfterTransactions = count }
    }

    /// Writes `job` in small transactions; the last one publishes it (`flushed_gen`). `finally`
    /// runs in that last transaction.
    func flush(_ job: Job, memtable: MemTable, pool: DatabasePool, log: CommitLog, finally: ((Database) throws -> Void)? = nil) throws {
        var next = 0
        var transactions = 0
        func transaction(_ body: (Database) throws -> Void) throws {
            let (abandoned, crashAt) = state.withLock { ($0.abandoning, $0.crashAfterTransactions) }
            if abandoned || crashAt.map({ transactions >= $0 }) == true {
                throw StoreError(code: .closed, message: "flush of generation \(job.generation) stopped after \(transactions) transactions")
            }
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try body(db)
                    return .commit
                }
            }
            transactions += 1
        }
        try transaction { db in try Self.discardUnfinished(db) }
        while next < job.buffers.count {
            try transaction { db in
                let insert = try db.cachedStatement(sql: ChunkWriter.insertSQL)
                var bytes: [UInt8] = []
                var points = 0
                while next < job.buffers.count && points < transactionPoints {
                    let (key, b) = job.buffers[next]
                    try ChunkWriter.insert(times: b.times, values: b.values, series: key.series, expiresAt: key.expiresAt,
                                           generation: job.generation, statement: insert, scratch: &bytes)
                    points += b.times.count
                    next += 1
                }
            }
        }
        try transaction { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('flushed_gen', ?)", arguments: [job.generation])
            try finally?(db)
        }
        memtable.endFlush(generation: job.generation)
        // Only now: until the transaction above, these segments are the only whole copy of their points.
        log.remove(through: job.generation)
    }

    /// Deletes the chunks of a flush that did not finish (`gen > flushed_gen`), and notes where the
    /// next flush's chunks begin. Chunk ids only grow while a flush runs and nothing else inserts
    /// chunks newer than `flushed_gen`, so they are all at or after the noted id: no table scan.
    static func discardUnfinished(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM chunks
            WHERE id >= COALESCE((SELECT value FROM meta WHERE key = 'flush_from'), 0)
              AND gen > COALESCE((SELECT value FROM meta WHERE key = 'flushed_gen'), 0)
            """)
        try db.execute(sql: """
            INSERT OR REPLACE INTO meta(key, value) VALUES ('flush_from', COALESCE((SELECT MAX(id) FROM chunks), 0) + 1)
            """)
    }
}
