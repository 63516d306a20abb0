import FaradCore
import FaradTICK

/// `|where(lambda)`: keeps the points for which the lambda is true; an error drops the point.
final class WhereNode: EngineNode {
    let lambda: CompiledLambda
    // Unchecked: see EngineNode.children.
    @exclusivity(unchecked) private var lambdas: GroupLambda

    init(name: String, provides: EdgeType, lambda: CompiledLambda) {
        self.lambda = lambda
        lambdas = GroupLambda(lambda)
        super.init(name: name, type: "where", provides: provides)
    }

    override func process(_ message: consuming Message) {
        let lambda = lambdas(message.group)
        let result = message.mapPoints { p in
            do throws(LambdaError) {
                return try lambda.evaluateBool(p)
            } catch {
                fail("where \(lambda.source): \(error.message)")
                return false
            }
        }
        if let result { emit(result) }
    }
}

extension WhereNode: NodeKind {
    static let methods = [NodeMethod("where", isAlsoProperty: true)]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        try spec.expectArguments(1...1, "where(lambda: \"value\" > 10)")
        guard case .lambda(let body, let source) = spec.arguments[0].value else {
            throw spec.argumentError("where() takes a lambda, e.g. where(lambda: \"value\" > 10)", at: 0)
        }
        return WhereNode(name: b.name, provides: try b.requireEdge(), lambda: try CompiledLambda(body, source: source))
    }
}
