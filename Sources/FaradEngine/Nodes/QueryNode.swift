import FaradCore
import FaradInfluxQL
import FaradTICK

/// `batch`: the root of a batch task. It receives nothing; its `query` children produce the
/// task's batches on their schedules. It is not drawn in DOT, as in Kapacitor.
final class BatchRootNode: EngineNode {
    init() {
        super.init(name: "batch0", type: "batch", provides: .batch)
    }

    /// Writes never reach a batch task's nodes: its data comes from its queries.
    override func process(_ message: consuming Message) {}
}

extension BatchRootNode: NodeKind {
    static let methods = [NodeMethod("batch")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        BatchRootNode()
    }
}

/// `batch|query('SELECT …')`: runs its statement on a schedule (``BatchQuery``) and passes each
/// answer on as batches, one per series. The task's execution drives it: it asks the
/// ``BatchSource`` and hands the batches to ``deliver(_:)``.
final class QueryNode: EngineNode {
    let query: BatchQuery
    /// Batches and points the queries have produced.
    private(set) var batchesQueried = 0
    private(set) var pointsQueried = 0

    init(name: String, query: BatchQuery) {
        self.query = query
        super.init(name: name, type: "query", provides: .batch)
    }

    /// Passes one tick's batches on.
    func deliver(_ batches: [Batch]) {
        for batch in batches {
            batchesQueried += 1
            pointsQueried += batch.points.count
            clock.now = max(clock.now, batch.tmax)
            receive(.batch(batch))
        }
    }

    override var extraStatistics: [(String, Int)] {
        [("batches_queried", batchesQueried), ("points_queried", pointsQueried)]
    }
}

extension QueryNode: NodeKind {
    static let methods = [NodeMethod("query")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        guard b.spec.parents.first?.method == "batch" else {
            throw TICKDiagnostic(at: b.spec.position, "query() starts a batch task: write batch|query('SELECT …')")
        }
        try b.spec.expectArguments(1...1, "query('SELECT mean(\"usage_idle\") FROM \"telegraf\".\"autogen\".\"cpu\"')")
        let text = try b.spec.stringArgument(0, "the InfluxQL query")
        var statement = try parse(text, at: b.spec.arguments[0].position)
        guard !statement.sources.isEmpty, statement.sources.allSatisfy({ source in
            if case .measurement(let db, _, _, _) = source { return !(db ?? "").isEmpty } else { return false }
        }) else {
            throw b.spec.argumentError("query() must name the database of each measurement it reads: FROM \"telegraf\".\"autogen\".\"cpu\"", at: 0)
        }

        let every = try b.props.duration("every") ?? 0
        let cronText = try b.props.string("cron")
        if every != 0 && cronText != nil { throw TICKDiagnostic(at: b.spec.position, "must not set both 'every' and 'cron' properties") }
        if every < 0 { throw TICKDiagnostic(at: b.spec.position, "'every' must be a non-negative duration") }
        var cron: CronSchedule?
        if let cronText {
            do { cron = try CronSchedule(cronText) } catch { throw TICKDiagnostic(at: b.spec.position, error.description) }
        } else if every == 0 {
            throw TICKDiagnostic(at: b.spec.position, "must define one of 'every' or 'cron'")
        }
        guard let period = try b.props.duration("period"), period > 0 else {
            throw TICKDiagnostic(at: b.spec.position, "query() needs .period(d), a positive duration: the length of time each query covers")
        }

        var groupByTime: (length: Int64, offset: Int64)?
        var dimensions: [InfluxQLExpr] = []
        for call in b.props.calls("groupBy").suffix(1) {
            for a in call.arguments {
                switch a.value {
                case .timeDimension(let length, let offset):
                    guard groupByTime == nil else { throw TICKDiagnostic(at: a.position, "groupBy cannot have more than one time dimension") }
                    groupByTime = (length, offset)
                    dimensions.append(.call("time", [.duration(length), .duration(offset)]))
                case .string(let tag): dimensions.append(.reference(tag, type: nil))
                case .star: dimensions.append(.wildcard(type: nil))
                default: throw TICKDiagnostic(at: a.position, "groupBy takes time(d), tag names ('host') or *, got a \(a.value.typeName)")
                }
            }
        }
        // Kapacitor replaces the text's GROUP BY with the node's; the fill stays unless set.
        statement.dimensions = dimensions
        if let fill = try b.props.single("fill") {
            switch fill.value {
            case .string("null"): statement.fill = .null
            case .string("none"): statement.fill = .none
            case .string("previous"): statement.fill = .previous
            case .string("linear"): statement.fill = .linear
            case .int(let n): statement.fill = .integer(n)
            case .float(let x): statement.fill = .number(x)
            default: throw TICKDiagnostic(at: fill.position, "unexpected fill option: use a number or 'null', 'none', 'previous', 'linear'")
            }
        }
        let cluster = try b.props.string("cluster") ?? ""
        guard let source = b.environment.batchSource else {
            throw TICKDiagnostic(at: b.spec.position, "batch tasks need somewhere to query: this server has no store and no [[influxdb]] cluster")
        }
        if !source.knows(cluster: cluster) {
            throw TICKDiagnostic(at: b.spec.position, "no InfluxDB cluster named \(cluster.debugDescription) is configured")
        }
        let query = BatchQuery(
            statement: statement, period: period, every: cron == nil ? every : 0, cron: cron,
            offset: try b.props.duration("offset") ?? 0, align: try b.props.flag("align"), alignGroup: try b.props.flag("alignGroup"),
            groupByTime: groupByTime, byMeasurement: try b.props.flag("groupByMeasurement"), cluster: cluster)
        return QueryNode(name: b.name, query: query)
    }

    /// The single SELECT of `text`.
    private static func parse(_ text: String, at position: Position) throws(TICKDiagnostic) -> InfluxQLSelect {
        let parsed: InfluxQLQuery
        do {
            parsed = try InfluxQLParser.parse(text)
        } catch {
            throw TICKDiagnostic(at: position, "failed to parse InfluxQL query: \(error.description)")
        }
        guard parsed.statements.count == 1 else {
            throw TICKDiagnostic(at: position, "query must be a single select statement, got \(parsed.statements.count) statements")
        }
        guard case .select(let select) = parsed.statements[0] else {
            throw TICKDiagnostic(at: position, "query is not a select statement \(text.debugDescription)")
        }
        return select
    }
}
