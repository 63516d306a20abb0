import FaradCore
import FaradTICK

/// `|delete().field(name).tag(name)`: removes fields and tags.
final class DeleteNode: EngineNode {
    let fields: [String]
    let tags: Set<String>
    private(set) var fieldsDeleted = 0
    private(set) var tagsDeleted = 0

    init(name: String, provides: EdgeType, fields: [String], tags: [String]) {
        self.fields = fields
        self.tags = Set(tags)
        super.init(name: name, type: "delete", provides: provides)
    }

    override var extraStatistics: [(String, Int)] { [("fields_deleted", fieldsDeleted), ("tags_deleted", tagsDeleted)] }

    override func process(_ message: consuming Message) {
        let result = message.mapPoints { p in
            for f in fields where p.field(f) != nil {
                p.removeField(f)
                fieldsDeleted += 1
            }
            for t in tags where p.tag(t) != nil {
                p.removeTag(t)
                tagsDeleted += 1
            }
            return true
        }
        switch result {
        case .point(var sp)? where sp.dimensions.tagNames.contains(where: tags.contains):
            sp.dimensions.tagNames.removeAll(where: tags.contains)
            sp.group = sp.dimensions.group(of: sp.point)
            emit(.point(sp))
        case .batch(var b)?:
            b.tags.removeAll { tags.contains($0.key) }
            b.dimensions.tagNames.removeAll(where: tags.contains)
            emit(.batch(b))
        case let other?:
            emit(other)
        case nil:
            break
        }
    }
}

extension DeleteNode: NodeKind {
    static let methods = [NodeMethod("delete")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        try b.noArguments()
        return DeleteNode(name: b.name, provides: try b.requireEdge(), fields: try b.props.strings("field") ?? [], tags: try b.props.strings("tag") ?? [])
    }
}
