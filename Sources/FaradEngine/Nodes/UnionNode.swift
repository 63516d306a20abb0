import FaradCore
import FaradTICK

/// `|union(other…)`: merges its parents' data; `.rename('n')` renames it.
final class UnionNode: EngineNode {
    let rename: String?

    init(name: String, provides: EdgeType, rename: String?) {
        self.rename = rename
        super.init(name: name, type: "union", provides: provides)
    }

    override func process(_ message: consuming Message) {
        guard let rename, !rename.isEmpty else { return emit(message) }
        switch message {
        case .point(var p):
            p.point.measurement = rename
            emit(.point(p))
        case .batch(var b):
            b.name = rename
            for i in b.points.indices { b.points[i].measurement = rename }
            emit(.batch(b))
        }
    }
}

extension UnionNode: NodeKind {
    static let methods = [NodeMethod("union")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        guard !spec.arguments.isEmpty else { throw spec.argumentError("union() takes the nodes to merge, e.g. a|union(b, c)") }
        for (i, a) in spec.arguments.enumerated() {
            guard case .node = a.value else { throw spec.argumentError("union() takes nodes, got a \(a.value.typeName)", at: i) }
        }
        return UnionNode(name: b.name, provides: try b.requireEdge(), rename: try b.props.string("rename"))
    }
}
