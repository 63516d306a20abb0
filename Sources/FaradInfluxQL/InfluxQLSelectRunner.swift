/// Bounds on what one query may read and answer (InfluxDB's `max-select-point`,
/// `max-select-series` and `max-select-buckets`, here never unlimited).
public struct InfluxQLLimits: Sendable {
    public var maxPoints = 50_000_000
    public var maxSeries = 1_000_000
    public var maxBuckets = 10_000_000

    public init() {}
}

/// Runs one `SELECT` over a storage: finds the series, reads the fields the plan needs, filters,
/// groups by tags and time buckets, computes the calls, fills, orders and limits.
struct InfluxQLSelectRunner {
    let storage: any InfluxStorage
    let now: Int64
    let limits: InfluxQLLimits

    /// A group of series answered as one output series.
    struct Group {
        var measurement: InfluxMeasurementRef
        var key: [String]
        var series: [InfluxSeries] = []
        var rows = InfluxQLRows(fields: 0)
    }

    /// The answer to `select`. `readingBefore`: how much further back than the WHERE's start
    /// to read (a transformation's GROUP BY interval).
    func run(_ select: InfluxQLSelect, database: String?, retentionPolicy: String?, readingBefore: Int64 = 0) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        if let tz = select.timeZone, tz != "UTC" {
            throw InfluxQLQueryError(.unsupported, "tz('\(tz)') is not supported by Farad yet (only UTC)")
        }
        if select.sources.contains(where: { if case .subquery = $0 { true } else { false } }) {
            return try runSubqueries(select, database: database, retentionPolicy: retentionPolicy)
        }
        if let transforms = try InfluxQLTransformation.of(select) {
            return try runTransformations(select, transforms, database: database, retentionPolicy: retentionPolicy)
        }
        if let top = try InfluxQLTopSelection.of(select) {
            return try runTop(select, top, database: database, retentionPolicy: retentionPolicy)
        }
        let refs = try InfluxQLSources.resolve(select.sources, storage: storage, database: database, retentionPolicy: retentionPolicy)
        var fieldTypes: [String: InfluxFieldType] = [:]
        for ref in refs {
            for (name, type) in try storage.fields(of: ref) where fieldTypes[name] == nil { fieldTypes[name] = type }
        }
        // No field to read (no such measurement, or none of it stored): an empty answer.
        if fieldTypes.isEmpty { return [] }
        let condition = try InfluxQLCondition(select.condition, now: now) { fieldTypes[$0] != nil }
        var evaluator = InfluxQLEvaluator()
        if let f = condition.filter { try evaluator.prepare(f) }
        var found: [(InfluxMeasurementRef, [InfluxSeries])] = []
        var tagKeys = Set<String>()
        var seriesCount = 0
        for ref in refs {
            let series = try storage.series(of: ref, tagsEqual: condition.tagsEqual)
            seriesCount += series.count
            guard seriesCount <= limits.maxSeries else {
                throw InfluxQLQueryError(.limit, "max-select-series limit exceeded: (\(seriesCount)/\(limits.maxSeries))")
            }
            for s in series { for t in s.tags { tagKeys.insert(t.key) } }
            found.append((ref, series))
        }
        var plan = try InfluxQLSelectPlan(select, fieldTypes: fieldTypes, tagKeys: tagKeys.sorted(), now: now)
        for e in plan.exprs { try evaluator.prepare(e) }
        if let f = condition.filter {
            for r in InfluxQLCondition.references(f) where r.type != .tag && fieldTypes[r.name] != nil { plan.add(r.name) }
        }
        var groups = group(found, plan: plan, condition: condition, evaluator: evaluator)
        let offset = max(0, select.seriesOffset ?? 0)
        // SLIMIT 0 (like LIMIT 0) is no limit; series are limited in ascending order, then
        // reversed under ORDER BY time DESC.
        groups = Array(groups.dropFirst(offset).prefix(select.seriesLimit.flatMap { $0 > 0 ? $0 : nil } ?? Int.max))
        if select.descending { groups.reverse() }

