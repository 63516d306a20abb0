/// One of InfluxQL's transformations in a `SELECT` field — `derivative`, `non_negative_derivative`,
/// `difference`, `non_negative_difference`, `moving_average`, `cumulative_sum`, `elapsed` — over a
/// field (raw) or an aggregate (under `GROUP BY time`), computed as InfluxDB 1.x's reducers do
/// (`query/functions.go`): over the points of each output series in time order, skipping nulls.
struct InfluxQLTransformation: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case derivative
        case nonNegativeDerivative = "non_negative_derivative"
        case difference
        case nonNegativeDifference = "non_negative_difference"
        case movingAverage = "moving_average"
        case cumulativeSum = "cumulative_sum"
        case elapsed
    }

    let kind: Kind
    /// What is transformed: a field reference, or an aggregate call under GROUP BY time.
    let argument: InfluxQLExpr
    /// derivative's and elapsed's unit (nanoseconds), when given.
    var unit: Int64?
    /// moving_average's window.
    var window = 0

    /// Whether InfluxDB reads one GROUP BY interval before the range for it (every one but
    /// cumulative_sum), so that the first bucket of the range has a predecessor.
    var readsIntervalBefore: Bool { kind != .cumulativeSum }

    /// The select's transformations, in field order (nil: it has none). A select mixing them
    /// with other fields, or nesting one in an expression, is refused (not supported yet).
    static func of(_ select: InfluxQLSelect) throws(InfluxQLQueryError) -> [(InfluxQLTransformation, name: String)]? {
        func isTransformation(_ e: InfluxQLExpr) -> Bool {
            switch e {
            case .call(let name, let args): Kind(rawValue: name.lowercased()) != nil || args.contains(where: isTransformation)
            case .binary(_, let l, let r): isTransformation(l) || isTransformation(r)
            case .parenthesized(let x): isTransformation(x)
            default: false
            }
        }
        guard select.fields.contains(where: { isTransformation($0.expr) }) else { return nil }
        let grouped = select.dimensions.contains { d in
            if case .call(let n, let args) = d, n.lowercased() == "time", case .duration(let every)? = args.first { return every > 0 }
            return false
        }
        var out: [(InfluxQLTransformation, name: String)] = []
        for field in select.fields {
            guard case .call(let name, let args) = field.expr, let kind = Kind(rawValue: name.lowercased()) else {
                throw InfluxQLQueryError(.unsupported, "a transformation mixed with other fields or inside an expression is not supported by Farad yet")
            }
            out.append((try parse(kind, args, grouped: grouped), field.alias ?? kind.rawValue))
        }
        return out
    }

    /// Checks a call's arguments with InfluxDB's texts.
    private static func parse(_ kind: Kind, _ args: [InfluxQLExpr], grouped: Bool) throws(InfluxQLQueryError) -> InfluxQLTransformation {
        let name = kind.rawValue
        switch kind {
        case .derivative, .nonNegativeDerivative, .elapsed:
            guard (1...2).contains(args.count) else {
                throw InfluxQLQueryError(.invalid, "invalid number of arguments for \(name), expected at least 1 but no more than 2, got \(args.count)")
            }
        case .difference, .nonNegativeDifference, .cumulativeSum:
            guard args.count == 1 else { throw InfluxQLQueryError(.invalid, "invalid number of arguments for \(name), expected 1, got \(args.count)") }
        case .movingAverage:
            guard args.count == 2 else { throw InfluxQLQueryError(.invalid, "invalid number of arguments for \(name), expected 2, got \(args.count)") }
        }
        var t = InfluxQLTransformation(kind: kind, argument: args[0])
        if args.count == 2 {
            if kind == .movingAverage {
                guard case .integer(let n) = args[1] else {
                    throw InfluxQLQueryError(.invalid, "second argument for moving_average must be an integer, got \(goType(args[1]))")
                }
                guard n > 1 else { throw InfluxQLQueryError(.invalid, "moving_average window must be greater than 1, got \(n)") }
                guard n <= 100_000 else { throw InfluxQLQueryError(.limit, "moving_average window too large, got \(n) (Farad allows 100000)") }
                t.window = Int(n)
            } else {
                guard case .duration(let d) = args[1] else {
                    throw InfluxQLQueryError(.invalid, "second argument to \(name) must be a duration, got \(goType(args[1]))")
                }
                guard d > 0 else { throw InfluxQLQueryError(.invalid, "duration argument must be positive, got \(InfluxQLFormatter.duration(d))") }
                t.unit = d
            }
        }
        switch args[0] {
        case .call:
            guard grouped else { throw InfluxQLQueryError(.invalid, "\(name) aggregate requires a GROUP BY interval") }
        case .reference:
            guard !grouped else { throw InfluxQLQueryError(.invalid, "aggregate function required inside the call to \(name)") }
        default:
            throw InfluxQLQueryError(grouped ? .invalid : .unsupported,
                                     grouped ? "aggregate function required inside the call to \(name)" : "\(name)() of \(goType(args[0])) is not supported by Farad yet")
        }
        return t
    }

    /// The Go type InfluxDB's messages print for an argument (`%T`).
    private static func goType(_ e: InfluxQLExpr) -> String {
        switch e {
        case .integer: "*influxql.IntegerLiteral"
        case .number: "*influxql.NumberLiteral"
        case .string: "*influxql.StringLiteral"
        case .bool: "*influxql.BooleanLiteral"
        case .duration: "*influxql.DurationLiteral"
        case .reference: "*influxql.VarRef"
        case .call: "*influxql.Call"
        case .regex: "*influxql.RegexLiteral"
        case .wildcard: "*influxql.Wildcard"
        case .binary: "*influxql.BinaryExpr"
        case .parenthesized: "*influxql.ParenExpr"
        case .boundParameter: "*influxql.BoundParameter"
        }
    }

    /// The transformation of one series' points (time order; nulls already left out; strings
    /// and booleans are skipped). `interval`: the GROUP BY interval, derivative's default unit.
    func apply(_ points: [(time: Int64, value: InfluxQLValue)], interval: Int64?) -> [(time: Int64, value: InfluxQLValue)] {
        let numeric = points.filter { $0.value.number != nil }
        var out: [(time: Int64, value: InfluxQLValue)] = []
        out.reserveCapacity(numeric.count)
        switch kind {
        case .derivative, .nonNegativeDerivative:
            let unit = Double(unit ?? interval ?? 1_000_000_000)
            var previous: (time: Int64, value: InfluxQLValue)?
            for p in numeric {
                // A point at the time of the one before does not advance the series: skipped.
                if let prev = previous, prev.time == p.time { continue }
                defer { previous = p }
                guard let prev = previous else { continue }
                let diff: Double
                if case .integer(let a) = prev.value, case .integer(let b) = p.value { diff = Double(b &- a) } else { diff = p.value.number! - prev.value.number! }
                if kind == .nonNegativeDerivative && diff < 0 { continue }
                out.append((p.time, .float(diff / (Double(p.time &- prev.time) / unit))))
            }
        case .difference, .nonNegativeDifference:
            var previous: (time: Int64, value: InfluxQLValue)?
            for p in numeric {
                if let prev = previous, prev.time == p.time { continue }
                defer { previous = p }
                guard let prev = previous else { continue }
                let diff: InfluxQLValue
                if case .integer(let a) = prev.value, case .integer(let b) = p.value { diff = .integer(b &- a) } else { diff = .float(p.value.number! - prev.value.number!) }
                if kind == .nonNegativeDifference && (diff.number ?? 0) < 0 { continue }
                out.append((p.time, diff))
            }
        case .movingAverage:
            // A ring of the last `window` values and their running sum, as InfluxDB keeps them.
            var ring: [InfluxQLValue] = []
            ring.reserveCapacity(window)
            var position = 0
            var floatSum = 0.0
            var integerSum: Int64 = 0
            let integers = numeric.allSatisfy { if case .integer = $0.value { true } else { false } }
            for p in numeric {
                if ring.count < window {
                    ring.append(p.value)
                } else {
                    if integers, case .integer(let old) = ring[position] { integerSum = integerSum &- old } else { floatSum -= ring[position].number! }
                    ring[position] = p.value
                }
                if integers, case .integer(let v) = p.value { integerSum = integerSum &+ v } else { floatSum += p.value.number! }
                position += 1
                if position >= window { position = 0 }
                if ring.count == window {
                    out.append((p.time, .float((integers ? Double(integerSum) : floatSum) / Double(window))))
                }
            }
        case .cumulativeSum:
            var sum: InfluxQLValue?
            for p in numeric {
                switch (sum, p.value) {
                case (nil, _): sum = p.value
                case (.integer(let a)?, .integer(let b)): sum = .integer(a &+ b)
                case (let a?, let b): sum = .float(a.number! + b.number!)
                }
                out.append((p.time, sum!))
            }
        case .elapsed:
            let unit = unit ?? 1
            var previous: Int64?
            for p in points {
                if let prev = previous { out.append((p.time, .integer((p.time &- prev) / unit))) }
                previous = p.time
            }
        }
        return out
    }
}
