import FaradCore

/// A `SELECT` resolved against the measurements it reads: its columns (wildcards expanded, names
/// as InfluxDB names them), the calls it computes, the fields it reads, and its grouping.
struct InfluxQLSelectPlan: Sendable {
    /// One aggregate or selector of the select.
    struct Call: Sendable, Equatable {
        var function: InfluxQLFunction
        var field: String
        var argument: Double = 0
        /// `count(distinct(x))`.
        var ofDistinct = false
    }

    /// Column names after `time`.
    var names: [String] = []
    /// Each column's expression; in an aggregate select a call is `.reference("\0<n>")` of `calls[n]`.
    var exprs: [InfluxQLExpr] = []
    var calls: [Call] = []
    var isAggregate = false
    /// `SELECT distinct(x)`: a row per distinct value.
    var isDistinct = false
    /// Fields read, in slot order.
    var fields: [String] = []
    /// GROUP BY time's interval and offset (nanoseconds); `nil` interval: none.
    var interval: Int64?
    var offset: Int64 = 0
    /// GROUP BY tags, sorted (resolved per query from `*` and regexes).
    var groupTags: [String] = []

    /// The placeholder reference of call `n`.
    static func callReference(_ n: Int) -> String { "\u{0}\(n)" }

    /// Resolves `select` over fields `fieldTypes` (of every measurement read) and tag keys `tagKeys`.
    init(_ select: InfluxQLSelect, fieldTypes: [String: InfluxFieldType], tagKeys: [String], now: Int64) throws(InfluxQLQueryError) {
        for d in select.dimensions { try addDimension(d, tagKeys: tagKeys, now: now) }
        groupTags = Array(Set(groupTags)).sorted()
        isAggregate = select.fields.contains { Self.hasCall($0.expr) }
        var rawNames: [String] = []
        for f in select.fields {
            let expanded = try expand(f, fieldTypes: fieldTypes, tagKeys: tagKeys)
            for (expr, name) in expanded {
                exprs.append(expr)
                rawNames.append(name)
            }
        }
        guard !exprs.isEmpty else { throw InfluxQLQueryError(.invalid, "at least 1 non-time field must be queried") }
        if isAggregate {
            var rewritten: [InfluxQLExpr] = []
            for e in exprs { rewritten.append(try rewriteCalls(e, fieldTypes: fieldTypes)) }
            exprs = rewritten
            let aux = exprs.contains { Self.hasPlainReference($0) }
            if aux && !(calls.count == 1 && calls[0].function.isSelector) {
                throw InfluxQLQueryError(.invalid, "mixing aggregate and non-aggregate queries is not supported")
            }
            if calls.contains(where: { $0.function == .distinct }) {
                guard calls.count == 1, exprs.count == 1 else {
                    throw InfluxQLQueryError(.invalid, "aggregate function distinct() cannot be combined with other functions or fields")
                }
                isDistinct = true
            }
        } else if interval != nil {
            throw InfluxQLQueryError(.invalid, "GROUP BY requires at least one aggregate function")
        }
        for e in exprs { collectFields(e, fieldTypes: fieldTypes) }
        names = Self.uniqueNames(rawNames)
    }

    private mutating func addDimension(_ d: InfluxQLExpr, tagKeys: [String], now: Int64) throws(InfluxQLQueryError) {
        switch d {
        case .call(let name, let args) where name.lowercased() == "time":
            guard interval == nil else { throw InfluxQLQueryError(.invalid, "multiple time dimensions not allowed") }
            guard (1...2).contains(args.count), case .duration(let every) = args[0] else {
                throw InfluxQLQueryError(.invalid, "time dimension expected 1 or 2 arguments")
            }
            guard every >= 0 else { throw InfluxQLQueryError(.invalid, "time dimension must have a positive duration") }
            // time(0s) groups nothing by time, as InfluxDB reads it.
            guard every > 0 else { return }
            interval = every
            if args.count == 2 {
                switch args[1] {
                case .duration(let o), .integer(let o): offset = o % every
                case .call(let n, let a) where n.lowercased() == "now" && a.isEmpty: offset = now % every
                default: throw InfluxQLQueryError(.invalid, "time dimension offset must be a duration or now()")
                }
                if offset < 0 { offset += every }
            }
        case .reference(let name, _):
            groupTags.append(name)
        case .wildcard:
            groupTags.append(contentsOf: tagKeys)
        case .regex(let pattern):
            let re: LinearRegex
            do { re = try LinearRegex(pattern) } catch { throw InfluxQLQueryError(.invalid, "error parsing regexp: \(error)") }
            groupTags.append(contentsOf: tagKeys.filter { re.firstMatch(in: $0) })
        default:
            throw InfluxQLQueryError(.invalid, "only time and tag dimensions allowed")
        }
    }

