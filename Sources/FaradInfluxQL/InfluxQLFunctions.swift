/// InfluxQL's aggregates and selectors over the points of one bucket, as InfluxDB 1.x computes
/// them (types kept where InfluxDB keeps them: `sum` of integers is an integer, `mean` a float).
enum InfluxQLFunction: String, Sendable, CaseIterable {
    case count, sum, mean, median, mode, spread, stddev, first, last, min, max, percentile, distinct, integral

    /// Selectors answer one point, whose time a query without GROUP BY time reports.
    var isSelector: Bool {
        switch self {
        case .first, .last, .min, .max, .percentile: true
        default: false
        }
    }

    /// Whether InfluxDB reduces this function's points series by series (else in time order).
    var readsSeriesBySeries: Bool {
        switch self {
        case .sum, .mean, .mode: true
        default: false
        }
    }

    /// The arguments after the field (percentile's N).
    var extraArguments: Int { self == .percentile ? 1 : 0 }

    /// Whether the function reads values of `type` (`*` expands to the fields it reads).
    func accepts(_ type: InfluxFieldType) -> Bool {
        switch self {
        case .count, .first, .last, .distinct, .mode: true
        case .min, .max: type != .string
        case .sum, .mean, .median, .spread, .stddev, .percentile, .integral: type == .float || type == .integer
        }
    }

    /// InfluxDB's refusal of `type`, e.g. `unsupported mean iterator type: *query.stringInterruptIterator`.
    func refusal(_ type: InfluxFieldType) -> InfluxQLQueryError {
        InfluxQLQueryError(.invalid, "unsupported \(rawValue) iterator type: *query.\(type.rawValue)InterruptIterator")
    }

    /// The result of the function over `values` (with their `times`, and `series` the series
    /// of each point: series by series when ``readsSeriesBySeries``, else by time); for selectors also the
    /// position of the selected point. `nil`: no value (no points, or too few).
    ///
    /// Sums and means are taken per series first and then combined, and a standard deviation
    /// uses a running mean, as InfluxDB computes them (so that even the last bits agree).
    func apply(_ times: ArraySlice<Int64>, _ values: ArraySlice<InfluxQLValue>, series: ArraySlice<Int32>, argument: Double) -> (value: InfluxQLValue, index: Int?)? {
        // An empty bucket has no value, not even a count: fill decides (count's null fill is 0).
        guard !values.isEmpty else { return nil }
        switch self {
        case .count:
            return (.integer(Int64(values.count)), nil)
        case .sum:
            if Self.allIntegers(values) {
                var s: Int64 = 0
                for case .integer(let v) in values { s = s &+ v }
                return (.integer(s), nil)
            }
            var total = 0.0
            Self.perSeries(values, series) { sum, _ in total += sum }
            return (.float(total), nil)
        case .mean:
            // Each series' mean (its sum ÷ its count), weighted back by its count.
            var total = 0.0
            var count = 0
            Self.perSeries(values, series) { sum, n in
                let mean = sum / Double(n)
                total += n >= 2 ? mean * Double(n) : mean
                count += n
            }
            return (.float(total / Double(count)), nil)
        case .median:
            let sorted = values.compactMap(\.number).sorted()
            guard !sorted.isEmpty else { return nil }
            let mid = sorted.count / 2
            return (.float(sorted.count % 2 == 1 ? sorted[mid] : sorted[mid - 1] + (sorted[mid] - sorted[mid - 1]) / 2), nil)
        case .mode:
            return Self.mode(times, values).map { ($0, nil) }
        case .spread:
            if Self.allIntegers(values) {
                var lo = Int64.max, hi = Int64.min
                for case .integer(let v) in values {
                    lo = Swift.min(lo, v)
                    hi = Swift.max(hi, v)
                }
                return (.integer(hi &- lo), nil)
            }
            let numbers = values.compactMap(\.number)
            return (.float((numbers.max() ?? 0) - (numbers.min() ?? 0)), nil)
        case .stddev:
            let numbers = values.compactMap(\.number)
            guard numbers.count > 1 else { return nil }
            var mean = 0.0
            for (k, x) in numbers.enumerated() { mean += (x - mean) / Double(k + 1) }
            var variance = 0.0
            for x in numbers { variance += (x - mean) * (x - mean) }
            return (.float((variance / Double(numbers.count - 1)).squareRoot()), nil)
        case .first, .last:
            // Of points sharing the first (last) time, the greatest value, as InfluxDB picks.
            let edge = self == .first ? times.min()! : times.max()!
            var best: Int?
            for i in values.indices where times[i] == edge {
                if let b = best, !Self.before(values[i], values[b], max: true) { continue }
                best = i
            }
            return (values[best!], best!)
        case .min, .max:
            // Of equal values, the earliest point (then the first read), as InfluxDB's reducer keeps.
            var best = values.startIndex
            for i in values.indices {
                if Self.before(values[i], values[best], max: self == .max)
                    || (times[i] < times[best] && !Self.before(values[best], values[i], max: self == .max)) {
                    best = i
                }
            }
            return (values[best], best)
        case .percentile:
            let order = values.indices.sorted { a, b in
                let x = values[a].number ?? 0, y = values[b].number ?? 0
                return x < y || (x == y && a < b)
            }
            // Beyond 0…100 there is no such point (and the position would not fit an Int).
            guard argument.isFinite, argument >= 0, argument <= 100 else { return nil }
            let position = Int((Double(order.count) * argument / 100 + 0.5).rounded(.down)) - 1
            guard position >= 0, position < order.count else { return nil }
            return (values[order[position]], order[position])
        case .distinct:
            return nil  // answered row by row by the select runner
        case .integral:
            return nil  // spans buckets: ``InfluxQLIntegral``, run by the select runner
        }
    }

