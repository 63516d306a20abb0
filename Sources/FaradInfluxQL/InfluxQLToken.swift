/// A lexical token of InfluxQL, as InfluxDB 1.x's scanner forms them.
public enum InfluxQLToken: Sendable, Equatable, CustomStringConvertible {
    case eof
    /// An unquoted identifier (not a keyword) or a double-quoted one, unescaped.
    case identifier(String, quoted: Bool)
    /// A keyword, upper-cased (`SELECT`, `FROM`, …).
    case keyword(String)
    /// A single-quoted string, unescaped.
    case string(String)
    case integer(Int64)
    case number(Double)
    /// A duration literal (`10s`, `1h30m`), in nanoseconds.
    case duration(Int64, text: String)
    /// `$name`.
    case boundParameter(String)
    /// An operator or punctuation: `+ - * / % & | ^ = != <> < <= > >= =~ !~ , ; . :: ( ) :`.
    case symbol(String)

    /// How InfluxDB's errors name the token (`found EOF, expected …`).
    public var description: String {
        switch self {
        case .eof: "EOF"
        case .identifier(let s, _): s
        case .keyword(let k): k
        case .string(let s): s
        case .integer(let n): "\(n)"
        case .number(let x): "\(x)"
        case .duration(_, let text): text
        case .boundParameter(let name): "$" + name
        case .symbol(let s): s == "<>" ? "!=" : s
        }
    }

    /// InfluxQL's keywords (matched without regard to case).
    public static let keywords: Set<String> = [
        "ALL", "ALTER", "ANALYZE", "ANY", "AS", "ASC", "BEGIN", "BY", "CARDINALITY", "CREATE", "CONTINUOUS", "DATABASE",
        "DATABASES", "DEFAULT", "DELETE", "DESC", "DESTINATIONS", "DIAGNOSTICS", "DISTINCT", "DROP", "DURATION", "END",
        "EVERY", "EXACT", "EXPLAIN", "FIELD", "FOR", "FROM", "GRANT", "GRANTS", "GROUP", "GROUPS", "IN", "INF", "INSERT",
        "INTO", "KEY", "KEYS", "KILL", "LIMIT", "MEASUREMENT", "MEASUREMENTS", "NAME", "OFFSET", "ON", "ORDER",
        "PASSWORD", "POLICY", "POLICIES", "PRIVILEGES", "QUERIES", "QUERY", "READ", "REPLICATION", "RESAMPLE",
        "RETENTION", "REVOKE", "SELECT", "SERIES", "SET", "SHOW", "SHARD", "SHARDS", "SLIMIT", "SOFFSET", "STATS",
        "SUBSCRIPTION", "SUBSCRIPTIONS", "TAG", "TO", "USER", "USERS", "VALUES", "WHERE", "WITH", "WRITE",
        "AND", "OR", "TRUE", "FALSE",
    ]
}

/// Where a token starts: InfluxDB's `line` and `char`, both from 1.
public struct InfluxQLPosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var char: Int

    public init(line: Int, char: Int) {
        self.line = line
        self.char = char
    }

    public var description: String { "line \(line), char \(char)" }
}

/// A query that does not parse: InfluxDB's text, e.g. `found EOF, expected FROM at line 1, char 9`.
public struct InfluxQLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable { case syntax, badString, badEscape, badNumber, badDuration, tooLong, tooDeep, unsupported, unpositioned }
    public var code: Code
    public var message: String
    public var position: InfluxQLPosition

    public init(_ code: Code, _ message: String, at position: InfluxQLPosition) {
        self.code = code
        self.message = message
        self.position = position
    }

    /// InfluxDB's text: the message and where (`unpositioned` errors, about a clause as a whole
    /// such as a missing parameter or a bad `fill()`, InfluxDB names without a place).
    public var description: String { code == .unpositioned ? message : "\(message) at \(position)" }
}
