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
    /// A point from a UDF's output: its fields merged in the order string, int, double, bool
    /// (a key present in several maps takes the later type, Kapacitor's merge order), sorted by
    /// key. `extraTags` are added where the point has no such tag.
    public init(_ udfPoint: UDFPoint, measurement: String? = nil, extraTags: [String: String] = [:]) {
        let r = UDFPointReader(udfPoint)
        var tags = r.tags
        if !extraTags.isEmpty {
            for (k, v) in extraTags where !tags.contains(where: { $0.key == k }) { tags.append((k, v)) }
            tags.sort { $0.key < $1.key }
        }
        self.init(measurement: measurement ?? r.name, sortedTags: tags, fields: r.fields, time: r.time)
    }

    /// Appends this point as a UDF `point` frame for a stream edge, straight from its values.
    public func appendUDFFrame(
        to bytes: inout [UInt8], database: String, retentionPolicy: String, group: String, dimensions: [String], byName: Bool
    ) {
        UDFPoint.appendFrame(to: &bytes) { e in
            e.time(time)
            e.name(measurement)
            e.database(database)
            e.retentionPolicy(retentionPolicy)
            e.group(group)
            for d in dimensions { e.dimension(d) }
            writeTagsAndFields(&e, byName: byName)
        }
    }

    /// Appends this point as a UDF `point` frame for a stream edge, its name, database,
    /// retention policy, group and dimensions encoded beforehand in `header`.
    public func appendUDFFrame(to bytes: inout [UInt8], header: UDFPointHeader, byName: Bool) {
        UDFPoint.appendFrame(to: &bytes) { e in
            e.time(time)
            e.header(header)
            writeTagsAndFields(&e, byName: byName)
        }
    }

    /// Appends this point as a UDF `point` frame inside a batch: Kapacitor sets only the time,
    /// the group, the tags and the fields there.
    public func appendUDFBatchFrame(to bytes: inout [UInt8], group: String) {
        UDFPoint.appendFrame(to: &bytes) { e in
            e.time(time)
            e.group(group)
            writeTagsAndFields(&e, byName: false)
        }
    }

    private func writeTagsAndFields(_ e: inout UDFPointEncoder, byName: Bool) {
        for (k, v) in tags { e.tag(k, v) }
        for (k, v) in fields { if case .double(let x) = v { e.double(k, x) } }
        for (k, v) in fields { if case .int(let x) = v { e.int(k, x) } }
        for (k, v) in fields { if case .string(let x) = v { e.string(k, x) } }
        e.byName(byName)
        for (k, v) in fields { if case .bool(let x) = v { e.bool(k, x) } }
    }
}

/// A UDF point read once into a host's form: sorted tags, merged fields, the scalars.
public struct UDFPointReader {
    public var time: Int64 = 0
    public var name = ""
    public var database = ""
    public var retentionPolicy = ""
    public var dimensions: [String] = []
    public var byName = false
    /// Sorted by key, keys unique (a repeated key keeps its last value).
    public var tags: [(key: String, value: String)] = []
    /// Sorted by key, keys unique, typed by Kapacitor's merge order.
    public var fields: [(key: String, value: FieldValue)] = []
    private var expectedDimensions: [String] = []
    /// How many leading dimensions equal the expected ones; -1 once one differs.
    private var matchedDimensions = 0

    public init(_ point: UDFPoint) {
        var none = UDFStringCache?.none
        self.init(point, &none)
    }

    /// Reads `point`, building its short strings through `cache` (for many points with the
    /// same names). `capacities` sizes the arrays (e.g. the previous point's ``counts``), saving
    /// a pass that counts; a wrong guess costs a reallocation, not a wrong result.
    /// `dimensions`, the previous point's, is reused (not copied) when this point has the same.
    public init(
        _ point: UDFPoint, cache: inout UDFStringCache, capacities: (dimensions: Int, tags: Int, fields: Int)? = nil, dimensions: [String] = []
    ) {
        var some: UDFStringCache? = consume cache
        self.init(point, &some, capacities, expectedDimensions: dimensions)
        cache = some!
    }

