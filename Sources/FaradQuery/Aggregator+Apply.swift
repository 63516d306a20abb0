import FaradCore

/// A point flowing through the aggregator pipeline; `nil` is the `null` that `gaps` writes.
public struct DataPoint: Sendable, Equatable {
    public var time: Int64
    public var value: MetricValue?

    public init(time: Int64, value: MetricValue?) {
        self.time = time
        self.value = value
    }
}

/// A failure KairosDB reports with 500 (e.g. `rate` over two points with one timestamp).
public struct QueryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The query's time frame, which range aggregators bucket from.
struct QueryFrame {
    var start: Int64
    var end: Int64
    var zoneOffset: Int64
    var now: Int64
}

extension Aggregator {
    func apply(_ points: [DataPoint], frame: QueryFrame) throws(QueryFailure) -> [DataPoint] {
        if isRange { return range(points, frame: frame) }
        switch kind {
        case .rate, .sampler, .diff:
            var out: [DataPoint] = []
            out.reserveCapacity(points.count)
            var previous: (Int64, Double)?
            for p in points {
                guard let v = p.value?.number else { continue }
                if let (t0, v0) = previous {
                    let dt = Double(p.time - t0)
                    let unit = Double(rateUnit.milliseconds)
                    switch kind {
                    case .rate:
                        guard dt != 0 else {
                            throw QueryFailure(message: "Cannot compute a rate between two data points with the same timestamp (\(p.time)); precede rate with another aggregator")
                        }
                        out.append(DataPoint(time: p.time, value: .double((v - v0) / dt * unit)))
                    case .sampler:
                        guard dt != 0 else {
                            throw QueryFailure(message: "Cannot sample between two data points with the same timestamp (\(p.time)); precede sampler with another aggregator")
                        }
                        out.append(DataPoint(time: p.time, value: .double(v / dt * unit)))
                    default:
                        out.append(DataPoint(time: p.time, value: .double(v - v0)))
                    }
                }
                previous = (p.time, v)
            }
            return out
        case .div:
            return points.compactMap { p in p.value?.number.map { DataPoint(time: p.time, value: .double($0 / divisor)) } }
        case .scale:
            return points.compactMap { p in p.value?.number.map { DataPoint(time: p.time, value: .double($0 * factor)) } }
        case .sma:
            // The window is values[head...]: O(1) per point whatever `size` is.
            var values: [Double] = []
            var head = 0
            var sum = 0.0
            var out: [DataPoint] = []
            for p in points {
                guard let v = p.value?.number else { continue }
                values.append(v)
                sum += v
                if values.count - head > size {
                    sum -= values[head]
                    head += 1
                }
                out.append(DataPoint(time: p.time, value: .double(sum / Double(values.count - head))))
            }
            return out
        case .filter:
            return points.filter { !filterRemoves($0.value) }
        case .trim:
            var out = points
            if (trim == "first" || trim == "both") && !out.isEmpty { out.removeFirst() }
            if (trim == "last" || trim == "both") && !out.isEmpty { out.removeLast() }
            return out
        default:
            return points  // save_as: the executor writes the stream; it passes through
        }
    }

    /// `filter`: whether `v op threshold` holds (then the point goes). Points of another type
    /// than the threshold go too.
    private func filterRemoves(_ value: MetricValue?) -> Bool {
        guard let value else { return true }
        let ordering: Int
        if let t = threshold.doubleValue, case .number = threshold {
            guard let v = value.number else { return true }
            ordering = v < t ? -1 : (v > t ? 1 : 0)
        } else if let t = threshold.stringValue, let v = value.number, let tn = Double(t) {
            ordering = v < tn ? -1 : (v > tn ? 1 : 0)
        } else if let t = threshold.stringValue, case .string(let s) = value {
            ordering = s < t ? -1 : (s > t ? 1 : 0)
        } else {
            return true
        }
        switch filterOp {
        case "lt": return ordering < 0
        case "lte": return ordering <= 0
        case "gt": return ordering > 0
        case "gte": return ordering >= 0
        case "ne": return ordering != 0
        default: return ordering == 0
        }
    }

