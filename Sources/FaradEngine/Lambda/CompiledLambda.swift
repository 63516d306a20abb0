import FaradCore
import FaradTICK

/// A lambda compiled once into closures, then evaluated per point.
///
/// ```swift
/// let keep = try CompiledLambda(parsing: #""usage_idle" < 10.0 AND "host" =~ /^web/"#)
/// if try keep.evaluateBool(point) { … }
/// ```
public struct CompiledLambda: Sendable {
    typealias Eval = @Sendable (Point) throws(LambdaError) -> LambdaValue

    let body: Eval
    /// The lambda as written, for messages.
    public let source: String
    let expression: Expression
    /// It calls `count()`, `sigma()` or `spread()`: each group needs its own copy (``instance()``).
    public let isStateful: Bool

    /// Compiles a lambda's body expression.
    /// - Throws: ``TICKDiagnostic`` for what can be known before any point: an unknown function,
    ///   a wrong number of arguments, a bare name (fields are double-quoted), a bad regex.
    public init(_ expression: Expression, source: String = "") throws(TICKDiagnostic) {
        body = try Self.compile(expression)
        self.source = source
        self.expression = expression
        isStateful = StatefulFunctions.used(in: expression)
    }

    private init(copying other: CompiledLambda, body: @escaping Eval) {
        self.body = body
        source = other.source
        expression = other.expression
        isStateful = other.isStateful
    }

    /// A copy with fresh state (this lambda itself when it keeps none).
    public func instance() -> CompiledLambda {
        guard isStateful, let fresh = try? Self.compile(expression) else { return self }
        return CompiledLambda(copying: self, body: fresh)
    }

    /// Parses and compiles `text`, a lambda body such as `"value" > 10`.
    public init(parsing text: String) throws(TICKDiagnostic) {
        let program = try Parser.parse("f(lambda: \(text))")
        guard case .expression(.call(let call))? = program.statements.first, case .lambda(let body, _)? = call.arguments.first,
              call.arguments.count == 1 else {
            throw TICKDiagnostic(at: Position(line: 1, column: 1, offset: 0), "not a single lambda expression: \(text)")
        }
        try self.init(body, source: text)
    }

    /// Evaluates on `point`.
    /// - Throws: ``LambdaError`` (missing field, mismatched types, …): the node drops the point.
    public func evaluate(_ point: Point) throws(LambdaError) -> LambdaValue {
        try body(point)
    }

    /// Evaluates a condition (`where`, `alert().crit()`): the result must be a bool.
    public func evaluateBool(_ point: Point) throws(LambdaError) -> Bool {
        let value = try body(point)
        guard case .bool(let b) = value else { throw LambdaError("the lambda must be a condition (bool), but it is a \(value.typeName)") }
        return b
    }

    // MARK: Compilation

    static func compile(_ e: Expression) throws(TICKDiagnostic) -> Eval {
        switch e {
        case .reference(let name, _):
            return { (point) throws(LambdaError) in try reference(name, in: point) }
        case .integer(let v, _): return { _ in .int(v) }
        case .float(let v, _): return { _ in .double(v) }
        case .string(let v, _): return { _ in .string(v) }
        case .boolean(let v, _): return { _ in .bool(v) }
        case .duration(let ns, _, _): return { _ in .duration(ns) }
        case .regex(let r, _): return { _ in .regex(r) }
        case .identifier(let name, let p):
            throw TICKDiagnostic(at: p, "\(name) is not defined in a lambda: fields and tags are double-quoted, \"\(name)\"")
        case .unary(let op, let x, _):
            let inner = try compile(x)
            return { (point) throws(LambdaError) in try LambdaOperators.unary(op, try inner(point)) }
        case .binary(let op, let l, let r, let p):
            return try binary(op, l, r, p)
        case .call(let call):
            return try LambdaFunctions.compile(call)
        case .lambda(let body, _):
            return try compile(body)
        default:
            throw TICKDiagnostic(at: e.position, "this expression cannot be used in a lambda")
        }
    }

    static func reference(_ name: String, in point: Point) throws(LambdaError) -> LambdaValue {
        if name == "time" { return .time(point.time) }
        let field = point.field(name)
        let tag = point.tag(name)
        switch (field, tag) {
        case (let f?, nil): return LambdaValue(f)
        case (nil, let t?): return .string(t)
        case (.some, .some): throw LambdaError("\"\(name)\" is both a field and a tag: rename one of them")
        case (nil, nil): throw LambdaError("no field or tag \"\(name)\" in this point: test with isPresent(\"\(name)\")")
        }
    }

    private static func binary(_ op: BinaryOperator, _ l: Expression, _ r: Expression, _ p: Position) throws(TICKDiagnostic) -> Eval {
        let left = try compile(l)
        switch op {
        case .and, .or:
            let right = try compile(r)
            let isAnd = op == .and
            return { (point) throws(LambdaError) in
                guard case .bool(let a) = try left(point) else { throw LambdaError("invalid logical operator \(op.rawValue): operands must be bool") }
                if isAnd ? !a : a { return .bool(a) }  // short-circuit
                guard case .bool(let b) = try right(point) else { throw LambdaError("invalid logical operator \(op.rawValue): operands must be bool") }
                return .bool(b)
            }
        case .matches, .notMatches:
            guard case .regex(let pattern, let rp) = r else {
                throw TICKDiagnostic(at: r.position, "\(op.rawValue) needs a regex on its right, e.g. \"host\" =~ /^web/")
            }
            let regex: LinearRegex
            do throws(RegexError) {
                regex = try LinearRegex(pattern)
            } catch {
                throw TICKDiagnostic(at: rp, "invalid regex /\(pattern)/: \(error.message) at column \(error.offset + 1) of the pattern")
            }
            let negate = op == .notMatches
            return { (point) throws(LambdaError) in
                guard case .string(let s) = try left(point) else { throw LambdaError("\(op.rawValue) needs a string on its left") }
                return .bool(regex.firstMatch(in: s) != negate)
            }
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            let right = try compile(r)
            return { (point) throws(LambdaError) in .bool(try LambdaOperators.compare(op, try left(point), try right(point))) }
        case .plus, .minus, .multiply, .divide, .modulo:
            let right = try compile(r)
            return { (point) throws(LambdaError) in try LambdaOperators.arithmetic(op, try left(point), try right(point)) }
        }
    }
}
