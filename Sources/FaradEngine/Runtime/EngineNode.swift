import FaradCore

#if canImport(Glibc)
import Glibc
#endif

/// One node of a task's pipeline: a state machine that turns each incoming message into zero or
/// more outgoing ones.
///
/// Subclasses override ``process(_:)`` and hand what they produce to ``emit(_:)``, which passes
/// it straight on to the children (the message moves down the chain; it is copied only where a
/// node has several children). Stateful nodes keep their state per group in a ``GroupStates``
/// and override ``cardinality`` and ``expire(idleBefore:now:)``. Nodes do no I/O of their own:
/// sinks hand what they produce to writers the task owns.
public class EngineNode {
    /// The node's name in DOT and statistics: its type and index, e.g. `window2`.
    public let name: String
    /// The TICKscript method, e.g. `window`, or the UDF's name.
    public let type: String
    /// What the node's output edge carries (`nil` for sinks that provide nothing).
    public let provides: EdgeType?
    // Nodes are confined to their pipeline, which one thread at a time drives (TaskExecution's
    // lock), and a node never re-enters itself (the graph has no cycles): the state touched per
    // message skips the runtime exclusivity check, which cost more than the work it guards.
    @exclusivity(unchecked) public internal(set) var children: [EngineNode] = []

    /// Messages received.
    @exclusivity(unchecked) public internal(set) var processed = 0
    /// Messages sent to each child.
    @exclusivity(unchecked) public internal(set) var emitted = 0
    /// Messages dropped because of an error (a failing lambda, a missing field, …).
    public internal(set) var errors = 0
    /// The most recent error's text.
    public internal(set) var lastError: String?
    @exclusivity(unchecked) private var execNanos: Int64 = 0
    @exclusivity(unchecked) private var execSamples = 0
    /// While a sampled `process` call runs: the time its children took, which is not this node's.
    @exclusivity(unchecked) private var timing = false
    @exclusivity(unchecked) private var childNanos: Int64 = 0
    /// The data clock of the node's segment (set when the pipeline is built): when a group is
    /// seen, for group expiry. A downstream node's messages may carry older times (a window's
    /// batch has the window's end), so nodes stamp groups with the clock, not the message.
    @exclusivity(unchecked) var clock = SegmentClock()

    init(name: String, type: String, provides: EdgeType?) {
        self.name = name
        self.type = type
        self.provides = provides
    }

    /// Handles one message, passing what it produces to ``emit(_:)``. The default passes it on.
    func process(_ message: consuming Message) {
        emit(message)
    }

    /// Handles one message from `parent` (nil: fed to the root). The default ignores where it
    /// came from; a node with several parents that tells them apart (`join`) overrides it.
    func process(_ message: consuming Message, from parent: EngineNode?) {
        process(message)
    }

    /// Groups with state in this node.
    public var cardinality: Int { 0 }

    /// Forgets the groups last seen before `time`, after emitting what the task's clock `now`
    /// has completed for them.
    func expire(idleBefore time: Int64, now: Int64) {}

    /// A message from a parent: counted, and every 64th timed (without its children's time).
    final func receive(_ message: consuming Message, from parent: EngineNode? = nil) {
        processed &+= 1
        guard processed & 63 == 1 else { return process(message, from: parent) }
        let start = Self.monotonicNanos()
        childNanos = 0
        timing = true
        process(message, from: parent)
        timing = false
        execNanos &+= Self.monotonicNanos() - start - childNanos
        execSamples &+= 1
    }

    /// Sends `message` to every child, in order.
    final func emit(_ message: consuming Message) {
        emitted &+= 1
        guard timing else { return send(message) }
        let start = Self.monotonicNanos()
        send(message)
        childNanos &+= Self.monotonicNanos() - start
    }

    /// Sends `message`, produced outside a `process` call (a UDF's output), to every child. It
    /// runs in the children's segment, so it touches no state of this node's but `emitted`.
    final func forward(_ message: consuming Message) {
        emitted &+= 1
        send(message)
    }

    private final func send(_ message: consuming Message) {
        let children = self.children
        let last = children.count - 1
        guard last >= 0 else { return }
        var i = 0
        while i < last {
            children[i].receive(copy message, from: self)
            i += 1
        }
        children[last].receive(message, from: self)
    }

    /// Counts an error; the message it concerns is dropped.
    func fail(_ message: String) {
        fail(1, message)
    }

    /// Counts `count` errors (points dropped together) with one text.
    func fail(_ count: Int, _ message: String) {
        errors += count
        lastError = message
    }

    /// The average time of a `process` call, in nanoseconds (sampled).
    public var averageExecutionNanoseconds: Int64 {
        execSamples == 0 ? 0 : execNanos / Int64(execSamples)
    }

    /// Node-specific statistics for DOT and the task API, besides the common ones.
    public var extraStatistics: [(String, Int)] { [] }

    static func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
