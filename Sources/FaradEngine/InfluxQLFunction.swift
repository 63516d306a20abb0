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
    /// Returns the value and, for selectors, the selected point's time.
    public func apply(field: String, to points: [Point]) throws(LambdaError) -> (value: FieldValue, time: Int64?)? {
        var values: [(value: FieldValue, time: Int64)] = []
        values.reserveCapacity(points.count)
        for p in points {
            if let v = p.field(field) { values.append((v, p.time)) }
        }
        if self == .count { return (.int(Int64(values.count)), nil) }
        guard let firstValue = values.first else { return nil }
        switch self {
        case .first: return (firstValue.value, firstValue.time)
        case .last: return (values.last!.value, values.last!.time)
        case .mode:
            var counts: [FieldValue: Int] = [:]
            var best = firstValue.value
            for (v, _) in values {
                counts[v, default: 0] += 1
                if counts[v]! > counts[best]! { best = v }
            }
            return (best, nil)
        default:
            break
        }
        // Numeric from here on.
        if case .int = firstValue.value, values.allSatisfy({ if case .int = $0.value { true } else { false } }) {
            let ints = values.map { v -> (Int64, Int64) in if case .int(let x) = v.value { (x, v.time) } else { (0, v.time) } }
            switch self {
            case .sum: return (.int(ints.reduce(0) { $0 &+ $1.0 }), nil)
            case .min:
                let m = ints.min { $0.0 < $1.0 }!
                return (.int(m.0), m.1)
            case .max:
                let m = ints.max { $0.0 < $1.0 }!
                return (.int(m.0), m.1)
            case .spread: return (.int(ints.map(\.0).max()! - ints.map(\.0).min()!), nil)
            default: break
            }
        }
        var doubles: [(Double, Int64)] = []
        doubles.reserveCapacity(values.count)
        for (v, t) in values {
            guard let d = v.doubleValue else { throw LambdaError("\(rawValue)() needs a numeric field, \"\(field)\" is \(v)") }
            doubles.append((d, t))
        }
        let xs = doubles.map(\.0)
        switch self {
        case .sum: return (.double(xs.reduce(0, +)), nil)
        case .mean: return (.double(xs.reduce(0, +) / Double(xs.count)), nil)
        case .min:
            let m = doubles.min { $0.0 < $1.0 }!
            return (.double(m.0), m.1)
        case .max:
            let m = doubles.max { $0.0 < $1.0 }!
            return (.double(m.0), m.1)
        case .spread: return (.double(xs.max()! - xs.min()!), nil)
        case .median:
            let sorted = xs.sorted()
            let mid = sorted.count / 2
            return (.double(sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2), nil)
        case .stddev:
            guard xs.count > 1 else { return nil }
            let mean = xs.reduce(0, +) / Double(xs.count)
            let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
            return (.double(variance.squareRoot()), nil)
        default:
            return nil
        }
    }
}
