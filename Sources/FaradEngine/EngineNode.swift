import FaradCore

/// One node of a task's pipeline: a state machine that turns each incoming message into zero or
/// more outgoing ones.
///
/// Subclasses override ``process(_:into:)``; stateful ones keep their state per group in a
/// ``GroupStates`` and override ``cardinality`` and ``expire(idleBefore:now:into:)``. Nodes do no
/// I/O of their own: sinks hand what they produce to an outbox the task drains.
public class EngineNode {
    /// The node's name in DOT and statistics: its type and index, e.g. `window2`.
    public let name: String
    /// The TICKscript method, e.g. `window`, or the UDF's name.
    public let type: String
    /// What the node's output edge carries (`nil` for sinks that provide nothing).
    public let provides: EdgeType?
    public internal(set) var children: [EngineNode] = []

    /// Messages received.
    public internal(set) var processed = 0
    /// Messages sent to each child.
    public internal(set) var emitted = 0
    /// Messages dropped because of an error (a failing lambda, a missing field, …).
    public internal(set) var errors = 0
    /// The most recent error's text.
    public internal(set) var lastError: String?
    var execNanos: Int64 = 0
    var execSamples = 0
    var outbox: [Message] = []

    init(name: String, type: String, provides: EdgeType?) {
        self.name = name
        self.type = type
        self.provides = provides
    }

    /// Handles one message, appending what it produces to `out`.
    func process(_ message: Message, into out: inout [Message]) {
        out.append(message)
    }

    /// Groups with state in this node.
    public var cardinality: Int { 0 }

    /// Forgets the groups last seen before `time`, after emitting what the task's clock `now`
    /// has completed for them.
    func expire(idleBefore time: Int64, now: Int64, into out: inout [Message]) {}

    /// Counts an error; the message it concerns is dropped.
    func fail(_ message: String) {
        errors += 1
        lastError = message
    }

    /// The average time of a `process` call, in nanoseconds (sampled).
    public var averageExecutionNanoseconds: Int64 {
        execSamples == 0 ? 0 : execNanos / Int64(execSamples)
    }

    /// Node-specific statistics for DOT and the task API, besides the common ones.
    public var extraStatistics: [(String, Int)] { [] }
}

/// Per-group state with the time each group was last seen, for nodes that keep state per group.
struct GroupStates<State> {
    struct Entry {
        var state: State
        var lastSeen: Int64

        mutating func touch<R>(_ time: Int64, _ body: (inout State) -> R) -> R {
            if time > lastSeen { lastSeen = time }
            return body(&state)
        }
    }

    private(set) var entries: [GroupID: Entry] = [:]

    var count: Int { entries.count }

    /// Runs `body` on the state of `group`, creating it with `make` first if needed.
    mutating func update<R>(_ group: GroupID, at time: Int64, make: () -> State, _ body: (inout State) -> R) -> R {
        entries[group, default: Entry(state: make(), lastSeen: time)].touch(time, body)
    }

    /// Removes and returns the groups last seen before `time`, in group order.
    mutating func removeIdle(before time: Int64) -> [(GroupID, State)] {
        let idle = entries.filter { $0.value.lastSeen < time }.sorted { $0.key.rawValue < $1.key.rawValue }
        for (g, _) in idle { entries[g] = nil }
        return idle.map { ($0.key, $0.value.state) }
    }

}
