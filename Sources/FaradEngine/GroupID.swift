import FaradCore

/// A point's group: the values of its dimension tags, as Kapacitor forms the group ID.
///
/// The ID is `a=v1,b=v2` over the dimensions in sorted order (a missing tag gives an empty
/// value), prefixed by `name\n` when grouping by measurement; no dimensions and no measurement
/// is the nil group, the empty string. The ID's hash is computed once, when it is made: every
/// stateful node looks its group up per point.
public struct GroupID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    private let hash: Int

    /// The group of `point` for `dimensions` (tag names; sorted here) and `byName`.
    public init(_ point: Point, dimensions: [String], byName: Bool = false) {
        self.init(point, sortedDimensions: dimensions.sorted(), byName: byName)
    }

    /// The group of `point` for dimensions already sorted.
    init(_ point: Point, sortedDimensions: [String], byName: Bool) {
        if sortedDimensions.isEmpty && !byName {
            self = .none
            return
        }
        var id = byName ? point.measurement : ""
        if byName && !sortedDimensions.isEmpty { id += "\n" }
        var first = true
        for d in sortedDimensions {
            if !first { id += "," }
            first = false
            id += d
            id += "="
            id += point.tag(d) ?? ""
        }
        self.init(raw: id)
    }

    /// The nil group (no dimensions).
    public static let none = GroupID(raw: "")

    public init(raw: String) {
        rawValue = raw
        hash = raw.hashValue
    }

    public static func == (a: GroupID, b: GroupID) -> Bool {
        a.hash == b.hash && a.rawValue == b.rawValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }

    public var description: String { rawValue.isEmpty ? "nil" : rawValue }
}

/// The groups of one dimension tag (`groupBy('host')`, the most common grouping), by the tag's
/// value: the ID is built and hashed once per value, not once per point. Bounded: past
/// `limit` values it starts over.
struct SingleTagGroups {
    let tag: String
    private let prefix: String
    private var byValue: [String: GroupID] = [:]
    private let limit = 1 << 16

    init(tag: String) {
        self.tag = tag
        prefix = tag + "="
    }

    mutating func group(of point: Point) -> GroupID {
        let value = point.tag(tag) ?? ""
        if let known = byValue[value] { return known }
        if byValue.count >= limit { byValue.removeAll(keepingCapacity: true) }
        let id = GroupID(raw: prefix + value)
        byValue[value] = id
        return id
    }
}
