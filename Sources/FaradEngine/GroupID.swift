import FaradCore

/// A point's group: the values of its dimension tags, as Kapacitor forms the group ID.
///
/// The ID is `a=v1,b=v2` over the dimensions in sorted order (a missing tag gives an empty
/// value), prefixed by `name\n` when grouping by measurement; no dimensions and no measurement
/// is the nil group, the empty string.
public struct GroupID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    /// The group of `point` for `dimensions` (tag names; sorted here) and `byName`.
    public init(_ point: Point, dimensions: [String], byName: Bool = false) {
        self.init(point, sortedDimensions: dimensions.sorted(), byName: byName)
    }

    /// The group of `point` for dimensions already sorted.
    init(_ point: Point, sortedDimensions: [String], byName: Bool) {
        if sortedDimensions.isEmpty && !byName {
            rawValue = ""
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
        rawValue = id
    }

    /// The nil group (no dimensions).
    public static let none = GroupID(raw: "")

    public init(raw: String) { rawValue = raw }

    public var description: String { rawValue.isEmpty ? "nil" : rawValue }
}
