import FaradCore
import FaradTICK

/// `|default().field(name, value).tag(name, value)`: sets fields and tags that are missing.
final class DefaultNode: EngineNode {
    let fields: [(String, FieldValue)]
    let tags: [(String, String)]
    private(set) var fieldsDefaulted = 0
    private(set) var tagsDefaulted = 0

    init(name: String, provides: EdgeType, fields: [(String, FieldValue)], tags: [(String, String)]) {
        self.fields = fields
        self.tags = tags
        super.init(name: name, type: "default", provides: provides)
    }

    override var extraStatistics: [(String, Int)] { [("fields_defaulted", fieldsDefaulted), ("tags_defaulted", tagsDefaulted)] }

    override func process(_ message: consuming Message) {
        var result = message.mapPoints { p in
            for (k, v) in fields where p.field(k) == nil {
                p.setField(k, v)
                fieldsDefaulted += 1
            }
            for (k, v) in tags where p.tag(k) == nil {
                p.setTag(k, v)
                tagsDefaulted += 1
            }
            return true
        }
        if case .batch(var b)? = result {
            for (k, v) in tags where !b.tags.contains(where: { $0.key == k }) {
                b.tags.append((k, v))
                b.tags.sort { $0.key < $1.key }
            }
            result = .batch(b)
        }
        if let result { emit(result) }
    }
}

extension DefaultNode: NodeKind {
    static let methods = [NodeMethod("default")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        try b.noArguments()
        var fields: [(String, FieldValue)] = []
        var tags: [(String, String)] = []
        for call in b.props.calls("field") {
            guard call.arguments.count == 2, case .string(let f) = call.arguments[0].value else {
                throw TICKDiagnostic(at: call.position, ".field() takes a name and a value, e.g. .field('value', 0.0)")
            }
            fields.append((f, try NodeBuild.fieldValue(call.arguments[1])))
        }
        for call in b.props.calls("tag") {
            guard call.arguments.count == 2, case .string(let t) = call.arguments[0].value, case .string(let v) = call.arguments[1].value else {
                throw TICKDiagnostic(at: call.position, ".tag() takes a name and a string value, e.g. .tag('host', 'unknown')")
            }
            tags.append((t, v))
        }
        return DefaultNode(name: b.name, provides: try b.requireEdge(), fields: fields, tags: tags)
    }
}
