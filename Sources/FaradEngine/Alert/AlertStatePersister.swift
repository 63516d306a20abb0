import FaradSystem
import Logging
import Synchronization

/// Where alert nodes keep their state between runs of a task — beyond Kapacitor, which forgets
/// it on every restart or reload (duplicate alerts, lost recoveries). `farad serve` keeps it in
/// its store; records are keyed by task, node and a key of the node's own.
public protocol AlertStateStore: Sendable {
    /// What `node` of `task` saved: key → bytes.
    func load(task: String, node: String) -> [String: [UInt8]]
    /// Replaces, or with `nil` removes, records of `node` of `task`.
    func save(task: String, node: String, _ changes: [(key: String, bytes: [UInt8]?)])
}

/// A task's alert state writer: every 100 ms (and when the task stops) it takes what the task's
/// alert nodes changed — under the task's lock, through `collect` — and saves it on its own
/// thread, so a task never waits for the store. A `kill -9` loses at most the last 100 ms of
/// changes.
final class AlertStatePersister: TaskOutput, Sendable {
    typealias Changes = [(node: String, changes: [(key: String, bytes: [UInt8]?)])]

    private let store: any AlertStateStore
    private let task: String
    private let collect: @Sendable () -> Changes
    private let stopping = ConditionLock(false)
    private let thread = Mutex<OSThread?>(nil)

    init(store: any AlertStateStore, task: String, collect: @escaping @Sendable () -> Changes) {
        self.store = store
        self.task = task
        self.collect = collect
    }

    func start() throws(SystemError) {
        let t = try OSThread(name: "alert-state") { [self] in
            while true {
                let stop = stopping.withLock(waitingUntil: { $0 }, timeout: .milliseconds(100)) { $0 }
                flush()
                if stop { return }
            }
        }
        thread.withLock { $0 = t }
    }

    func stop() {
        stopping.withLock { $0 = true }
        stopping.broadcast()
        thread.takeAndJoin()
    }

    private func flush() {
        for (node, changes) in collect() where !changes.isEmpty {
            store.save(task: task, node: node, changes)
        }
    }
}
