import FaradCore

/// The InfluxQL aggregates and selectors of TICKscript (`|mean('f')`, `|max('f')`, …) over one
/// batch, with InfluxQL's result types: `mean`, `median`, `stddev` are floats; `count` an int;
/// `sum`, `spread`, `min`, `max`, `first`, `last`, `mode` keep the field's type.
public enum InfluxQLFunction: String, Sendable, Hashable, CaseIterable {
    case count, sum, mean, median, mode, min, max, first, last, spread, stddev

    /// Selectors pick one point, whose time `.usePointTimes()` keeps.
    public var isSelector: Bool {
        switch self {
        case .min, .max, .first, .last: true
        default: false
        }
    }

    /// The aggregate of `field` over `points`, or `nil` when no point has the field.
    /// Returns the value and, for selectors, the selected point's time and index in `points`.
    public func apply(field: String, to points: [Point]) throws(LambdaError) -> (value: FieldValue, time: Int64?, index: Int?)? {
        switch self {
        case .count, .sum, .mean, .min, .max, .first, .last, .spread:
            var fold = Fold()
            for i in points.indices {
                if let v = points[i].field(field) { fold.add(v, at: i) }
            }
            return try fold.result(self, field: field, points)
        case .median, .mode, .stddev:
            return try collected(field: field, points).map { ($0, nil, nil) }
        }
    }

    /// The functions that need every value at once.
    private func collected(field: String, _ points: [Point]) throws(LambdaError) -> FieldValue? {
        var values: [FieldValue] = []
        values.reserveCapacity(points.count)
        for p in points {
            if let v = p.field(field) { values.append(v) }
        }
        guard let first = values.first else { return nil }
        if self == .mode {
            var counts: [FieldValue: Int] = [:]
            var best = first
            for v in values {
                counts[v, default: 0] += 1
                if counts[v]! > counts[best]! { best = v }
            }
            return best
        }
        var xs: [Double] = []
        xs.reserveCapacity(values.count)
        for v in values {
            guard let d = v.doubleValue else { throw LambdaError("\(rawValue)() needs a numeric field, \"\(field)\" is \(v)") }
            xs.append(d)
        }
        if self == .median {
            let sorted = xs.sorted()
            let mid = sorted.count / 2
            return .double(sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2)
        }
        guard xs.count > 1 else { return nil }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
        return .double(variance.squareRoot())
    }

    /// One pass over a batch for the functions that need no second look: count, sum, mean,
    /// min, max, first, last, spread. Ints stay ints for sum, min, max and spread when every
    /// value is an int; a mix is summed as floats, in order.
    private struct Fold {
        var count = 0
        var first = -1, last = -1
        var firstValue: FieldValue?, lastValue: FieldValue?
        var allInts = true
        var nonNumeric: FieldValue?
        var intSum: Int64 = 0, doubleSum = 0.0
        var intMin: Int64 = 0, intMax: Int64 = 0, intMinAt = -1, intMaxAt = -1
        var doubleMin = 0.0, doubleMax = 0.0, doubleMinAt = -1, doubleMaxAt = -1

        mutating func add(_ v: FieldValue, at i: Int) {
            count += 1
            if first < 0 {
                first = i
                firstValue = v
            }
            last = i
            lastValue = v
            let x: Double
            switch v {
            case .int(let n):
                intSum &+= n
                if intMinAt < 0 || n < intMin { (intMin, intMinAt) = (n, i) }
                if intMaxAt < 0 || intMax < n { (intMax, intMaxAt) = (n, i) }
                x = Double(n)
            case .double(let d):
                allInts = false
                x = d
            default:
                allInts = false
                if nonNumeric == nil { nonNumeric = v }
                return
            }
            doubleSum += x
            if doubleMinAt < 0 || x < doubleMin { (doubleMin, doubleMinAt) = (x, i) }
            if doubleMaxAt < 0 || doubleMax < x { (doubleMax, doubleMaxAt) = (x, i) }
        }

        func result(_ f: InfluxQLFunction, field: String, _ points: [Point]) throws(LambdaError) -> (value: FieldValue, time: Int64?, index: Int?)? {
            if f == .count { return (.int(Int64(count)), nil, nil) }
            guard count > 0, let firstValue, let lastValue else { return nil }
            switch f {
            case .first: return (firstValue, points[first].time, first)
            case .last: return (lastValue, points[last].time, last)
            default: break
            }
            if let nonNumeric { throw LambdaError("\(f.rawValue)() needs a numeric field, \"\(field)\" is \(nonNumeric)") }
            switch (f, allInts) {
            case (.sum, true): return (.int(intSum), nil, nil)
            case (.min, true): return (.int(intMin), points[intMinAt].time, intMinAt)
            case (.max, true): return (.int(intMax), points[intMaxAt].time, intMaxAt)
            case (.spread, true): return (.int(intMax &- intMin), nil, nil)
            case (.sum, false): return (.double(doubleSum), nil, nil)
            case (.mean, _): return (.double(doubleSum / Double(count)), nil, nil)
            case (.min, false): return (.double(doubleMin), points[doubleMinAt].time, doubleMinAt)
            case (.max, false): return (.double(doubleMax), points[doubleMaxAt].time, doubleMaxAt)
            case (.spread, false): return (.double(doubleMax - doubleMin), nil, nil)
            default: return nil
            }
        }
    }
}
