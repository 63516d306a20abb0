import FaradCore

/// A task's node graph: points go in at the root and flow, synchronously, through every node
/// to the sinks.
///
/// The graph is cut into *segments* at UDF nodes: segment 0 holds what writes reach (from the
/// root up to and including the first UDFs), and each UDF's output side starts another, fed
/// by ``inject(_:from:)``. Segments share no node, so a task can run one segment per thread,
/// each behind its own lock (``TaskExecution``): the writer's side and a UDF's output side work
/// at the same time. Where a node is reachable from two segments (a `union` of a branch before
/// a UDF and one after it), those segments are one.
///
/// The clock is data-driven, as Kapacitor's, per segment: ``now(segment:)`` is the newest time
/// the segment has seen. With a ``groupIdleTimeout``, groups not seen for that long (by that
/// clock) are emitted if complete and forgotten by every node of the segment, so memory is
/// bounded by the groups alive, not by all groups ever seen. Not thread-safe: a segment must be
/// driven by one thread at a time.
public final class Pipeline {

    public let taskID: String
    /// Every node, parents before children; the first is the root (`stream0`).
    public let nodes: [EngineNode]
    public let groupIdleTimeout: Int64?
    /// Each segment's nodes, parents before children. Segment 0 starts at the root.
    let segments: [[EngineNode]]
    /// The segment of each node, by its index in ``nodes``.
    let segmentIndex: [Int]
    /// Each segment's clock, an object of its own: only that segment's lock guards it.
    private let clocks: [SegmentClock]

    init(taskID: String, nodes: [EngineNode], groupIdleTimeout: Int64?) {
        self.taskID = taskID
        self.nodes = nodes
        self.groupIdleTimeout = groupIdleTimeout
        (segments, segmentIndex) = Self.cut(nodes)
        clocks = segments.map { _ in SegmentClock() }
        for (node, segment) in zip(nodes, segmentIndex) { node.clock = clocks[segment] }
    }

    /// Feeds points written to `database`.`retentionPolicy` into the task (segment 0).
    public func write(_ points: [Point], database: String, retentionPolicy: String) {
        let root = nodes[0]
        for p in points {
            advance(segment: 0, to: p.time)
            root.receive(.point(StreamPoint(p, database: database, retentionPolicy: retentionPolicy)))
        }
    }

    /// Hands `messages` produced by `node` outside a `process` call (a UDF's output) to its
    /// children, in `segment`: the one ``outputSegment(of:)`` names.
    func inject(_ messages: [Message], from node: EngineNode, segment: Int) {
        for m in messages {
            advance(segment: segment, to: m.time)
            node.forward(m)
        }
    }

    /// The segment of `node`'s children: where its injected output runs.
    func outputSegment(of node: EngineNode) -> Int {
        node.children.first.map(segment(of:)) ?? segment(of: node)
    }

    /// The segment `node` belongs to.
    func segment(of node: EngineNode) -> Int {
        segmentIndex[nodes.firstIndex { $0 === node }!]
    }

    /// The node named `name`.
    public func node(named name: String) -> EngineNode? {
        nodes.first { $0.name == name }
    }

    /// The newest time segment `segment` has seen (ns).
    public func now(segment: Int = 0) -> Int64 { clocks[segment].now }

    private func advance(segment: Int, to time: Int64) {
        let clock = clocks[segment]
        guard time > clock.now else { return }
        clock.now = time
        guard let idle = groupIdleTimeout, time >= clock.nextSweep else { return }
        if clock.nextSweep != .min { expireIdleGroups(segment: segment, before: time.clampedSubtracting(idle)) }
        clock.nextSweep = time.clampedAdding(max(idle / 4, 1_000_000_000))
    }

    /// Emits what a segment's idle groups completed and forgets them, node by node from its start.
    public func expireIdleGroups(segment: Int = 0, before time: Int64) {
        let now = clocks[segment].now
        for node in segments[segment] { node.expire(idleBefore: time, now: now) }
    }

    /// Cuts the graph at UDF nodes: a node shares its parents' segment, except that a UDF's
    /// children start a new one; nodes reachable from two segments merge them.
    private static func cut(_ nodes: [EngineNode]) -> ([[EngineNode]], [Int]) {
        let index = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { (ObjectIdentifier($1), $0) })
        var parent = Array(nodes.indices)
        func find(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        func union(_ a: Int, _ b: Int) {
            let (ra, rb) = (find(a), find(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        for (i, node) in nodes.enumerated() {
            let children = node.children.map { index[ObjectIdentifier($0)]! }
            if node is UDFNode {
                // Its output side: one segment for all its children, not its own.
                for c in children.dropFirst() { union(children[0], c) }
            } else {
                for c in children { union(i, c) }
            }
        }
        // Number the segments by their first node: the root's is 0, then in graph order.
        var numbers: [Int: Int] = [:]
        var segmentIndex: [Int] = []
        var segments: [[EngineNode]] = []
        for (i, node) in nodes.enumerated() {
            let root = find(i)
            let n = numbers[root] ?? {
                numbers[root] = segments.count
                segments.append([])
                return segments.count - 1
            }()
            segmentIndex.append(n)
            segments[n].append(node)
        }
        return (segments, segmentIndex)
    }
}

/// A segment's data clock: the newest time the segment has seen, and when it next looks for
/// idle groups. Its nodes read it to stamp the groups they see.
final class SegmentClock {
    var now: Int64 = .min
    var nextSweep: Int64 = .min
}
