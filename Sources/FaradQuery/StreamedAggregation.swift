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
        var folder = Folder(aggregator: aggregator, tagNames: tagNames, series: series.map(\.key), frame: frame)
        try store.scanBatches(series: series, start: frame.start, end: frame.end) { s, times, values in
            folder.add(series: s, times, values)
            return true
        }
        folder.close()
        var groups: [Grouping.Group] = []
        for (key, buckets) in folder.tables {
            var group = Grouping.Group(key: key)
            group.tags = folder.tags[key] ?? [:]
            for k in buckets.keys.sorted() {
                let b = buckets[k]!
                guard let value = reduced(b) else { continue }
                group.points.append(DataPoint(time: aggregator.bucketTime(k, first: b.first, origin: folder.origin, frame: frame), value: value))
            }
            groups.append(group)
        }
        groups.sort { $0.key < $1.key }
        return (groups, folder.sampleSize)
    }

    /// The buckets of every group, filled run by run.
    struct Folder {
        static let typeNames = ["number", "text", "complex"]
        let aggregator: Aggregator
        let tagNames: [String]
        let series: [SeriesKey]
        let frame: QueryFrame
        let origin: Int64
        var tables: [Grouping.Key: [Int64: Bucket]] = [:]
        var tags: [Grouping.Key: [String: Set<String>]] = [:]
        var sampleSize = 0
        /// The bucket being filled, `k` = [`lo`, `hi`), of `currentSeries` and `currentType` (an
        /// index in `typeNames`): a point inside its bounds skips the bucket's computation.
        var current: Bucket?
        var currentSeries = -1
        var currentType = 0
        var k: Int64 = 0
        var lo = Int64.max
        var hi = Int64.min
        /// The current series' group of each type it has shown (its tags join those groups),
        /// built once per series and type, not per bucket.
        var keys: [Grouping.Key?] = [nil, nil, nil]

        init(aggregator: Aggregator, tagNames: [String], series: [SeriesKey], frame: QueryFrame) {
            self.aggregator = aggregator
            self.tagNames = tagNames
            self.series = series
            self.frame = frame
            origin = aggregator.bucketOrigin(frame: frame)
        }

        func key(_ s: Int, _ type: Int) -> Grouping.Key {
            var key = Grouping.Key()
            key.tagValues = tagNames.map { series[s].tag($0) }
            key.type = Self.typeNames[type]
            return key
        }

        mutating func close() {
            guard let b = current else { return }
            tables[keys[currentType]!, default: [:]][k, default: Bucket(first: b.first)].merge(b)
            current = nil
        }

        mutating func add(series s: Int, _ times: ArraySlice<Int64>, _ values: ArraySlice<MetricValue>) {
            sampleSize += times.count
            if s != currentSeries {
                close()
                currentSeries = s
                keys = [nil, nil, nil]
            }
            for i in times.indices {
                let t = times[i]
                let v = values[i]
                let type = switch v {
                case .long, .double: 0
                case .string: 1
                case .complex: 2
                }
                if current != nil, type == currentType, t >= lo, t < hi {
                    current!.add(v)
                    continue
                }
                close()
                if keys[type] == nil {
                    let groupKey = key(s, type)
                    keys[type] = groupKey
                    for tag in series[s].tags { tags[groupKey, default: [:]][tag.key, default: []].insert(tag.value) }
                }
                k = aggregator.bucket(of: t, origin: origin, frame: frame)
                // Bucket k is [start of k, start of k + 1), calendar buckets too.
                lo = aggregator.sampling.add(k, to: origin, offset: frame.zoneOffset)
                hi = aggregator.sampling.add(k + 1, to: origin, offset: frame.zoneOffset)
                currentType = type
                var b = Bucket(first: t)
                b.add(v)
                current = b
            }
        }
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
