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
    private var windows = GroupStates<GroupWindow>()

    init(name: String, spec: WindowSpec) {
        self.spec = spec
        super.init(name: name, type: "window", provides: .batch)
    }

    override var cardinality: Int { windows.count }

    override func process(_ message: Message, into out: inout [Message]) {
        guard case .point(let sp) = message else { return }
        let spec = spec
        let emitted = windows.update(sp.group, at: sp.point.time, make: {
            GroupWindow(buffer: WindowBuffer(spec), name: sp.point.measurement, database: sp.database,
                        retentionPolicy: sp.retentionPolicy, dimensions: sp.dimensions, tags: sp.dimensions.tags(of: sp.point))
        }) { w -> Batch? in
            guard let batch = w.buffer.receive(sp.point) else { return nil }
            return w.batch(batch, group: sp.group)
        }
        if let emitted { out.append(.batch(emitted)) }
    }

    override func expire(idleBefore time: Int64, now: Int64, into out: inout [Message]) {
        for (group, var w) in windows.removeIdle(before: time) {
            if let batch = w.buffer.drain(now: now) { out.append(.batch(w.batch(batch, group: group))) }
        }
    }
}

extension WindowNode.GroupWindow {
    func batch(_ window: WindowBatch, group: GroupID) -> Batch {
        Batch(name: name, database: database, retentionPolicy: retentionPolicy, group: group, dimensions: dimensions,
              tags: tags, tmax: window.time, points: window.points)
    }
}
