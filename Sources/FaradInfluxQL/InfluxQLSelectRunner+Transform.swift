extension InfluxQLSelectRunner {
    /// A select of transformations: each transformed expression is selected alone (one GROUP BY
    /// interval further back when InfluxDB reads it so), each of its series transformed, and the
    /// columns merged by series and time; LIMIT and OFFSET apply to what comes out.
    func runTransformations(_ select: InfluxQLSelect, _ transforms: [(InfluxQLTransformation, name: String)],
                            database: String?, retentionPolicy: String?) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        guard !select.descending else {
            throw InfluxQLQueryError(.unsupported, "ORDER BY time DESC with a transformation is not supported by Farad yet")
        }
        let interval = Self.interval(of: select)
        struct Key: Hashable {
            let name: String?
            let tags: [String]
        }
        var order: [Key] = []
        var found: [Key: (tags: [(key: String, value: String)]?, columns: [[(time: Int64, value: InfluxQLValue)]])] = [:]
        for (i, (transform, _)) in transforms.enumerated() {
            var inner = select
            inner.fields = [InfluxQLSelect.Field(expr: transform.argument, alias: nil)]
            inner.limit = nil
            inner.offset = nil
            let before = interval.map { transform.readsIntervalBefore ? $0 : 0 } ?? 0
            for s in try run(inner, database: database, retentionPolicy: retentionPolicy, readingBefore: before) {
                guard s.columns.count == 2 else {
                    throw InfluxQLQueryError(.unsupported, "\(transform.kind.rawValue)() of more than one column is not supported by Farad yet")
                }
                let points: [(time: Int64, value: InfluxQLValue)] = s.values.compactMap { row in
                    guard row.count == 2, case .time(let t) = row[0], case .value(let v) = row[1] else { return nil }
                    return (t, v)
                }
                let key = Key(name: s.name, tags: (s.tags ?? []).flatMap { [$0.key, $0.value] })
                if found[key] == nil {
                    order.append(key)
                    found[key] = (s.tags, Array(repeating: [], count: transforms.count))
                }
                found[key]!.columns[i] = transform.apply(points, interval: interval)
            }
        }
        let names = InfluxQLSelectPlan.uniqueNames(transforms.map(\.name))
        let skip = max(0, select.offset ?? 0)
        let take = select.limit.flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        var out: [InfluxQLResultSeries] = []
        for key in order {
            guard let entry = found[key] else { continue }
            let rows = Array(Self.merge(entry.columns).dropFirst(skip).prefix(take))
            guard !rows.isEmpty else { continue }
            out.append(InfluxQLResultSeries(name: key.name, tags: entry.tags, columns: ["time"] + names, values: rows))
        }
        return out
    }

    /// The GROUP BY time interval of `select`, if it has one.
    static func interval(of select: InfluxQLSelect) -> Int64? {
        for d in select.dimensions {
            if case .call(let n, let args) = d, n.lowercased() == "time", case .duration(let every)? = args.first, every > 0 { return every }
        }
        return nil
    }

    /// Columns of (time, value) in time order merged into rows: a row per time and occurrence,
    /// null where a column has nothing then.
    static func merge(_ columns: [[(time: Int64, value: InfluxQLValue)]]) -> [[InfluxQLCell]] {
        if columns.count == 1 { return columns[0].map { [.time($0.time), .value($0.value)] } }
        var next = Array(repeating: 0, count: columns.count)
        var rows: [[InfluxQLCell]] = []
        while true {
            var t: Int64?
            for (c, column) in columns.enumerated() where next[c] < column.count {
                t = min(t ?? .max, column[next[c]].time)
            }
            guard let t else { return rows }
            var row: [InfluxQLCell] = [.time(t)]
            for (c, column) in columns.enumerated() {
                if next[c] < column.count, column[next[c]].time == t {
                    row.append(.value(column[next[c]].value))
                    next[c] += 1
                } else {
                    row.append(.null)
                }
            }
            rows.append(row)
        }
    }
}
