import FaradCore
import Foundation
import GRDB

/// Merges a series' small chunks into one, so that high cardinality (each flush holding one or
/// two points of each series) does not leave the store with a row and an index entry per point.
///
/// It runs on the flush thread after a flush has published, over the series that flush wrote.
/// A series is merged when it has at least `minChunks` visible chunks of fewer than
/// `smallPoints` points each (without TTL: chunks of different expiries stay apart, since a merged
/// chunk has one expiry). The points are decoded in chunk id order (write order), sorted by time
/// with the later write of equal times winning, re-encoded (at most
/// ``ChunkWriter/maxPointsPerChunk`` per chunk) with the newest source's generation, and the
/// sources deleted, in the same transaction: a crash keeps either the sources or the merge.
struct Compactor: Sendable {
    var minChunks: Int
    var smallPoints = 1024
    /// Points merged per transaction at most (whole series at a time).
    var transactionPoints: Int

    /// Merges the small chunks of `series` where there are enough of them. Returns chunks removed.
    @discardableResult
    func compact(series: [Int64], pool: DatabasePool) throws -> Int {
        guard minChunks > 1 else { return 0 }
        var removed = 0
        var next = 0
        while next < series.count {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let find = try db.cachedStatement(sql: """
                        SELECT id, min_time, gen, data FROM chunks
                        WHERE series_id = ? AND count < ? AND expires_at IS NULL AND \(FaradStore.visibleChunks)
                        ORDER BY id
                        """)
                    let insert = try db.cachedStatement(sql: ChunkWriter.insertSQL)
                    let delete = try db.cachedStatement(sql: "DELETE FROM chunks WHERE id = ?")
                    var points = 0
                    var bytes: [UInt8] = []
                    while next < series.count && points < transactionPoints {
                        let id = series[next]
                        next += 1
                        let rows = try Row.fetchAll(find, arguments: [id, smallPoints])
                        guard rows.count >= minChunks else { continue }
                        var times: [Int64] = []
                        var values: [MetricValue] = []
                        var generation: Int64 = 0
                        for row in rows {
                            let base: Int64 = row[1]
                            generation = max(generation, row[2])
                            try row.withUnsafeData(atIndex: 3) { blob in
                                guard let blob else { return }
                                try blob.withUnsafeBytes { raw in
                                    try ChunkCodec.decode(raw, base: base) { t, v in
                                        times.append(t)
                                        values.append(v)
                                    }
                                }
                            }
                        }
                        Self.sortKeepingLastWrite(&times, &values)
                        try ChunkWriter.insert(times: times, values: values, series: id, expiresAt: nil, generation: generation,
                                               statement: insert, scratch: &bytes)
                        for row in rows { try delete.execute(arguments: [row[0] as Int64]) }
                        points += times.count
                        removed += rows.count
                    }
                    return .commit
                }
            }
        }
        return removed
    }

    /// Stable sort by time; of equal times the last (latest written) is kept.
    static func sortKeepingLastWrite(_ times: inout [Int64], _ values: inout [MetricValue]) {
        let order = times.indices.sorted { times[$0] < times[$1] || (times[$0] == times[$1] && $0 < $1) }
        var t: [Int64] = []
        var v: [MetricValue] = []
        t.reserveCapacity(order.count)
        v.reserveCapacity(order.count)
        for i in order {
            if let last = t.last, last == times[i] {
                v[v.count - 1] = values[i]
            } else {
                t.append(times[i])
                v.append(values[i])
            }
        }
        times = t
        values = v
    }
}
