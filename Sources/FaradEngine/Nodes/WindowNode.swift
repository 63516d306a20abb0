import FaradCore
import FaradTICK

/// `|window()`: cuts each group's stream into batches (see ``WindowBuffer`` for the rules).
final class WindowNode: EngineNode {
    struct GroupWindow {
        var buffer: WindowBuffer
        let name: String
        let database: String
        let retentionPolicy: String
        let dimensions: Dimensions
        let tags: [(key: String, value: String)]
    }

    let spec: WindowSpec
    // Unchecked: see EngineNode.children.
    @exclusivity(unchecked) private var windows = GroupStates<GroupWindow>()

    init(name: String, spec: WindowSpec) {
        self.spec = spec
        super.init(name: name, type: "window", provides: .batch)
    }

    override var cardinality: Int { windows.count }

    override func process(_ message: consuming Message) {
        guard case .point(var sp) = consume message else { return }
        // Move the point out of the message into the buffer: no copy of its tags and fields.
        var point = Point.placeholder
        swap(&point, &sp.point)
        let i = windows.index(of: sp.group, at: clock.now) {
            GroupWindow(buffer: WindowBuffer(spec), name: point.measurement, database: sp.database,
                        retentionPolicy: sp.retentionPolicy, dimensions: sp.dimensions, tags: sp.dimensions.tags(of: point))
        }
        guard let batch = windows[i].receive(consume point, group: sp.group) else { return }
        emit(.batch(batch))
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        for (group, var w) in windows.removeIdle(before: time) {
            if let batch = w.buffer.drain(now: now) { emit(.batch(w.batch(batch, group: group))) }
        }
    }
}

extension WindowNode.GroupWindow {
    /// Buffers `point`; returns the batch it completes, if any.
    mutating func receive(_ point: consuming Point, group: GroupID) -> Batch? {
        buffer.receive(point).map { batch($0, group: group) }
    }

    func batch(_ window: WindowBatch, group: GroupID) -> Batch {
        Batch(name: name, database: database, retentionPolicy: retentionPolicy, group: group, dimensions: dimensions,
              tags: tags, tmax: window.time, points: window.points)
    }
}

extension WindowNode: NodeKind {
    static let methods = [NodeMethod("window")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        try b.noArguments()
        guard try b.requireEdge() == .stream else {
            throw TICKDiagnostic(at: b.spec.position, "cannot window a batch edge: window() needs a stream (put it before the node that makes batches)")
        }
        return WindowNode(name: b.name, spec: try windowSpec(&b))
    }

    private static func windowSpec(_ b: inout NodeBuild) throws(TICKDiagnostic) -> WindowSpec {
        let position = b.spec.position
        let period = try b.props.duration("period")
        let every = try b.props.duration("every")
        let periodCount = try b.props.int("periodCount")
        let everyCount = try b.props.int("everyCount")
        let align = try b.props.flag("align")
        let fillPeriod = try b.props.flag("fillPeriod")
        if let periodCount {
            guard period == nil, every == nil, !align else {
                throw TICKDiagnostic(at: position, "window: use either .period()/.every() or .periodCount()/.everyCount(), not both (and no .align() with counts)")
            }
            guard periodCount > 0, (everyCount ?? 1) > 0 else { throw TICKDiagnostic(at: position, "window: counts must be positive") }
            return .count(period: Int(periodCount), every: Int(everyCount ?? periodCount), fillPeriod: fillPeriod)
        }
        guard let period, period > 0 else {
            throw TICKDiagnostic(at: position, "window needs a .period() (e.g. .period(10s).every(10s)) or a .periodCount()")
        }
        guard everyCount == nil else { throw TICKDiagnostic(at: position, "window: .everyCount() goes with .periodCount()") }
        let e = every ?? 0
        guard e >= 0 else { throw TICKDiagnostic(at: position, "window: .every() cannot be negative") }
        return .time(period: period, every: e, align: align, fillPeriod: fillPeriod)
    }
}
