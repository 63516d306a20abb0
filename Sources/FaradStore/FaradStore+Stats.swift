import GRDB

/// What the store holds, for benchmarks and operators.
public struct StoreStatistics: Sendable {
    /// Series in the index.
    public var series: Int
    /// Chunk rows, the points in them and the bytes of their encoded points.
    public var chunks: Int
    public var chunkPoints: Int
    public var chunkBytes: Int
}

extension FaradStore {
    /// Counts the series and the chunks the database holds (one scan of each table; not for hot paths).
    /// - Throws: ``StoreError`` `database`.
    public func statistics() throws(StoreError) -> StoreStatistics {
        do {
            return try pool.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(SUM(count), 0), COALESCE(SUM(length(data)), 0) FROM chunks")
                return StoreStatistics(series: index.count, chunks: row?[0] ?? 0, chunkPoints: row?[1] ?? 0, chunkBytes: row?[2] ?? 0)
            }
        } catch {
            throw StoreError(code: .database, message: "statistics failed: \(error)")
        }
    }
}
