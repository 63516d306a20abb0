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
        /// Each write's series digest, computed by the caller (off the writer thread).
        var digests: [SeriesIndex.Digest]
        var pointCount: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var queuedPoints = 0
        var stopping = false
        /// Tests simulate a crash: the writer ends at once, without a last flush.
        var abandoning = false
        var stopped = false
        /// Tests hold commits back to fill the queue deterministically.
        var paused = false
        var flushRequested = false
        /// Sets sealed for a flush, and flushes done (the n-th flush is of the n-th seal), so that
        /// ``flushNow()`` can wait for the one after its request.
        var seals = 0
        var flushes = 0
        /// The flush thread has a job; the writer seals the next set only after it.
        var flushing = false
        /// The last flush's failure, if it failed.
        var flushFailure: String?
    }

    private let state = ConditionLock(State())
    private let maxQueuedPoints: Int
    /// When the memtable's points are moved into chunks.
    private let flushPolicy: FlushPolicy
    private let thread = Mutex<OSThread?>(nil)
    let flusher: Flusher
    /// Held by the writer for each commit (series file, log record, memtable, index) and by
    /// deletes for their transaction and index update: a series a delete finds empty and forgets
    /// cannot gain points (through its indexed id) in between.
    let gate = Mutex<Void>(())

    init(maxQueuedPoints: Int, flushPolicy: FlushPolicy, flusher: Flusher) {
        self.flusher = flusher
        self.maxQueuedPoints = maxQueuedPoints
        self.flushPolicy = flushPolicy
    }

    var queuedPoints: Int { state.withLock { $0.queuedPoints } }

    func start(pool: DatabasePool, index: SeriesIndex, seriesFile: SeriesFile, memtable: MemTable, log: CommitLog, logger: Logger) throws(SystemError) {
        try flusher.start(pool: pool, memtable: memtable, log: log, logger: logger) { [self] failure in flushed(failure: failure) }
        let t = try OSThread(name: "farad-store-writer") { [self] in
            run(index: index, seriesFile: seriesFile, memtable: memtable, log: log, logger: logger)
        }
        thread.withLock { $0 = t }
    }

    func submit(_ writes: [SeriesWrite], pointCount: Int) async throws(StoreError) {
        let digests = writes.map { SeriesIndex.digest($0.key) }
        do {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let rejection: StoreError? = state.withLock { s in
                    if s.stopping { return StoreError(code: .closed, message: "the store is closed") }
                    // A request larger than the whole queue still goes through when the queue is empty.
                    if s.queuedPoints > 0 && s.queuedPoints + pointCount > maxQueuedPoints {
                        return StoreError(code: .queueFull, message: "write queue full (\(s.queuedPoints) points waiting)")
                    }
                    s.pending.append(Pending(writes: writes, digests: digests, pointCount: pointCount, continuation: c))
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

    /// Commits what is queued, then ends the writer thread; `abandon` (tests: a simulated crash)
    /// ends it after the commit in progress, flushing nothing and failing what is queued.
    func stop(abandon: Bool = false) {
        if abandon { flusher.stop(abandon: true) }
        state.withLock { s in
            s.stopping = true
            s.abandoning = abandon
        }
        state.broadcast()
        thread.takeAndJoin()
        flusher.stop()
    }

    /// Asks the writer thread to move the memtable into chunks, and waits until it has.
    /// - Throws: ``StoreError`` `database` if that flush failed (the points stay in the memtable).
    func flushNow() throws(StoreError) {
        let target = state.withLock { s -> Int in
            s.flushRequested = true
            return s.seals + 1
        }
        state.broadcast()
        let failure = state.withLock(waitingUntil: { $0.flushes >= target || $0.stopped }) { $0.flushFailure }
        if let failure { throw StoreError(code: .database, message: "flush failed: \(failure)") }
    }

    private func run(index: SeriesIndex, seriesFile: SeriesFile, memtable: MemTable, log: CommitLog, logger: Logger) {
        var finalFlushSubmitted = false
        while true {
            let (batch, stopping, flushRequested, flushing): ([Pending], Bool, Bool, Bool) = state.withLock(
                waitingUntil: { s in
                    (!s.pending.isEmpty && !s.paused) || s.abandoning || (!s.flushing && (s.flushRequested || s.stopping))
                },
                timeout: .seconds(1)
            ) { s in
                if s.abandoning { return ([], true, false, s.flushing) }
                let taken = s.paused && !s.stopping ? [] : s.pending
                if !taken.isEmpty { s.pending = [] }
                return (taken, s.stopping, s.flushRequested, s.flushing)
            }
            if !batch.isEmpty {
                var failure: StoreError?
                do {
                    try gate.withLock { _ in try commit(batch, index: index, seriesFile: seriesFile, memtable: memtable, log: log) }
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
            let (drained, abandoning) = state.withLock { ($0.pending.isEmpty, $0.abandoning) }
            if abandoning {
                let left = state.withLock { s in
                    defer { s.pending = [] }
                    return s.pending
                }
                for p in left { p.continuation.resume(throwing: StoreError(code: .closed, message: "the store is closed")) }
                break
            }
            if stopping && drained && !flushing && (finalFlushSubmitted || memtable.isEmpty) { break }
            // One flush at a time: the next set is sealed once the flush thread is done.
            guard !flushing else { continue }
            let last = stopping && drained
            if flushRequested || last || memtable.needsFlush(flushPolicy) {
                if last { finalFlushSubmitted = true }
                var job: Flusher.Job?
                var failure: String?
                do {
                    job = try Flusher.seal(memtable, log: log)
                } catch {
                    failure = "\(error)"
                    logger.error("store flush failed", metadata: ["error": "\(error)"])
                }
                state.withLock { s in
                    s.seals += 1
                    if flushRequested { s.flushRequested = false }
                    if job != nil {
                        s.flushing = true
                    } else {
                        s.flushes += 1
                        s.flushFailure = failure
                    }
                }
                if let job { flusher.submit(job) } else { state.broadcast() }
            }
        }
        state.withLock { $0.stopped = true }
        state.broadcast()
    }

    /// The flush thread finished the job the writer handed it.
    private func flushed(failure: String?) {
        state.withLock { s in
            s.flushes += 1
            s.flushFailure = failure
            s.flushing = false
        }
        state.broadcast()
    }

    /// Commits every queued write: new series (and kinds of value a series gains) go into one
    /// series file record, then all points into one commit log record; once that is durable they
    /// join the memtable.
    ///
    /// The order matters: a log record names series by id, so the ids it names are durable in the
    /// series file first (each synced with `syncEveryCommit`). A log record that survives a crash
    /// therefore never names an id the index lost; a crash between the two leaves at most series
    /// without points, which the index tolerates. The index learns the new series only once
    /// their record is written, so a failed commit leaves no trace in it.
    private func commit(_ batch: [Pending], index: SeriesIndex, seriesFile: SeriesFile, memtable: MemTable, log: CommitLog) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // One index lookup per write, under one lock.
        let known = index.lookup(batch.map(\.digests))
        var nextID = index.nextID
        var seen: [SeriesIndex.Digest: SeriesIndex.Entry] = [:]
        /// New series by digest: their place in `ops` (their kinds of value can still grow).
        var created: [SeriesIndex.Digest: Int] = [:]
        var ops: [SeriesFile.Op] = []
        var opDigests: [SeriesIndex.Digest] = []
        var bufferIndex: [MemTable.Key: Int] = [:]
        var buffers: [(MemTable.Key, MemTable.Buffer)] = []
        for p in batch.indices {
            // By index, as below: a copy of each write would retain and release its arrays.
            for w in batch[p].writes.indices where batch[p].writes[w].count > 0 {
                let digest = batch[p].digests[w]
                let types = ValueTypes(batch[p].writes[w].values)
                var entry: SeriesIndex.Entry
                if let e = seen[digest] ?? known[p][w] {
                    entry = e
                } else {
                    entry = SeriesIndex.Entry(id: nextID, types: types)
                    created[digest] = ops.count
                    ops.append(.create(SeriesEntry(id: nextID, key: batch[p].writes[w].key, types: types)))
                    opDigests.append(digest)
                    nextID += 1
                }
                if !entry.types.isSuperset(of: types) {
                    entry.types.formUnion(types)
                    if let at = created[digest], case .create(var e) = ops[at] {
                        e.types = entry.types
                        ops[at] = .create(e)
                    } else {
                        ops.append(.types(entry.id, types))
                        opDigests.append(digest)
                    }
                }
                seen[digest] = entry
                let key = MemTable.Key(series: entry.id, expiresAt: Self.expiry(now: now, ttlSeconds: batch[p].writes[w].ttl))
                if let i = bufferIndex[key] {
                    buffers[i].1.times.append(contentsOf: batch[p].writes[w].times)
                    buffers[i].1.values.append(contentsOf: batch[p].writes[w].values)
                } else {
                    bufferIndex[key] = buffers.count
                    buffers.append((key, MemTable.Buffer(times: batch[p].writes[w].times, values: batch[p].writes[w].values)))
                }
            }
        }
        if !ops.isEmpty {
            try seriesFile.append(ops)
            index.apply(ops, digests: opDigests)
        }
        guard !buffers.isEmpty else { return }
        try log.append(LogCodec.encode(buffers))
        memtable.add(buffers)
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
    /// Inserts one chunk row; arguments as ``insert(times:values:series:expiresAt:generation:statement:scratch:)`` binds them.
    static let insertSQL = "INSERT INTO chunks(series_id, min_time, max_time, count, expires_at, gen, data) VALUES (?, ?, ?, ?, ?, ?, ?)"

    /// Points per chunk row at most, so that reads of a time range decode little beyond it.
    static let maxPointsPerChunk = 8192

    static func insert(
        times: [Int64], values: [MetricValue], series: Int64, expiresAt: Int64?, generation: Int64,
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
            try statement.execute(arguments: [series, lo, hi, end - start, expiresAt, generation, Data(bytes)])
            start = end
        }
    }
}
