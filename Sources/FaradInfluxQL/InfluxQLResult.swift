/// One cell of a result row.
public enum InfluxQLCell: Sendable, Hashable {
    case null
    case value(InfluxQLValue)
    /// A time in nanoseconds, rendered as the request's `epoch` asks.
    case time(Int64)
}

/// One series of a statement's result, as InfluxDB shapes it.
public struct InfluxQLResultSeries: Sendable, Equatable {
    public var name: String?
    /// Tags of a grouped series (`nil`: no `tags` object).
    public var tags: [(key: String, value: String)]?
    public var columns: [String]
    public var values: [[InfluxQLCell]]
    /// More rows of this series follow in the next chunk.
    public var partial = false

    public init(name: String?, tags: [(key: String, value: String)]? = nil, columns: [String], values: [[InfluxQLCell]] = []) {
        self.name = name
        self.tags = tags
        self.columns = columns
        self.values = values
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.columns == b.columns && a.values == b.values && a.partial == b.partial
            && a.tags?.map(\.key) == b.tags?.map(\.key) && a.tags?.map(\.value) == b.tags?.map(\.value)
    }
}

/// The result of one statement: its series, or an error.
public struct InfluxQLStatementResult: Sendable, Equatable {
    public struct Message: Sendable, Equatable {
        public var level: String
        public var text: String

        public init(level: String, text: String) {
            self.level = level
            self.text = text
        }
    }

    public var statementID: Int
    public var series: [InfluxQLResultSeries]
    public var error: String?
    /// Notes InfluxDB adds to a result (`level` is `warning` or `info`).
    public var messages: [Message] = []
    /// More series of this statement follow in the next chunk.
    public var partial = false

    public init(statementID: Int, series: [InfluxQLResultSeries] = [], error: String? = nil) {
        self.statementID = statementID
        self.series = series
        self.error = error
    }
}
