/// InfluxQL's parser for the statements Farad answers, with InfluxDB 1.x's error texts
/// (`found EOF, expected FROM at line 1, char 9`). Statements are separated by `;`.
///
/// ```swift
/// let query = try InfluxQLParser.parse("SELECT mean(v) FROM cpu WHERE time > now() - 1h GROUP BY time(1m)")
/// ```
public struct InfluxQLParser {
    /// How deeply expressions and subqueries may nest.
    public static let maximumDepth = 64
    /// How many binary operators one statement may hold. Operators of one level associate to
    /// the left, so `a + a + …` nests a level per operator: this bounds the depth of what the
    /// evaluator (and the tree's own release) recurses through, where `maximumDepth` bounds
    /// parentheses and calls.
    public static let maximumOperators = 2_000

    private var scanner: InfluxQLScanner
    private var buffered: (token: InfluxQLToken, position: InfluxQLPosition)?
    private var depth = 0
    /// Binary operators of the statement being parsed.
    private var operators = 0
    /// Values of bound parameters (`$name`); `nil` leaves them in the tree.
    private let parameters: [String: InfluxQLExpr]?

    private init(_ text: String, parameters: [String: InfluxQLExpr]?) {
        scanner = InfluxQLScanner(text)
        self.parameters = parameters
    }

    /// Parses every statement of `text`. With `parameters`, each `$name` is replaced by its value
    /// (the `params` of an HTTP query), and a missing one is an error, as InfluxDB binds them.
    /// - Throws: ``InfluxQLError`` naming the line and char.
    public static func parse(_ text: String, parameters: [String: InfluxQLExpr]? = nil) throws(InfluxQLError) -> InfluxQLQuery {
        var p = InfluxQLParser(text, parameters: parameters)
        var statements: [InfluxQLStatement] = []
        var separated = true
        while true {
            let (token, position) = try p.peek()
            if token == .eof { break }
            if token == .symbol(";") {
                _ = try p.next()
                separated = true
                continue
            }
            guard separated else { throw p.expected(token, position, ";") }
            p.operators = 0
            statements.append(try p.statement())
            separated = false
        }
        return InfluxQLQuery(statements: statements)
    }

    // MARK: Tokens

    private mutating func next() throws(InfluxQLError) -> (token: InfluxQLToken, position: InfluxQLPosition) {
        if let b = buffered {
            buffered = nil
            return b
        }
        return try scanner.next()
    }

    private mutating func peek() throws(InfluxQLError) -> (token: InfluxQLToken, position: InfluxQLPosition) {
        if let b = buffered { return b }
        let t = try scanner.next()
        buffered = t
        return t
    }

    private func expected(_ found: InfluxQLToken, _ at: InfluxQLPosition, _ what: String) -> InfluxQLError {
        InfluxQLError(.syntax, "found \(found), expected \(what)", at: at)
    }

    /// Consumes keyword `k` if it is next.
    private mutating func accept(_ k: String) throws(InfluxQLError) -> Bool {
        guard try peek().token == .keyword(k) else { return false }
        _ = try next()
        return true
    }

    private mutating func acceptSymbol(_ s: String) throws(InfluxQLError) -> Bool {
        guard try peek().token == .symbol(s) else { return false }
        _ = try next()
        return true
    }

    private mutating func expect(_ keywords: String...) throws(InfluxQLError) {
        for k in keywords {
            let (t, at) = try next()
            guard t == .keyword(k) else { throw expected(t, at, k) }
        }
    }

    private mutating func expectSymbol(_ s: String) throws(InfluxQLError) {
        let (t, at) = try next()
        guard t == .symbol(s) else { throw expected(t, at, s) }
    }

    private mutating func identifier() throws(InfluxQLError) -> String {
        let (t, at) = try next()
        guard case .identifier(let name, _) = t else { throw expected(t, at, "identifier") }
        return name
    }

    private mutating func integer() throws(InfluxQLError) -> Int {
        let (t, at) = try next()
        guard case .integer(let n) = t, n >= 0, n <= Int64(Int32.max) else { throw expected(t, at, "integer") }
        return Int(n)
    }

    private mutating func regex() throws(InfluxQLError) -> String {
        buffered = nil
        return try scanner.scanRegex().pattern
    }

    /// Whether a regex comes next (only when nothing is buffered: a `/` token was not read yet).
    private mutating func atRegex() -> Bool { buffered == nil && scanner.atRegex() }

