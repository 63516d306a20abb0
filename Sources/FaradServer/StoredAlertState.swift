import FaradEngine
import FaradStore
import Logging

/// Alert state in the server's store (documents of kind `alert`, one per group and per event
/// ID of each alert node, keyed `task␟node␟key`): what a restarted, reloaded or `kill -9`ed
/// task's alert nodes start from. Deleted with the task.
struct StoredAlertState: AlertStateStore {
    static let kind = "alert"
    let store: FaradStore
    let logger: Logger

    private static func prefix(task: String, node: String) -> String { task + "\u{1F}" + node + "\u{1F}" }

    func load(task: String, node: String) -> [String: [UInt8]] {
        let prefix = Self.prefix(task: task, node: node)
        do {
            var records: [String: [UInt8]] = [:]
            for (id, body) in try store.documents(kind: Self.kind, prefix: prefix) { records[String(decoding: id.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)] = body }
            return records
        } catch {
            logger.error("cannot read the alert state of a task: it starts fresh", metadata: ["task": "\(task)", "node": "\(node)", "error": "\(error)"])
            return [:]
        }
    }

    func save(task: String, node: String, _ changes: [(key: String, bytes: [UInt8]?)]) {
        let prefix = Self.prefix(task: task, node: node)
        do {
            try store.putDocuments(kind: Self.kind, changes.map { (prefix + $0.key, $0.bytes) })
        } catch {
            logger.error("cannot save the alert state of a task", metadata: ["task": "\(task)", "node": "\(node)", "error": "\(error)"])
        }
    }

    /// Removes every alert node's state of `task`.
    func delete(task: String) {
        do {
            try store.deleteDocuments(kind: Self.kind, prefix: task + "\u{1F}")
        } catch {
            logger.error("cannot delete the alert state of a task", metadata: ["task": "\(task)", "error": "\(error)"])
        }
    }
}
