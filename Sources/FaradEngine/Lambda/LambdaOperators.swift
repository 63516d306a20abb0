import FaradTICK

/// Kapacitor's type rules for lambda operators (`tick/stateful/evaluation_funcs.go`).
///
/// Comparisons may mix int and float; arithmetic may not (`int * float` is an error — use
/// `float()`); `%` is int-only; int/int divides as integers; strings concatenate with `+`;
/// durations add, subtract, scale and divide. Integer, duration and time arithmetic is checked:
/// a result out of 64 bits, or a division by zero, is a ``LambdaError`` (the point is dropped),
/// never a trap.
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

    static func overflow(_ op: BinaryOperator, _ l: LambdaValue, _ r: LambdaValue) -> LambdaError {
        LambdaError("integer overflow: \(l) \(op.rawValue) \(r) is out of range (64-bit integers, durations and times are at most ±9223372036854775807)")
    }

    /// `a op b` on 64-bit integers, checked: overflow and division by zero are errors, never a
    /// trap. (Go, and so Kapacitor, wraps silently; Farad drops the point instead.) `x % -1` is 0
    /// for every `x`, `Int64.min` included, as in Go.
    static func integer(_ op: BinaryOperator, _ a: Int64, _ b: Int64, _ l: LambdaValue, _ r: LambdaValue, zero: String) throws(LambdaError) -> Int64 {
        let (value, overflowed): (Int64, Bool)
        switch op {
        case .plus: (value, overflowed) = a.addingReportingOverflow(b)
        case .minus: (value, overflowed) = a.subtractingReportingOverflow(b)
        case .multiply: (value, overflowed) = a.multipliedReportingOverflow(by: b)
        case .divide:
            guard b != 0 else { throw LambdaError("\(zero) division by zero") }
            (value, overflowed) = a.dividedReportingOverflow(by: b)
        default:
            guard b != 0 else { throw LambdaError("\(zero) modulo by zero") }
            if b == -1 { return 0 }
            (value, overflowed) = a.remainderReportingOverflow(dividingBy: b)
        }
        guard !overflowed else { throw overflow(op, l, r) }
        return value
    }

    /// `x` truncated to an integer, if it is finite and within 64 bits.
    static func int64(_ x: Double) -> Int64? {
        // 2⁶³ is exact as a Double; every Double below it and at or above −2⁶³ converts.
        guard x.isFinite, x >= -9_223_372_036_854_775_808.0, x < 9_223_372_036_854_775_808.0 else { return nil }
        return Int64(x)
    }

    /// A duration scaled by a float: an error when the result is not a finite 64-bit duration.
    static func scaled(_ d: Int64, _ x: Double, _ op: BinaryOperator, _ l: LambdaValue, _ r: LambdaValue) throws(LambdaError) -> LambdaValue {
        let product = op == .multiply ? Double(d) * x : Double(d) / x
        guard let ns = int64(product) else {
            throw LambdaError("duration overflow: \(l) \(op.rawValue) \(r) is not a duration (at most ±9223372036854775807ns)")
        }
        return .duration(ns)
    }

    static func arithmetic(_ op: BinaryOperator, _ l: LambdaValue, _ r: LambdaValue) throws(LambdaError) -> LambdaValue {
        switch (l, r) {
        case (.int(let a), .int(let b)):
            return .int(try integer(op, a, b, l, r, zero: "integer"))
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
            case .plus, .minus: return .duration(try integer(op, a, b, l, r, zero: "duration"))
            case .divide:
                guard b != 0 else { throw LambdaError("duration division by zero") }
                return .double(Double(a) / Double(b))
            default: throw invalid(op, l)
            }
        case (.duration(let d), .int(let n)), (.int(let n), .duration(let d)):
            if op == .multiply { return .duration(try integer(.multiply, d, n, l, r, zero: "duration")) }
            if op == .divide, case .duration = l { return .duration(try integer(.divide, d, n, l, r, zero: "duration")) }
            throw mismatch(op, l, r)
        case (.duration(let d), .double(let x)), (.double(let x), .duration(let d)):
            if op == .multiply { return try scaled(d, x, op, l, r) }
            if op == .divide, case .duration = l { return try scaled(d, x, op, l, r) }
            throw mismatch(op, l, r)
        case (.time(let t), .duration(let d)):
            if op == .plus || op == .minus { return .time(try integer(op, t, d, l, r, zero: "time")) }
            throw mismatch(op, l, r)
        case (.time(let a), .time(let b)) where op == .minus:
            return .duration(try integer(.minus, a, b, l, r, zero: "time"))
        default:
            if op == .modulo, case .double = l { throw invalid(op, l) }
            throw mismatch(op, l, r)
        }
    }

    static func unary(_ op: UnaryOperator, _ v: LambdaValue) throws(LambdaError) -> LambdaValue {
        switch (op, v) {
        case (.negate, .int(let x)) where x != .min: return .int(-x)
        case (.negate, .double(let x)): return .double(-x)
        case (.negate, .duration(let x)) where x != .min: return .duration(-x)
        case (.negate, .int), (.negate, .duration):
            throw LambdaError("integer overflow: -(\(v)) is out of range (64-bit integers are at most 9223372036854775807)")
        case (.not, .bool(let b)): return .bool(!b)
        default: throw LambdaError("invalid unary operator \(op.rawValue) for type \(v.typeName)")
        }
    }
}
