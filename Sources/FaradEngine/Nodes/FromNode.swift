import FaradCore
import FaradTICK

/// `stream|from()`: selects points by database, retention policy, measurement and `where`
/// lambdas, sets their group, and optionally truncates or rounds their times.
final class FromNode: EngineNode {
    struct Configuration {
        var database = ""
        var retentionPolicy = ""
        var measurement = ""
        var wheres: [CompiledLambda] = []
        /// Dimension tags; with `groupByAll` (`groupBy(*)`), every tag but `excluded`.
        var groupBy: [String] = []
        var groupByAll = false
        var excluded: Set<String> = []
        var byMeasurement = false
        var truncate: Int64 = 0
        var round: Int64 = 0
    }

    let config: Configuration
    private let dimensions: Dimensions
    // Unchecked: see EngineNode.children.
    @exclusivity(unchecked) private var groups = GroupIDCache()

    init(name: String, _ config: Configuration) {
        self.config = config
        dimensions = Dimensions(tagNames: config.groupBy, byName: config.byMeasurement)
        super.init(name: name, type: "from", provides: .stream)
    }

    override func process(_ message: consuming Message) {
        guard case .point(var p) = consume message else { return }
        if !config.database.isEmpty && p.database != config.database { return }
        if !config.retentionPolicy.isEmpty && p.retentionPolicy != config.retentionPolicy { return }
        if !config.measurement.isEmpty && p.point.measurement != config.measurement { return }
        for w in config.wheres {
            do throws(LambdaError) {
                guard try w.evaluateBool(p.point) else { return }
            } catch {
                fail("from where \(w.source): \(error.message)")
                return
            }
        }
        if config.truncate > 0 { p.point.time = floorTime(p.point.time, config.truncate) }
        if config.round > 0 { p.point.time = floorTime(p.point.time.clampedAdding(config.round / 2), config.round) }
        if config.groupByAll {
            let names = p.point.tags.map(\.key).filter { !config.excluded.contains($0) }
            p.dimensions = Dimensions(tagNames: names, byName: config.byMeasurement)
            p.group = p.dimensions.group(of: p.point)
        } else {
            p.dimensions = dimensions
            p.group = groups.group(of: p.point, dimensions)
        }
        emit(.point(p))
    }
}

extension FromNode: NodeKind {
    static let methods = [NodeMethod("from")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        try b.noArguments()
        let spec = b.spec
        guard spec.parents.count == 1, spec.parents[0].method == "stream" else {
            throw TICKDiagnostic(at: spec.position, "from() must follow stream: stream|from()")
        }
        var c = Configuration()
        c.database = try b.props.string("database") ?? ""
        c.retentionPolicy = try b.props.string("retentionPolicy") ?? ""
        c.measurement = try b.props.string("measurement") ?? ""
        for call in b.props.calls("where") {
            guard call.arguments.count == 1, case .lambda(let body, let source) = call.arguments[0].value else {
                throw TICKDiagnostic(at: call.position, ".where() takes one lambda, e.g. .where(lambda: \"host\" == 'a')")
            }
            c.wheres.append(try CompiledLambda(body, source: source))
        }
        (c.groupBy, c.groupByAll) = try NodeBuild.groupBy(b.props.calls("groupBy").flatMap(\.arguments))
        c.excluded = Set(try b.props.strings("exclude") ?? [])
        c.byMeasurement = try b.props.flag("groupByMeasurement")
        c.truncate = try b.positive(b.props.duration("truncate"), "truncate")
        c.round = try b.positive(b.props.duration("round"), "round")
        return FromNode(name: b.name, c)
    }
}