    /// How many dimensions, tags and fields the point had.
    public var counts: (dimensions: Int, tags: Int, fields: Int) { (dimensions.count, tags.count, fields.count) }

    private init(
        _ point: UDFPoint, _ cache: inout UDFStringCache?, _ capacities: (dimensions: Int, tags: Int, fields: Int)? = nil,
        expectedDimensions: [String] = []
    ) {
        let counts = capacities ?? point.elementCounts
        self.expectedDimensions = expectedDimensions
        tags.reserveCapacity(counts.tags)
        fields.reserveCapacity(counts.fields)
        if cache != nil {
            point.forEachElement(cache: &cache!) { add($0) }
        } else {
            point.forEachElement { add($0) }
        }
        if matchedDimensions >= 0 {
            dimensions = matchedDimensions == expectedDimensions.count ? expectedDimensions : Array(expectedDimensions.prefix(matchedDimensions))
        }
        Self.sortByKey(&tags)
        Self.dropRepeatedKeys(&tags) { _ in 0 }
        Self.sortByKey(&fields)
        Self.dropRepeatedKeys(&fields, rank: Self.mergeRank)
    }

    private mutating func add(_ element: UDFPointElement) {
        switch element {
        case .time(let t): time = t
        case .name(let s): name = s
        case .database(let s): database = s
        case .retentionPolicy(let s): retentionPolicy = s
        case .dimension(let d):
            // While the dimensions match the expected ones, count them instead of copying.
            if dimensions.isEmpty && matchedDimensions < expectedDimensions.count && expectedDimensions[matchedDimensions] == d {
                matchedDimensions += 1
            } else {
                if dimensions.isEmpty { dimensions = Array(expectedDimensions.prefix(matchedDimensions)) }
                dimensions.append(d)
                matchedDimensions = -1
            }
        case .tag(let k, let v): tags.append((k, v))
        case .string(let k, let v): fields.append((k, .string(v)))
        case .int(let k, let v): fields.append((k, .int(v)))
        case .double(let k, let v): fields.append((k, .double(v)))
        case .bool(let k, let v): fields.append((k, .bool(v)))
        case .byName(let b): byName = b
        }
    }

    /// Kapacitor merges the field maps in the order string, int, double, bool: later wins.
    private static func mergeRank(_ v: FieldValue) -> Int {
        switch v {
        case .string: 0
        case .int: 1
        case .double: 2
        case .bool: 3
        }
    }

    /// A stable sort by key: insertion sort for the few entries a point has, without allocating.
    private static func sortByKey<V>(_ items: inout [(key: String, value: V)]) {
        guard items.count > 1 else { return }
        guard items.count <= 32 else {
            items = items.enumerated().sorted { $0.element.key != $1.element.key ? $0.element.key < $1.element.key : $0.offset < $1.offset }
                .map(\.element)
            return
        }
        for i in 1..<items.count where items[i].key < items[i - 1].key {
            let item = items[i]
            var j = i
            while j > 0 && item.key < items[j - 1].key {
                items[j] = items[j - 1]
                j -= 1
            }
            items[j] = item
        }
    }

    /// Of entries with equal keys (adjacent after the sort), keeps the highest-ranked, the last
    /// of equals.
    private static func dropRepeatedKeys<V>(_ items: inout [(key: String, value: V)], rank: (V) -> Int) {
        var kept = 0
        for i in items.indices {
            if kept > 0 && items[kept - 1].key == items[i].key {
                if rank(items[i].value) >= rank(items[kept - 1].value) { items[kept - 1] = items[i] }
            } else {
                if kept != i { items[kept] = items[i] }
                kept += 1
            }
        }
        if kept < items.count { items.removeLast(items.count - kept) }
    }
}
