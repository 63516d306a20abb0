import FaradCore

/// A point's group: the values of its dimension tags, as Kapacitor forms the group ID.
///
/// The ID is `a=v1,b=v2` over the dimensions in sorted order (a missing tag gives an empty
/// value), prefixed by `name\n` when grouping by measurement; no dimensions and no measurement
/// is the nil group, the empty string. The ID's hash is computed once, when it is made: every
/// stateful node looks its group up per point.
public struct GroupID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    /// The hash of `rawValue`, computed once.
    let tableHash: Int

    /// The group of `point` for `dimensions` (tag names; sorted here) and `byName`.
    public init(_ point: Point, dimensions: [String], byName: Bool = false) {
        self.init(point, sortedDimensions: dimensions.sorted(), byName: byName)
    }

    /// The group of `point` for dimensions already sorted.
    init(_ point: Point, sortedDimensions: [String], byName: Bool) {
        self.init(name: point.measurement, sortedDimensions: sortedDimensions, byName: byName) { point.tag($0) }
    }

    /// The group of a batch with `name` and group tags `tags` under `dimensions`.
    init(name: String, sortedTags tags: [(key: String, value: String)], _ dimensions: Dimensions) {
        self.init(name: name, sortedDimensions: dimensions.tagNames, byName: dimensions.byName) { d in
            tags.first { $0.key == d }?.value
        }
    }

    private init(name: String, sortedDimensions: [String], byName: Bool, tag: (String) -> String?) {
        if sortedDimensions.isEmpty && !byName {
            self = .none
            return
        }
        var id = byName ? name : ""
        if byName && !sortedDimensions.isEmpty { id += "\n" }
        var first = true
        for d in sortedDimensions {
            if !first { id += "," }
            first = false
            id += d
            id += "="
            id += tag(d) ?? ""
        }
        self.init(raw: id)
    }

    /// The nil group (no dimensions).
    public static let none = GroupID(raw: "")

    public init(raw: String) {
        rawValue = raw
        tableHash = raw.hashValue
    }

    public static func == (a: GroupID, b: GroupID) -> Bool {
        a.tableHash == b.tableHash && a.rawValue == b.rawValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tableHash)
    }

    public var description: String { rawValue.isEmpty ? "nil" : rawValue }
}

/// Group IDs by the value of the one dimension tag of the most common grouping
/// (`groupBy('host')`): the ID is built and hashed once per value, not once per point. Other
/// groupings are built each time. Bounded: past `limit` values it starts over.
struct GroupIDCache {
    private var tag = ""
    private var prefix = ""
    private var byValue = GroupTable<TagValueKey, GroupID>()
    private let limit = 1 << 16

    mutating func group(of point: Point, _ dimensions: Dimensions) -> GroupID {
        guard dimensions.tagNames.count == 1, !dimensions.byName else { return dimensions.group(of: point) }
        let name = dimensions.tagNames[0]
        if name != tag {
            tag = name
            prefix = name + "="
            byValue.removeAll()
        }
        let value = TagValueKey(point.tag(name) ?? "")
        if let known = byValue.slot(of: value) { return byValue[known] }
        if byValue.count >= limit { byValue.removeAll() }
        let prefix = prefix
        return byValue[byValue.slot(of: value) { GroupID(raw: prefix + value.value) }]
    }
}
