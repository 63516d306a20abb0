import FaradCore

/// `stream`: the root of a stream task; passes every written point on.
final class StreamNode: EngineNode {
    init() {
        super.init(name: "stream0", type: "stream", provides: .stream)
    }
}

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

