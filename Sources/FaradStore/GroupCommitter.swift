import FaradCore
import FaradSystem
import Foundation
import GRDB
import Logging
import Synchronization

/// Commits concurrent writes together: callers queue their writes and suspend; one writer thread
/// takes everything queued, commits it in one transaction and resumes every caller.
final class GroupCommitter: Sendable {
    private struct Pending {
        var writes: [SeriesWrite]
        var pointCount: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var queuedPoints = 0
        var stopping = false
        var stopped = false
        /// Tests hold commits back to fill the queue deterministically.
        var paused = false
        var flushRequested = false
        /// Flushes done, so that ``flushNow()`` can wait for the next one.
        var flushes = 0
        /// The last flush's failure, if it failed.
        var flushFailure: String?
    }

    private let state = ConditionLock(State())
    private let maxQueuedPoints: Int
    /// Points in the memtable that trigger a flush, and the longest they wait for one.
    private let flushPoints: Int
    private let flushAge: Duration
    private let thread = Mutex<OSThread?>(nil)

    init(maxQueuedPoints: Int, flushPoints: Int, flushAge: Duration) {
        self.maxQueuedPoints = maxQueuedPoints
        self.flushPoints = max(flushPoints, 1)
        self.flushAge = flushAge
    }

    var queuedPoints: Int { state.withLock { $0.queuedPoints } }

    func start(pool: DatabasePool, cache: SeriesCache, memtable: MemTable, logger: Logger) throws(SystemError) {
        let t = try OSThread(name: "farad-store-writer") { [self] in
            run(pool: pool, cache: cache, memtable: memtable, logger: logger)
        }
        thread.withLock { $0 = t }
    }

