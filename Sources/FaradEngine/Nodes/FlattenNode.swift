import FaradCore
import FaradTICK

/// `|flatten().on('tag', …)`, as Kapacitor's `flatten.go`: per group, the points whose times
/// round to the same multiple of `.tolerance()` become one point whose fields are named by the
/// points' values of the `.on()` tags, `<value>[.<value>…].<field>` (`.delimiter()`, default
/// `.`; `.dropOriginalFieldName()` leaves the field's own name out). A point missing an `.on()`
/// tag is dropped with an error. The flattened point goes out when the group's next time
/// arrives; on batches, a batch's points are buffered by time and go out, flattened, as one
/// batch when the group's next batch (by its rounded time) arrives.
final class FlattenNode: EngineNode {
    let on: [String]
    let delimiter: String
    let tolerance: Int64
    let dropOriginalFieldName: Bool

    /// What one group holds until its next time.
    private struct Buffer {
        var time: Int64
        var lastSeen: Int64
        var head: Message
        /// The points at each rounded time (one time on streams).
        var points: [Int64: [Point]] = [:]
    }

    @exclusivity(unchecked) private var buffers: [GroupID: Buffer] = [:]

    /// The points one group may buffer (the oldest time goes out when it is reached).
    static let maximumBuffered = 100_000

    init(name: String, provides: EdgeType, on: [String], delimiter: String, tolerance: Int64, dropOriginalFieldName: Bool) {
        self.on = on
        self.delimiter = delimiter
        self.tolerance = tolerance
        self.dropOriginalFieldName = dropOriginalFieldName
        super.init(name: name, type: "flatten", provides: provides)
    }

    override var cardinality: Int { buffers.count }

    private func round(_ t: Int64) -> Int64 {
        JoinNaming.round(t, tolerance: tolerance)
    }

    override func process(_ message: consuming Message) {
        let group = message.group
        let t = round(message.time)
        let incoming: [Point]
        switch message {
        case .point(let p): incoming = [p.point]
        case .batch(let b): incoming = b.points
        }
        if var buffer = buffers[group], buffer.time != t {
            buffers[group] = nil
            emitFlattened(buffer)
            buffer = Buffer(time: t, lastSeen: clock.now, head: message)
            buffers[group] = buffer
        } else if buffers[group] == nil {
            buffers[group] = Buffer(time: t, lastSeen: clock.now, head: message)
        }
        var count = buffers[group]!.points.values.reduce(0) { $0 + $1.count }
        for p in incoming {
            guard count < Self.maximumBuffered else {
                fail("flatten: more than \(Self.maximumBuffered) points at one time in group \(group)")
                break
            }
            let pt = provides == .batch ? round(p.time) : t
            buffers[group]!.points[pt, default: []].append(p)
            count += 1
        }
        buffers[group]!.lastSeen = clock.now
    }

    /// The fields of points flattened into one set (a point missing an `.on()` tag is dropped).
    private func flatten(_ points: [Point]) -> [(key: String, value: FieldValue)] {
        var fields: [String: FieldValue] = [:]
        for p in points {
            var values: [String] = []
            for tag in on {
                guard let v = p.tag(tag) else {
                    fail("point missing tag \"\(tag)\" for flatten operation")
                    values = []
                    break
                }
                values.append(v)
            }
            guard values.count == on.count else { continue }
            let prefix = values.joined(separator: delimiter)
            for (name, value) in p.fields {
                let key = dropOriginalFieldName ? prefix : (prefix.isEmpty ? name : prefix + delimiter + name)
                fields[key] = value
            }
        }
        return fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private func emitFlattened(_ buffer: Buffer) {
        switch buffer.head {
        case .point(var head):
            let tags = head.dimensions.tags(of: head.point)
            head.point = Point(measurement: head.point.measurement, sortedTags: tags, fields: flatten(buffer.points[buffer.time] ?? []), time: buffer.time)
            emit(.point(head))
        case .batch(var head):
            head.points = buffer.points.keys.sorted().map { t in
                Point(measurement: head.name, sortedTags: head.tags, fields: flatten(buffer.points[t] ?? []), time: t)
            }
            head.tmax = buffer.time
            emit(.batch(head))
        }
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        // An idle group's buffer goes out as it is before the group is forgotten.
        for (group, buffer) in buffers where buffer.lastSeen < time {
            buffers[group] = nil
            emitFlattened(buffer)
        }
    }
}

extension FlattenNode: NodeKind {
    static let methods = [NodeMethod("flatten")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        try b.noArguments()
        let on = try b.props.strings("on") ?? []
        let tolerance = try b.props.duration("tolerance") ?? 0
        guard tolerance >= 0 else { throw TICKDiagnostic(at: b.spec.position, ".tolerance() must not be negative") }
        return FlattenNode(name: b.name, provides: try b.requireEdge(), on: on, delimiter: try b.props.string("delimiter") ?? ".",
                           tolerance: tolerance, dropOriginalFieldName: try b.props.flag("dropOriginalFieldName"))
    }
}
