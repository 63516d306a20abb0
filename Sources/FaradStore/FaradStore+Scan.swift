import FaradCore
import Foundation
import GRDB

/// Which end of the time range a scan starts from.
public enum ScanOrder: Sendable {
    /// Oldest point first.
    case ascending
    /// Newest point first.
    case descending
}

extension FaradStore {
    /// Visits the points of each series in `[start, end]` (both inclusive) in time order, one
    /// series after another, all in one snapshot, in bounded memory.
    ///
    /// A series' chunks are listed (not read), then read one at a time in the order of their
    /// first time (or, descending, their last), and a chunk is held only while the scan is inside
    /// its range: a series is visited in memory proportional to the chunks that overlap one
    /// another (one or two when points arrive in time order), never to its length. As in
    /// ``read(series:start:end:now:)``, of two points with one time the later write wins, and
    /// expired points are skipped.
    ///
    /// ```swift
    /// var newest: [Int64] = []
    /// try store.scan(series: [entry], start: .min, end: .max, order: .descending) { _, t, _ in
    ///     newest.append(t)
    ///     return newest.count < 1000  // the rest of this series is skipped
    /// }
    /// ```
    /// - Parameters:
    ///   - order: oldest or newest first.
    ///   - visit: called with the series' index in `series`, a time and its value; returns
    ///     `false` to skip the rest of that series.
    /// - Throws: ``StoreError`` `database` or `corrupt`.
    public func scan(
        series: [SeriesEntry], start: Int64, end: Int64, order: ScanOrder = .ascending,
        now: Int64 = FaradStore.nowMillis(), _ visit: (Int, Int64, MetricValue) -> Bool
    ) throws(StoreError) {
        try scanBatches(series: series, start: start, end: end, order: order, now: now) { i, times, values in
            for k in times.indices where !visit(i, times[k], values[k]) { return false }
            return true
        }
    }

    /// ``scan(series:start:end:order:now:_:)`` in runs of points: `visit` gets the series' index
    /// and consecutive points (times and values, in scan order) and returns `false` to skip the
    /// rest of that series. A visitor that folds points does its per-point work in its own loop,
    /// with no call per point.
    public func scanBatches(
        series: [SeriesEntry], start: Int64, end: Int64, order: ScanOrder = .ascending,
        now: Int64 = FaradStore.nowMillis(), _ visit: (Int, ArraySlice<Int64>, ArraySlice<MetricValue>) -> Bool
    ) throws(StoreError) {
        guard start <= end, !series.isEmpty else { return }
        // The memtable's sets first, then the SQLite snapshot: see ``MemTable``.
        let held = memtable.snapshot()
        do {
            try pool.read { db in
                let flushed = try Self.flushedGeneration(db)
                let list = try db.cachedStatement(sql: """
                    SELECT id, min_time, max_time FROM chunks
                    WHERE series_id = ? AND max_time >= ? AND min_time <= ? AND (expires_at IS NULL OR expires_at > ?)
                      AND \(Self.visibleChunks)
                    """)
                let fetch = try db.cachedStatement(sql: "SELECT min_time, data FROM chunks WHERE id = ?")
                for (index, entry) in series.enumerated() {
                    var chunks: [ChunkRef] = []
                    let rows = try Row.fetchCursor(list, arguments: [entry.id, start, end, now])
                    while let row = try rows.next() { chunks.append(ChunkRef(id: row[0], minTime: row[1], maxTime: row[2])) }
                    switch order {
                    case .ascending: chunks.sort { ($0.minTime, $0.id) < ($1.minTime, $1.id) }
                    case .descending: chunks.sort { ($0.maxTime, $0.id) > ($1.maxTime, $1.id) }
                    }
                    var merge = ScanMerge(order: order, chunks: chunks[...])
                    var times: [Int64] = []
                    var values: [MetricValue] = []
                    memtable.collect(from: held, flushed: flushed, series: entry.id, start: start, end: end, now: now, into: &times, &values)
                    // The memtable's points are newer than every chunk's: they win ties.
                    merge.add(ScanRun(times: times, values: values, rank: .max, order: order))
                    try merge.run(
                        load: { ref in
                            var t: [Int64] = []
                            var v: [MetricValue] = []
                            if let row = try Row.fetchOne(fetch, arguments: [ref.id]) {
                                let base: Int64 = row[0]
                                try row.withUnsafeData(atIndex: 1) { blob in
                                    try blob?.withUnsafeBytes { raw in
                                        try ChunkCodec.decode(raw, base: base) { time, value in
                                            if time >= start && time <= end {
                                                t.append(time)
                                                v.append(value)
                                            }
                                        }
                                    }
                                }
                            }
                            return ScanRun(times: t, values: v, rank: ref.id, order: order)
                        },
                        visit: { t, v in visit(index, t, v) })
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .database, message: "scan failed: \(error)")
        }
    }

    /// At most `limit` points of each series in `[start, end]`, the newest (`.descending`) or the
    /// oldest (`.ascending`), sorted by time; series without points there are left out. Chunks
    /// are read from that end until there are enough: the newest 1,000 of 10M points read one
    /// chunk or two, not the series.
    public func read(
        series: [SeriesEntry], start: Int64, end: Int64, limit: Int, from order: ScanOrder,
        now: Int64 = FaradStore.nowMillis()
    ) throws(StoreError) -> [SeriesData] {
        guard limit > 0 else { return [] }
        var result = series.map { SeriesData(series: $0, times: [], values: []) }
        try scanBatches(series: series, start: start, end: end, order: order, now: now) { i, times, values in
            let take = min(times.count, limit - result[i].times.count)
            result[i].times.append(contentsOf: times.prefix(take))
            result[i].values.append(contentsOf: values.prefix(take))
            return result[i].times.count < limit
        }
        if order == .descending {
            for i in result.indices {
                result[i].times.reverse()
                result[i].values.reverse()
            }
        }
        return result.filter { !$0.times.isEmpty }
    }

    /// The series of `series` that have a point in `[start, end]`, in their order: each is read
    /// only up to its first point there.
    public func seriesWithPoints(_ series: [SeriesEntry], start: Int64, end: Int64, now: Int64 = FaradStore.nowMillis()) throws(StoreError) -> [SeriesEntry] {
        var found = [Bool](repeating: false, count: series.count)
        try scan(series: series, start: start, end: end, now: now) { i, _, _ in
            found[i] = true
            return false
        }
        return series.indices.filter { found[$0] }.map { series[$0] }
    }
}

/// A chunk of the series being scanned, before its bytes are read.
struct ChunkRef {
    var id: Int64
    var minTime: Int64
    var maxTime: Int64
}

/// The points of one chunk (or of the memtable) in scan order, one per time (the last written).
struct ScanRun {
    var times: [Int64]
    var values: [MetricValue]
    var position = 0
    /// Which run wins a tie: chunks by id (a later chunk holds later writes), the memtable last.
    let rank: Int64

