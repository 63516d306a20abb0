import FaradCore
import Foundation
import GRDB

extension FaradStore {
    /// Deletes the points of `series` in `[start, end]`; a series left without points leaves the
    /// index too (so `metricnames` forgets a deleted metric). Returns the number of points deleted.
    @discardableResult
    public func delete(series: [SeriesEntry], start: Int64, end: Int64) throws(StoreError) -> Int {
        try committer.flushNow()  // points acknowledged before the delete are deleted from their chunks
        do {
            return try committer.gate.withLock { _ in try pool.writeWithoutTransaction { db in
                var deleted = 0
                var emptied: [SeriesEntry] = []
                try db.inTransaction(.immediate) {
                    deleted = 0
                    emptied = []
                    for entry in series {
                        deleted += try deleteRange(db, series: entry.id, start: start, end: end)
                        let left = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunks WHERE series_id = ? AND \(Self.visibleChunks)", arguments: [entry.id]) ?? 0
                        // Points committed since the flush keep their series (commits wait for the
                        // committer's gate, so the memtable does not change under it).
                        if left == 0 && !memtable.holds(series: entry.id) { emptied.append(entry) }
                    }
                    return .commit
                }
                try forget(emptied.map(\.id))
                return deleted
            } }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .database, message: "delete failed: \(error)")
        }
    }

    /// Removes chunks whose TTL has passed, and series left empty. Returns the chunks removed.
    @discardableResult
    public func reclaimExpired(now: Int64 = FaradStore.nowMillis()) throws(StoreError) -> Int {
        try committer.flushNow()
        do {
            return try committer.gate.withLock { _ in try pool.writeWithoutTransaction { db in
                var removed = 0
                var emptied: [SeriesEntry] = []
                try db.inTransaction(.immediate) {
                    // Only the series that lost chunks can be left empty.
                    let touched = try Int64.fetchAll(db, sql: """
                        DELETE FROM chunks WHERE expires_at IS NOT NULL AND expires_at <= ? AND \(Self.visibleChunks) RETURNING series_id
                        """, arguments: [now])
                    removed = touched.count
                    emptied = []
                    let left = try db.cachedStatement(sql: "SELECT 1 FROM chunks WHERE series_id = ? AND \(Self.visibleChunks) LIMIT 1")
                    for id in Set(touched).sorted() {
                        // A series without chunks may have points committed since the flush: it stays.
                        guard try Int.fetchOne(left, arguments: [id]) == nil, !memtable.holds(series: id),
                              let entry = index.entry(id) else { continue }
                        emptied.append(entry)
                    }
                    return .commit
                }
                try forget(emptied.map(\.id))
                return removed
            } }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .database, message: "reclaim failed: \(error)")
        }
    }

    /// Removes series left without points from the series file, then from the index (under the
    /// committer's gate). A crash between the chunks' transaction and this leaves them indexed
    /// without points, which the index tolerates.
    private func forget(_ ids: [Int64]) throws(StoreError) {
        guard !ids.isEmpty else { return }
        let ops = ids.map { SeriesFile.Op.remove($0) }
        try seriesFile.append(ops)
        index.apply(ops)
    }

    private func deleteRange(_ db: Database, series: Int64, start: Int64, end: Int64) throws -> Int {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, min_time, max_time, count, data FROM chunks
            WHERE series_id = ? AND max_time >= ? AND min_time <= ? AND \(Self.visibleChunks)
            """, arguments: [series, start, end])
        var deleted = 0
        for row in rows {
            let id: Int64 = row[0]
            let lo: Int64 = row[1]
            let hi: Int64 = row[2]
            let count: Int = row[3]
            if lo >= start && hi <= end {
                try db.execute(sql: "DELETE FROM chunks WHERE id = ?", arguments: [id])
                deleted += count
                continue
            }
            var times: [Int64] = []
            var values: [MetricValue] = []
            let blob: Data = row[4]
            try blob.withUnsafeBytes { raw in
                try ChunkCodec.decode(raw, base: lo) { t, v in
                    if t < start || t > end {
                        times.append(t)
                        values.append(v)
                    }
                }
            }
            deleted += count - times.count
            if times.isEmpty {
                try db.execute(sql: "DELETE FROM chunks WHERE id = ?", arguments: [id])
            } else {
                let newLo = times.min()!
                var bytes: [UInt8] = []
                ChunkCodec.encode(times: times[...], values: values[...], base: newLo, into: &bytes)
                try db.execute(
                    sql: "UPDATE chunks SET min_time = ?, max_time = ?, count = ?, data = ? WHERE id = ?",
                    arguments: [newLo, times.max()!, times.count, Data(bytes), id])
            }
        }
        return deleted
    }
}
