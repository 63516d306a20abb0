/// A parsed InfluxQL query: its statements, in order.
public struct InfluxQLQuery: Sendable, Equatable {
    public var statements: [InfluxQLStatement]

    public init(statements: [InfluxQLStatement]) {
        self.statements = statements
    }
}

/// One statement of the subset Farad answers.
public indirect enum InfluxQLStatement: Sendable, Equatable {
    case select(InfluxQLSelect)
    case showDatabases
    case showMeasurements(database: String?, measurement: InfluxQLMeasurementFilter?, condition: InfluxQLExpr?, limit: Int?, offset: Int?)
    case showTagKeys(database: String?, sources: [InfluxQLSource], condition: InfluxQLExpr?, limit: Int?, offset: Int?)
    case showTagValues(database: String?, sources: [InfluxQLSource], key: InfluxQLTagKeyFilter, condition: InfluxQLExpr?, limit: Int?, offset: Int?)
    case showFieldKeys(database: String?, sources: [InfluxQLSource])
    case showSeries(database: String?, sources: [InfluxQLSource], condition: InfluxQLExpr?, limit: Int?, offset: Int?)
    case showRetentionPolicies(database: String?)
    case createDatabase(name: String, retention: InfluxQLRetention?)
    case dropDatabase(name: String)
    case dropMeasurement(name: String)
    case dropSeries(sources: [InfluxQLSource], condition: InfluxQLExpr?)
    case delete(sources: [InfluxQLSource], condition: InfluxQLExpr?)
    case createRetentionPolicy(name: String, database: String, InfluxQLRetention, isDefault: Bool)
    case alterRetentionPolicy(name: String, database: String, duration: Int64?, replication: Int?, shardDuration: Int64?, isDefault: Bool)
    case dropRetentionPolicy(name: String, database: String)
}

/// A retention policy's settings in `CREATE DATABASE … WITH` and `CREATE RETENTION POLICY`.
public struct InfluxQLRetention: Sendable, Equatable {
    /// Nanoseconds; 0 is infinite (`INF`).
    public var duration: Int64?
    public var replication: Int?
    public var shardDuration: Int64?
    public var name: String?

    public init(duration: Int64? = nil, replication: Int? = nil, shardDuration: Int64? = nil, name: String? = nil) {
        self.duration = duration
        self.replication = replication
        self.shardDuration = shardDuration
        self.name = name
    }
}

/// `SHOW MEASUREMENTS WITH MEASUREMENT = name | =~ /re/`.
public enum InfluxQLMeasurementFilter: Sendable, Equatable {
    case equal(String)
    case regex(String, negated: Bool)
}

/// `SHOW TAG VALUES WITH KEY = k | != k | IN (a, b) | =~ /re/ | !~ /re/`.
public enum InfluxQLTagKeyFilter: Sendable, Equatable {
    case equal(String), notEqual(String)
    case list([String])
    case regex(String, negated: Bool)
}

/// A `FROM` source: a measurement (`"db"."rp"."m"`, a regex for the name) or a subquery.
public indirect enum InfluxQLSource: Sendable, Equatable {
    case measurement(database: String?, retentionPolicy: String?, name: String?, regex: String?)
    case subquery(InfluxQLSelect)
}

/// A `SELECT` statement.
public struct InfluxQLSelect: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var expr: InfluxQLExpr
        public var alias: String?

        public init(expr: InfluxQLExpr, alias: String?) {
            self.expr = expr
            self.alias = alias
        }
    }

    public enum Fill: Sendable, Equatable {
        case null, none, previous, linear
        case integer(Int64), number(Double)
    }

    public var fields: [Field] = []
    public var sources: [InfluxQLSource] = []
    public var condition: InfluxQLExpr?
    /// `GROUP BY` items: `time(…)`, tag names, `*`, regexes.
    public var dimensions: [InfluxQLExpr] = []
    public var fill: Fill = .null
    public var descending = false
    public var limit: Int?
    public var offset: Int?
    public var seriesLimit: Int?
    public var seriesOffset: Int?
    /// `tz('Europe/Paris')`.
    public var timeZone: String?

    public init() {}
}

/// An expression of a field, a condition or a dimension.
public indirect enum InfluxQLExpr: Sendable, Equatable {
    public enum DataType: String, Sendable, Equatable { case float, integer, string, boolean, field, tag }

    public enum Operator: String, Sendable, Equatable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", bitAnd = "&", bitOr = "|", bitXor = "^"
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case matches = "=~", notMatches = "!~", and = "AND", or = "OR"

        /// InfluxQL's precedence: OR, AND, comparisons, `+ - | ^`, `* / % &`.
        var precedence: Int {
            switch self {
            case .or: 1
            case .and: 2
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .matches, .notMatches: 4
            case .add, .subtract, .bitOr, .bitXor: 5
            case .multiply, .divide, .modulo, .bitAnd: 6
            }
        }
    }

    case reference(String, type: DataType?)
    case wildcard(type: DataType?)
    case call(String, [InfluxQLExpr])
    case integer(Int64)
    case number(Double)
    case string(String)
    case bool(Bool)
    /// Nanoseconds.
    case duration(Int64)
    case regex(String)
    case boundParameter(String)
    case binary(Operator, InfluxQLExpr, InfluxQLExpr)
    case parenthesized(InfluxQLExpr)
}
