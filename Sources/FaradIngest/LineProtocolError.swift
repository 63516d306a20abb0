/// A line of InfluxDB line protocol that cannot be parsed.
///
/// ``description`` reads as InfluxDB 1.x words it: `unable to parse 'cpu value=': missing field value`.
public struct LineProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offending line, as written.
    public var line: String
    /// 1-based line number within the request body or file.
    public var lineNumber: Int
    /// 1-based column (in bytes) where the problem was found.
    public var column: Int
    /// What is wrong, e.g. `missing field value`.
    public var reason: String

    public init(line: String, lineNumber: Int, column: Int, reason: String) {
        self.line = line
        self.lineNumber = lineNumber
        self.column = column
        self.reason = reason
    }

    public var description: String { "unable to parse '\(line)': \(reason)" }
}
