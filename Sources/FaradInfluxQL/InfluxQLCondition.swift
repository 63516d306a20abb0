/// A `WHERE` clause split as InfluxDB splits it: the time range its `time` terms give (ANDed at
/// the top), the rest as a filter of rows, and the tag equalities every matching series has
/// (which the storage's index narrows the series by).
struct InfluxQLCondition: Sendable {
    /// Inclusive bounds, nanoseconds.
    var start = InfluxQLTime.minTime
    var end = InfluxQLTime.maxTime
    /// Whether the clause gave an upper bound (GROUP BY time ends at now() without one).
    var hasEnd = false
    var hasStart = false
    /// The clause without its time terms.
    var filter: InfluxQLExpr?
    /// `tag = 'v'` terms ANDed at the top of the clause.
    var tagsEqual: [(key: String, value: String)] = []
    /// Whether the filter reads a field (else it is decided once per series).
    var readsFields = false

    /// Splits `expr`; `isField` tells a field reference from a tag one.
    init(_ expr: InfluxQLExpr?, now: Int64, isField: (String) -> Bool) throws(InfluxQLQueryError) {
        guard let expr else { return }
        filter = try split(expr, now: now, isField: isField)
        if let filter {
            readsFields = Self.references(filter).contains { isField($0.name) && $0.type != .tag || $0.type == .field }
        }
        if start > end {
            // An empty range: nothing matches.
            filter = .bool(false)
        }
    }

    /// `expr` without the time terms ANDed at its top, which narrow the range.
    private mutating func split(_ expr: InfluxQLExpr, now: Int64, isField: (String) -> Bool) throws(InfluxQLQueryError) -> InfluxQLExpr? {
        switch expr {
        case .parenthesized(let e):
            return try split(e, now: now, isField: isField)
        case .binary(.and, let l, let r):
            let a = try split(l, now: now, isField: isField)
            let b = try split(r, now: now, isField: isField)
            switch (a, b) {
            case (nil, nil): return nil
            case (let x?, nil), (nil, let x?): return x
            case (let x?, let y?): return .binary(.and, x, y)
            }
        case .binary(let op, let l, let r) where Self.isTime(l) || Self.isTime(r):
            guard op.isComparison, op != .matches, op != .notMatches else {
                throw InfluxQLQueryError(.invalid, "invalid operation: time and \(op.rawValue) are not compatible")
            }
            let timeOnLeft = Self.isTime(l)
            let t = try Self.timeValue(timeOnLeft ? r : l, now: now)
            // `x < time` is `time > x`.
            let flipped: InfluxQLExpr.Operator = switch op {
            case .less: timeOnLeft ? .less : .greater
            case .lessOrEqual: timeOnLeft ? .lessOrEqual : .greaterOrEqual
            case .greater: timeOnLeft ? .greater : .less
            case .greaterOrEqual: timeOnLeft ? .greaterOrEqual : .lessOrEqual
            default: op
            }
            switch flipped {
            case .greater: narrow(start: t == Int64.max ? t : t + 1)
            case .greaterOrEqual: narrow(start: t)
            case .less: narrow(end: t == Int64.min ? t : t - 1)
            case .lessOrEqual: narrow(end: t)
            case .equal:
                narrow(start: t)
                narrow(end: t)
            default:
                throw InfluxQLQueryError(.unsupported, "time != is not supported in WHERE")
            }
            return nil
        default:
            if Self.mentionsTime(expr) {
                throw InfluxQLQueryError(.unsupported, "time conditions inside OR are not supported")
            }
            // `tag = ''` also matches series without the tag: it narrows nothing.
            if case .binary(.equal, .reference(let k, let type), .string(let v)) = expr, !v.isEmpty, type == .tag || (type == nil && !isField(k)) {
                tagsEqual.append((k, v))
            }
            return expr
        }
    }

    private mutating func narrow(start t: Int64) {
        start = max(start, t)
        hasStart = true
    }

    private mutating func narrow(end t: Int64) {
        end = min(end, t)
        hasEnd = true
    }

    private static func isTime(_ e: InfluxQLExpr) -> Bool {
        if case .reference(let name, _) = e { return name.lowercased() == "time" }
        if case .parenthesized(let inner) = e { return isTime(inner) }
        return false
    }

    private static func mentionsTime(_ e: InfluxQLExpr) -> Bool {
        references(e).contains { $0.name.lowercased() == "time" }
    }

    /// Every reference in `e`.
    static func references(_ e: InfluxQLExpr) -> [(name: String, type: InfluxQLExpr.DataType?)] {
        switch e {
        case .reference(let n, let t): [(n, t)]
        case .binary(_, let l, let r): references(l) + references(r)
        case .parenthesized(let x): references(x)
        case .call(_, let args): args.flatMap(references)
        default: []
        }
    }

    /// A time literal: an RFC 3339 string, an integer of nanoseconds, a duration literal
    /// (`1600000000s`), `now()`, or sums and differences of them.
    static func timeValue(_ e: InfluxQLExpr, now: Int64) throws(InfluxQLQueryError) -> Int64 {
        switch e {
        case .string(let s):
            guard let t = InfluxQLTime.parse(s) else {
                throw InfluxQLQueryError(.invalid, "invalid operation: time and *influxql.StringLiteral are not compatible")
            }
            return t
        case .integer(let v), .duration(let v): return v
        case .number(let d):
            guard d.isFinite, abs(d) < 9.2e18 else { throw InfluxQLQueryError(.invalid, "time \(d) is out of range") }
            return Int64(d)
        case .call(let name, let args) where name.lowercased() == "now" && args.isEmpty:
            return now
        case .parenthesized(let x):
            return try timeValue(x, now: now)
        case .binary(let op, let l, let r) where op == .add || op == .subtract:
            let a = try timeValue(l, now: now)
            let b = try timeValue(r, now: now)
            let (v, overflow) = op == .add ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b)
            guard !overflow else { throw InfluxQLQueryError(.invalid, "time overflows") }
            return v
        default:
            throw InfluxQLQueryError(.invalid, "invalid time condition")
        }
    }
}