    /// `f` with its wildcards expanded, each with its column name.
    private func expand(_ f: InfluxQLSelect.Field, fieldTypes: [String: InfluxFieldType], tagKeys: [String]) throws(InfluxQLQueryError) -> [(InfluxQLExpr, String)] {
        switch f.expr {
        case .wildcard(let type):
            // Raw `*`: every field and tag, by name (`*::field`, `*::tag` narrow it).
            var names: [(String, InfluxQLExpr.DataType)] = []
            if type != .tag { names += fieldTypes.keys.map { ($0, .field) } }
            // A tag the rows are grouped by is in the series' tags, not a column.
            if type != .field { names += tagKeys.filter { fieldTypes[$0] == nil && !groupTags.contains($0) }.map { ($0, .tag) } }
            return names.sorted { $0.0 < $1.0 }.map { (.reference($0.0, type: $0.1), $0.0) }
        case .call(let name, let args) where args.first.map(Self.isWildcard) == true:
            guard let function = InfluxQLFunction(rawValue: name.lowercased()) else { throw Self.unknown(name) }
            return fieldTypes.keys.sorted().compactMap { field in
                guard let t = fieldTypes[field], function.accepts(t) else { return nil }
                return (.call(name, [.reference(field, type: nil)] + args.dropFirst()), f.alias.map { "\($0)_\(field)" } ?? "\(function.rawValue)_\(field)")
            }
        default:
            return [(f.expr, f.alias ?? Self.name(of: f.expr))]
        }
    }

    private static func isWildcard(_ e: InfluxQLExpr) -> Bool {
        if case .wildcard = e { return true }
        return false
    }

    /// A column's name as InfluxDB derives it: a call's function, a reference's name, the names
    /// in a binary expression joined by `_`.
    static func name(of e: InfluxQLExpr) -> String {
        var parts: [String] = []
        func walk(_ e: InfluxQLExpr) {
            switch e {
            case .reference(let n, _): parts.append(n)
            case .call(let n, let args):
                // `count(distinct(x))` is `count`; `distinct(x)` is `distinct`.
                _ = args
                parts.append(n.lowercased())
            case .binary(_, let l, let r):
                walk(l)
                walk(r)
            case .parenthesized(let x): walk(x)
            default: break
            }
        }
        walk(e)
        return parts.joined(separator: "_")
    }

    /// Names made unique as InfluxDB does: a repeated `mean` becomes `mean_1`, `mean_2`.
    static func uniqueNames(_ names: [String]) -> [String] {
        var used: [String: Int] = ["time": 1]
        var out: [String] = []
        for name in names {
            var resolved = name
            if let n = used[name] {
                var k = n
                while used["\(name)_\(k)"] != nil { k += 1 }
                resolved = "\(name)_\(k)"
                used[name] = k + 1
            }
            used[resolved, default: 0] += 1
            out.append(resolved)
        }
        return out
    }

    static func hasCall(_ e: InfluxQLExpr) -> Bool {
        switch e {
        case .call(let name, _): name.lowercased() != "now"
        case .binary(_, let l, let r): hasCall(l) || hasCall(r)
        case .parenthesized(let x): hasCall(x)
        default: false
        }
    }

    private static func hasPlainReference(_ e: InfluxQLExpr) -> Bool {
        switch e {
        case .reference(let n, _): !n.hasPrefix("\u{0}")
        case .binary(_, let l, let r): hasPlainReference(l) || hasPlainReference(r)
        case .parenthesized(let x): hasPlainReference(x)
        default: false
        }
    }

    /// `e` with each call replaced by the placeholder of its entry in `calls`.
    private mutating func rewriteCalls(_ e: InfluxQLExpr, fieldTypes: [String: InfluxFieldType]) throws(InfluxQLQueryError) -> InfluxQLExpr {
        switch e {
        case .call(let name, let args):
            let call = try Self.call(name, args, fieldTypes: fieldTypes)
            if let i = calls.firstIndex(of: call) { return .reference(Self.callReference(i), type: nil) }
            calls.append(call)
            return .reference(Self.callReference(calls.count - 1), type: nil)
        case .binary(let op, let l, let r):
            return .binary(op, try rewriteCalls(l, fieldTypes: fieldTypes), try rewriteCalls(r, fieldTypes: fieldTypes))
        case .parenthesized(let x):
            return .parenthesized(try rewriteCalls(x, fieldTypes: fieldTypes))
        default:
            return e
        }
    }

