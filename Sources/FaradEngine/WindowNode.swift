import FaradCore

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
