import FaradCore

#if canImport(Glibc)
import Glibc
#endif

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
            deliver(.point(StreamPoint(p, database: database, retentionPolicy: retentionPolicy)), to: root)
        }
    }

    /// Hands `messages` produced by `node` outside a `process` call (a UDF's output) to its children.
    func inject(_ messages: [Message], from node: EngineNode) {
        for m in messages {
            node.outbox.append(m)
            emit(from: node)
        }
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
        for node in nodes {
            node.expire(idleBefore: time, now: now, into: &node.outbox)
            emit(from: node)
        }
    }

    func deliver(_ message: Message, to node: EngineNode) {
        node.processed += 1
        if node.processed & 63 == 1 {
            let start = Self.monotonicNanos()
            node.process(message, into: &node.outbox)
            node.execNanos += Self.monotonicNanos() - start
            node.execSamples += 1
        } else {
            node.process(message, into: &node.outbox)
        }
        emit(from: node)
    }

    private func emit(from node: EngineNode) {
        guard !node.outbox.isEmpty else { return }
        var i = 0
        while i < node.outbox.count {
            let m = node.outbox[i]
            node.emitted += 1
            for child in node.children { deliver(m, to: child) }
            i += 1
        }
        node.outbox.removeAll(keepingCapacity: true)
    }

    static func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
