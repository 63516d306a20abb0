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

    /// Stores or (for a `nil` body) removes several documents of `kind` in one transaction,
    /// durably before returning.
    public func putDocuments(kind: String, _ changes: [(id: String, body: [UInt8]?)]) throws(StoreError) {
        guard !changes.isEmpty else { return }
        do {
            try pool.write { db in
                for (id, body) in changes {
                    if let body {
                        try db.execute(sql: "INSERT OR REPLACE INTO documents(kind, id, body) VALUES (?, ?, ?)", arguments: [kind, id, Data(body)])
                    } else {
                        try db.execute(sql: "DELETE FROM documents WHERE kind = ? AND id = ?", arguments: [kind, id])
                    }
                }
            }
        } catch {
            throw StoreError(code: .database, message: "cannot store \(changes.count) \(kind) documents: \(error)")
        }
    }

    /// The documents of `kind` whose id starts with `prefix`, by id.
    public func documents(kind: String, prefix: String) throws(StoreError) -> [(id: String, body: [UInt8])] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, body FROM documents WHERE kind = ? AND substr(id, 1, ?) = ? ORDER BY id",
                                 arguments: [kind, prefix.unicodeScalars.count, prefix]).map { row in
                    let data: Data = row[1]
                    return (id: row[0], body: [UInt8](data))
                }
            }
        } catch {
            throw StoreError(code: .database, message: "cannot read \(kind) documents: \(error)")
        }
    }

    /// Removes the documents of `kind` whose id starts with `prefix`.
    public func deleteDocuments(kind: String, prefix: String) throws(StoreError) {
        do {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM documents WHERE kind = ? AND substr(id, 1, ?) = ?", arguments: [kind, prefix.unicodeScalars.count, prefix])
            }
        } catch {
            throw StoreError(code: .database, message: "cannot delete \(kind) documents: \(error)")
        }
    }
}
