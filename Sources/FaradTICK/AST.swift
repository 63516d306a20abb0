/// A parsed TICKscript.
public struct Program: Sendable, Hashable {
    public var statements: [Statement]
    /// Non-fatal findings (e.g. octal numbers).
    public var warnings: [TICKDiagnostic]
}

/// One statement.
public enum Statement: Sendable, Hashable {
    /// `var name = value` (immutable).
    case variable(name: String, value: Expression, position: Position)
    /// `var name type` — a template variable declaration.
    case declaration(name: String, type: String, position: Position)
    /// `dbrp "db"."rp"`.
    case dbrp(database: String, retentionPolicy: String, position: Position)
    case expression(Expression)
}

/// How a chain link attaches to its receiver.
public enum ChainOperator: String, Sendable, Hashable {
    /// `|name()`: a chaining method, creating a child node.
    case pipe = "|"
    /// `.name(…)`: a property method.
    case dot = "."
    /// `@name()`: a UDF node.
    case at = "@"
}

/// One link of a chain: `|window()`, `.period(10s)` or `@movingAvg()`.
public struct ChainLink: Sendable, Hashable {
    public var op: ChainOperator
    public var call: Call

    public init(_ op: ChainOperator, _ call: Call) {
        self.op = op
        self.call = call
    }
}

/// A function or method call: `name(arguments…)`, or a bare `.name` property.
public struct Call: Sendable, Hashable {
    public var name: String
    public var arguments: [Expression]
    /// False for a bare `.name` without parentheses.
    public var hasParentheses: Bool
    public var position: Position
}

public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-", not = "!"
}

/// Binary operators, with Kapacitor's precedence (higher binds tighter).
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or = "OR", and = "AND"
    case equal = "==", notEqual = "!=", matches = "=~", notMatches = "!~"
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case plus = "+", minus = "-"
    case multiply = "*", divide = "/", modulo = "%"

    public var precedence: Int {
        switch self {
        case .or: 0
        case .and: 1
        case .equal, .notEqual, .matches, .notMatches: 2
        case .less, .lessOrEqual, .greater, .greaterOrEqual: 3
        case .plus, .minus: 4
        case .multiply, .divide, .modulo: 5
        }
    }
}

/// An expression.
public indirect enum Expression: Sendable, Hashable {
    case identifier(String, Position)
    /// A single-quoted string literal.
    case string(String, Position)
    /// A double-quoted field/tag/db/rp name.
    case reference(String, Position)
    case integer(Int64, Position)
    case float(Double, Position)
    case boolean(Bool, Position)
    /// A duration in nanoseconds, with its text as written.
    case duration(Int64, text: String, Position)
    case regex(String, Position)
    case star(Position)
    /// `[a, 'b', *]`.
    case list([Expression], Position)
    case lambda(Expression, Position)
    case unary(UnaryOperator, Expression, Position)
    case binary(BinaryOperator, Expression, Expression, Position)
    /// A global function call, e.g. `time(1m)` or `sigma("value")`, or a chain's first call.
    case call(Call)
    /// `receiver|call().call()@call()…`: a receiver and its links, in order. A chain is one flat
    /// list, not a nest of receivers, so that a long pipeline costs no recursion to walk.
    case chain(receiver: Expression, [ChainLink])

    /// Where the expression starts.
    public var position: Position {
        switch self {
        case .identifier(_, let p), .string(_, let p), .reference(_, let p), .integer(_, let p), .float(_, let p),
             .boolean(_, let p), .duration(_, _, let p), .regex(_, let p), .star(let p), .list(_, let p),
             .lambda(_, let p), .unary(_, _, let p), .binary(_, _, _, let p):
            return p
        case .call(let c): return c.position
        case .chain(let receiver, _): return receiver.position
        }
    }
}