    // MARK: Statements

    private mutating func statement() throws(InfluxQLError) -> InfluxQLStatement {
        let (t, at) = try next()
        switch t {
        case .keyword("SELECT"): return .select(try select())
        case .keyword("SHOW"): return try show()
        case .keyword("CREATE"): return try create()
        case .keyword("DROP"): return try drop()
        case .keyword("ALTER"):
            try expect("RETENTION", "POLICY")
            let name = try identifier()
            try expect("ON")
            let db = try identifier()
            let r = try retention(requireDuration: false)
            let isDefault = try accept("DEFAULT")
            return .alterRetentionPolicy(name: name, database: db, duration: r.duration, replication: r.replication, shardDuration: r.shardDuration, isDefault: isDefault)
        case .keyword("DELETE"):
            let sources = try accept("FROM") ? try self.sources() : []
            let condition = try accept("WHERE") ? try expression() : nil
            if sources.isEmpty && condition == nil { throw expected(try peek().token, try peek().position, "FROM or WHERE") }
            return .delete(sources: sources, condition: condition)
        case .keyword(let k) where ["EXPLAIN", "GRANT", "REVOKE", "SET", "KILL"].contains(k):
            throw InfluxQLError(.unsupported, "\(k) statements are not supported by Farad", at: at)
        default:
            throw expected(t, at, "SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL")
        }
    }

