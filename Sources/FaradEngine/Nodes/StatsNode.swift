import FaradCore
import FaradTICK

/// `node|stats(interval)`, as Kapacitor's: every `interval` of *wall-clock* time, one point per
/// group of what `node` emitted, `stats,<group tags> emitted=<count>i`, the count since the task
/// started (points; a batch counts its points). Before any group has been seen it reports the
/// nil group with `emitted=0`. With `.align()` the ticks fall on multiples of the interval.
///
/// In the graph the node is a child of `node`, so it sees each message `node` emits; its own
/// output starts when the task's ``WallClock`` says, from ``TaskExecution``'s ticker, not from a
/// message. Groups are never forgotten (group expiry does not apply): a group that went quiet
/// is what `deadman` exists to report.
final class StatsNode: EngineNode {
    /// The interval between ticks (ns, > 0).
    let interval: Int64
    let align: Bool
    private struct Entry {
        let group: GroupID
        let dimensions: Dimensions
        let tags: [(key: String, value: String)]
        var emitted: Int64
    }

    @exclusivity(unchecked) private var index: [GroupID: Int] = [:]
    @exclusivity(unchecked) private var entries: [Entry] = []

    init(name: String, interval: Int64, align: Bool) {
        self.interval = interval
        self.align = align
        super.init(name: name, type: "stats", provides: .stream)
    }

    override var cardinality: Int { entries.count }

    override func process(_ message: consuming Message) {
        let count: Int64
        let group = message.group
        if let i = index[group] {
            switch message {
            case .point: count = 1
            case .batch(let b): count = Int64(b.points.count)
            }
            entries[i].emitted &+= count
            return
        }
        let entry: Entry
        switch message {
        case .point(let sp):
            entry = Entry(group: group, dimensions: sp.dimensions, tags: sp.dimensions.tags(of: sp.point), emitted: 1)
        case .batch(let b):
            entry = Entry(group: group, dimensions: b.dimensions, tags: b.tags, emitted: Int64(b.points.count))
        }
        index[group] = entries.count
        entries.append(entry)
    }

    /// Emits the statistics of every group, stamped `time` (ns).
    func tick(at time: Int64) {
        guard !entries.isEmpty else {
            emit(.point(StreamPoint(Point(measurement: "stats", sortedTags: [], fields: [("emitted", .int(0))], time: time))))
            return
        }
        for e in entries {
            let point = Point(measurement: "stats", sortedTags: e.tags.filter { !$0.value.isEmpty }, fields: [("emitted", .int(e.emitted))], time: time)
            emit(.point(StreamPoint(point, group: e.group, dimensions: e.dimensions)))
        }
    }

    /// The first tick after `start` (ns) and the time its point carries; later ticks follow
    /// one interval apart, each stamped with its own time. Aligned, the first tick is the next
    /// multiple of the interval and carries `start` rounded to the interval (as Kapacitor's).
    static func schedule(from start: Int64, interval: Int64, align: Bool) -> (first: Int64, stamp: Int64) {
        guard align else {
            let first = start.clampedAdding(interval)
            return (first, first)
        }
        let down = floorTime(start, interval)
        let past = start.clampedSubtracting(down)
        let rounded = past >= interval - past ? down.clampedAdding(interval) : down
        return (down.clampedAdding(interval), rounded)
    }
}

extension StatsNode: NodeKind {
    static let methods = [NodeMethod("stats")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        _ = try b.requireEdge()
        try spec.expectArguments(1...1, "stats(10s)")
        guard case .duration(let interval) = spec.arguments[0].value, interval > 0 else {
            throw spec.argumentError("stats() takes a positive duration, e.g. stats(10s)", at: 0)
        }
        guard interval >= 1_000_000 else { throw spec.argumentError("stats() emits at most every 1ms, got \(DurationText.format(interval))", at: 0) }
        return StatsNode(name: b.name, interval: interval, align: try b.props.flag("align"))
    }
}
