import FaradCore

/// How line-protocol points become stored series: each field of a point is one data point of
/// the metric `<measurement>.<field>`, with the point's tags, in the namespace `<db>/<rp>`.
/// Times are kept in milliseconds (the store's resolution, as KairosDB's): points of one series
/// less than a millisecond apart overwrite each other. Booleans are stored as the strings
/// `true`/`false` (KairosDB's typing of JSON booleans).
public enum PointSeries {
    /// The metric name of a field.
    public static func metric(measurement: String, field: String) -> String {
        measurement + "." + field
    }

    /// The namespace of a database and retention policy.
    public static func namespace(database: String, retentionPolicy: String) -> String {
        database + "/" + retentionPolicy
    }

    /// The database and retention policy of a namespace ``namespace(database:retentionPolicy:)``
    /// made (split at its last `/`); `nil` for KairosDB's empty namespace.
    public static func split(namespace: String) -> (database: String, retentionPolicy: String)? {
        guard let slash = namespace.lastIndex(of: "/") else { return nil }
        return (String(namespace[..<slash]), String(namespace[namespace.index(after: slash)...]))
    }

    /// A nanosecond time as the store's milliseconds (floored, also before 1970).
    public static func milliseconds(_ ns: Int64) -> Int64 {
        // Quotient and remainder, not `ns - 999_999`, which overflows near Int64.min.
        let (q, r) = ns.quotientAndRemainder(dividingBy: 1_000_000)
        return r < 0 ? q - 1 : q
    }

    /// How a field of `measurement` holding `value` was named (for InfluxQL's reads).
    public static func origin(measurement: String, value: FieldValue) -> FieldOrigin {
        if case .bool = value { return FieldOrigin(measurementLength: measurement.utf8.count, isBoolean: true) }
        return FieldOrigin(measurementLength: measurement.utf8.count)
    }

    /// The stored value of a field value.
    public static func metricValue(_ value: FieldValue) -> MetricValue {
        switch value {
        case .double(let d): .double(d)
        case .int(let i): .long(i)
        case .string(let s): .string(s)
        case .bool(let b): .string(b ? "true" : "false")
        }
    }

    /// Groups `points` into series writes.
    public static func writes(_ points: [Point], namespace: String) -> [SeriesWrite] {
        var index: [SeriesKey: Int] = [:]
        var writes: [SeriesWrite] = []
        for p in points {
            let tags = p.tags.map { SeriesKey.Tag($0.key, $0.value) }
            let ms = milliseconds(p.time)
            for (field, value) in p.fields {
                let key = SeriesKey(
                    metric: metric(measurement: p.measurement, field: field), sortedTags: tags, namespace: namespace,
                    origin: origin(measurement: p.measurement, value: value))
                let v = metricValue(value)
                if let i = index[key] {
                    writes[i].append(ms, v)
                } else {
                    index[key] = writes.count
                    writes.append(SeriesWrite(key: key, times: [ms], values: [v]))
                }
            }
        }
        return writes
    }
}
