import FaradCore

/// How a stream is grouped: the dimension tag names (sorted) and whether the measurement is
/// part of the group.
public struct Dimensions: Sendable, Hashable {
    public var tagNames: [String]
    public var byName: Bool

    public init(tagNames: [String] = [], byName: Bool = false) {
        self.tagNames = zip(tagNames, tagNames.dropFirst()).allSatisfy { $0 < $1 } ? tagNames : tagNames.sorted()
        self.byName = byName
    }

    public static let none = Dimensions()

    /// The group of `point` under these dimensions.
    func group(of point: Point) -> GroupID {
        GroupID(point, sortedDimensions: tagNames, byName: byName)
    }

    /// The group tags of `point`: its values of the dimension tags (missing ones empty).
    func tags(of point: Point) -> [(key: String, value: String)] {
        tagNames.map { ($0, point.tag($0) ?? "") }
    }
}

/// A point on a stream edge, with where it was written and its group.
public struct StreamPoint: Sendable {
    public var point: Point
    public var database: String
    public var retentionPolicy: String
    public var group: GroupID
    public var dimensions: Dimensions

    public init(_ point: Point, database: String = "", retentionPolicy: String = "", group: GroupID = .none, dimensions: Dimensions = .none) {
        self.point = point
        self.database = database
        self.retentionPolicy = retentionPolicy
        self.group = group
        self.dimensions = dimensions
    }
}

/// A batch on a batch edge: the points of one group and one window, and the batch's time.
public struct Batch: Sendable {
    public var name: String
    public var database: String
    public var retentionPolicy: String
    public var group: GroupID
    public var dimensions: Dimensions
    /// The group's tags (the dimension values), shared by every point.
    public var tags: [(key: String, value: String)]
    /// The batch's time: the window's end.
    public var tmax: Int64
    public var points: [Point]

    public init(
        name: String, database: String = "", retentionPolicy: String = "", group: GroupID = .none, dimensions: Dimensions = .none,
        tags: [(key: String, value: String)] = [], tmax: Int64, points: [Point]
    ) {
        self.name = name
        self.database = database
        self.retentionPolicy = retentionPolicy
        self.group = group
        self.dimensions = dimensions
        self.tags = tags
        self.tmax = tmax
        self.points = points
    }
}

/// What flows on an edge between two nodes.
public enum Message: Sendable {
    case point(StreamPoint)
    case batch(Batch)

    public var group: GroupID {
        switch self {
        case .point(let p): p.group
        case .batch(let b): b.group
        }
    }

    /// The message's time: the point's, or the batch's `tmax`.
    public var time: Int64 {
        switch self {
        case .point(let p): p.point.time
        case .batch(let b): b.tmax
        }
    }
}

/// What an edge carries.
public enum EdgeType: String, Sendable, Hashable, CustomStringConvertible {
    case stream, batch
    public var description: String { rawValue }
}

extension Point {
    /// An empty point, to swap into a message whose point moves elsewhere.
    static var placeholder: Point { Point(measurement: "", sortedTags: [], fields: [], time: 0) }
}

extension Message {
    /// Applies `transform` to the point, or to every point of the batch, dropping the points
    /// for which it returns false. A batch stays (possibly empty); a dropped point returns nil.
    consuming func mapPoints(_ transform: (inout Point) -> Bool) -> Message? {
        switch consume self {
        case .point(var p):
            return transform(&p.point) ? .point(p) : nil
        case .batch(var b):
            var kept = 0
            for i in b.points.indices where transform(&b.points[i]) {
                if kept != i { b.points.swapAt(kept, i) }
                kept += 1
            }
            b.points.removeLast(b.points.count - kept)
            return .batch(b)
        }
    }
}
