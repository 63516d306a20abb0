import FaradCore
import FaradTICK

/// `|stateDuration(λ)` and `|stateCount(λ)`, as Kapacitor's `state_tracking.go`: per group, how
/// long (in `.unit()`, default 1s, a float) or for how many points (an integer) the lambda has
/// been true in a row, set as `.as()` (default `state_duration` / `state_count`) on every point;
/// `-1` (an integer) while it is false. A point whose lambda fails is dropped with a node error.
final class StateTrackingNode: EngineNode {
    enum Measure {
        case duration(unit: Int64)
        case count
    }

    let measure: Measure
    let outputName: String
    // Unchecked: see EngineNode.children.
    @exclusivity(unchecked) private var lambdas: GroupLambda
    /// Per group: the time the state began (duration) or the points in it (count); nil while false.
    @exclusivity(unchecked) private var states = GroupStates<Int64?>()

    init(name: String, provides: EdgeType, type: String, lambda: CompiledLambda, measure: Measure, as outputName: String) {
        self.measure = measure
        self.outputName = outputName
        lambdas = GroupLambda(lambda)
        super.init(name: name, type: type, provides: provides)
    }

    override var cardinality: Int { states.count }

    override func process(_ message: consuming Message) {
        let group = message.group
        let lambda = lambdas(group)
        let index = states.index(of: group, at: clock.now) { nil }
        let result = message.mapPoints { p in
            let holds: Bool
            do throws(LambdaError) {
                holds = try lambda.evaluateBool(p)
            } catch {
                fail("\(type) \(lambda.source): \(error.message)")
                return false
            }
            guard holds else {
                states[index] = nil
                p.setField(outputName, .int(-1))
                return true
            }
            switch measure {
            case .duration(let unit):
                let start = states[index] ?? p.time
                states[index] = start
                let (elapsed, overflow) = p.time.subtractingReportingOverflow(start)
                p.setField(outputName, .double((overflow ? Double(p.time) - Double(start) : Double(elapsed)) / Double(unit)))
            case .count:
                let n = (states[index] ?? 0) &+ 1
                states[index] = n
                p.setField(outputName, .int(n))
            }
            return true
        }
        if let result { emit(result) }
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        _ = states.removeIdle(before: time)
    }
}

extension StateTrackingNode: NodeKind {
    static let methods = [NodeMethod("stateDuration", dotName: "state_duration"), NodeMethod("stateCount", dotName: "state_count")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        let isDuration = spec.method == "stateDuration"
        try spec.expectArguments(1...1, "\(spec.method)(lambda: \"value\" > 10)")
        guard case .lambda(let body, let source) = spec.arguments[0].value else {
            throw spec.argumentError("\(spec.method)() takes a lambda, e.g. \(spec.method)(lambda: \"value\" > 10)", at: 0)
        }
        let measure: Measure = isDuration ? .duration(unit: try b.positive(b.props.duration("unit"), "unit", default: 1_000_000_000)) : .count
        return StateTrackingNode(name: b.name, provides: try b.requireEdge(), type: isDuration ? "state_duration" : "state_count",
                                 lambda: try CompiledLambda(body, source: source), measure: measure,
                                 as: try b.props.string("as") ?? (isDuration ? "state_duration" : "state_count"))
    }
}
