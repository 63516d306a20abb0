import FaradCore

/// One series of a Kapacitor `Result`, as httpOut serves it:
/// `{"name","tags","columns":["time",…],"values":[[…]]}`.
public struct ResultRow: Sendable {
    public enum Value: Sendable, Equatable {
        case time(Int64)
        case field(FieldValue)
        case null
    }

    public var name: String
    public var tags: [(key: String, value: String)]
    public var columns: [String]
    public var values: [[Value]]

    /// A point's row: its tags, `time` then its fields sorted by name.
    public init(_ p: Point) {
        name = p.measurement
        tags = p.tags
        let fields = p.fields.sorted { $0.key < $1.key }
        columns = ["time"] + fields.map(\.key)
        values = [[.time(p.time)] + fields.map { .field($0.value) }]
    }

    /// A batch's row: the group tags; `time`, then the fields of all points and the point tags
    /// that are not group tags, sorted together; one row per point (`null` where a point lacks one).
    public init(_ b: Batch) {
        name = b.name
        tags = b.tags
        columns = []
        values = []
        guard !b.points.isEmpty else { return }
        let groupTags = Set(b.tags.map(\.key))
        var names = Set<String>()
        for p in b.points {
            for (k, _) in p.fields { names.insert(k) }
            for (k, _) in p.tags where !groupTags.contains(k) { names.insert(k) }
        }
        let sorted = names.sorted()
        columns = ["time"] + sorted
        values = b.points.map { p in
            [.time(p.time)] + sorted.map { c in
                if let v = p.field(c) { return .field(v) }
                if let t = p.tag(c) { return .field(.string(t)) }
                return .null
            }
        }
    }

    /// Writes the row as Kapacitor's JSON (empty name, tags, columns and values omitted).
    public func write(to json: inout JSONWriter) {
        json.raw("{")
        var first = true
        func key(_ k: StaticString) {
            if !first { json.raw(",") }
            first = false
            json.raw(k)
        }
        if !name.isEmpty {
            key("\"name\":")
            json.string(name)
        }
        if !tags.isEmpty {
            key("\"tags\":{")
            for (i, (k, v)) in tags.enumerated() {
                if i > 0 { json.raw(",") }
                json.string(k)
                json.raw(":")
                json.string(v)
            }
            json.raw("}")
        }
        if !columns.isEmpty {
            key("\"columns\":")
            json.strings(columns)
        }
        if !values.isEmpty {
            key("\"values\":[")
            for (i, row) in values.enumerated() {
                json.raw(i == 0 ? "[" : ",[")
                for (j, v) in row.enumerated() {
                    if j > 0 { json.raw(",") }
                    switch v {
                    case .time(let t): json.string(CivilDate.rfc3339Nano(t))
                    case .field(.double(let d)): json.double(d)
                    case .field(.int(let n)): json.int(n)
                    case .field(.string(let s)): json.string(s)
                    case .field(.bool(let b)): json.bool(b)
                    case .null: json.null()
                    }
                }
                json.raw("]")
            }
            json.raw("]")
        }
        json.raw("}")
    }

    /// A Kapacitor `Result` of `rows`: `{"series":[…]}`, or `{"series":null}` without any.
    public static func result(_ rows: [ResultRow]) -> String {
        var json = JSONWriter()
        json.raw("{\"series\":")
        if rows.isEmpty {
            json.raw("null")
        } else {
            json.raw("[")
            for (i, r) in rows.enumerated() {
                if i > 0 { json.raw(",") }
                r.write(to: &json)
            }
            json.raw("]")
        }
        json.raw("}")
        return json.text
    }
}
