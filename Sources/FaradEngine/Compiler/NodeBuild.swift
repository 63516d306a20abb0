import FaradCore
import FaradTICK

/// What building one node needs: its spec and properties, the edge it sits on, its name, the
/// task's environment; and what the task collects from the nodes it builds.
struct NodeBuild {
    let spec: NodeSpec
    /// The spec's properties; reading one marks it known (see ``PropertyReader/finish()``).
    var props: PropertyReader
    /// What the parent provides (`nil`: the parent provides no edge).
    let input: EdgeType?
    /// `<dotName><index>`, e.g. `http_out3`.
    let name: String
    let environment: TaskEnvironment
    /// The task's id (alert templates' `.TaskName`).
    let taskID: String
    /// The I/O threads of sink nodes (influxDBOut writers, alert handlers), which the task
    /// starts and stops.
    var outputs: [any TaskOutput] = []

    init(spec: NodeSpec, input: EdgeType?, name: String, environment: TaskEnvironment, taskID: String) {
        self.spec = spec
        self.props = PropertyReader(spec)
        self.input = input
        self.name = name
        self.environment = environment
        self.taskID = taskID
    }

    /// The parent's edge; fails after a node that provides none.
    func requireEdge() throws(TICKDiagnostic) -> EdgeType {
        guard let input else {
            throw TICKDiagnostic(at: spec.position, "\(spec.method)() cannot follow a node that provides no edge (influxDBOut ends a chain)")
        }
        return input
    }

    /// Fails if the node's own call has arguments.
    func noArguments() throws(TICKDiagnostic) {
        guard spec.arguments.isEmpty else { throw spec.argumentError("\(spec.method)() takes no arguments; set its properties with .name(…)") }
    }

    /// A duration property that must be positive when given (`fallback` when not).
    func positive(_ value: Int64?, _ property: String, default fallback: Int64 = 0) throws(TICKDiagnostic) -> Int64 {
        guard let value else { return fallback }
        guard value > 0 else { throw TICKDiagnostic(at: spec.position, ".\(property)() must be a positive duration") }
        return value
    }

    /// Tag names and `*` of a `groupBy`, as arguments or lists.
    static func groupBy(_ arguments: [(value: ScriptValue, position: Position)]) throws(TICKDiagnostic) -> ([String], Bool) {
        var tags: [String] = []
        var all = false
        for a in arguments {
            switch a.value {
            case .string(let s): tags.append(s)
            case .star: all = true
            case .list(let items, _):
                for item in items {
                    if case .string(let s) = item { tags.append(s) } else if case .star = item { all = true }
                }
            default: throw TICKDiagnostic(at: a.position, "groupBy takes tag names ('host') or *, got a \(a.value.typeName)")
            }
        }
        return (tags, all)
    }

    /// A field value written in a script (`.field('value', 0.0)`).
    static func fieldValue(_ a: (value: ScriptValue, position: Position)) throws(TICKDiagnostic) -> FieldValue {
        switch a.value {
        case .float(let x): return .double(x)
        case .int(let n): return .int(n)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        default: throw TICKDiagnostic(at: a.position, "a field value must be a float, int, string or bool, got a \(a.value.typeName)")
        }
    }
}
