import FaradTICK

/// Kapacitor's type rules for lambda operators (`tick/stateful/evaluation_funcs.go`).
///
/// Comparisons may mix int and float; arithmetic may not (`int * float` is an error — use
/// `float()`); `%` is int-only; int/int divides as integers; strings concatenate with `+`;
/// durations add, subtract, scale and divide.
enum LambdaOperators {
    static func mismatch(_ op: BinaryOperator, _ l: LambdaValue, _ r: LambdaValue) -> LambdaError {
        LambdaError("mismatched type to binary operator. got \(l.typeName) \(op.rawValue) \(r.typeName). see bool(), int(), float(), string(), duration()")
    }

    static func invalid(_ op: BinaryOperator, _ v: LambdaValue) -> LambdaError {
        LambdaError("invalid math operator \(op.rawValue) for type \(v.typeName)")
    }

    static func compare(_ op: BinaryOperator, _ l: LambdaValue, _ r: LambdaValue) throws(LambdaError) -> Bool {
        func ordered<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch op {
            case .less: a < b
            case .lessOrEqual: a <= b
            case .greater: a > b
            case .greaterOrEqual: a >= b
            case .equal: a == b
            default: a != b
            }
        }
        switch (l, r) {
        case (.int(let a), .int(let b)): return ordered(a, b)
        case (.double(let a), .double(let b)): return ordered(a, b)
        case (.int(let a), .double(let b)): return ordered(Double(a), b)
        case (.double(let a), .int(let b)): return ordered(a, Double(b))
        case (.string(let a), .string(let b)): return ordered(a, b)
        case (.duration(let a), .duration(let b)), (.time(let a), .time(let b)): return ordered(a, b)
        case (.bool(let a), .bool(let b)):
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            default: throw LambdaError("invalid comparison operator \(op.rawValue) for type bool")
            }
        default:
            throw mismatch(op, l, r)
        }
    }

    static func arithmetic(_ op: BinaryOperator, _ l: LambdaValue, _ r: LambdaValue) throws(LambdaError) -> LambdaValue {
        switch (l, r) {
        case (.int(let a), .int(let b)):
            switch op {
            case .plus: return .int(a &+ b)
            case .minus: return .int(a &- b)
            case .multiply: return .int(a &* b)
            case .divide:
                guard b != 0 else { throw LambdaError("integer division by zero") }
                return .int(a / b)
            default:
                guard b != 0 else { throw LambdaError("integer modulo by zero") }
                return .int(a % b)
            }
        case (.double(let a), .double(let b)):
            switch op {
            case .plus: return .double(a + b)
            case .minus: return .double(a - b)
            case .multiply: return .double(a * b)
            case .divide: return .double(a / b)
            default: throw invalid(op, l)
            }
        case (.string(let a), .string(let b)):
            guard op == .plus else { throw invalid(op, l) }
            return .string(a + b)
        case (.duration(let a), .duration(let b)):
            switch op {
            case .plus: return .duration(a &+ b)
            case .minus: return .duration(a &- b)
            case .divide:
                guard b != 0 else { throw LambdaError("duration division by zero") }
                return .double(Double(a) / Double(b))
            default: throw invalid(op, l)
            }
        case (.duration(let d), .int(let n)), (.int(let n), .duration(let d)):
            if op == .multiply { return .duration(d &* n) }
            if op == .divide, case .duration = l {
                guard n != 0 else { throw LambdaError("duration division by zero") }
                return .duration(d / n)
            }
            throw mismatch(op, l, r)
        case (.duration(let d), .double(let x)), (.double(let x), .duration(let d)):
            if op == .multiply { return .duration(Int64(Double(d) * x)) }
            if op == .divide, case .duration = l { return .duration(Int64(Double(d) / x)) }
            throw mismatch(op, l, r)
        case (.time(let t), .duration(let d)):
            if op == .plus { return .time(t &+ d) }
            if op == .minus { return .time(t &- d) }
            throw mismatch(op, l, r)
        case (.time(let a), .time(let b)) where op == .minus:
            return .duration(a &- b)
        default:
            if op == .modulo, case .double = l { throw invalid(op, l) }
            throw mismatch(op, l, r)
        }
    }

    static func unary(_ op: UnaryOperator, _ v: LambdaValue) throws(LambdaError) -> LambdaValue {
        switch (op, v) {
        case (.negate, .int(let x)): return .int(0 &- x)
        case (.negate, .double(let x)): return .double(-x)
        case (.negate, .duration(let x)): return .duration(0 &- x)
        case (.not, .bool(let b)): return .bool(!b)
        default: throw LambdaError("invalid unary operator \(op.rawValue) for type \(v.typeName)")
        }
    }
}
