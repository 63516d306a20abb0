import FaradCore
import FaradTICK

/// Evaluates a checked TICKscript program into node specs: variables are bound, `|m()` makes a
/// child node, `.p()` records a property, `@udf()` makes a UDF node.
struct ScriptEvaluator {
    let source: [Character]
    private(set) var specs: [NodeSpec] = []
    private var variables: [String: ScriptValue] = [:]
    private var root: NodeSpec?
    /// Expression nodes in the script's lambdas after substitution (see ``substitute(_:depth:)``).
    private var lambdaSize = 0
    /// UDF names the script may call with `@`.
    let udfNames: Set<String>
    /// `[deadman]`'s templates, for `|deadman()`.
    let deadmanDefaults: DeadmanDefaults

    init(source: String, udfNames: Set<String>, deadman: DeadmanDefaults = DeadmanDefaults()) {
        self.source = Array(source)
        self.udfNames = udfNames
        deadmanDefaults = deadman
    }

    mutating func run(_ program: Program) throws(TICKDiagnostic) {
        for statement in program.statements {
            switch statement {
            case .variable(let name, let value, _):
                variables[name] = try evaluate(value)
            case .declaration(let name, _, let position):
                throw TICKDiagnostic(at: position, "var \(name) has no value: template variables (var \(name) <type>) are not supported by Farad yet, give it a value")
            case .dbrp:
                break
            case .expression(let e):
                _ = try evaluate(e)
            }
        }
    }

    private mutating func makeNode(_ method: String, isUDF: Bool = false, at position: Position, arguments: [(value: ScriptValue, position: Position)]) throws(TICKDiagnostic) -> NodeSpec {
        guard specs.count < TICKLimits.maximumNodes else {
            throw TICKDiagnostic(at: position, "too many nodes: a task has at most \(TICKLimits.maximumNodes)")
        }
        let spec = NodeSpec(method: method, isUDF: isUDF, position: position, index: specs.count, arguments: arguments)
        specs.append(spec)
        return spec
    }

    private mutating func evaluate(_ e: Expression) throws(TICKDiagnostic) -> ScriptValue {
        switch e {
        case .identifier(let name, let position):
            if name == "stream" {
                if let root { return .node(root) }
                let r = try makeNode("stream", at: position, arguments: [])
                root = r
                return .node(r)
            }
            if name == "batch" {
                if let root { return .node(root) }
                let r = try makeNode("batch", at: position, arguments: [])
                root = r
                return .node(r)
            }
            guard let v = variables[name] else { throw TICKDiagnostic(at: position, "undefined variable \(name)") }
            return v
        case .string(let s, _): return .string(s)
        case .integer(let n, _): return .int(n)
        case .float(let x, _): return .float(x)
        case .boolean(let b, _): return .bool(b)
        case .duration(let ns, _, _): return .duration(ns)
        case .regex(let r, _): return .regex(r)
        case .star: return .star
        case .reference(let name, let position):
            throw TICKDiagnostic(at: position, "\"\(name)\" is a reference, not a string: write '\(name)'")
        case .list(let items, let position):
            var values: [ScriptValue] = []
            var depth = 1
            for item in items {
                let value = try evaluate(item)
                if case .list(_, let d) = value { depth = max(depth, d + 1) }
                values.append(value)
            }
            // A list of list variables nests deeper than the text shows: bound it too.
            guard depth <= TICKLimits.maximumDepth else {
                throw TICKDiagnostic(at: position, "lists nested too deeply: at most \(TICKLimits.maximumDepth) levels are allowed")
            }
            return .list(values, depth: depth)
        case .lambda(let body, let position):
            return .lambda(try substitute(body, depth: 1), source: text(ofLambdaAt: position))
        case .unary(.negate, let x, let position):
            switch try evaluate(x) {
            case .int(let n) where n != .min: return .int(-n)
            case .float(let v): return .float(-v)
            case .duration(let d) where d != .min: return .duration(-d)
            case .int, .duration: throw TICKDiagnostic(at: position, "cannot negate -9223372036854775808: the result is out of range")
            case let other: throw TICKDiagnostic(at: position, "cannot negate a \(other.typeName)")
            }
        case .unary(.not, _, let position), .binary(_, _, _, let position):
            throw TICKDiagnostic(at: position, "operators are only allowed inside a lambda: write lambda: …")
        case .call(let call) where call.name == "time":
            // time(length[, offset]): a batch query's time dimension, `.groupBy(time(1m), 'host')`.
            var durations: [Int64] = []
            for a in call.arguments {
                guard case .duration(let d) = try evaluate(a) else {
                    throw TICKDiagnostic(at: a.position, "time() takes durations: time(1m) or time(1m, 10s)")
                }
                durations.append(d)
            }
            guard (1...2).contains(durations.count), durations[0] > 0 else {
                throw TICKDiagnostic(at: call.position, "time() takes a positive length and an optional offset: time(1m) or time(1m, 10s)")
            }
            return .timeDimension(length: durations[0], offset: durations.count == 2 ? durations[1] : 0)
        case .call(let call):
            throw TICKDiagnostic(at: call.position, "\(call.name)() is not a node: start a chain with stream|from() or batch|query()")
        case .chain(let receiver, let links):
            var base = try evaluate(receiver)
            for step in links {
                base = try evaluate(step, on: base)
            }
            return base
        }
    }

