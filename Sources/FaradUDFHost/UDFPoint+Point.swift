import FaradCore
import KapacitorUDFWire

extension UDFPoint {
    /// The UDF protocol's form of a point (field maps by type), with its group if it has one.
    public init(_ point: Point, database: String, retentionPolicy: String, group: String = "", dimensions: [String] = [], byName: Bool = false) {
        var doubles: [String: Double] = [:]
        var ints: [String: Int64] = [:]
        var strings: [String: String] = [:]
        var bools: [String: Bool] = [:]
        for (key, value) in point.fields {
            switch value {
            case .double(let v): doubles[key] = v
            case .int(let v): ints[key] = v
            case .string(let v): strings[key] = v
            case .bool(let v): bools[key] = v
            }
        }
        var tags: [String: String] = [:]
        for (k, v) in point.tags { tags[k] = v }
        self.init(time: point.time, name: point.measurement, database: database, retentionPolicy: retentionPolicy, group: group,
                  dimensions: dimensions, tags: tags, fieldsDouble: doubles, fieldsInt: ints, fieldsString: strings, fieldsBool: bools,
                  byName: byName)
    }
}

extension Point {
    /// A point from a UDF's output. Fields are ordered string, int, double, bool, each by key;
    /// a key present in several maps takes the later type (Kapacitor's merge order).
    public init(_ udfPoint: UDFPoint, measurement: String? = nil, extraTags: [String: String] = [:]) {
        let p = udfPoint.decoded()
        var fields: [String: FieldValue] = [:]
        for (k, v) in p.fieldsString { fields[k] = .string(v) }
        for (k, v) in p.fieldsInt { fields[k] = .int(v) }
        for (k, v) in p.fieldsDouble { fields[k] = .double(v) }
        for (k, v) in p.fieldsBool { fields[k] = .bool(v) }
        let ordered = fields.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        self.init(measurement: measurement ?? p.name, tags: extraTags.merging(p.tags) { _, point in point }, fields: ordered, time: p.time)
    }
}
