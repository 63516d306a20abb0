import FaradCore

/// Evaluates InfluxQL expressions over one row: a field missing from the row is null, a tag
/// missing from the series is the empty string (as InfluxDB compares them), comparisons with
/// null are false, integers stay integers but for `/`, and regexes match anywhere in the text
/// (Go's `regexp.MatchString`, in linear time).
struct InfluxQLEvaluator: Sendable {
    /// Compiled regexes of the expressions evaluated, by pattern.
    private var regexes: [String: LinearRegex] = [:]

    init() {}

    /// Compiles the regexes of `expr` (an invalid one is InfluxDB's parse error).
    mutating func prepare(_ expr: InfluxQLExpr) throws(InfluxQLQueryError) {
        switch expr {
        case .regex(let pattern):
            if regexes[pattern] == nil {
                do {
                    regexes[pattern] = try LinearRegex(pattern)
                } catch {
                    throw InfluxQLQueryError(.invalid, "error parsing regexp: \(error)")
                }
            }
        case .binary(_, let l, let r):
            try prepare(l)
            try prepare(r)
        case .parenthesized(let e):
            try prepare(e)
        case .call(_, let args):
            for a in args { try prepare(a) }
        default:
            break
        }
    }

    /// The value of `expr`; `lookup` gives a reference's value (`nil`: null).
    func value(_ expr: InfluxQLExpr, _ lookup: (String, InfluxQLExpr.DataType?) -> InfluxQLValue?) -> InfluxQLValue? {
        switch expr {
        case .reference(let name, let type): return Self.cast(lookup(name, type), to: type)
        case .integer(let v): return .integer(v)
        case .number(let v): return .float(v)
        case .string(let s): return .string(s)
        case .bool(let b): return .boolean(b)
        case .duration(let d): return .integer(d)
        case .parenthesized(let e): return value(e, lookup)
        case .binary(let op, let l, let r):
            switch op {
            case .and:
                return .boolean(isTrue(l, lookup) && isTrue(r, lookup))
            case .or:
                return .boolean(isTrue(l, lookup) || isTrue(r, lookup))
            case .matches, .notMatches:
                guard case .regex(let pattern) = r, let re = regexes[pattern] else { return .boolean(false) }
                guard case .string(let s)? = value(l, lookup) else { return .boolean(false) }
                return .boolean(re.firstMatch(in: s) == (op == .matches))
            default:
                return Self.apply(op, value(l, lookup), value(r, lookup))
            }
        default:
            return nil
        }
    }

    /// Whether `expr` is true for the row (null is false).
    func isTrue(_ expr: InfluxQLExpr, _ lookup: (String, InfluxQLExpr.DataType?) -> InfluxQLValue?) -> Bool {
        if case .boolean(true)? = value(expr, lookup) { return true }
        return false
    }

    /// `v` cast as `::integer`, `::float` (numbers only; other types are null); `::field`,
    /// `::tag` and no cast keep it.
    static func cast(_ v: InfluxQLValue?, to type: InfluxQLExpr.DataType?) -> InfluxQLValue? {
        switch (type, v) {
        case (.integer, .float(let d)?): return d.isFinite && abs(d) < 9.2e18 ? .integer(Int64(d)) : nil
        case (.integer, .integer?): return v
        case (.float, .integer(let i)?): return .float(Double(i))
        case (.float, .float?): return v
        case (.integer, _), (.float, _): return nil
        case (.string, .string?), (.boolean, .boolean?): return v
        case (.string, _), (.boolean, _): return nil
        default: return v
        }
    }

    /// A binary operator on two values, as InfluxQL's: integer arithmetic wraps (as Go's) and
    /// divides as floats; division by zero is 0; mixed numbers compare as floats.
    static func apply(_ op: InfluxQLExpr.Operator, _ l: InfluxQLValue?, _ r: InfluxQLValue?) -> InfluxQLValue? {
        guard let l, let r else {
            return op.isComparison ? .boolean(false) : nil
        }
        switch (l, r) {
        case (.integer(let a), .integer(let b)):
            switch op {
            case .add: return .integer(a &+ b)
            case .subtract: return .integer(a &- b)
            case .multiply: return .integer(a &* b)
            case .divide: return .float(b == 0 ? 0 : Double(a) / Double(b))
            case .modulo: return .integer(b == 0 ? 0 : a.remainderReportingOverflow(dividingBy: b).partialValue)
            case .bitAnd: return .integer(a & b)
            case .bitOr: return .integer(a | b)
            case .bitXor: return .integer(a ^ b)
            default: return compare(op, a < b ? -1 : a == b ? 0 : 1)
            }
        case (.string(let a), .string(let b)):
            switch op {
            case .equal: return .boolean(a == b)
            case .notEqual: return .boolean(a != b)
            case .less: return .boolean(a < b)
            case .lessOrEqual: return .boolean(a <= b)
            case .greater: return .boolean(a > b)
            case .greaterOrEqual: return .boolean(a >= b)
            case .add: return .string(a + b)
            default: return nil
            }
        case (.boolean(let a), .boolean(let b)):
            switch op {
            case .equal: return .boolean(a == b)
            case .notEqual: return .boolean(a != b)
            case .bitAnd: return .boolean(a && b)
            case .bitOr: return .boolean(a || b)
            case .bitXor: return .boolean(a != b)
            default: return op.isComparison ? .boolean(false) : nil
            }
        default:
            guard let a = l.number, let b = r.number else { return op.isComparison ? .boolean(false) : nil }
            switch op {
            case .add: return .float(a + b)
            case .subtract: return .float(a - b)
            case .multiply: return .float(a * b)
            case .divide: return .float(b == 0 ? 0 : a / b)
            case .modulo: return .float(b == 0 ? 0 : a.truncatingRemainder(dividingBy: b))
            case .bitAnd, .bitOr, .bitXor: return nil
            default: return compare(op, a < b ? -1 : a == b ? 0 : 1)
            }
        }
    }

    private static func compare(_ op: InfluxQLExpr.Operator, _ order: Int) -> InfluxQLValue? {
        switch op {
        case .equal: .boolean(order == 0)
        case .notEqual: .boolean(order != 0)
        case .less: .boolean(order < 0)
        case .lessOrEqual: .boolean(order <= 0)
        case .greater: .boolean(order > 0)
        case .greaterOrEqual: .boolean(order >= 0)
        default: nil
        }
    }
}

extension InfluxQLExpr.Operator {
    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .matches, .notMatches: true
        default: false
        }
    }
}