    /// InfluxDB's functions Farad does not have yet.
    static let notYet: Set<String> = [
        "sample", "holt_winters", "holt_winters_with_fit",
        "chande_momentum_oscillator", "exponential_moving_average", "double_exponential_moving_average",
        "triple_exponential_moving_average", "relative_strength_index", "triple_exponential_derivative",
        "kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average",
    ]

    /// The error of a call to a function Farad does not know: InfluxDB's for a name it does not
    /// have either, else "not supported yet" (never a wrong answer).
    static func unknown(_ name: String) -> InfluxQLQueryError {
        notYet.contains(name.lowercased())
            ? InfluxQLQueryError(.unsupported, "function \(name)() is not supported by Farad yet")
            : InfluxQLQueryError(.invalid, "undefined function \(name)()")
    }

    private static func call(_ name: String, _ args: [InfluxQLExpr], fieldTypes: [String: InfluxFieldType]) throws(InfluxQLQueryError) -> Call {
        guard let function = InfluxQLFunction(rawValue: name.lowercased()) else { throw unknown(name) }
        let expected = 1 + function.extraArguments
        if function == .integral {
            guard (1...2).contains(args.count) else {
                throw InfluxQLQueryError(.invalid, "invalid number of arguments for integral, expected at least 1 but no more than 2, got \(args.count)")
            }
        } else if args.count != expected {
            throw InfluxQLQueryError(.invalid, "invalid number of arguments for \(function.rawValue), expected \(expected), got \(args.count)")
        }
        var call: Call
        switch args[0] {
        case .reference(let field, _):
            call = Call(function: function, field: field)
        case .call(let inner, let innerArgs) where inner.lowercased() == "distinct" && function == .count:
            guard innerArgs.count == 1, case .reference(let field, _) = innerArgs[0] else {
                throw InfluxQLQueryError(.invalid, "distinct function requires at least one argument")
            }
            call = Call(function: .count, field: field, ofDistinct: true)
        default:
            throw InfluxQLQueryError(.invalid, "expected field argument in \(function.rawValue)()")
        }
        if let t = fieldTypes[call.field], !function.accepts(t) { throw function.refusal(t) }
        if function == .integral {
            call.argument = 1e9
            if args.count == 2 {
                guard case .duration(let d) = args[1] else { throw InfluxQLQueryError(.invalid, "second argument must be a duration") }
                guard d > 0 else { throw InfluxQLQueryError(.invalid, "duration argument must be positive, got \(InfluxQLFormatter.duration(d))") }
                call.argument = Double(d)
            }
        }
        if function == .percentile {
            switch args[1] {
            case .integer(let n): call.argument = Double(n)
            case .number(let n): call.argument = n
            default: throw InfluxQLQueryError(.invalid, "expected float argument in percentile()")
            }
        }
        return call
    }

    private mutating func collectFields(_ e: InfluxQLExpr, fieldTypes: [String: InfluxFieldType]) {
        switch e {
        case .reference(let n, let type):
            if n.hasPrefix("\u{0}"), let i = Int(n.dropFirst()) {
                add(calls[i].field)
            } else if type != .tag, let t = fieldTypes[n], Self.castable(t, to: type) {
                add(n)
            }
        case .binary(_, let l, let r):
            collectFields(l, fieldTypes: fieldTypes)
            collectFields(r, fieldTypes: fieldTypes)
        case .parenthesized(let x):
            collectFields(x, fieldTypes: fieldTypes)
        default:
            break
        }
    }

    /// Whether a field of type `t` is read under the cast `type`: InfluxDB reads numbers as
    /// either number type and strings and booleans only as themselves (`up::integer` of a
    /// boolean field reads nothing).
    static func castable(_ t: InfluxFieldType, to type: InfluxQLExpr.DataType?) -> Bool {
        switch type {
        case .integer?, .float?: t == .integer || t == .float
        case .string?: t == .string
        case .boolean?: t == .boolean
        default: true
        }
    }

    /// Adds `field` to the fields read.
    mutating func add(_ field: String) {
        if !fields.contains(field) { fields.append(field) }
    }
}
