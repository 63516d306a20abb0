extension InfluxQLSelectRunner {
    /// A select of `top()` or `bottom()`: the field, the call's tags and the select's other
    /// fields read raw, each series' rows cut into the GROUP BY time buckets, each bucket's
    /// points chosen (``InfluxQLTopSelection/select(_:)``); LIMIT and OFFSET apply to the result.
    func runTop(_ select: InfluxQLSelect, _ top: InfluxQLTopSelection, database: String?, retentionPolicy: String?) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        var inner = select
        inner.fields = [InfluxQLSelect.Field(expr: .reference(top.field, type: nil), alias: nil)]
            + top.tags.map { InfluxQLSelect.Field(expr: .reference($0, type: nil), alias: nil) } + top.aux
        inner.dimensions = select.dimensions.filter { d in
            if case .call(let n, _) = d, n.lowercased() == "time" { return false }
            return true
        }
        inner.limit = nil
        inner.offset = nil
        inner.descending = false
        let time = try timeDimension(of: select)
        let skip = max(0, select.offset ?? 0)
        let take = select.limit.flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        var out: [InfluxQLResultSeries] = []
        for s in try run(inner, database: database, retentionPolicy: retentionPolicy) {
            for row in s.values {
                guard case .value(let v) = row[1] else { continue }
                switch v {
                case .string: throw InfluxQLQueryError(.invalid, "unsupported \(top.function) iterator type: *query.stringInterruptIterator")
                case .boolean: throw InfluxQLQueryError(.invalid, "unsupported \(top.function) iterator type: *query.booleanInterruptIterator")
                default: break
                }
                break
            }
            // Rows come in time order: a bucket is a run of rows.
            var buckets: [[[InfluxQLCell]]] = []
            var current: Int64?
            for row in s.values {
                guard case .time(let t) = row[0] else { continue }
                let b = try time.map { (interval, offset) throws(InfluxQLQueryError) in try Self.bucket(t, interval: interval, offset: offset) } ?? 0
                if b != current || buckets.isEmpty {
                    buckets.append([])
                    current = b
                }
                buckets[buckets.count - 1].append(row)
            }
            var rows: [[InfluxQLCell]] = []
            for bucket in select.descending ? buckets.reversed() : buckets { rows += top.select(bucket) }
            rows = Array(rows.dropFirst(skip).prefix(take))
            guard !rows.isEmpty else { continue }
            out.append(InfluxQLResultSeries(name: s.name, tags: s.tags, columns: ["time"] + top.names, values: rows))
        }
        return out
    }

    /// GROUP BY time's interval and offset, if the select has one.
    private func timeDimension(of select: InfluxQLSelect) throws(InfluxQLQueryError) -> (Int64, Int64)? {
        for d in select.dimensions {
            guard case .call(let n, let args) = d, n.lowercased() == "time", case .duration(let every)? = args.first, every > 0 else { continue }
            var offset: Int64 = 0
            if args.count == 2 {
                switch args[1] {
                case .duration(let o), .integer(let o): offset = o % every
                case .call(let f, let a) where f.lowercased() == "now" && a.isEmpty: offset = now % every
                default: throw InfluxQLQueryError(.invalid, "time dimension offset must be a duration or now()")
                }
                if offset < 0 { offset += every }
            }
            return (every, offset)
        }
        return nil
    }
}