    private mutating func select() throws(InfluxQLError) -> InfluxQLSelect {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw InfluxQLError(.tooDeep, "subqueries nested too deeply", at: try peek().position) }
        var s = InfluxQLSelect()
        repeat {
            let expr = try expression()
            let alias = try accept("AS") ? try identifier() : nil
            s.fields.append(.init(expr: expr, alias: alias))
        } while try acceptSymbol(",")
        if try accept("INTO") { throw InfluxQLError(.unsupported, "SELECT … INTO is not supported by Farad", at: try peek().position) }
        try expect("FROM")
        s.sources = try sources()
        if try accept("WHERE") { s.condition = try expression() }
        if try accept("GROUP") {
            try expect("BY")
            repeat {
                // A regex is looked for before any token is peeked: peeking would scan its `/`.
                if atRegex() {
                    s.dimensions.append(.regex(try regex()))
                } else if try acceptSymbol("*") {
                    s.dimensions.append(.wildcard(type: nil))
                } else {
                    s.dimensions.append(try expression())
                }
            } while try acceptSymbol(",")
        }
        if case .identifier(let name, false) = try peek().token, name.lowercased() == "fill" {
            _ = try next()
            s.fill = try fill()
        }
        if try accept("ORDER") {
            try expect("BY")
            let (t, at) = try next()
            guard case .identifier(let field, _) = t, field.lowercased() == "time" else {
                throw InfluxQLError(.unpositioned, "only ORDER BY time supported at this time", at: at)
            }
            if try accept("DESC") { s.descending = true } else { _ = try accept("ASC") }
        }
        if try accept("LIMIT") { s.limit = try integer() }
        if try accept("OFFSET") { s.offset = try integer() }
        if try accept("SLIMIT") { s.seriesLimit = try integer() }
        if try accept("SOFFSET") { s.seriesOffset = try integer() }
        if case .identifier(let name, false) = try peek().token, name.lowercased() == "tz" {
            _ = try next()
            try expectSymbol("(")
            let (t, at) = try next()
            guard case .string(let zone) = t else { throw expected(t, at, "string") }
            try expectSymbol(")")
            s.timeZone = zone
        }
        return s
    }

    private mutating func fill() throws(InfluxQLError) -> InfluxQLSelect.Fill {
        try expectSymbol("(")
        let negative = try acceptSymbol("-")
        let (t, at) = try next()
        let fill: InfluxQLSelect.Fill
        switch t {
        case .identifier(let name, false) where !negative:
            switch name.lowercased() {
            case "null": fill = .null
            case "none": fill = .none
            case "previous": fill = .previous
            case "linear": fill = .linear
            default: throw InfluxQLError(.unpositioned, "expected number argument in fill()", at: at)
            }
        case .integer(let n): fill = .integer(negative ? -n : n)
        case .number(let x): fill = .number(negative ? -x : x)
        default: throw InfluxQLError(.unpositioned, "expected number argument in fill()", at: at)
        }
        try expectSymbol(")")
        return fill
    }

    private mutating func sources() throws(InfluxQLError) -> [InfluxQLSource] {
        var out: [InfluxQLSource] = []
        repeat {
            if !atRegex(), try acceptSymbol("(") {
                try expect("SELECT")
                out.append(.subquery(try select()))
                try expectSymbol(")")
            } else {
                out.append(try measurement())
            }
        } while try acceptSymbol(",")
        return out
    }

    /// `m`, `rp.m`, `db.rp.m`, `db..m`, or a regex for the name in the last place.
    private mutating func measurement() throws(InfluxQLError) -> InfluxQLSource {
        var parts: [String?] = []
        while true {
            if atRegex() {
                let pattern = try regex()
                return Self.source(parts, name: nil, regex: pattern)
            }
            if try peek().token == .symbol("."), !parts.isEmpty {
                parts.append(nil)
            } else {
                parts.append(try identifier())
            }
            guard parts.count < 3, try acceptSymbol(".") else { break }
        }
        let name = parts.removeLast()
        guard let name else { throw expected(try peek().token, try peek().position, "identifier") }
        return Self.source(parts, name: name, regex: nil)
    }

    private static func source(_ prefix: [String?], name: String?, regex: String?) -> InfluxQLSource {
        switch prefix.count {
        case 0: .measurement(database: nil, retentionPolicy: nil, name: name, regex: regex)
        case 1: .measurement(database: nil, retentionPolicy: prefix[0], name: name, regex: regex)
        default: .measurement(database: prefix[0], retentionPolicy: prefix[1], name: name, regex: regex)
        }
    }

    private mutating func on() throws(InfluxQLError) -> String? {
        try accept("ON") ? try identifier() : nil
    }

    private mutating func limitOffset() throws(InfluxQLError) -> (Int?, Int?) {
        let limit = try accept("LIMIT") ? try integer() : nil
        let offset = try accept("OFFSET") ? try integer() : nil
        return (limit, offset)
    }

    private mutating func show() throws(InfluxQLError) -> InfluxQLStatement {
        let (t, at) = try next()
        switch t {
        case .keyword("DATABASES"):
            return .showDatabases
        case .keyword("MEASUREMENTS"):
            let db = try on()
            var filter: InfluxQLMeasurementFilter?
            if try accept("WITH") {
                try expect("MEASUREMENT")
                let (op, opAt) = try next()
                switch op {
                case .symbol("="):
                    filter = atRegex() ? .regex(try regex(), negated: false) : .equal(try identifier())
                case .symbol("=~"): filter = .regex(try regex(), negated: false)
                case .symbol("!~"): filter = .regex(try regex(), negated: true)
                default: throw expected(op, opAt, "=, =~ or !~")
                }
            }
            let condition = try accept("WHERE") ? try expression() : nil
            let (limit, offset) = try limitOffset()
            return .showMeasurements(database: db, measurement: filter, condition: condition, limit: limit, offset: offset)
        case .keyword("TAG"):
            let (kind, kindAt) = try next()
            let db = try on()
            let sources = try accept("FROM") ? try self.sources() : []
            switch kind {
            case .keyword("KEYS"):
                let condition = try accept("WHERE") ? try expression() : nil
                let (limit, offset) = try limitOffset()
                return .showTagKeys(database: db, sources: sources, condition: condition, limit: limit, offset: offset)
            case .keyword("VALUES"):
                try expect("WITH", "KEY")
                let key = try tagKeyFilter()
                let condition = try accept("WHERE") ? try expression() : nil
                let (limit, offset) = try limitOffset()
                return .showTagValues(database: db, sources: sources, key: key, condition: condition, limit: limit, offset: offset)
            default:
                throw expected(kind, kindAt, "KEYS, VALUES")
            }
        case .keyword("FIELD"):
            try expect("KEYS")
            let db = try on()
            return .showFieldKeys(database: db, sources: try accept("FROM") ? try sources() : [])
        case .keyword("SERIES"):
            let db = try on()
            let sources = try accept("FROM") ? try self.sources() : []
            let condition = try accept("WHERE") ? try expression() : nil
            let (limit, offset) = try limitOffset()
            return .showSeries(database: db, sources: sources, condition: condition, limit: limit, offset: offset)
        case .keyword("RETENTION"):
            try expect("POLICIES")
            return .showRetentionPolicies(database: try on())
        case .keyword(let k) where ["CONTINUOUS", "DIAGNOSTICS", "GRANTS", "MEASUREMENT", "QUERIES", "SHARD", "SHARDS", "STATS", "SUBSCRIPTIONS", "USERS"].contains(k):
            throw InfluxQLError(.unsupported, "SHOW \(k) is not supported by Farad", at: at)
        default:
            throw expected(t, at, "CONTINUOUS, DATABASES, DIAGNOSTICS, FIELD, GRANTS, MEASUREMENT, MEASUREMENTS, QUERIES, RETENTION, SERIES, SHARD, SHARDS, STATS, SUBSCRIPTIONS, TAG, USERS")
        }
    }

    private mutating func tagKeyFilter() throws(InfluxQLError) -> InfluxQLTagKeyFilter {
        let (op, at) = try next()
        switch op {
        case .symbol("="): return .equal(try identifier())
        case .symbol("!="), .symbol("<>"): return .notEqual(try identifier())
        case .symbol("=~"): return .regex(try regex(), negated: false)
        case .symbol("!~"): return .regex(try regex(), negated: true)
        case .keyword("IN"):
            try expectSymbol("(")
            var keys: [String] = []
            repeat { keys.append(try identifier()) } while try acceptSymbol(",")
            try expectSymbol(")")
            return .list(keys)
        default:
            throw expected(op, at, "=, !=, =~, !~ or IN")
        }
    }

    private mutating func create() throws(InfluxQLError) -> InfluxQLStatement {
        let (t, at) = try next()
        switch t {
        case .keyword("DATABASE"):
            let name = try identifier()
            guard try accept("WITH") else { return .createDatabase(name: name, retention: nil) }
            var r = try retention(requireDuration: false)
            if try accept("NAME") { r.name = try identifier() }
            return .createDatabase(name: name, retention: r)
        case .keyword("RETENTION"):
            try expect("POLICY")
            let name = try identifier()
            try expect("ON")
            let db = try identifier()
            let r = try retention(requireDuration: true)
            return .createRetentionPolicy(name: name, database: db, r, isDefault: try accept("DEFAULT"))
        case .keyword(let k) where ["CONTINUOUS", "SUBSCRIPTION", "USER"].contains(k):
            throw InfluxQLError(.unsupported, "CREATE \(k) is not supported by Farad", at: at)
        default:
            throw expected(t, at, "CONTINUOUS, DATABASE, USER, RETENTION, SUBSCRIPTION")
        }
    }

    /// `[DURATION d|INF] [REPLICATION n] [SHARD DURATION d]`; CREATE RETENTION POLICY needs the first two.
    private mutating func retention(requireDuration: Bool) throws(InfluxQLError) -> InfluxQLRetention {
        var r = InfluxQLRetention()
        if try accept("DURATION") {
            r.duration = try durationOrInfinite()
        } else if requireDuration {
            let (t, at) = try peek()
            throw expected(t, at, "DURATION")
        }
        if try accept("REPLICATION") {
            r.replication = try integer()
        } else if requireDuration {
            let (t, at) = try peek()
            throw expected(t, at, "REPLICATION")
        }
        if try accept("SHARD") {
            try expect("DURATION")
            r.shardDuration = try durationOrInfinite()
        }
        return r
    }

    private mutating func durationOrInfinite() throws(InfluxQLError) -> Int64 {
        let (t, at) = try next()
        switch t {
        case .duration(let d, _): return d
        case .keyword("INF"): return 0
        default: throw expected(t, at, "duration")
        }
    }

    private mutating func drop() throws(InfluxQLError) -> InfluxQLStatement {
        let (t, at) = try next()
        switch t {
        case .keyword("DATABASE"): return .dropDatabase(name: try identifier())
        case .keyword("MEASUREMENT"): return .dropMeasurement(name: try identifier())
        case .keyword("SERIES"):
            let sources = try accept("FROM") ? try self.sources() : []
            let condition = try accept("WHERE") ? try expression() : nil
            if sources.isEmpty && condition == nil { throw expected(try peek().token, try peek().position, "FROM or WHERE") }
            return .dropSeries(sources: sources, condition: condition)
        case .keyword("RETENTION"):
            try expect("POLICY")
            let name = try identifier()
            try expect("ON")
            return .dropRetentionPolicy(name: name, database: try identifier())
        case .keyword(let k) where ["CONTINUOUS", "SHARD", "SUBSCRIPTION", "USER"].contains(k):
            throw InfluxQLError(.unsupported, "DROP \(k) is not supported by Farad", at: at)
        default:
            throw expected(t, at, "CONTINUOUS, DATABASE, MEASUREMENT, RETENTION, SERIES, SHARD, SUBSCRIPTION, USER")
        }
    }

    // MARK: Expressions

    private mutating func expression() throws(InfluxQLError) -> InfluxQLExpr {
        try binary(minimum: 1)
    }

    private mutating func binaryOperator() throws(InfluxQLError) -> InfluxQLExpr.Operator? {
        switch try peek().token {
        case .keyword("AND"): .and
        case .keyword("OR"): .or
        case .symbol("<>"): .notEqual
        case .symbol(let s): InfluxQLExpr.Operator(rawValue: s)
        default: nil
        }
    }

    /// Precedence climbing: operators of one level associate to the left.
    private mutating func binary(minimum: Int) throws(InfluxQLError) -> InfluxQLExpr {
        var lhs = try unary()
        while let op = try binaryOperator(), op.precedence >= minimum {
            let (_, at) = try next()
            operators += 1
            guard operators <= Self.maximumOperators else {
                throw InfluxQLError(.tooDeep, "more than \(Self.maximumOperators) operators in one statement", at: at)
            }
            let rhs: InfluxQLExpr
            if (op == .matches || op == .notMatches) && atRegex() {
                rhs = .regex(try regex())
            } else {
                rhs = try binary(minimum: op.precedence + 1)
            }
            lhs = .binary(op, lhs, rhs)
        }
        return lhs
    }

    private mutating func unary() throws(InfluxQLError) -> InfluxQLExpr {
        depth += 1
        defer { depth -= 1 }
        let (t, at) = try next()
        guard depth <= Self.maximumDepth else { throw InfluxQLError(.tooDeep, "expression nested too deeply", at: at) }
        switch t {
        case .symbol("("):
            let inner = try expression()
            try expectSymbol(")")
            return .parenthesized(inner)
        case .symbol("-"):
            let (n, _) = try peek()
            switch n {
            case .integer(let v):
                _ = try next()
                return .integer(-v)
            case .number(let v):
                _ = try next()
                return .number(-v)
            case .duration(let v, _):
                _ = try next()
                return .duration(-v)
            default:
                return .binary(.multiply, .integer(-1), try unary())
            }
        case .symbol("*"):
            return .wildcard(type: try castType())
        case .identifier(let name, let quoted):
            if !quoted, try acceptSymbol("(") {
                var arguments: [InfluxQLExpr] = []
                let empty = atRegex() ? false : try acceptSymbol(")")
                if !empty {
                    repeat {
                        arguments.append(atRegex() ? .regex(try regex()) : (try acceptSymbol("*") ? .wildcard(type: nil) : try expression()))
                    } while try acceptSymbol(",")
                    try expectSymbol(")")
                }
                return .call(name.lowercased(), arguments)
            }
            return .reference(name, type: try castType())
        case .keyword("DISTINCT"):
            if try acceptSymbol("(") {
                let inner = try expression()
                try expectSymbol(")")
                return .call("distinct", [inner])
            }
            return .call("distinct", [try unary()])
        case .keyword("TRUE"): return .bool(true)
        case .keyword("FALSE"): return .bool(false)
        case .string(let s): return .string(s)
        case .integer(let n): return .integer(n)
        case .number(let x): return .number(x)
        case .duration(let d, _): return .duration(d)
        case .boundParameter(let name):
            guard let parameters else { return .boundParameter(name) }
            guard let value = parameters[name] else { throw InfluxQLError(.unpositioned, "missing parameter: \(name)", at: at) }
            return value
        default:
            throw expected(t, at, "identifier, string, number, bool")
        }
    }

    /// `::float`, `::integer`, `::string`, `::boolean`, `::field`, `::tag` after a reference.
    private mutating func castType() throws(InfluxQLError) -> InfluxQLExpr.DataType? {
        guard try acceptSymbol("::") else { return nil }
        let (t, at) = try next()
        let name: String
        switch t {
        case .identifier(let n, false): name = n.lowercased()
        case .keyword("FIELD"): name = "field"
        case .keyword("TAG"): name = "tag"
        default: throw expected(t, at, "float, integer, string, boolean, field, tag")
        }
        guard let type = InfluxQLExpr.DataType(rawValue: name) else { throw expected(t, at, "float, integer, string, boolean, field, tag") }
        return type
    }
}
