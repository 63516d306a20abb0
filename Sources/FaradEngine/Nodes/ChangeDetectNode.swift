import FaradCore
import FaradTICK

/// `|changeDetect('f1', 'f2', …)`, as Kapacitor's: per group, passes a point only when one of the
/// fields differs from the last point passed (the first point of a group always passes; a field
/// missing on one side and not the other is a change, and an integer 1 is not a float 1).
final class ChangeDetectNode: EngineNode {
    let fields: [String]
    /// Per group: the watched fields of the last point passed.
    @exclusivity(unchecked) private var previous = GroupStates<[FieldValue?]?>()

    init(name: String, provides: EdgeType, fields: [String]) {
        self.fields = fields
        super.init(name: name, type: "change_detect", provides: provides)
    }

    override var cardinality: Int { previous.count }

    override func process(_ message: consuming Message) {
        let index = previous.index(of: message.group, at: clock.now) { nil }
        let result = message.mapPoints { p in
            let values = fields.map { p.field($0) }
            guard previous[index] != values else { return false }
            previous[index] = values
            return true
        }
        if let result { emit(result) }
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        _ = previous.removeIdle(before: time)
    }
}

extension ChangeDetectNode: NodeKind {
    static let methods = [NodeMethod("changeDetect", dotName: "change_detect")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        guard !spec.arguments.isEmpty else { throw spec.argumentError("changeDetect() takes the fields to watch, e.g. changeDetect('status')") }
        var fields: [String] = []
        for i in spec.arguments.indices { fields.append(try spec.stringArgument(i, "a field")) }
        return ChangeDetectNode(name: b.name, provides: try b.requireEdge(), fields: fields)
    }
}
