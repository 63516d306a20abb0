import FaradCore
import FaradTICK

/// A value of a TICKscript expression outside lambdas.
indirect enum ScriptValue {
    case node(NodeSpec)
    case string(String)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case duration(Int64)
    case regex(String)
    case star
    /// Items, and how deeply the list nests (1 without lists inside).
    case list([ScriptValue], depth: Int)
    case lambda(Expression, source: String)
    /// `time(1m)` or `time(1m, 10s)` in a batch query's `.groupBy()`: bucket length and offset (ns).
    case timeDimension(length: Int64, offset: Int64)

    var typeName: String {
        switch self {
        case .node(let n): "\(n.method) node"
        case .string: "string"
        case .int: "int"
        case .float: "float"
        case .bool: "bool"
        case .duration: "duration"
        case .regex: "regex"
        case .star: "star"
        case .list: "list"
        case .lambda: "lambda"
        case .timeDimension: "time dimension"
        }
    }
}

/// A node as the script describes it, before it is built: method, arguments, properties, edges.
final class NodeSpec {
    /// `stream`, `from`, `window`, … or the UDF's name for `@name()`.
    let method: String
    let isUDF: Bool
    let position: Position
    let index: Int
    var arguments: [(value: ScriptValue, position: Position)]
    var properties: [(name: String, arguments: [(value: ScriptValue, position: Position)], position: Position)] = []
    var parents: [NodeSpec] = []
    var children: [NodeSpec] = []

    init(method: String, isUDF: Bool = false, position: Position, index: Int, arguments: [(value: ScriptValue, position: Position)]) {
        self.method = method
        self.isUDF = isUDF
        self.position = position
        self.index = index
        self.arguments = arguments
    }
}

/// Reads a node's arguments and properties with typed accessors, remembering which were used so
/// that an unknown property is reported where it was written.
struct PropertyReader {
    let spec: NodeSpec
    private var known: Set<String> = []

    init(_ spec: NodeSpec) {
        self.spec = spec
    }

    func error(_ position: Position, _ message: String) -> TICKDiagnostic {
        TICKDiagnostic(at: position, message)
    }

    /// Every call of property `name`, in order.
    mutating func calls(_ name: String) -> [(arguments: [(value: ScriptValue, position: Position)], position: Position)] {
        known.insert(name)
        return spec.properties.filter { $0.name == name }.map { ($0.arguments, $0.position) }
    }

    /// The last call's single argument of `name`.
    mutating func single(_ name: String) throws(TICKDiagnostic) -> (value: ScriptValue, position: Position)? {
        guard let call = calls(name).last else { return nil }
        guard call.arguments.count == 1 else {
            throw error(call.position, ".\(name)() takes one argument, got \(call.arguments.count)")
        }
        return call.arguments[0]
    }

    mutating func string(_ name: String) throws(TICKDiagnostic) -> String? {
        guard let a = try single(name) else { return nil }
        guard case .string(let s) = a.value else { throw error(a.position, ".\(name)() takes a string, got a \(a.value.typeName)") }
        return s
    }

    mutating func duration(_ name: String) throws(TICKDiagnostic) -> Int64? {
        guard let a = try single(name) else { return nil }
        guard case .duration(let d) = a.value else {
            throw error(a.position, ".\(name)() takes a duration such as 10s, got a \(a.value.typeName)")
        }
        return d
    }

    mutating func int(_ name: String) throws(TICKDiagnostic) -> Int64? {
        guard let a = try single(name) else { return nil }
        guard case .int(let n) = a.value else { throw error(a.position, ".\(name)() takes an integer, got a \(a.value.typeName)") }
        return n
    }

    /// A flag property: `.align()` (TRUE) or `.align(FALSE)`.
    mutating func flag(_ name: String) throws(TICKDiagnostic) -> Bool {
        guard let call = calls(name).last else { return false }
        if call.arguments.isEmpty { return true }
        guard call.arguments.count == 1, case .bool(let b) = call.arguments[0].value else {
            throw error(call.position, ".\(name)() takes no argument or TRUE/FALSE")
        }
        return b
    }

    /// All the string arguments of every call of `name`.
    mutating func strings(_ name: String) throws(TICKDiagnostic) -> [String]? {
        let all = calls(name)
        guard !all.isEmpty else { return nil }
        var result: [String] = []
        for call in all {
            for a in call.arguments {
                guard case .string(let s) = a.value else { throw error(a.position, ".\(name)() takes strings, got a \(a.value.typeName)") }
                result.append(s)
            }
        }
        return result
    }

    /// Fails on the first property this node does not have.
    func finish() throws(TICKDiagnostic) {
        for p in spec.properties where !known.contains(p.name) {
            let list = known.sorted().map { ".\($0)()" }.joined(separator: ", ")
            throw error(p.position, "no property \"\(p.name)\" on \(spec.method)\(list.isEmpty ? " (it has none)" : ": it has \(list)")")
        }
    }
}

/// Typed access to a node's own arguments (`window()`, `mean('f')`, `percentile('f', 95.0)`).
extension NodeSpec {
    func argumentError(_ message: String, at index: Int? = nil) -> TICKDiagnostic {
        TICKDiagnostic(at: index.flatMap { arguments.indices.contains($0) ? arguments[$0].position : nil } ?? position, message)
    }

    func expectArguments(_ range: ClosedRange<Int>, _ usage: String) throws(TICKDiagnostic) {
        guard range.contains(arguments.count) else {
            throw argumentError("\(method)() takes \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)") argument\(range.upperBound == 1 ? "" : "s"), got \(arguments.count): \(usage)")
        }
    }

    func stringArgument(_ i: Int, _ what: String) throws(TICKDiagnostic) -> String {
        guard case .string(let s) = arguments[i].value else {
            throw argumentError("\(method)() takes \(what) as a single-quoted string, got a \(arguments[i].value.typeName)", at: i)
        }
        return s
    }

    func numberArgument(_ i: Int, _ what: String) throws(TICKDiagnostic) -> Double {
        switch arguments[i].value {
        case .float(let x): return x
        case .int(let n): return Double(n)
        default: throw argumentError("\(method)() takes \(what) as a number, got a \(arguments[i].value.typeName)", at: i)
        }
    }

    func intArgument(_ i: Int, _ what: String) throws(TICKDiagnostic) -> Int {
        guard case .int(let n) = arguments[i].value, n > 0, n < Int64(Int32.max) else {
            throw argumentError("\(method)() takes \(what) as a positive integer", at: i)
        }
        return Int(n)
    }
}