    init(times: [Int64], values: [MetricValue], rank: Int64, order: ScanOrder) {
        var t = times
        var v = values
        FaradStore.sortKeepingLastWrite(&t, &v)
        if order == .descending {
            t.reverse()
            v.reverse()
        }
        self.times = t
        self.values = v
        self.rank = rank
    }

    var head: Int64? { position < times.count ? times[position] : nil }
}

/// Merges one series' runs in scan order, reading a chunk only once the merge reaches its range.
struct ScanMerge {
    let order: ScanOrder
    private var pending: ArraySlice<ChunkRef>
    private var active: [ScanRun] = []

    init(order: ScanOrder, chunks: ArraySlice<ChunkRef>) {
        self.order = order
        self.pending = chunks
    }

    mutating func add(_ run: ScanRun) {
        if run.head != nil { active.append(run) }
    }

    @inline(__always)
    private func before(_ a: Int64, _ b: Int64) -> Bool { order == .ascending ? a < b : a > b }

    /// Whether the next chunk not yet read may hold a point at `t` or before it in scan order
    /// (then it must be read before `t` is visited: its point may win a tie).
    @inline(__always)
    private func pendingReaches(_ t: Int64) -> Bool {
        guard let next = pending.first else { return false }
        return order == .ascending ? next.minTime <= t : next.maxTime >= t
    }

    /// Visits the merged points, in runs, until the runs end or `visit` returns `false`. Every
    /// turn of the loop visits at least one point or reads one chunk, and both are finite.
    mutating func run(load: (ChunkRef) throws -> ScanRun, visit: (ArraySlice<Int64>, ArraySlice<MetricValue>) -> Bool) throws {
        while true {
            var best: Int64?
            for r in active {
                if let h = r.head, best.map({ before(h, $0) }) ?? true { best = h }
            }
            guard let t = best, !pendingReaches(t) else {
                guard let next = pending.popFirst() else { return }
                add(try load(next))
                continue
            }
            if active.count == 1 {
                // One run and no chunk in the way: visit it up to where the next chunk starts.
                var r = active[0]
                active = []
                let from = r.position
                var to = r.times.count
                if pending.first != nil {
                    to = from + 1
                    while to < r.times.count, !pendingReaches(r.times[to]) { to += 1 }
                }
                r.position = to
                if !visit(r.times[from..<to], r.values[from..<to]) { return }
                add(r)
                continue
            }
            var winner = -1
            for i in active.indices where active[i].head == t {
                if winner < 0 || active[i].rank > active[winner].rank { winner = i }
            }
            let at = active[winner].position
            let go = visit(active[winner].times[at...at], active[winner].values[at...at])
            for i in active.indices where active[i].head == t { active[i].position += 1 }
            active.removeAll { $0.head == nil }
            if !go { return }
        }
    }
}