        // Read: GROUP BY time ends at now() unless the clause ends it.
        var start = condition.start
        if condition.hasStart && readingBefore > 0 {
            let (earlier, overflow) = start.subtractingReportingOverflow(readingBefore)
            start = overflow ? .min : earlier
        }
        let end = plan.interval != nil && !condition.hasEnd ? min(condition.end, now) : condition.end
        var points = 0
        var earliest = Int64.max
        // A raw select with LIMIT and no field condition needs at most OFFSET + LIMIT rows of each
        // series, from its start (or its end under DESC).
        var rowsNeeded: (count: Int, fromEnd: Bool)?
        if !plan.isAggregate, !condition.readsFields, let limit = select.limit, limit > 0 {
            let (k, overflow) = limit.addingReportingOverflow(max(0, select.offset ?? 0))
            if !overflow { rowsNeeded = (k, select.descending) }
        }
        for g in groups.indices {
            groups[g].rows = try read(groups[g], plan: plan, condition: condition, evaluator: evaluator, start: start, end: end,
                                      rowsNeeded: rowsNeeded, points: &points)
            if let t = groups[g].rows.times.min() { earliest = min(earliest, t) }
        }
        if plan.interval != nil && !condition.hasStart {
            guard earliest != Int64.max else { return [] }
            start = earliest
        }
        var out: [InfluxQLResultSeries] = []
        for g in groups {
            let skip = max(0, select.offset ?? 0)
            let take = select.limit.flatMap { $0 > 0 ? $0 : nil } ?? Int.max
            var values: [[InfluxQLCell]]
            if plan.isAggregate {
                let rows = try aggregate(g, plan: plan, select: select, start: start, end: end, hasStart: condition.hasStart, evaluator: evaluator)
                values = Array((select.descending ? rows.reversed() : rows).dropFirst(skip).prefix(take))
            } else {
                // Only the rows LIMIT and OFFSET keep are built (from the end under DESC).
                let n = g.rows.count
                let kept = min(max(0, n - skip), take)
                values = raw(g, plan: plan, evaluator: evaluator, range: select.descending ? (n - skip - kept)..<(n - skip) : skip..<(skip + kept))
                if select.descending { values.reverse() }
            }
            guard !values.isEmpty else { continue }
            let tags = plan.groupTags.isEmpty ? nil : Array(zip(plan.groupTags, g.key)).map { (key: $0.0, value: $0.1) }
            out.append(InfluxQLResultSeries(name: g.measurement.name, tags: tags, columns: ["time"] + plan.names, values: values))
        }
        return out
    }

    /// The series of each measurement grouped by the GROUP BY tags, groups in tag order.
    private func group(_ found: [(InfluxMeasurementRef, [InfluxSeries])], plan: InfluxQLSelectPlan, condition: InfluxQLCondition, evaluator: InfluxQLEvaluator) -> [Group] {
        var groups: [Group] = []
        for (ref, series) in found {
            var byKey: [[String]: Int] = [:]
            var mine: [Group] = []
            for s in series.sorted(by: { Self.tagOrder($0.tags, $1.tags) }) {
                if let f = condition.filter, !condition.readsFields {
                    let keep = evaluator.isTrue(f) { name, type in type == .field ? nil : .string(s.tag(name) ?? "") }
                    if !keep { continue }
                }
                let key = plan.groupTags.map { s.tag($0) ?? "" }
                if let i = byKey[key] {
                    mine[i].series.append(s)
                } else {
                    byKey[key] = mine.count
                    mine.append(Group(measurement: ref, key: key, series: [s]))
                }
            }
            mine.sort { $0.key.lexicographicallyPrecedes($1.key) }
            groups += mine
        }
        return groups
    }

    private static func tagOrder(_ a: [(key: String, value: String)], _ b: [(key: String, value: String)]) -> Bool {
        for (x, y) in zip(a, b) {
            if x.key != y.key { return x.key < y.key }
            if x.value != y.value { return x.value < y.value }
        }
        return a.count < b.count
    }

    /// The rows of a group's series that pass the condition, by time.
    private func read(_ g: Group, plan: InfluxQLSelectPlan, condition: InfluxQLCondition, evaluator: InfluxQLEvaluator, start: Int64, end: Int64,
                      rowsNeeded: (count: Int, fromEnd: Bool)? = nil, points: inout Int) throws(InfluxQLQueryError) -> InfluxQLRows {
        var rows = InfluxQLRows(fields: plan.fields.count)
        guard start <= end else { return rows }
        // The group's columns in one read (one snapshot of the storage).
        var handles: [Int64] = []
        for s in g.series { for field in plan.fields { if let h = s.fields[field] { handles.append(h) } } }
        let columns = try storage.read(handles, of: g.measurement, start: start, end: end)
        guard columns.count == handles.count else {
            throw InfluxQLQueryError(.storage, "storage read \(columns.count) columns of \(handles.count)")
        }
        let reduce = Self.loneSelector(plan, condition)
        var next = 0
        for (index, s) in g.series.enumerated() {
            var reads: [InfluxColumn?] = []
            for field in plan.fields {
                guard s.fields[field] != nil else {
                    reads.append(nil)
                    continue
                }
                let column = columns[next]
                next += 1
                points += column.times.count
                guard points <= limits.maxPoints else {
                    throw InfluxQLQueryError(.limit, "max-select-point limit exceeded: (\(points)/\(limits.maxPoints))")
                }
                // A series' first k rows hold at most its first k points of each field.
                if let (k, fromEnd) = rowsNeeded, column.times.count > k {
                    let kept = fromEnd ? (column.times.count - k)..<column.times.count : 0..<k
                    reads.append(InfluxColumn(times: Array(column.times[kept]), values: Array(column.values[kept])))
                } else {
                    reads.append(column)
                }
            }
            if let (slot, function) = reduce {
                // Only the series' own selected point can be the group's: keep that row alone.
                guard let column = reads[slot], let chosen = function.apply(column.times[...], column.values[...],
                                                                        series: Array(repeating: Int32(index), count: column.times.count)[...],
                                                                        argument: 0)?.index else { continue }
                reads = reads.map { $0.map { Self.point(at: column.times[chosen], of: $0) } }
            }
            let filter = condition.readsFields ? condition.filter : nil
            rows.append(series: Int32(index), reads) { _, value in
                guard let filter else { return true }
                return evaluator.isTrue(filter) { name, type in
                    if type != .tag, let slot = plan.fields.firstIndex(of: name) { return value(slot) }
                    return type == .field ? nil : .string(s.tag(name) ?? "")
                }
            }
        }
        rows.sortByTime()
        return rows
    }

    /// The slot and function of a select whose only call is `min`, `max`, `first` or `last`
    /// without GROUP BY time or a field condition: its answer is one point per group, and
    /// the best of each series' own choices (the same order decides both), so each series is
    /// read down to its choice before rows are built and sorted.
    static func loneSelector(_ plan: InfluxQLSelectPlan, _ condition: InfluxQLCondition) -> (Int, InfluxQLFunction)? {
        guard plan.interval == nil, plan.isAggregate, !plan.isDistinct, !condition.readsFields, plan.calls.count == 1 else { return nil }
        let call = plan.calls[0]
        guard !call.ofDistinct, [.min, .max, .first, .last].contains(call.function), let slot = plan.fields.firstIndex(of: call.field) else { return nil }
        return (slot, call.function)
    }

    /// `column`'s point at time `t`, if it has one (binary search: its times ascend).
    static func point(at t: Int64, of column: InfluxColumn) -> InfluxColumn {
        var lo = 0, hi = column.times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if column.times[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        guard lo < column.times.count, column.times[lo] == t else { return InfluxColumn() }
        return InfluxColumn(times: [t], values: [column.values[lo]])
    }

    /// Raw rows `range` (of the group's rows by time): each column's value at each time a field
    /// read has a point (a column whose operands are missing there is null). Selecting only
    /// tags gives no rows. A plain field or tag is read directly, other columns evaluated.
    private func raw(_ g: Group, plan: InfluxQLSelectPlan, evaluator: InfluxQLEvaluator, range: Range<Int>) -> [[InfluxQLCell]] {
        let readsField = plan.exprs.contains { e in
            InfluxQLCondition.references(e).contains { $0.type != .tag && plan.fields.contains($0.name) }
        }
        guard readsField else { return [] }
        let context = RowLookup(g.rows, g, plan)
        enum Column {
            case field(Int)
            case tag(String)
            case computed(InfluxQLExpr)
        }
        let columns: [Column] = plan.exprs.map { e in
            guard case .reference(let name, let type) = e, type == nil || type == .field || type == .tag else { return .computed(e) }
            if type != .tag, let slot = context.slots[name] { return .field(slot) }
            return type == .field ? .computed(e) : .tag(name)
        }
        var out: [[InfluxQLCell]] = []
        out.reserveCapacity(range.count)
        for i in range {
            var row: [InfluxQLCell] = [.time(g.rows.times[i])]
            row.reserveCapacity(columns.count + 1)
            for c in columns {
                switch c {
                case .field(let slot):
                    row.append(g.rows.columns[slot][i].map(InfluxQLCell.value) ?? .null)
                case .tag(let name):
                    row.append(g.series[Int(g.rows.series[i])].tag(name).map { .value(.string($0)) } ?? .null)
                case .computed(let e):
                    row.append(evaluator.value(e, context.at(i)).map(InfluxQLCell.value) ?? .null)
                }
            }
            out.append(row)
        }
        return out
    }
}

/// What a row's references read: the field slots by name, the rows' columns and the series.
struct RowLookup {
    let slots: [String: Int]
    let columns: [[InfluxQLValue?]]
    let rowSeries: [Int32]
    let series: [InfluxSeries]

    init(_ rows: InfluxQLRows, _ g: InfluxQLSelectRunner.Group, _ plan: InfluxQLSelectPlan) {
        var slots: [String: Int] = [:]
        for (i, f) in plan.fields.enumerated() where slots[f] == nil { slots[f] = i }
        self.slots = slots
        columns = rows.columns
        rowSeries = rows.series
        series = g.series
    }

    func at(_ i: Int) -> (String, InfluxQLExpr.DataType?) -> InfluxQLValue? {
        { name, type in
            if type != .tag, let slot = slots[name] { return columns[slot][i] }
            guard type != .field, let v = series[Int(rowSeries[i])].tag(name) else { return nil }
            return .string(v)
        }
    }
}