    // MARK: - Range aggregators

    /// Where bucket 0 starts.
    func bucketOrigin(frame: QueryFrame) -> Int64 {
        alignSampling ? Calendar.align(frame.start, unit: sampling.unit, offset: frame.zoneOffset) : frame.start
    }

    /// The time a range aggregator gives bucket `k` whose first point is at `first`.
    func bucketTime(_ k: Int64, first: Int64, origin: Int64, frame: QueryFrame) -> Int64 {
        alignStartTime
            ? sampling.add(k, to: origin, offset: frame.zoneOffset)
            : (alignEndTime ? sampling.add(k + 1, to: origin, offset: frame.zoneOffset) : first)
    }

    private func range(_ points: [DataPoint], frame: QueryFrame) -> [DataPoint] {
        let origin = bucketOrigin(frame: frame)
        var out: [DataPoint] = []
        if kind == .gaps { return gaps(points, origin: origin, frame: frame) }
        // One pass: each point's bucket is computed once; the bucket ends where the next begins.
        var i = 0
        var k = points.isEmpty ? 0 : bucket(of: points[0].time, origin: origin, frame: frame)
        while i < points.count {
            var j = i + 1
            var next = k
            while j < points.count {
                next = bucket(of: points[j].time, origin: origin, frame: frame)
                if next != k { break }
                j += 1
            }
            let slice = points[i..<j]
            let time = bucketTime(k, first: slice.first!.time, origin: origin, frame: frame)
            if let simple = simpleReduce(slice) {
                if let simple { out.append(DataPoint(time: time, value: simple)) }
            } else {
                out.append(contentsOf: reduce(slice, time: time))
            }
            i = j
            k = next
        }
        return out
    }

    /// `gaps`: the points as they are, and a `null` at the start of every empty bucket from the
    /// query start to min(end, now).
    private func gaps(_ points: [DataPoint], origin: Int64, frame: QueryFrame) -> [DataPoint] {
        let first = bucket(of: frame.start, origin: origin, frame: frame)
        let last = bucket(of: min(frame.end, frame.now), origin: origin, frame: frame)
        var out: [DataPoint] = []
        // QueryLimits bounds last − first before the query runs.
        var i = 0
        var k = first
        while k <= last {
            let before = i
            while i < points.count, bucket(of: points[i].time, origin: origin, frame: frame) <= k {
                out.append(points[i])
                i += 1
            }
            if i == before { out.append(DataPoint(time: sampling.add(k, to: origin, offset: frame.zoneOffset), value: nil)) }
            k += 1
        }
        out.append(contentsOf: points[i...])  // points after `now`
        return out
    }