    func submit(_ writes: [SeriesWrite], pointCount: Int) async throws(StoreError) {
        do {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let rejection: StoreError? = state.withLock { s in
                    if s.stopping { return StoreError(code: .closed, message: "the store is closed") }
                    // A request larger than the whole queue still goes through when the queue is empty.
                    if s.queuedPoints > 0 && s.queuedPoints + pointCount > maxQueuedPoints {
                        return StoreError(code: .queueFull, message: "write queue full (\(s.queuedPoints) points waiting)")
                    }
                    s.pending.append(Pending(writes: writes, pointCount: pointCount, continuation: c))
                    s.queuedPoints += pointCount
                    return nil
                }
                if let rejection { c.resume(throwing: rejection) } else { state.broadcast() }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .database, message: "\(error)")
        }
    }

    /// Holds commits back (tests only); writes queue up until ``setPaused(false)``.
    func setPaused(_ paused: Bool) {
        state.withLock { $0.paused = paused }
        state.broadcast()
    }

    /// Commits what is queued, then ends the writer thread.
    func stop() {
        state.withLock { $0.stopping = true }
        state.broadcast()
        let t = thread.withLock { t -> OSThread? in
            defer { t = nil }
            return t
        }
        t?.join()
    }

    /// Asks the writer thread to move the memtable into chunks, and waits until it has.
    /// - Throws: ``StoreError`` `database` if that flush failed (the points stay in the memtable).
    func flushNow() throws(StoreError) {
        let target = state.withLock { s -> Int in
            s.flushRequested = true
            return s.flushes + 1
        }
        state.broadcast()
        let failure = state.withLock(waitingUntil: { $0.flushes >= target || $0.stopped }) { $0.flushFailure }
        if let failure { throw StoreError(code: .database, message: "flush failed: \(failure)") }
    }

    private func run(pool: DatabasePool, cache: SeriesCache, memtable: MemTable, logger: Logger) {
        while true {
            let (batch, stopping, flushRequested): ([Pending], Bool, Bool) = state.withLock(
                waitingUntil: { (!$0.pending.isEmpty && !$0.paused) || $0.stopping || $0.flushRequested },
                timeout: .seconds(1)
            ) { s in
                let taken = s.paused && !s.stopping ? [] : s.pending
                if !taken.isEmpty { s.pending = [] }
                return (taken, s.stopping, s.flushRequested)
            }
            if !batch.isEmpty {
                var failure: StoreError?
                do {
                    try commit(batch, pool: pool, cache: cache, memtable: memtable)
                } catch let error as StoreError {
                    failure = error
                } catch {
                    failure = StoreError(code: .database, message: "commit failed: \(error)")
                }
                if let failure {
                    logger.error("store commit failed", metadata: ["error": "\(failure)"])
                }
                let committed = batch.reduce(0) { $0 + $1.pointCount }
                state.withLock { $0.queuedPoints -= committed }
                for p in batch {
                    if let failure { p.continuation.resume(throwing: failure) } else { p.continuation.resume() }
                }
            }
            let drained = state.withLock { $0.pending.isEmpty }
            if flushRequested || (stopping && drained) || memtable.needsFlush(points: flushPoints, age: flushAge) {
                var flushFailure: String?
                do {
                    try Self.flush(memtable, pool: pool)
                } catch {
                    flushFailure = "\(error)"
                    logger.error("store flush failed", metadata: ["error": "\(error)"])
                }
                state.withLock { s in
                    s.flushes += 1
                    s.flushFailure = flushFailure
                    if flushRequested { s.flushRequested = false }
                }
                state.broadcast()
            }
            if stopping && drained { break }
        }
        state.withLock { $0.stopped = true }
        state.broadcast()
    }

    /// Moves the memtable's sealed sets into chunks, empties the log and records the flush's
    /// generation in `meta.flushed_gen`, in one transaction (readers rely on the three together).
    static func flush(_ memtable: MemTable, pool: DatabasePool) throws {
        guard !memtable.isEmpty else { return }
        let (generation, buffers) = memtable.beginFlush()
        // On failure the sets stay sealed, and the next flush writes them with its own.
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                let insertChunk = try db.cachedStatement(
                    sql: "INSERT INTO chunks(series_id, min_time, max_time, count, expires_at, data) VALUES (?, ?, ?, ?, ?, ?)")
                var bytes: [UInt8] = []
                for (key, b) in buffers {
                    try ChunkWriter.insert(times: b.times, values: b.values, series: key.series, expiresAt: key.expiresAt,
                                           statement: insertChunk, scratch: &bytes)
                }
                try db.execute(sql: "DELETE FROM log")
                try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('flushed_gen', ?)", arguments: [generation])
                return .commit
            }
        }
        memtable.endFlush(generation: generation)
    }

    /// One transaction for every queued write: new series are indexed, and all points go into a
    /// single log row; once it is committed they join the memtable and the series cache.
    private func commit(_ batch: [Pending], pool: DatabasePool, cache: SeriesCache, memtable: MemTable) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // Digests outside any lock; one cache lookup per write, under one lock.
        let digests: [[SeriesIDCache.Digest]] = batch.map { $0.writes.map { SeriesIDCache.digest($0.key) } }
        let known: [[SeriesIDCache.Entry?]] = cache.withLock { c in digests.map { $0.map { c.get($0) } } }
        try pool.writeWithoutTransaction { db in
            var seen: [SeriesIDCache.Digest: SeriesIDCache.Entry] = [:]
            var buffers: [(MemTable.Key, MemTable.Buffer)] = []
            try db.inTransaction(.immediate) {
                seen = [:]
                var index: [MemTable.Key: Int] = [:]
                buffers = []
                for (p, pending) in batch.enumerated() {
                    for (w, write) in pending.writes.enumerated() where write.count > 0 {
                        let digest = digests[p][w]
                        let types = ValueTypes(write.values)
                        var entry: SeriesIDCache.Entry
                        if let e = seen[digest] ?? known[p][w] {
                            entry = e
                        } else {
                            let text = TagText.encode(write.key.tags)
                            if let e = try SeriesIndex.find(db, write.key, tagText: text) {
                                entry = e
                            } else {
                                entry = SeriesIDCache.Entry(id: try SeriesIndex.create(db, write.key, tagText: text, types: types), types: types)
                            }
                        }
                        if !entry.types.isSuperset(of: types) {
                            try SeriesIndex.addTypes(db, id: entry.id, write.key, types)
                            entry.types.formUnion(types)
                        }
                        seen[digest] = entry
                        let key = MemTable.Key(series: entry.id, expiresAt: Self.expiry(now: now, ttlSeconds: write.ttl))
                        if let i = index[key] {
                            buffers[i].1.times.append(contentsOf: write.times)
                            buffers[i].1.values.append(contentsOf: write.values)
                        } else {
                            index[key] = buffers.count
                            buffers.append((key, MemTable.Buffer(times: write.times, values: write.values)))
                        }
                    }
                }
                let insertLog = try db.cachedStatement(sql: "INSERT INTO log(data) VALUES (?)")
                try insertLog.execute(arguments: [Data(LogCodec.encode(buffers))])
                return .commit
            }
            // Only after the commit: a rolled-back transaction's ids were never stored.
            cache.withLock { c in for (d, e) in seen { c.put(d, e) } }
            memtable.add(buffers)
        }
    }
}

extension GroupCommitter {
    /// When points written at `now` with a TTL of `ttlSeconds` expire: `nil` for none (a TTL of 0
    /// or less), and also for one so long that the time does not fit in 64 bits (it would be
    /// hundreds of millions of years away), instead of trapping on the overflow.
    static func expiry(now: Int64, ttlSeconds: Int64) -> Int64? {
        guard ttlSeconds > 0 else { return nil }
        let (ms, o1) = ttlSeconds.multipliedReportingOverflow(by: 1000)
        let (at, o2) = now.addingReportingOverflow(ms)
        return o1 || o2 ? nil : at
    }
}

/// Encodes points into chunk rows.
enum ChunkWriter {
    /// Points per chunk row at most, so that reads of a time range decode little beyond it.
    static let maxPointsPerChunk = 8192

    static func insert(
        times: [Int64], values: [MetricValue], series: Int64, expiresAt: Int64?,
        statement: Statement, scratch bytes: inout [UInt8]
    ) throws {
        var start = 0
        while start < times.count {
            let end = min(start + maxPointsPerChunk, times.count)
            var lo = Int64.max
            var hi = Int64.min
            for t in times[start..<end] {
                lo = min(lo, t)
                hi = max(hi, t)
            }
            bytes.removeAll(keepingCapacity: true)
            ChunkCodec.encode(times: times[start..<end], values: values[start..<end], base: lo, into: &bytes)
            try statement.execute(arguments: [series, lo, hi, end - start, expiresAt, Data(bytes)])
            start = end
        }
    }
}
