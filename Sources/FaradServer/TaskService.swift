import FaradCore
import FaradEngine
import FaradStore
import FaradTICK
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Kapacitor's tasks in `farad serve`: definitions kept in the store (they come back, enabled,
/// after a restart), executions fed by `/write` and `/kapacitor/v1/write`, each running
/// execution hosted in this service's task group.
public final class TaskService: Service, Sendable {
    struct State {
        var records: [String: TaskRecord] = [:]
        var running: [String: TaskExecution] = [:]
    }

    private let state = Mutex(State())
    private let store: FaradStore
    private let environment: TaskEnvironment
    private let logger: Logger
    private let starts: AsyncStream<TaskExecution>
    private let startContinuation: AsyncStream<TaskExecution>.Continuation

    /// Loads the stored task definitions.
    public init(store: FaradStore, environment: TaskEnvironment, logger: Logger) throws(StoreError) {
        self.store = store
        var environment = environment
        if environment.alertStateStore == nil { environment.alertStateStore = StoredAlertState(store: store, logger: logger) }
        self.environment = environment
        self.logger = logger
        (starts, startContinuation) = AsyncStream<TaskExecution>.makeStream()
        var records: [String: TaskRecord] = [:]
        for (id, body) in try store.documents(kind: "task") {
            do {
                records[id] = try JSONDecoder().decode(TaskRecord.self, from: Data(body))
            } catch {
                logger.error("cannot read stored task", metadata: ["task": "\(id)", "error": "\(error)"])
            }
        }
        state.withLock { $0.records = records }
    }