    /// avg, sum, min, max and count without intermediate arrays; `nil` for the others, and
    /// `.some(nil)` for a bucket without numbers.
    private func simpleReduce(_ slice: ArraySlice<DataPoint>) -> MetricValue?? {
        switch kind {
        case .count: return .some(.long(Int64(slice.count)))
        case .avg, .sum, .min, .max: break
        default: return nil
        }
        var sum = 0.0
        var n = 0
        var lo = Double.infinity
        var hi = -Double.infinity
        for p in slice {
            guard let v = p.value?.number else { continue }
            sum += v
            n += 1
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        guard n > 0 else { return .some(nil) }
        switch kind {
        case .avg: return .some(.double(sum / Double(n)))
        case .sum: return .some(.double(sum))
        case .min: return .some(.double(lo))
        default: return .some(.double(hi))
        }
    }

    /// The index of the bucket holding `t`.
    ///
    /// Times and samplings are within ``QueryRequest/timeBound``, so the differences and
    /// products here do not overflow. Calendar buckets start from the count of calendar months
    /// (exact to within one bucket), so the correcting steps are at most two.
    func bucket(of t: Int64, origin: Int64, frame: QueryFrame) -> Int64 {
        if !sampling.unit.isCalendar {
            return Calendar.floorDiv(t - origin, sampling.value * sampling.unit.milliseconds)
        }
        let monthsPerBucket = sampling.unit == .years ? sampling.value * 12 : sampling.value
        var k = Calendar.floorDiv(Calendar.monthsBetween(origin, t, offset: frame.zoneOffset), monthsPerBucket)
        var steps = 0
        while steps < 4, sampling.add(k, to: origin, offset: frame.zoneOffset) > t { k -= 1; steps += 1 }
        while steps < 8, sampling.add(k + 1, to: origin, offset: frame.zoneOffset) <= t { k += 1; steps += 1 }
        return k
    }

    private func reduce(_ slice: ArraySlice<DataPoint>, time: Int64) -> [DataPoint] {
        switch kind {
        case .count:
            return [DataPoint(time: time, value: .long(Int64(slice.count)))]
        case .first:
            return [DataPoint(time: time, value: slice.first!.value)]
        case .last:
            return [DataPoint(time: time, value: slice.last!.value)]
        default: break
        }
        let values = slice.compactMap { $0.value?.number }
        guard !values.isEmpty else { return [] }
        switch kind {
        case .avg:
            return [DataPoint(time: time, value: .double(values.reduce(0, +) / Double(values.count)))]
        case .sum:
            return [DataPoint(time: time, value: .double(values.reduce(0, +)))]
        case .min:
            return [DataPoint(time: time, value: .double(values.min()!))]
        case .max:
            return [DataPoint(time: time, value: .double(values.max()!))]
        case .dev:
            var mean = 0.0
            var m2 = 0.0
            for (n, v) in values.enumerated() {
                let delta = v - mean
                mean += delta / Double(n + 1)
                m2 += delta * (v - mean)
            }
            let sd = values.count > 1 ? (m2 / Double(values.count - 1)).squareRoot() : 0
            let result: Double = switch returnType {
            case "pos_sd": mean + devCount * sd
            case "neg_sd": mean - devCount * sd
            default: sd
            }
            return [DataPoint(time: time, value: .double(result))]
        case .percentile:
            let sorted = values.sorted()
            let pos = percentile * Double(sorted.count + 1)
            let result: Double
            if !(pos >= 1) {  // also NaN
                result = sorted[0]
            } else if pos >= Double(sorted.count) {
                result = sorted[sorted.count - 1]
            } else {
                let lower = sorted[Int(pos) - 1]
                let upper = sorted[Int(pos)]
                result = lower + (pos - pos.rounded(.down)) * (upper - lower)
            }
            return [DataPoint(time: time, value: .double(result))]
        case .leastSquares:
            // Times relative to the first point keep the sums well conditioned.
            let t0 = slice.first!.time
            let t1 = slice.last!.time
            let numeric = slice.compactMap { p in p.value?.number.map { (Double(p.time - t0), $0) } }
            guard numeric.count > 1 else { return [DataPoint(time: slice.first!.time, value: .double(numeric[0].1))] }
            let n = Double(numeric.count)
            let sx = numeric.reduce(0) { $0 + $1.0 }
            let sy = numeric.reduce(0) { $0 + $1.1 }
            let sxx = numeric.reduce(0) { $0 + $1.0 * $1.0 }
            let sxy = numeric.reduce(0) { $0 + $1.0 * $1.1 }
            let denominator = n * sxx - sx * sx
            let slope = denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator
            let intercept = (sy - slope * sx) / n
            return [
                DataPoint(time: t0, value: .double(intercept)),
                DataPoint(time: t1, value: .double(intercept + slope * Double(t1 - t0))),
            ]
        default:
            return []
        }
    }
}
