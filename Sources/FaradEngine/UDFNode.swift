import FaradCore
import FaradUDFHost
import KapacitorUDFWire

/// `@name().option(…)`: a UDF in the chain. The node queues what it receives; the task hands
/// the queue to the UDF's supervised session and injects the UDF's output into the node's
/// children (``TaskExecution``).
final class UDFNode: EngineNode {
    let udf: String
    let config: UDFFunctionConfig
    let options: [UDFOption]
    let wants: EdgeType
    /// Received and not yet handed to the session.
    var pending: [UDFInput] = []

    init(name: String, config: UDFFunctionConfig, info: UDFInfo, options: [UDFOption], wants: EdgeType) {
        udf = config.name
        self.config = config
        self.options = options
        self.wants = wants
        super.init(name: name, type: config.name, provides: info.provides == .stream ? .stream : .batch)
    }

    override func process(_ message: consuming Message) {
        pending.append(Self.input(message))
    }

    static func input(_ message: Message) -> UDFInput {
        switch message {
        case .point(let sp):
            return .point(udfPoint(sp.point, database: sp.database, retentionPolicy: sp.retentionPolicy, group: sp.group, dimensions: sp.dimensions))
        case .batch(let b):
            var tags: [String: String] = [:]
            for (k, v) in b.tags { tags[k] = v }
            let begin = BeginBatch(name: b.name, group: b.group.rawValue, tags: tags, size: Int64(b.points.count), byName: b.dimensions.byName)
            let end = EndBatch(name: b.name, group: b.group.rawValue, tmax: b.tmax, tags: tags, byName: b.dimensions.byName)
            let points = b.points.map { udfPoint($0, database: b.database, retentionPolicy: b.retentionPolicy, group: b.group, dimensions: b.dimensions) }
            return .batch(begin, points, end)
        }
    }

    private static func udfPoint(_ p: Point, database: String, retentionPolicy: String, group: GroupID, dimensions: Dimensions) -> UDFPoint {
        UDFPoint(p, database: database, retentionPolicy: retentionPolicy, group: group.rawValue, dimensions: dimensions.tagNames,
                 byName: dimensions.byName)
    }

    /// A UDF's output as a message on this node's edge.
    static func message(_ output: UDFOutput) -> Message {
        switch output {
        case .point(let udfPoint):
            let p = udfPoint.decoded()
            return .point(StreamPoint(Point(p), database: p.database, retentionPolicy: p.retentionPolicy, group: GroupID(raw: p.group),
                                      dimensions: Dimensions(tagNames: p.dimensions, byName: p.byName)))
        case .batch(let begin, let points, let end):
            let tags = begin.tags.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
            let first = points.first?.decoded()
            return .batch(Batch(
                name: begin.name, database: first?.database ?? "", retentionPolicy: first?.retentionPolicy ?? "",
                group: GroupID(raw: begin.group), dimensions: Dimensions(tagNames: tags.map(\.key), byName: begin.byName),
                tags: tags, tmax: end.tmax, points: points.map { Point($0) }))
        }
    }
}