    public func run() async throws {
        let enabled = state.withLock { $0.records.values.filter(\.enabled).map(\.id).sorted() }
        for id in enabled { _ = try? start(id) }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await execution in starts {
                    group.addTask { await self.execute(execution) }
                }
            }
        } onGracefulShutdown: {
            self.startContinuation.finish()
            let running = self.state.withLock { s in
                defer { s.running.removeAll() }
                return Array(s.running.values)
            }
            for execution in running { execution.stop() }
        }
    }

    private func execute(_ execution: TaskExecution) async {
        do {
            try await execution.run()
        } catch {
            logger.error("task stopped", metadata: ["task": "\(execution.id)", "error": "\(error)"])
            state.withLock { s in
                guard s.running[execution.id] === execution else { return }
                s.running[execution.id] = nil
                s.records[execution.id]?.error = "\(error)"
            }
        }
    }

    // MARK: Routing

    /// The executing tasks that read `db`.`rp`, found once per write: empty when none does
    /// (the write route then builds no points for tasks).
    func route(database: String, retentionPolicy: String) -> TaskRoute {
        let key = DBRP(db: database, rp: retentionPolicy)
        let targets = state.withLock { s in
            // A batch task takes no writes: its data comes from its queries.
            s.running.filter { s.records[$0.key].map { $0.type == "stream" && $0.dbrps.contains(key) } ?? false }.map(\.value)
        }
        return TaskRoute(database: database, retentionPolicy: retentionPolicy, targets: targets)
    }

    /// Feeds points written to `db`.`rp` to every executing task that reads it.
    func write(_ points: [Point], database: String, retentionPolicy: String) async {
        await route(database: database, retentionPolicy: retentionPolicy).write(points)
    }

    // MARK: API

    func list() -> [(TaskRecord, TaskExecution?)] {
        state.withLock { s in s.records.values.sorted { $0.id < $1.id }.map { ($0, s.running[$0.id]) } }
    }

    func get(_ id: String) throws(TaskAPIError) -> (TaskRecord, TaskExecution?) {
        try state.withLock { (s) throws(TaskAPIError) in
            guard let r = s.records[id] else { throw TaskAPIError(404, "no task exists") }
            return (r, s.running[id])
        }
    }

    /// The DOT of a task: with statistics when executing, else its plain graph.
    func dot(_ record: TaskRecord, _ execution: TaskExecution?) -> String {
        if let execution { return execution.dot() }
        return (try? TaskCompiler.validate(id: record.id, script: record.script, environment: environment(for: record)))?.dot ?? ""
    }

    func httpOut(_ id: String, endpoint: String) throws(TaskAPIError) -> String {
        let execution = try get(id).1
        guard let execution else { throw TaskAPIError(404, "task \(id) is not executing") }
        guard let json = execution.httpOut(endpoint) else { throw TaskAPIError(404, "task \(id) has no httpOut('\(endpoint)') node") }
        return json
    }

    private func environment(for record: TaskRecord) -> TaskEnvironment {
        var env = environment
        if let idle = record.groupIdle { env.groupIdleTimeout = DurationText.parse(idle) }
        return env
    }

    /// What `POST` and `PATCH` may set.
    struct Changes {
        var id: String?
        var script: String?
        /// `stream` or `batch`; it must agree with the script's type.
        var type: String?
        var dbrps: [DBRP]?
        var status: String?
        var groupIdle: String?
    }

    func create(_ c: Changes) throws(TaskAPIError) -> TaskRecord {
        let id = c.id.flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased()
        guard id.allSatisfy({ $0.isLetter || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0 == "_" }) else {
            throw TaskAPIError(400, "task ID must contain only letters, numbers, '-', '.' and '_'. \(id.debugDescription)")
        }
        guard id.utf8.count <= Self.maxIDBytes else {
            throw TaskAPIError(400, "task ID must be at most \(Self.maxIDBytes) bytes long, not \(id.utf8.count)")
        }
        guard let script = c.script, !script.isEmpty else { throw TaskAPIError(400, "must provide TICKscript") }
        let now = Self.wallClock()
        var record = TaskRecord(id: id, type: "stream", dbrps: [], script: script, status: "disabled", created: now, modified: now,
                                lastEnabled: 0, error: "", groupIdle: c.groupIdle)
        try validate(&record, requested: c.dbrps, patch: false)
        try Self.check(type: c.type, of: record)
        try state.withLock { (s) throws(TaskAPIError) in
            guard s.records[id] == nil else { throw TaskAPIError(400, "task \(id) already exists") }
            s.records[id] = record
        }
        // A new task starts from nothing, whatever a deleted one of the same ID left.
        StoredAlertState(store: store, logger: logger).delete(task: id)
        try persist(record)
        if let status = c.status { try setStatus(id, status) }
        return try get(id).0
    }

    func update(_ id: String, _ c: Changes) throws(TaskAPIError) -> TaskRecord {
        guard var record = state.withLock({ $0.records[id] }) else { throw TaskAPIError(404, "task does not exist, cannot update") }
        if c.script != nil || c.dbrps != nil || c.groupIdle != nil || c.type != nil {
            if let script = c.script, !script.isEmpty { record.script = script }
            if let idle = c.groupIdle { record.groupIdle = idle.isEmpty ? nil : idle }
            let previous = record.dbrps
            record.dbrps = []
            try validate(&record, requested: c.dbrps ?? previous, patch: true)
            try Self.check(type: c.type, of: record)
            record.modified = Self.wallClock()
            state.withLock { $0.records[id] = record }
            try persist(record)
        }
        if let status = c.status { try setStatus(id, status) }
        return try get(id).0
    }

    func delete(_ id: String) throws(TaskAPIError) {
        let execution = state.withLock { s in
            s.records[id] = nil
            return s.running.removeValue(forKey: id)
        }
        execution?.stop()
        // What its influxDBOut nodes had not delivered, and its alert state, go with the task.
        if let outbox = environment.outboxDirectory(forTask: id) { try? FileManager.default.removeItem(atPath: outbox) }
        StoredAlertState(store: store, logger: logger).delete(task: id)
        do {
            try store.deleteDocument(kind: "task", id: id)
        } catch {
            throw TaskAPIError(500, error.message)
        }
    }

    /// A requested task type must be the one the script has.
    private static func check(type: String?, of record: TaskRecord) throws(TaskAPIError) {
        guard let type, type != record.type else { return }
        guard type == "stream" || type == "batch" else { throw TaskAPIError(400, "invalid task type \(type.debugDescription): use stream or batch") }
        throw TaskAPIError(400, "task type \(type) does not match the TICKscript, which is a \(record.type) task")
    }

    /// Checks the script and settles the dbrps: from the request or the script, not both.
    private func validate(_ record: inout TaskRecord, requested: [DBRP]?, patch: Bool) throws(TaskAPIError) {
        let summary: TaskSummary
        do {
            summary = try TaskCompiler.validate(id: record.id, script: record.script, environment: environment(for: record))
        } catch {
            throw TaskAPIError(400, "invalid TICKscript: \(error)")
        }
        if let idle = record.groupIdle, (DurationText.parse(idle) ?? 0) <= 0 {
            throw TaskAPIError(400, "invalid group-idle \(idle.debugDescription): use a duration such as 10m")
        }
        record.type = summary.type.rawValue
        let explicit = requested ?? []
        if !summary.dbrps.isEmpty && !explicit.isEmpty && !patch {
            throw TaskAPIError(400, "cannot specify dbrp in both implicitly and explicitly")
        }
        record.dbrps = summary.dbrps.isEmpty ? explicit : summary.dbrps
        guard !record.dbrps.isEmpty else { throw TaskAPIError(400, "must specify dbrp") }
        // A batch query reads only what the task declares (a query without an rp reads the
        // database's default one, which any declared rp of that database allows).
        for q in summary.queryDBRPs where !record.dbrps.contains(where: { $0.db == q.db && (q.rp.isEmpty || $0.rp == q.rp) }) {
            throw TaskAPIError(400, "batch query is not allowed to request data from \(q)")
        }
    }

    private func setStatus(_ id: String, _ status: String) throws(TaskAPIError) {
        guard status == "enabled" || status == "disabled" else {
            throw TaskAPIError(400, "invalid status \(status.debugDescription): use enabled or disabled")
        }
        let changed = try state.withLock { (s) throws(TaskAPIError) -> TaskRecord? in
            guard var r = s.records[id] else { throw TaskAPIError(404, "no task exists") }
            guard r.status != status || (status == "enabled" && s.running[id] == nil) else { return nil }
            r.status = status
            r.modified = Self.wallClock()
            if status == "enabled" { r.lastEnabled = r.modified }
            s.records[id] = r
            return r
        }
        guard let changed else { return }
        try persist(changed)
        if status == "enabled" {
            try start(id)
        } else {
            state.withLock { $0.running.removeValue(forKey: id) }?.stop()
        }
    }

    private func start(_ id: String) throws(TaskAPIError) {
        guard let record = state.withLock({ $0.records[id] }) else { throw TaskAPIError(404, "no task exists") }
        let execution: TaskExecution
        do {
            execution = try TaskExecution(id: id, script: record.script, environment: environment(for: record))
        } catch {
            state.withLock { $0.records[id]?.error = "\(error)" }
            throw TaskAPIError(500, "\(error)")
        }
        let previous = state.withLock { s in
            s.records[id]?.error = ""
            defer { s.running[id] = execution }
            return s.running[id]
        }
        previous?.stop()
        startContinuation.yield(execution)
    }

    private func persist(_ record: TaskRecord) throws(TaskAPIError) {
        do {
            try store.putDocument(kind: "task", id: record.id, body: Array(try JSONEncoder().encode(record)))
        } catch let error as StoreError {
            throw TaskAPIError(500, error.message)
        } catch {
            throw TaskAPIError(500, "\(error)")
        }
    }

    /// The longest task ID accepted (it names the task's endpoints and its stored definition).
    static let maxIDBytes = 256

    static func wallClock() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000_000) }
}

/// The executing tasks one write goes to, looked up once.
struct TaskRoute: Sendable {
    let database: String
    let retentionPolicy: String
    let targets: [TaskExecution]

    var isEmpty: Bool { targets.isEmpty }

    /// Streams `points` to every target at once: a task waiting for its slow UDF does not hold
    /// up the others.
    func write(_ points: [Point]) async {
        guard !targets.isEmpty else { return }
        await withDiscardingTaskGroup { group in
            for t in targets { group.addTask { await t.write(points, database: database, retentionPolicy: retentionPolicy) } }
        }
    }
}
