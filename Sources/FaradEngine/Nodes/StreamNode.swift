import FaradCore
import FaradTICK

/// `stream`: the root of a stream task; passes every written point on.
final class StreamNode: EngineNode {
    init() {
        super.init(name: "stream0", type: "stream", provides: .stream)
    }
}

extension StreamNode: NodeKind {
    static let methods = [NodeMethod("stream")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        StreamNode()
    }
}
