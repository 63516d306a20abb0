import Foundation
import GRDB

extension FaradStore {
    /// Stores `body` as the document `id` of `kind` (replacing it), durably before returning.
    /// Task definitions are kept this way (`kind` "task").
    public func putDocument(kind: String, id: String, body: [UInt8]) throws(StoreError) {
        do {
            try pool.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO documents(kind, id, body) VALUES (?, ?, ?)",
                               arguments: [kind, id, Data(body)])
            }
        } catch {
            throw StoreError(code: .database, message: "cannot store \(kind) \(id): \(error)")
        }
    }

    /// Removes the document `id` of `kind`; returns whether it existed.
    @discardableResult
    public func deleteDocument(kind: String, id: String) throws(StoreError) -> Bool {
        do {
            return try pool.write { db in
                try db.execute(sql: "DELETE FROM documents WHERE kind = ? AND id = ?", arguments: [kind, id])
                return db.changesCount > 0
            }
        } catch {
            throw StoreError(code: .database, message: "cannot delete \(kind) \(id): \(error)")
        }
    }

    /// Every document of `kind`, by id.
    public func documents(kind: String) throws(StoreError) -> [(id: String, body: [UInt8])] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, body FROM documents WHERE kind = ? ORDER BY id", arguments: [kind]).map { row in
                    let data: Data = row[1]
                    return (id: row[0], body: [UInt8](data))
                }
            }
        } catch {
            throw StoreError(code: .database, message: "cannot read \(kind) documents: \(error)")
        }
    }
}
