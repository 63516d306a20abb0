extension InfluxQLSelectRunner {
    /// One call's result in one bucket: its value and, for a selector, the selected row.
    private typealias Result = (value: InfluxQLValue, row: Int?)?

    /// Aggregate rows of a group: one per time bucket (one in all without GROUP BY time), each
    /// call computed over its field's points in the bucket, then filled as `fill` says.
    func aggregate(_ g: Group, plan: InfluxQLSelectPlan, select: InfluxQLSelect, start: Int64, end: Int64, hasStart: Bool, evaluator: InfluxQLEvaluator) throws(InfluxQLQueryError) -> [[InfluxQLCell]] {
        let buckets = try bucketStarts(plan: plan, start: start, end: end)
        let rows = g.rows
        var results: [[Result]] = []
        var distinctValues: [[InfluxQLValue]] = []
        for call in plan.calls {
            var times: [Int64] = []
            var values: [InfluxQLValue] = []
            var rowOf: [Int] = []
            var seriesOf: [Int32] = []
            if let slot = plan.fields.firstIndex(of: call.field) {
                for i in 0..<rows.count {
                    if let v = rows.columns[slot][i] {
                        times.append(rows.times[i])
                        values.append(v)
                        rowOf.append(i)
                        seriesOf.append(rows.series[i])
                    }
                }
            }
            var column: [Result] = []
            column.reserveCapacity(buckets.count)
            if call.function == .integral {
                let window = plan.interval.map { interval in
                    { (t: Int64) -> Int64 in (try? Self.bucket(t, interval: interval, offset: plan.offset)) ?? t }
                }
                let sums = InfluxQLIntegral.integrate(times, values, unit: call.argument, bucket: window, interval: plan.interval ?? 0)
                for b in buckets { column.append(sums[plan.interval == nil ? 0 : b].map { (.float($0), nil) }) }
                results.append(column)
                continue
            }
            var p = 0
            for b in buckets {
                let lo = p
                let bucketEnd = plan.interval.map { b.addingReportingOverflow($0) }.map { $0.overflow ? Int64.max : $0.partialValue } ?? Int64.max
                while p < times.count && times[p] < bucketEnd { p += 1 }
                // InfluxDB sums, averages and counts modes series by series; the others by time.
                if call.function.readsSeriesBySeries && g.series.count > 1 && p - lo > 1 {
                    Self.seriesMajor(lo..<p, &times, &values, &rowOf, &seriesOf)
                }
                if call.function == .distinct {
                    // In the order first seen, as InfluxDB lists them.
                    var seen = Set<InfluxQLValue>()
                    distinctValues.append(values[lo..<p].filter { seen.insert($0).inserted })
                    column.append(nil)
                } else if call.ofDistinct {
                    column.append(lo == p ? nil : (.integer(Int64(Set(values[lo..<p]).count)), nil))
                } else if let r = call.function.apply(times[lo..<p], values[lo..<p], series: seriesOf[lo..<p], argument: call.argument) {
                    column.append((r.value, r.index.map { rowOf[$0] }))
                } else {
                    column.append(nil)
                }
            }
            if plan.interval != nil {
                // Filled in the order the rows go out: previous and linear run backwards under DESC.
                if select.descending {
                    column.reverse()
                    fill(&column, buckets: buckets.reversed(), fill: select.fill, isCount: call.function == .count)
                    column.reverse()
                } else {
                    fill(&column, buckets: buckets, fill: select.fill, isCount: call.function == .count)
                }
            }
            results.append(column)
        }
        if plan.isDistinct {
            return zip(buckets, distinctValues).flatMap { b, values in
                values.map { [.time(plan.interval != nil || hasStart ? b : 0), .value($0)] as [InfluxQLCell] }
            }
        }
        let context = RowLookup(rows, g, plan)
        let selectorTime = plan.interval == nil && plan.calls.count == 1 && plan.calls[0].function.isSelector
        // InfluxDB fills no integral bucket, and without GROUP BY time reports an integral at 0.
        let onlyIntegrals = plan.calls.allSatisfy { $0.function == .integral }
        var out: [[InfluxQLCell]] = []
        for (b, bucket) in buckets.enumerated() {
            let empty = results.allSatisfy { $0[b] == nil }
            if empty && (plan.interval == nil || select.fill == .none || onlyIntegrals) { continue }
            var time = plan.interval != nil || (hasStart && !onlyIntegrals) ? bucket : 0
            let selected = selectorTime ? results[0][b]?.row : (plan.calls.count == 1 ? results[0][b]?.row : nil)
            if selectorTime, let r = selected { time = rows.times[r] }
            let rowLookup = selected.map { context.at($0) }
            var row: [InfluxQLCell] = [.time(time)]
            for e in plan.exprs {
                let v = evaluator.value(e) { name, type in
                    if name.hasPrefix("\u{0}"), let n = Int(name.dropFirst()) { return results[n][b]?.value }
                    return rowLookup?(name, type)
                }
                row.append(v.map(InfluxQLCell.value) ?? .null)
            }
            out.append(row)
        }
        return out
    }

    /// Reorders one bucket's points series by series (each still by time): InfluxDB reduces a
    /// bucket's points in that order, which decides sums' last bits and ties.
    private static func seriesMajor(_ range: Range<Int>, _ times: inout [Int64], _ values: inout [InfluxQLValue], _ rowOf: inout [Int], _ series: inout [Int32]) {
        var sorted = true
        for k in range.dropFirst() where series[k] < series[k - 1] { sorted = false; break }
        if sorted { return }
        let order = range.sorted { a, b in series[a] != series[b] ? series[a] < series[b] : a < b }
        let t = order.map { times[$0] }, v = order.map { values[$0] }, r = order.map { rowOf[$0] }, s = order.map { series[$0] }
        times.replaceSubrange(range, with: t)
        values.replaceSubrange(range, with: v)
        rowOf.replaceSubrange(range, with: r)
        series.replaceSubrange(range, with: s)
    }

    /// The starts of the time buckets from `start` to `end` (one, at `start`, without GROUP BY time).
    private func bucketStarts(plan: InfluxQLSelectPlan, start: Int64, end: Int64) throws(InfluxQLQueryError) -> [Int64] {
        guard let interval = plan.interval else { return [start] }
        let first = try Self.bucket(start, interval: interval, offset: plan.offset)
        let last = try Self.bucket(end, interval: interval, offset: plan.offset)
        let (span, overflow) = last.subtractingReportingOverflow(first)
        let count = overflow ? Int64.max : span / interval + 1
        guard count <= Int64(limits.maxBuckets) else {
            throw InfluxQLQueryError(.limit, "max-select-buckets limit exceeded: (\(count)/\(limits.maxBuckets))")
        }
        return (0..<Int(max(count, 0))).map { first + Int64($0) * interval }
    }

    /// The start of the bucket holding `t`: buckets are aligned to the epoch plus `offset`.
    static func bucket(_ t: Int64, interval: Int64, offset: Int64) throws(InfluxQLQueryError) -> Int64 {
        let (shifted, overflow) = t.subtractingReportingOverflow(offset)
        guard !overflow else { throw InfluxQLQueryError(.invalid, "time \(t) is out of range") }
        let (q, r) = shifted.quotientAndRemainder(dividingBy: interval)
        let (base, o1) = (r < 0 ? q - 1 : q).multipliedReportingOverflow(by: interval)
        let (b, o2) = base.addingReportingOverflow(offset)
        guard !o1, !o2 else { throw InfluxQLQueryError(.invalid, "time \(t) is out of range") }
        return b
    }

    /// Fills the empty buckets of one call's column: null (a count's is 0), a number, the
    /// previous value, or the line between the neighbours (never before the first value).
    private func fill(_ column: inout [Result], buckets: [Int64], fill: InfluxQLSelect.Fill, isCount: Bool) {
        let integers = column.contains { if case .integer? = $0?.value { true } else { false } } || isCount
        switch fill {
        case .none:
            return
        case .null:
            guard isCount else { return }
            for i in column.indices where column[i] == nil { column[i] = (.integer(0), nil) }
        case .integer(let n):
            for i in column.indices where column[i] == nil { column[i] = (integers ? .integer(n) : .float(Double(n)), nil) }
        case .number(let d):
            for i in column.indices where column[i] == nil {
                column[i] = (integers && d.isFinite && abs(d) < 9.2e18 ? .integer(Int64(d)) : .float(d), nil)
            }
        case .previous:
            var last: InfluxQLValue?
            for i in column.indices {
                if let v = column[i]?.value { last = v } else if let last { column[i] = (last, nil) }
            }
        case .linear:
            var previous: Int?
            for i in column.indices where column[i] != nil {
                if let p = previous, i > p + 1, let a = column[p]?.value, let b = column[i]?.value {
                    for k in (p + 1)..<i {
                        column[k] = (Self.between(a, b, at: buckets[k], from: buckets[p], to: buckets[i]), nil)
                    }
                }
                previous = i
            }
        }
    }

    /// The value on the line from `a` (at `t0`) to `b` (at `t1`) at `t`, computed as InfluxDB
    /// does (slope × distance + start, in doubles); integers are truncated back to integers.
    private static func between(_ a: InfluxQLValue, _ b: InfluxQLValue, at t: Int64, from t0: Int64, to t1: Int64) -> InfluxQLValue {
        let x = a.number ?? 0, y = b.number ?? 0
        // Differences of times in integers first (doubles of nanosecond times lose their last bits).
        let span = t1.subtractingReportingOverflow(t0), into = t.subtractingReportingOverflow(t0)
        let length = span.overflow ? Double(t1) - Double(t0) : Double(span.partialValue)
        let distance = into.overflow ? Double(t) - Double(t0) : Double(into.partialValue)
        if case .integer = a, case .integer = b {
            let v = (y - x) / length * distance + x
            if v.isFinite, abs(v) < 9.2e18 { return .integer(Int64(v)) }
        }
        return .float(x + (y - x) * (distance / length))
    }
}
