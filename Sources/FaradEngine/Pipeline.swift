import FaradCore

/// A task's running node graph: points go in at the root and flow, synchronously, through every
/// node to the sinks.
///
/// The clock is data-driven, as Kapacitor's: ``now`` is the newest time seen. With a
/// ``groupIdleTimeout``, groups not seen for that long (by that clock) are emitted if complete
/// and forgotten by every node, so memory is bounded by the groups alive, not by all groups
/// ever seen. Not thread-safe: ``TaskExecution`` serializes access.
public final class Pipeline {
    public let taskID: String
    /// Every node, parents before children; the first is the root (`stream0`).
    public let nodes: [EngineNode]
    public let groupIdleTimeout: Int64?
    /// The newest time seen (ns).
    public private(set) var now: Int64 = .min
    private var nextSweep: Int64 = .min

    init(taskID: String, nodes: [EngineNode], groupIdleTimeout: Int64?) {
        self.taskID = taskID
        self.nodes = nodes
        self.groupIdleTimeout = groupIdleTimeout
    }

    /// Feeds points written to `database`.`retentionPolicy` into the task.
    public func write(_ points: [Point], database: String, retentionPolicy: String) {
        let root = nodes[0]
        for p in points {
            advance(to: p.time)
            root.receive(.point(StreamPoint(p, database: database, retentionPolicy: retentionPolicy)))
        }
    }

    /// Hands `messages` produced by `node` outside a `process` call (a UDF's output) to its children.
    func inject(_ messages: [Message], from node: EngineNode) {
        for m in messages { node.emit(m) }
    }

    /// The node named `name`.
    public func node(named name: String) -> EngineNode? {
        nodes.first { $0.name == name }
    }

    private func advance(to time: Int64) {
        guard time > now else { return }
        now = time
        guard let idle = groupIdleTimeout, time >= nextSweep else { return }
        if nextSweep != .min { expireIdleGroups(before: time - idle) }
        nextSweep = time + max(idle / 4, 1_000_000_000)
    }

    /// Emits what idle groups completed and forgets them, node by node from the root.
    public func expireIdleGroups(before time: Int64) {
        for node in nodes { node.expire(idleBefore: time, now: now) }
    }
}
