/// A value of an InfluxDB field or of a result column.
public enum InfluxQLValue: Sendable, Hashable {
    case float(Double)
    case integer(Int64)
    case string(String)
    case boolean(Bool)

    /// The value as a number (`nil` for strings and booleans).
    @inlinable
    public var number: Double? {
        switch self {
        case .float(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }
}

/// A field's type as `SHOW FIELD KEYS` reports it.
public enum InfluxFieldType: String, Sendable, Hashable {
    case float, integer, string, boolean
}

/// One series of a measurement as the storage holds it: its tags and, per field, the storage's
/// handle for that field's column of points in this series.
public struct InfluxSeries: Sendable {
    /// Tag key/value pairs sorted by key, keys unique.
    public var tags: [(key: String, value: String)]
    /// Field name → the storage's handle for the field's column in this series.
    public var fields: [String: Int64]

    public init(tags: [(key: String, value: String)], fields: [String: Int64]) {
        self.tags = tags
        self.fields = fields
    }

    /// The value of tag `key` (`nil` when the series does not have it).
    public func tag(_ key: String) -> String? {
        for t in tags where t.key == key { return t.value }
        return nil
    }
}

/// One field's points in one series: times in nanoseconds, ascending and unique.
public struct InfluxColumn: Sendable {
    public var times: [Int64]
    public var values: [InfluxQLValue]

    public init(times: [Int64] = [], values: [InfluxQLValue] = []) {
        self.times = times
        self.values = values
    }
}

/// A retention policy of a database.
public struct InfluxRetentionPolicy: Sendable, Equatable {
    public var name: String
    /// Nanoseconds points are kept; 0 keeps them forever.
    public var duration: Int64
    public var shardGroupDuration: Int64
    public var replicaN: Int
    public var isDefault: Bool

    public init(name: String, duration: Int64 = 0, shardGroupDuration: Int64 = 168 * 3_600_000_000_000, replicaN: Int = 1, isDefault: Bool) {
        self.name = name
        self.duration = duration
        self.shardGroupDuration = shardGroupDuration
        self.replicaN = replicaN
        self.isDefault = isDefault
    }
}

/// A measurement the storage holds in one database's retention policy.
public struct InfluxMeasurementRef: Sendable, Hashable {
    public var database: String
    public var retentionPolicy: String
    public var name: String

    public init(database: String, retentionPolicy: String, name: String) {
        self.database = database
        self.retentionPolicy = retentionPolicy
        self.name = name
    }
}

/// What the InfluxQL engine reads and changes: databases, their measurements, series, fields and
/// points. The engine plans and evaluates; a storage only finds and reads, so Farad's store and
/// any other (an in-memory one in the tests) answer the same queries the same way.
///
/// Lookups take what narrows them (a measurement, tags that must be equal) and may return more
/// than asked (the engine filters again); they never return less.
public protocol InfluxStorage: Sendable {
    /// Every database, in the order `SHOW DATABASES` lists them.
    func databases() throws(InfluxQLQueryError) -> [String]
    /// The retention policies of `database`, or `nil` when it does not exist.
    func retentionPolicies(database: String) throws(InfluxQLQueryError) -> [InfluxRetentionPolicy]?
    /// The measurements of `database` (in `retentionPolicy`, or in all), by name.
    func measurements(database: String, retentionPolicy: String?) throws(InfluxQLQueryError) -> [String]
    /// The fields of a measurement and their types, by name.
    func fields(of measurement: InfluxMeasurementRef) throws(InfluxQLQueryError) -> [(name: String, type: InfluxFieldType)]
    /// The series of a measurement that have every tag of `tagsEqual` with its value (at least).
    func series(of measurement: InfluxMeasurementRef, tagsEqual: [(key: String, value: String)]) throws(InfluxQLQueryError) -> [InfluxSeries]
    /// The points of field columns (handles from ``InfluxSeries/fields``) with `start ≤ time ≤ end`,
    /// one column per handle in their order, all from one consistent view of the storage.
    func read(_ handles: [Int64], of measurement: InfluxMeasurementRef, start: Int64, end: Int64) throws(InfluxQLQueryError) -> [InfluxColumn]
    /// Creates `database` (with `retention` as its default policy when given); an existing one is kept.
    func createDatabase(_ database: String, retention: InfluxRetentionPolicy?) throws(InfluxQLQueryError)
    /// Drops `database` and all its points; a missing one is no error.
    func dropDatabase(_ database: String) throws(InfluxQLQueryError)
    /// Drops a measurement of `database` with all its points (in every retention policy).
    func dropMeasurement(_ name: String, database: String) throws(InfluxQLQueryError)
    /// The tag keys of a measurement's series (a default lists the series).
    func tagKeys(of measurement: InfluxMeasurementRef) throws(InfluxQLQueryError) -> [String]
    /// The values of tag `key` in a measurement's series (a default lists the series).
    func tagValues(of measurement: InfluxMeasurementRef, key: String) throws(InfluxQLQueryError) -> [String]
}

extension InfluxStorage {
    /// The tag keys of a measurement's series (any order); a storage with an index answers
    /// without listing series.
    public func tagKeys(of measurement: InfluxMeasurementRef) throws(InfluxQLQueryError) -> [String] {
        var keys = Set<String>()
        for s in try series(of: measurement, tagsEqual: []) { for t in s.tags { keys.insert(t.key) } }
        return Array(keys)
    }

    /// The values tag `key` has in a measurement's series (any order, unique).
    public func tagValues(of measurement: InfluxMeasurementRef, key: String) throws(InfluxQLQueryError) -> [String] {
        var values = Set<String>()
        for s in try series(of: measurement, tagsEqual: []) { if let v = s.tag(key) { values.insert(v) } }
        return Array(values)
    }
}

/// An error while a statement runs: InfluxDB answers it inside the statement's result.
public struct InfluxQLQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The query asks for what InfluxDB refuses (InfluxDB's own text).
        case invalid
        /// The query uses what InfluxDB has and Farad does not yet.
        case unsupported
        /// A database or retention policy that does not exist.
        case notFound
        /// The storage failed.
        case storage
        /// The answer would exceed a limit.
        case limit
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