    /// Calls `body` with the float sum and the count of each series' run of points, in order.
    private static func perSeries(_ values: ArraySlice<InfluxQLValue>, _ series: ArraySlice<Int32>, _ body: (Double, Int) -> Void) {
        var sum = 0.0
        var n = 0
        var current = series.first
        for (v, s) in zip(values, series) {
            if s != current {
                if n > 0 { body(sum, n) }
                sum = 0
                n = 0
                current = s
            }
            sum += v.number ?? 0
            n += 1
        }
        if n > 0 { body(sum, n) }
    }

    private static func allIntegers(_ values: ArraySlice<InfluxQLValue>) -> Bool {
        for v in values { if case .integer = v {} else { return false } }
        return true
    }

    /// Whether `a` is strictly better than `b` for min (`max: false`) or max.
    private static func before(_ a: InfluxQLValue, _ b: InfluxQLValue, max: Bool) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return max ? x > y : x < y
        case (.boolean(let x), .boolean(let y)): return max ? (x && !y) : (!x && y)
        default:
            guard let x = a.number, let y = b.number else { return false }
            return max ? x > y : x < y
        }
    }

    /// The most frequent value, with InfluxDB's choice among equally frequent ones: its reducer
    /// walks the points sorted (stably) by value and lets a later value of the same count win
    /// unless that value first occurs after the last point of the one held.
    private static func mode(_ times: ArraySlice<Int64>, _ values: ArraySlice<InfluxQLValue>) -> InfluxQLValue? {
        guard !values.isEmpty else { return nil }
        let order = values.indices.sorted { a, b in
            values[a] == values[b] ? a < b : InfluxQLFunction.less(values[a], values[b])
        }
        var held = values[order[0]]
        var heldCount = 0, count = 0
        var current = held
        var heldTime = times[order[0]], currentTime = heldTime
        for i in order {
            let v = values[i]
            if v != current {
                count = 1
                current = v
                currentTime = times[i]
                continue
            }
            count += 1
            if heldCount > count || (heldCount == count && currentTime > heldTime) { continue }
            heldCount = count
            held = v
            heldTime = times[i]
        }
        return held
    }

    /// An order of values of one type (numbers by value, strings by bytes, false before true).
    static func less(_ a: InfluxQLValue, _ b: InfluxQLValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y
        case (.string(let x), .string(let y)): return x < y
        case (.boolean(let x), .boolean(let y)): return !x && y
        default: return (a.number ?? 0) < (b.number ?? 0)
        }
    }
}
