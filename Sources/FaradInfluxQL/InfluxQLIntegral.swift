/// `integral(field[, unit])`: the area under a group's points by the trapezium rule, in `unit`s
/// (1 s by default), as InfluxDB 1.6's integral reducers compute it — including their quirks,
/// so that answers agree: points at one time keep the last; under GROUP BY time the area up to
/// a bucket's end is interpolated into it and the next bucket starts from that end (skipping
/// empty buckets) from the interpolated value — the float reducer's way; the integer one pairs
/// the last point's value with the interpolated one; a bucket whose only point is at its start
/// has no value, and no bucket is filled.
enum InfluxQLIntegral {
    /// Each bucket's integral, by the bucket's start (0 without GROUP BY time). `values` in time
    /// order; `bucket(t)`: the start of `t`'s bucket (nil: no GROUP BY time) of length `interval`.
    static func integrate(_ times: [Int64], _ values: [InfluxQLValue], unit: Double, bucket: ((Int64) -> Int64)?, interval: Int64) -> [Int64: Double] {
        var out: [Int64: Double] = [:]
        var previous: (time: Int64, value: Double)?
        var start: Int64 = 0
        var end: Int64 = .max
        var sum = 0.0
        let integers = values.allSatisfy { if case .integer = $0 { true } else { false } }
        for (t, v) in zip(times, values) {
            guard let x = v.number else { continue }
            guard let prev = previous else {
                previous = (t, x)
                if let bucket {
                    start = bucket(t)
                    let (e, overflow) = start.addingReportingOverflow(interval)
                    end = overflow ? .max : e
                }
                continue
            }
            if prev.time == t {
                previous = (t, x)
                continue
            }
            var value = x
            var from = prev
            if bucket != nil && t >= end {
                if from.time != end {
                    // The line from the previous point to this one, at the bucket's end.
                    let interpolated = (x - from.value) / Double(t &- from.time) * Double(end &- from.time) + from.value
                    sum += 0.5 * (interpolated + from.value) * (Double(end &- from.time) / unit)
                    from.time = end
                    // The float reducer starts the next bucket from the interpolated value;
                    // the integer one from the last point's, but with the interpolated value
                    // standing in for the next point's.
                    if integers { value = interpolated } else { from.value = interpolated }
                }
                out[start] = sum
                start = bucket!(t)
                let (e, overflow) = start.addingReportingOverflow(interval)
                end = overflow ? .max : e
                sum = 0
            }
            sum += 0.5 * (value + from.value) * (Double(t &- from.time) / unit)
            previous = (t, x)
        }
        if let prev = previous, prev.time != start { out[start] = sum }
        return out
    }
}