    /// One link of a chain on `base`, the value of what precedes it.
    private mutating func evaluate(_ step: ChainLink, on base: ScriptValue) throws(TICKDiagnostic) -> ScriptValue {
        let (op, call) = (step.op, step.call)
        guard case .node(let node) = base else {
            throw TICKDiagnostic(at: call.position, "cannot call \(op.rawValue)\(call.name)() on a \(base.typeName)")
        }
        var arguments: [(value: ScriptValue, position: Position)] = []
        for a in call.arguments { arguments.append((try evaluate(a), a.position)) }
        switch op {
        case .dot:
            if udfNames.contains(call.name) && !node.isUDF {
                throw TICKDiagnostic(at: call.position, "\(call.name) is a UDF: use @\(call.name)() instead of .\(call.name)()")
            }
            node.properties.append((call.name, arguments, call.position))
            return .node(node)
        case .pipe:
            if udfNames.contains(call.name) {
                throw TICKDiagnostic(at: call.position, "\(call.name) is a UDF: use @\(call.name)() instead of |\(call.name)()")
            }
            if call.name == "deadman" { return .node(try deadman(on: node, arguments, at: call.position)) }
            let child = try pipe(node, call.name, arguments, at: call.position)
            // union(other, …): the arguments are more parents.
            for (value, _) in arguments {
                if case .node(let other) = value { link(other, child) }
            }
            return .node(child)
        case .at:
            guard udfNames.contains(call.name) else {
                let known = udfNames.sorted().joined(separator: ", ")
                throw TICKDiagnostic(at: call.position, "no UDF named \(call.name) is configured (\(known.isEmpty ? "no UDFs are configured: add a [udf.functions.\(call.name)] section to the config" : "configured: \(known)"))")
            }
            let child = try makeNode(call.name, isUDF: true, at: call.position, arguments: arguments)
            link(node, child)
            return .node(child)
        }
    }

    /// A lambda body with the script's variables replaced by their values (`"host" =~ pattern`).
    ///
    /// A lambda variable used in another lambda is copied into it, so substitution can grow a
    /// lambda beyond the script's size (`var b = lambda: a AND a`, `var c = lambda: b AND b`, …
    /// doubles at each step): the result's depth and the size of all lambdas together are bounded.
    private mutating func substitute(_ e: Expression, depth: Int) throws(TICKDiagnostic) -> Expression {
        guard depth <= TICKLimits.maximumDepth else {
            throw TICKDiagnostic(at: e.position, "lambda nested too deeply once its variables are substituted: at most \(TICKLimits.maximumDepth) levels are allowed")
        }
        lambdaSize += 1
        guard lambdaSize <= TICKLimits.maximumLambdaSize else {
            throw TICKDiagnostic(at: e.position, "lambdas too large once their variables are substituted: the script's lambdas may hold at most \(TICKLimits.maximumLambdaSize) operators and values")
        }
        switch e {
        case .identifier(let name, let p):
            guard let value = variables[name] else { return e }
            switch value {
            case .string(let s): return .string(s, p)
            case .int(let n): return .integer(n, p)
            case .float(let x): return .float(x, p)
            case .bool(let b): return .boolean(b, p)
            case .duration(let d): return .duration(d, text: DurationText.format(d), p)
            case .regex(let r): return .regex(r, p)
            // The body was substituted when its variable was defined; copy it at this depth.
            case .lambda(let body, _): return try substitute(body, depth: depth)
            default: throw TICKDiagnostic(at: p, "var \(name) is a \(value.typeName) and cannot be used in a lambda")
            }
        case .unary(let op, let x, let p): return .unary(op, try substitute(x, depth: depth + 1), p)
        case .binary(let op, let l, let r, let p):
            return .binary(op, try substitute(l, depth: depth + 1), try substitute(r, depth: depth + 1), p)
        case .lambda(let body, let p): return .lambda(try substitute(body, depth: depth + 1), p)
        case .call(var call):
            var arguments: [Expression] = []
            for a in call.arguments { arguments.append(try substitute(a, depth: depth + 1)) }
            call.arguments = arguments
            return .call(call)
        default: return e
        }
    }

    /// `parent|method(arguments)`: a new node, linked.
    mutating func pipe(_ parent: NodeSpec, _ method: String, _ arguments: [(value: ScriptValue, position: Position)], at position: Position) throws(TICKDiagnostic) -> NodeSpec {
        let child = try makeNode(method, at: position, arguments: arguments)
        link(parent, child)
        return child
    }

    private func link(_ parent: NodeSpec, _ child: NodeSpec) {
        parent.children.append(child)
        child.parents.append(parent)
    }

    /// The lambda's text as written, for messages: from after `lambda:` to the `,` or `)` that
    /// ends it, or the end of its line, and at most 1,000 characters (so that a line of many
    /// lambdas costs linear time).
    private func text(ofLambdaAt position: Position) -> String {
        var start = position.offset
        if source[start...].starts(with: "lambda") { start += 6 }
        while start < source.count, source[start] == " " || source[start] == "\t" { start += 1 }
        if start < source.count, source[start] == ":" { start += 1 }
        while start < source.count, source[start] == " " || source[start] == "\t" { start += 1 }
        guard start < source.count else { return "" }
        let limit = min(source.count, start + 1_000)
        var end = start
        var depth = 0
        while end < limit {
            let c = source[end]
            if c == "\n" { break }
            if c == "(" { depth += 1 }
            if c == ")" {
                if depth == 0 { break }
                depth -= 1
            }
            if c == "," && depth == 0 { break }
            end += 1
        }
        var text = source[start..<end]
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text) + (end == limit && limit < source.count ? "…" : "")
    }
}

