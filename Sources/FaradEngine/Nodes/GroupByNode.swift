import FaradCore
import FaradTICK

/// `|groupBy(tags… | *)`: regroups points; on a batch edge it gathers the points of all
/// batches with the same time into the new groups and emits them when a later batch arrives
/// (Kapacitor's rule).
final class GroupByNode: EngineNode {
    let tagNames: [String]
    let all: Bool
    let excluded: Set<String>
    let byMeasurement: Bool
    private let fixed: Dimensions
    /// Batch edge: the time being gathered and its groups.
    private var pendingTime: Int64?
    private var pending: [GroupID: Batch] = [:]

    init(name: String, provides: EdgeType, tagNames: [String], all: Bool, excluded: [String], byMeasurement: Bool) {
        self.tagNames = tagNames
        self.all = all
        self.excluded = Set(excluded)
        self.byMeasurement = byMeasurement
        fixed = Dimensions(tagNames: tagNames, byName: byMeasurement)
        super.init(name: name, type: "groupBy", provides: provides)
    }

    override var cardinality: Int { pending.count }

    private func dimensions(for point: Point) -> Dimensions {
        guard all else { return fixed }
        return Dimensions(tagNames: point.tags.map(\.key).filter { !excluded.contains($0) }, byName: byMeasurement)
    }

    override func process(_ message: consuming Message) {
        switch message {
        case .point(var sp):
            sp.dimensions = dimensions(for: sp.point)
            sp.group = sp.dimensions.group(of: sp.point)
            emit(.point(sp))
        case .batch(let b):
            if let t = pendingTime, t != b.tmax { flush() }
            pendingTime = b.tmax
            for p in b.points {
                let dims = dimensions(for: p)
                let group = dims.group(of: p)
                pending[group, default: Batch(
                    name: b.name, database: b.database, retentionPolicy: b.retentionPolicy, group: group, dimensions: dims,
                    tags: dims.tags(of: p), tmax: b.tmax, points: [])].points.append(p)
            }
        }
    }

    private func flush() {
        for key in pending.keys.sorted(by: { $0.rawValue < $1.rawValue }) { emit(.batch(pending[key]!)) }
        pending.removeAll(keepingCapacity: true)
        pendingTime = nil
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        if let t = pendingTime, t < time { flush() }
    }
}

extension GroupByNode: NodeKind {
    static let methods = [NodeMethod("groupBy", dotName: "groupby", isAlsoProperty: true)]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let (tags, all) = try NodeBuild.groupBy(b.spec.arguments)
        return GroupByNode(name: b.name, provides: try b.requireEdge(), tagNames: tags, all: all,
                           excluded: try b.props.strings("exclude") ?? [], byMeasurement: try b.props.flag("byMeasurement"))
    }
}
