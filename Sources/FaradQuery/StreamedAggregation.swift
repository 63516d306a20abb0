import FaradCore
import FaradStore

/// A metric query whose first aggregator reduces each bucket to one number (`count`, `sum`,
/// `avg`, `min`, `max`) and whose groups are whole series (no `group_by` or only by tag): its
/// points are folded into per-bucket sums while the store scans them, so memory grows with the
/// buckets, never with the points (a count over 10M points holds one bucket).
///
/// The result is what ``Aggregator/apply(_:frame:)`` gives on the merged points, with one
/// difference: where several series share a bucket, their sums are added series by series, not
/// point by point in time order, so a `sum` or `avg` of doubles may differ in the last bits.
struct StreamedAggregation {
    let aggregator: Aggregator
    let tagNames: [String]

    /// The plan for `metric` over `series`, or `nil` when the query needs every point in memory.
    init?(_ metric: MetricQuery, series: [SeriesEntry]) {
        guard metric.limit == nil, let first = metric.aggregators.first else { return nil }
        switch first.kind {
        case .count, .sum, .avg, .min, .max: break
        default: return nil
        }
        var names: [String] = []
        for g in metric.groupBy {
            guard case .tag(let t) = g else { return nil }
            names += t
        }
        // An aggregator of numbers passes other data through as it is: those points are needed.
        if first.needsNumbers {
            let numbers: ValueTypes = [.long, .double]
            guard series.allSatisfy({ !$0.types.isEmpty && numbers.isSuperset(of: $0.types) }) else { return nil }
        }
        aggregator = first
        tagNames = names
    }

    /// One bucket's sums.
    struct Bucket {
        var first: Int64
        var count: Int64 = 0
        var numbers = 0
        var sum = 0.0
        var lo = Double.infinity
        var hi = -Double.infinity

        init(first: Int64) { self.first = first }

        @inline(__always)
        mutating func add(_ value: MetricValue) {
            count &+= 1
            guard let v = value.number else { return }
            numbers += 1
            sum += v
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }

        mutating func merge(_ other: Bucket) {
            first = Swift.min(first, other.first)
            count &+= other.count
            numbers += other.numbers
            sum += other.sum
            lo = Swift.min(lo, other.lo)
            hi = Swift.max(hi, other.hi)
        }
    }

    /// Scans the series and returns the groups with the first aggregator applied, and the points
    /// read (`sample_size`).
    func run(store: FaradStore, series: [SeriesEntry], frame: QueryFrame) throws(StoreError) -> (groups: [Grouping.Group], sampleSize: Int) {
        let origin = aggregator.bucketOrigin(frame: frame)
        // A fixed-width bucket is known by its bounds, so most points skip the division.
        let width: Int64? = aggregator.sampling.unit.isCalendar ? nil : aggregator.sampling.value * aggregator.sampling.unit.milliseconds
        let seriesKeys = series.map(\.key)
        let typeNames = ["number", "text", "complex"]
        var tables: [Grouping.Key: [Int64: Bucket]] = [:]
        var tags: [Grouping.Key: [String: Set<String>]] = [:]
        var sampleSize = 0
        // The bucket being filled, for the series being scanned (type: an index in `typeNames`).
        var current: (series: Int, type: Int, k: Int64, lo: Int64, hi: Int64, bucket: Bucket)?
        var touched: [Bool] = [false, false, false]
        var lastSeries = -1
        func key(_ s: Int, _ type: Int) -> Grouping.Key {
            var key = Grouping.Key()
            key.tagValues = tagNames.map { seriesKeys[s].tag($0) }
            key.type = typeNames[type]
            return key
        }
        func close() {
            guard let c = current else { return }
            tables[key(c.series, c.type), default: [:]][c.k, default: Bucket(first: c.bucket.first)].merge(c.bucket)
            current = nil
        }
        try store.scan(series: series, start: frame.start, end: frame.end) { s, t, v in
            sampleSize += 1
            let type = switch v {
            case .long, .double: 0
            case .string: 1
            case .complex: 2
            }
            if current != nil, s == lastSeries, current!.type == type, t >= current!.lo, t < current!.hi {
                current!.bucket.add(v)
                return true
            }
            close()
            if s != lastSeries {
                touched = [false, false, false]
                lastSeries = s
            }
            if !touched[type] {
                touched[type] = true
                let k = key(s, type)
                for tag in seriesKeys[s].tags { tags[k, default: [:]][tag.key, default: []].insert(tag.value) }
            }
            let k = aggregator.bucket(of: t, origin: origin, frame: frame)
            var lo = Int64.max
            var hi = Int64.min
            if let width {
                // Within the bounds `QueryRequest` enforces on times and samplings.
                lo = origin &+ k &* width
                hi = lo &+ width
            }
            var bucket = Bucket(first: t)
            bucket.add(v)
            current = (s, type, k, lo, hi, bucket)
            return true
        }
        close()
        var groups: [Grouping.Group] = []
        for (key, buckets) in tables {
            var group = Grouping.Group(key: key)
            group.tags = tags[key] ?? [:]
            for k in buckets.keys.sorted() {
                let b = buckets[k]!
                guard let value = reduced(b) else { continue }
                group.points.append(DataPoint(time: aggregator.bucketTime(k, first: b.first, origin: origin, frame: frame), value: value))
            }
            groups.append(group)
        }
        groups.sort { $0.key < $1.key }
        return (groups, sampleSize)
    }

    /// The bucket's value, as ``Aggregator``'s simple reduce gives it; `nil` for a bucket without
    /// numbers (no point).
    private func reduced(_ b: Bucket) -> MetricValue? {
        if aggregator.kind == .count { return .long(b.count) }
        guard b.numbers > 0 else { return nil }
        switch aggregator.kind {
        case .avg: return .double(b.sum / Double(b.numbers))
        case .sum: return .double(b.sum)
        case .min: return .double(b.lo)
        default: return .double(b.hi)
        }
    }
}
