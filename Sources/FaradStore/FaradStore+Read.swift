import FaradCore
import Foundation
import GRDB

/// The points of one series in a time range, sorted by time.
public struct SeriesData: Sendable {
    public var series: SeriesEntry
    public var times: [Int64]
    public var values: [MetricValue]
}

extension FaradStore {
    /// Reads the points of each series in `[start, end]` (both inclusive), sorted by time. Of two
    /// points of one series with the same time, the later write wins (as in Cassandra). Points
    /// whose TTL has passed are not returned.
    public func read(series: [SeriesEntry], start: Int64, end: Int64, now: Int64 = FaradStore.nowMillis()) throws(StoreError) -> [SeriesData] {
        // Nothing to read: no snapshot (a tag filter that matches no series costs no SQLite read).
        if series.isEmpty { return [] }
        // The memtable's sets first, then the SQLite snapshot: see ``MemTable``.
        let held = memtable.snapshot()
        do {
            return try pool.read { db in
                let flushed = try Self.flushedGeneration(db)
                let statement = try db.cachedStatement(sql: """
                    SELECT min_time, data FROM chunks
                    WHERE series_id = ? AND max_time >= ? AND min_time <= ? AND (expires_at IS NULL OR expires_at > ?) AND \(Self.visibleChunks)
                    ORDER BY id
                    """)
                var result: [SeriesData] = []
                result.reserveCapacity(series.count)
                for entry in series {
                    var data = SeriesData(series: entry, times: [], values: [])
                    let rows = try Row.fetchCursor(statement, arguments: [entry.id, start, end, now])
                    while let row = try rows.next() {
                        let base: Int64 = row[0]
                        try row.withUnsafeData(atIndex: 1) { blob in
                            guard let blob else { return }
                            try blob.withUnsafeBytes { raw in
                                try ChunkCodec.decode(raw, base: base) { t, v in
                                    if t >= start && t <= end {
                                        data.times.append(t)
                                        data.values.append(v)
                                    }
                                }
                            }
                        }
                    }
                    memtable.collect(from: held, flushed: flushed, series: entry.id, start: start, end: end, now: now, into: &data.times, &data.values)
                    Self.sortKeepingLastWrite(&data)
                    if !data.times.isEmpty { result.append(data) }
                }
                return result
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .database, message: "read failed: \(error)")
        }
    }

    /// Milliseconds since the epoch.
    public static func nowMillis() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000)
    }

    /// Stable sort by time, then drop all but the last of equal times.
    static func sortKeepingLastWrite(_ data: inout SeriesData) {
        sortKeepingLastWrite(&data.times, &data.values)
    }

    /// Stable sort of `times` (and `values` with them), then drop all but the last of equal times.
    static func sortKeepingLastWrite(_ times: inout [Int64], _ values: inout [MetricValue]) {
        let n = times.count
        guard n > 1 else { return }
        var sorted = true
        var strictly = true
        for i in 1..<n {
            if times[i] < times[i - 1] { sorted = false; break }
            if times[i] == times[i - 1] { strictly = false }
        }
        if sorted && strictly { return }
        var order = Array(0..<n)
        if !sorted {
            let t = times
            order.sort { t[$0] < t[$1] || (t[$0] == t[$1] && $0 < $1) }
        }
        var outTimes: [Int64] = []
        var outValues: [MetricValue] = []
        outTimes.reserveCapacity(n)
        outValues.reserveCapacity(n)
        for i in order {
            let t = times[i]
            if let last = outTimes.last, last == t {
                outValues[outValues.count - 1] = values[i]
            } else {
                outTimes.append(t)
                outValues.append(values[i])
            }
        }
        times = outTimes
        values = outValues
    }
}
