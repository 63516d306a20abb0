/// `top(field[, tag…], N)` and `bottom(…)` in a `SELECT`: the N points of each output series
/// (and time bucket) with the largest or smallest values — with tags, the best point of each
/// distinct combination of them first — answered as InfluxDB 1.6 does: the points' own times,
/// each bucket's points in time order, other fields and tags of the select read from the
/// selected points, `fill()` ignored.
struct InfluxQLTopSelection: Sendable {
    let isTop: Bool
    let field: String
    /// The tags given between the field and N, as columns after the value.
    let tags: [String]
    let count: Int
    /// The other fields of the select (plain fields and tags).
    let aux: [InfluxQLSelect.Field]
    /// Column names after `time`.
    let names: [String]

    /// The largest N accepted (InfluxDB would allocate N slots and fail past memory).
    static let maximumCount = 1_000_000

    var function: String { isTop ? "top" : "bottom" }

    /// The select's top or bottom call, if it has one, checked with InfluxDB's texts.
    static func of(_ select: InfluxQLSelect) throws(InfluxQLQueryError) -> InfluxQLTopSelection? {
        func calls(_ e: InfluxQLExpr) -> [(String, [InfluxQLExpr])] {
            switch e {
            case .call(let n, let args): [(n.lowercased(), args)] + args.flatMap(calls)
            case .binary(_, let l, let r): calls(l) + calls(r)
            case .parenthesized(let x): calls(x)
            default: []
            }
        }
        let all = select.fields.flatMap { calls($0.expr) }
        guard let selector = all.first(where: { $0.0 == "top" || $0.0 == "bottom" }) else { return nil }
        let name = selector.0
        guard all.count == 1 else { throw InfluxQLQueryError(.invalid, "selector function \(name)() cannot be combined with other functions") }
        var aux: [InfluxQLSelect.Field] = []
        var column = name
        for f in select.fields {
            if case .call = f.expr {
                column = f.alias ?? name
            } else if case .reference = f.expr {
                aux.append(f)
            } else if calls(f.expr).isEmpty {
                throw InfluxQLQueryError(.unsupported, "\(name)() with computed fields is not supported by Farad yet")
            } else {
                throw InfluxQLQueryError(.unsupported, "\(name)() inside an expression is not supported by Farad yet")
            }
        }
        let args = selector.1
        guard args.count >= 2 else { throw InfluxQLQueryError(.invalid, "invalid number of arguments for \(name), expected at least 2, got \(args.count)") }
        guard case .integer(let n) = args[args.count - 1] else {
            throw InfluxQLQueryError(.invalid, "expected integer as last argument in \(name)(), found \(text(args[args.count - 1]))")
        }
        var tags: [String] = []
        for a in args.dropFirst().dropLast() {
            guard case .reference(let tag, _) = a else { throw InfluxQLQueryError(.invalid, "only fields or tags are allowed in \(name)(), found \(text(a))") }
            tags.append(tag)
        }
        guard case .reference(let field, _) = args[0] else {
            throw InfluxQLQueryError(.invalid, "expected first argument to be a field in \(name)(), found \(text(args[0]))")
        }
        guard n >= 1 else { throw InfluxQLQueryError(.invalid, "limit (\(n)) in \(name) function must be at least 1") }
        guard n <= Int64(maximumCount) else {
            throw InfluxQLQueryError(.limit, "limit (\(n)) in \(name) function is too large: Farad allows at most \(maximumCount)")
        }
        if let limit = select.limit, limit > 0, n > Int64(limit) {
            throw InfluxQLQueryError(.invalid, "limit (\(n)) in \(name) function can not be larger than the LIMIT (\(limit)) in the select statement")
        }
        let names = InfluxQLSelectPlan.uniqueNames([column] + tags + aux.map { $0.alias ?? InfluxQLSelectPlan.name(of: $0.expr) })
        return InfluxQLTopSelection(isTop: name == "top", field: field, tags: tags, count: Int(n), aux: aux, names: names)
    }

    /// An argument as InfluxDB's messages print it (`'host'`, `2.500`, `*`).
    private static func text(_ e: InfluxQLExpr) -> String {
        switch e {
        case .reference(let n, _): n
        case .string(let s): "'\(s)'"
        case .number(let x): InfluxQLTopSelection.threeDecimals(x)
        case .integer(let n): "\(n)"
        case .wildcard: "*"
        default: e.description
        }
    }

    /// `x` with three decimals, as Go's `%.3f` (rounding half to even on the binary value).
    static func threeDecimals(_ x: Double) -> String {
        // Past 2^53 a double has no fraction to show (and Int64 would not hold it).
        guard x.isFinite, abs(x) < 1e15 else { return "\(x)" }
        let scaled = (abs(x) * 1000).rounded(.toNearestOrEven)
        let whole = Int64(scaled / 1000), fraction = Int64(scaled.truncatingRemainder(dividingBy: 1000))
        let digits = String(fraction)
        return (x < 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// Whether `a` goes before `b`: the larger (top) or smaller (bottom) value, then the earlier.
    func better(_ a: (time: Int64, value: Double), than b: (time: Int64, value: Double)) -> Bool {
        if a.value != b.value { return isTop ? a.value > b.value : a.value < b.value }
        return a.time < b.time
    }

    /// The selected rows of one bucket (rows in time order; column 1 is the value, the tags
    /// follow), in time order.
    func select(_ rows: [[InfluxQLCell]]) -> [[InfluxQLCell]] {
        var candidates: [(row: Int, time: Int64, value: Double)] = []
        var bestOf: [[InfluxQLCell]: Int] = [:]
        for (i, row) in rows.enumerated() {
            guard case .time(let t) = row[0], case .value(let v) = row[1], let x = v.number else { continue }
            let c = (row: i, time: t, value: x)
            if tags.isEmpty {
                candidates.append(c)
            } else {
                let key = Array(row[2..<(2 + tags.count)])
                if let k = bestOf[key] {
                    if better((c.time, c.value), than: (candidates[k].time, candidates[k].value)) { candidates[k] = c }
                } else {
                    bestOf[key] = candidates.count
                    candidates.append(c)
                }
            }
        }
        candidates.sort { better(($0.time, $0.value), than: ($1.time, $1.value)) }
        // In time order; at one time, the better value first (InfluxDB sorts its choice stably by time).
        let kept = candidates.prefix(count).enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }
        return kept.map { rows[$0.element.row] }
    }
}
