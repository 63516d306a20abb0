import FaradCore
import FaradTICK

/// Kapacitor's stateful lambda functions (`tick/stateful/functions.go`): `count()`, `sigma(x)`,
/// `spread(x)`. Each call site keeps its own state, and a node keeps one copy of a stateful
/// lambda per group (``CompiledLambda/instance()``), as Kapacitor copies its expressions per group.
enum StatefulFunctions {
    static let names: Set<String> = ["count", "sigma", "spread"]

    /// One call site's running state. Confined to the node's pipeline, which one thread at a
    /// time drives (TaskExecution's lock): hence unchecked.
    final class State: @unchecked Sendable {
        var n: Int64 = 0
        var mean = 0.0
        var m2 = 0.0
        var min = Double.infinity
        var max = -Double.infinity
    }

    /// Whether `e` calls one of them (anywhere inside).
    static func used(in e: Expression) -> Bool {
        switch e {
        case .call(let c): return names.contains(c.name) || c.arguments.contains { used(in: $0) }
        case .unary(_, let x, _): return used(in: x)
        case .binary(_, let l, let r, _): return used(in: l) || used(in: r)
        case .lambda(let body, _): return used(in: body)
        default: return false
        }
    }

    static func compile(_ name: String, _ arguments: [CompiledLambda.Eval], at position: Position) throws(TICKDiagnostic) -> CompiledLambda.Eval {
        let state = State()
        switch name {
        case "count":
            guard arguments.isEmpty else { throw TICKDiagnostic(at: position, "count() takes no arguments") }
            return { _ in
                state.n &+= 1
                return .int(state.n)
            }
        case "sigma":
            guard arguments.count == 1 else { throw TICKDiagnostic(at: position, "sigma() takes 1 argument, got \(arguments.count)") }
            let f = arguments[0]
            return { (point) throws(LambdaError) in
                guard case .double(let x) = try f(point) else { throw LambdaError("sigma() takes a float: convert ints with float()") }
                // Welford's running mean and variance; the distance from the mean in standard deviations.
                state.n &+= 1
                let delta = x - state.mean
                state.mean += delta / Double(state.n)
                state.m2 += delta * (x - state.mean)
                guard state.n >= 2 else { return .double(0) }
                let variance = state.m2 / Double(state.n - 1)
                return .double(Swift.abs(x - state.mean) / variance.squareRoot())
            }
        default:
            guard arguments.count == 1 else { throw TICKDiagnostic(at: position, "spread() takes 1 argument, got \(arguments.count)") }
            let f = arguments[0]
            return { (point) throws(LambdaError) in
                guard case .double(let x) = try f(point) else { throw LambdaError("spread() takes a float: convert ints with float()") }
                state.min = Swift.min(state.min, x)
                state.max = Swift.max(state.max, x)
                return .double(state.max - state.min)
            }
        }
    }
}

/// A node's lambda with, when it is stateful, one copy per group (created when the group is
/// first seen).
struct GroupLambda {
    let base: CompiledLambda
    private var copies: [GroupID: CompiledLambda] = [:]

    init(_ base: CompiledLambda) {
        self.base = base
    }

    /// The lambda to run for `group`.
    mutating func callAsFunction(_ group: GroupID) -> CompiledLambda {
        guard base.isStateful else { return base }
        if let l = copies[group] { return l }
        let l = base.instance()
        copies[group] = l
        return l
    }
}
