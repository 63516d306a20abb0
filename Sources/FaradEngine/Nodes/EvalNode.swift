import FaradCore
import FaradTICK

/// `|eval(lambda…).as(names…)`: computes new fields (or, with `.tags()`, tags) per point.
///
/// Lambdas run in order and may use the results of earlier ones. Without `.keep()` the output
/// has only the new fields; `.keep()` keeps every old field too; `.keep('a', 'b')` keeps exactly
/// those. Tags are always kept. A failing lambda drops the point (and is not logged with `.quiet()`).
final class EvalNode: EngineNode {
    let lambdas: [CompiledLambda]
    let names: [String]
    let tagNames: Set<String>
    /// `nil`: no `.keep()`; empty: keep all.
    let keep: [String]?
    let quiet: Bool
    private(set) var evalErrors = 0
    /// Some lambda keeps state (`count()`, `sigma()`): each group runs its own copies.
    private let stateful: Bool
    // Unchecked: see EngineNode.children.
    @exclusivity(unchecked) private var groupLambdas: [GroupLambda]

    init(name: String, provides: EdgeType, lambdas: [CompiledLambda], names: [String], tags: [String], keep: [String]?, quiet: Bool) {
        self.lambdas = lambdas
        groupLambdas = lambdas.map(GroupLambda.init)
        stateful = lambdas.contains(where: \.isStateful)
        self.names = names
        tagNames = Set(tags)
        self.keep = keep
        self.quiet = quiet
        super.init(name: name, type: "eval", provides: provides)
    }

    override var extraStatistics: [(String, Int)] { [("eval_errors", evalErrors)] }

    override func process(_ message: consuming Message) {
        let group = message.group
        let lambdas = stateful ? groupLambdas.indices.map { groupLambdas[$0](group) } : self.lambdas
        if let result = message.mapPoints({ evaluate(&$0, lambdas) }) { emit(result) }
    }

    private func evaluate(_ p: inout Point, _ lambdas: [CompiledLambda]) -> Bool {
        var scope = p
        var newFields: [(key: String, value: FieldValue)] = []
        for (lambda, name) in zip(lambdas, names) {
            let value: LambdaValue
            do throws(LambdaError) {
                value = try lambda.evaluate(scope)
            } catch {
                evalErrors += 1
                if quiet { errors += 1 } else { fail("eval \(lambda.source): \(error.message)") }
                return false
            }
            if tagNames.contains(name) {
                guard case .string(let s) = value else {
                    evalErrors += 1
                    fail("eval \(lambda.source): .tags('\(name)') needs a string, the lambda gave a \(value.typeName)")
                    return false
                }
                scope.setTag(name, s)
                p.setTag(name, s)
                newFields.append((name, .string(s)))
                continue
            }
            guard let field = value.fieldValue else {
                evalErrors += 1
                fail("eval \(lambda.source): a \(value.typeName) cannot be a field")
                return false
            }
            scope.setField(name, field)
            if let i = newFields.firstIndex(where: { $0.key == name }) { newFields[i].value = field } else { newFields.append((name, field)) }
        }
        switch keep {
        case nil:
            p.fields = newFields.filter { !tagNames.contains($0.key) }
        case let list? where list.isEmpty:
            for (k, v) in newFields { p.setField(k, v) }
        case let list?:
            var fields: [(key: String, value: FieldValue)] = []
            for k in list {
                guard let v = newFields.first(where: { $0.key == k })?.value ?? p.field(k) else {
                    evalErrors += 1
                    fail("eval: cannot keep field \"\(k)\", field does not exist")
                    return false
                }
                fields.append((k, v))
            }
            p.fields = fields
        }
        return true
    }
}

extension EvalNode: NodeKind {
    static let methods = [NodeMethod("eval")]

    /// The most lambdas one `eval()` may compute.
    static let maximumExpressions = 1_000

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        let input = try b.requireEdge()
        guard !spec.arguments.isEmpty else { throw spec.argumentError("eval() takes one or more lambdas, e.g. eval(lambda: \"a\" / \"b\").as('ratio')") }
        // Each lambda's result is looked up among the earlier ones per point: bound the count.
        guard spec.arguments.count <= maximumExpressions else {
            throw spec.argumentError("eval() takes at most \(maximumExpressions) lambdas, got \(spec.arguments.count): split it into several eval nodes")
        }
        var lambdas: [CompiledLambda] = []
        for (i, a) in spec.arguments.enumerated() {
            guard case .lambda(let body, let source) = a.value else { throw spec.argumentError("eval() takes lambdas, got a \(a.value.typeName)", at: i) }
            lambdas.append(try CompiledLambda(body, source: source))
        }
        let names = try b.props.strings("as") ?? []
        guard names.count == lambdas.count else {
            throw TICKDiagnostic(at: spec.position, "must specify same number of expressions and .as() names: got \(names.count) as names, and \(lambdas.count) expressions.")
        }
        let tags = try b.props.strings("tags") ?? []
        for t in tags where !names.contains(t) {
            throw TICKDiagnostic(at: spec.position, "invalid tag name \"\(t)\", name is not present is .as() names")
        }
        return EvalNode(name: b.name, provides: input, lambdas: lambdas, names: names, tags: tags,
                        keep: try b.props.strings("keep"), quiet: try b.props.flag("quiet"))
    }
}
