extension InfluxQLSelectRunner {
    /// A select `FROM (SELECT …)`: each subquery answered first (within the outer select's time
    /// range, as InfluxDB passes it down), its rows written to an in-memory storage — each
    /// series a measurement of that name, its GROUP BY tags as tags, its columns as fields — and
    /// the outer select run over that storage. Rows of one inner series sharing a time (a raw
    /// select over several series) are refused rather than merged.
    func runSubqueries(_ select: InfluxQLSelect, database: String?, retentionPolicy: String?) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        var inners: [InfluxQLSelect] = []
        for source in select.sources {
            guard case .subquery(let inner) = source else {
                throw InfluxQLQueryError(.unsupported, "a subquery beside a measurement in FROM is not supported by Farad yet")
            }
            inners.append(inner)
        }
        let bounds = try? InfluxQLCondition(select.condition, now: now) { _ in false }
        let memory = InMemoryInfluxStorage()
        let db = "subquery", rp = "autogen"
        var names: [String] = []
        for var inner in inners {
            if let bounds, bounds.hasStart || bounds.hasEnd {
                var range: InfluxQLExpr?
                if bounds.hasStart { range = .binary(.greaterOrEqual, .reference("time", type: nil), .integer(bounds.start)) }
                if bounds.hasEnd {
                    let end = InfluxQLExpr.binary(.lessOrEqual, .reference("time", type: nil), .integer(bounds.end))
                    range = range.map { .binary(.and, $0, end) } ?? end
                }
                if let range { inner.condition = inner.condition.map { .binary(.and, .parenthesized($0), range) } ?? range }
            }
            // An inner bucket starting before the range is stamped with the range's start, as
            // InfluxDB's reducers stamp it, so the outer range keeps it.
            let innerBounds = try? InfluxQLCondition(inner.condition, now: now) { _ in false }
            let floor = innerBounds.flatMap { $0.hasStart ? $0.start : nil } ?? .min
            let tagColumns = try tagColumns(of: inner, database: database, retentionPolicy: retentionPolicy)
            for series in try run(inner, database: database, retentionPolicy: retentionPolicy) {
                let name = series.name ?? ""
                if !names.contains(name) { names.append(name) }
                var seen = Set<[String]>()
                for row in series.values {
                    guard case .time(let stamp)? = row.first else { continue }
                    let t = max(stamp, floor)
                    // A tag the inner select reads stays a tag of the outer one, as in InfluxDB.
                    var tags = series.tags ?? []
                    var fields: [(key: String, value: InfluxQLValue)] = []
                    for (i, cell) in row.enumerated().dropFirst() where i < series.columns.count {
                        guard case .value(let v) = cell else { continue }
                        if tagColumns.contains(series.columns[i]), case .string(let text) = v {
                            tags.append((series.columns[i], text))
                        } else {
                            fields.append((series.columns[i], v))
                        }
                    }
                    tags.sort { $0.key < $1.key }
                    guard seen.insert([String(t)] + tags.flatMap { [$0.key, $0.value] }).inserted else {
                        throw InfluxQLQueryError(.unsupported, "subquery rows of one series sharing a time are not supported by Farad yet (GROUP BY the inner select's tags)")
                    }
                    if !fields.isEmpty { memory.write(database: db, retentionPolicy: rp, name, sortedTags: tags, fields: fields, time: t) }
                }
            }
        }
        guard memory.retentionPolicies(database: db) != nil else { return [] }
        var outer = select
        outer.sources = names.map { .measurement(database: db, retentionPolicy: rp, name: $0, regex: nil) }
        return try InfluxQLSelectRunner(storage: memory, now: now, limits: limits).run(outer, database: db, retentionPolicy: rp)
    }

    /// The columns of `inner` that read tags: unaliased references to a name no measurement it
    /// reads has as a field (or cast `::tag`).
    private func tagColumns(of inner: InfluxQLSelect, database: String?, retentionPolicy: String?) throws(InfluxQLQueryError) -> Set<String> {
        guard !inner.sources.contains(where: { if case .subquery = $0 { true } else { false } }) else { return [] }
        var fields = Set<String>()
        for ref in try InfluxQLSources.resolve(inner.sources, storage: storage, database: database, retentionPolicy: retentionPolicy) {
            for f in try storage.fields(of: ref) { fields.insert(f.name) }
        }
        var out = Set<String>()
        for f in inner.fields {
            // An aliased tag is no tag of the outer select (`region AS r` cannot be grouped by), as in InfluxDB.
            guard f.alias == nil, case .reference(let name, let type) = f.expr, type == .tag || (type == nil && !fields.contains(name)) else { continue }
            out.insert(name)
        }
        return out
    }
}
