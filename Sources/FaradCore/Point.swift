/// One time-series point: measurement, tags, typed fields and a nanosecond timestamp.
///
/// Tags are kept sorted by key (the series identity does not depend on their written order);
/// fields keep the order they were written in.
public struct Point: Sendable, Hashable, CustomStringConvertible {
    public var measurement: String
    /// Tag key/value pairs, sorted by key, keys unique.
    public private(set) var tags: [(key: String, value: String)]
    /// Field key/value pairs in written order, keys unique.
    public var fields: [(key: String, value: FieldValue)]
    /// Nanoseconds since the Unix epoch, UTC.
    public var time: Int64

    public init(measurement: String, tags: [String: String] = [:], fields: [(key: String, value: FieldValue)], time: Int64) {
        self.measurement = measurement
        self.tags = tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        self.fields = fields
        self.time = time
    }

    /// Creates a point from tags that are already sorted by key and unique.
    public init(measurement: String, sortedTags: [(key: String, value: String)], fields: [(key: String, value: FieldValue)], time: Int64) {
        self.measurement = measurement
        tags = sortedTags
        self.fields = fields
        self.time = time
    }

    /// The value of tag `key`.
    public func tag(_ key: String) -> String? {
        tags.first { $0.key == key }?.value
    }

    /// The value of field `key`.
    public func field(_ key: String) -> FieldValue? {
        fields.first { $0.key == key }?.value
    }

    /// Sets tag `key`, keeping the tags sorted.
    public mutating func setTag(_ key: String, _ value: String) {
        if let i = tags.firstIndex(where: { $0.key >= key }) {
            if tags[i].key == key { tags[i].value = value } else { tags.insert((key, value), at: i) }
        } else {
            tags.append((key, value))
        }
    }

    /// Removes tag `key`.
    public mutating func removeTag(_ key: String) {
        tags.removeAll { $0.key == key }
    }

    /// Replaces the tags with `sorted`, which must be sorted by key and unique.
    public mutating func setSortedTags(_ sorted: [(key: String, value: String)]) {
        tags = sorted
    }

    /// Sets field `key` (in place if it exists, else appended).
    public mutating func setField(_ key: String, _ value: FieldValue) {
        if let i = fields.firstIndex(where: { $0.key == key }) { fields[i].value = value } else { fields.append((key, value)) }
    }

    /// Removes field `key`.
    public mutating func removeField(_ key: String) {
        fields.removeAll { $0.key == key }
    }

    public static func == (a: Point, b: Point) -> Bool {
        a.measurement == b.measurement && a.time == b.time
            && a.tags.elementsEqual(b.tags) { $0 == $1 }
            && a.fields.elementsEqual(b.fields) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(measurement)
        hasher.combine(time)
        for (k, v) in tags { hasher.combine(k); hasher.combine(v) }
        for (k, v) in fields { hasher.combine(k); hasher.combine(v) }
    }

    public var description: String {
        let t = tags.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let f = fields.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "\(measurement)\(t.isEmpty ? "" : ",")\(t) \(f) \(time)"
    }
}
