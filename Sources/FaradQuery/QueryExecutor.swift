import FaradCore
import FaradStore

/// Runs KairosDB queries against the store and renders KairosDB 1.3's JSON.
///
/// Without `group_by` every matching series of a metric is merged into one result per data
/// type (`number`, `text`, `complex`), interleaved by time; `tags` lists the union of the
/// values seen. A metric without data gives `{"name":…,"tags":{},"values":[]}` (1.3.0's shape).
/// Doubles that are whole numbers are written without `.0`; NaN and infinities as `null`
/// (where KairosDB fails the whole query with 500).
public struct QueryExecutor: Sendable {
    public let store: FaradStore
    /// Reads every point of the range for every query (tests compare the streamed and pushed-down
    /// reads against it).
    var readsEveryPoint = false

    public init(store: FaradStore) {
        self.store = store
    }

    /// `POST /api/v1/datapoints/query`.
    public func query(_ request: QueryRequest, now: Int64) async throws(QueryFailure) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.raw("{\"queries\":[")
        for (i, metric) in request.metrics.enumerated() {
            if i > 0 { w.raw(",") }
            let frame = QueryFrame(start: request.start, end: request.end, zoneOffset: request.zoneOffset, now: now)
            let (gathered, sampleSize, applied) = try gather(metric, request, frame: frame)
            var groups = gathered
            for g in groups.indices {
                var points = groups[g].points
                if metric.descending { points.reverse() }
                if let limit = metric.limit, points.count > limit { points.removeLast(points.count - limit) }
                for aggregator in metric.aggregators.dropFirst(applied) {
                    if aggregator.needsNumbers && groups[g].type != "number" { continue }
                    points = try aggregator.apply(points, frame: frame)
                    if let saveAs = aggregator.saveAs {
                        try await save(points, as: saveAs, group: groups[g], source: metric.name)
                    }
                }
                groups[g].points = points
            }
            w.raw("{\"sample_size\":")
            w.int(Int64(sampleSize))
            w.raw(",\"results\":[")
            if groups.isEmpty {
                writeEmpty(metric, into: &w)
            }
            for (g, group) in groups.enumerated() {
                if g > 0 { w.raw(",") }
                w.raw("{\"name\":")
                w.string(metric.name)
                if let alias = metric.alias {
                    w.raw(",\"alias\":")
                    w.string(alias)
                }
                w.raw(",\"group_by\":[")
                Grouping.writeGroupBy(group, groupers: metric.groupBy, into: &w)
                w.raw("]")
                if !metric.excludeTags {
                    w.raw(",\"tags\":")
                    writeTags(group.tags, into: &w)
                }
                w.raw(",\"values\":[")
                for (k, p) in group.points.enumerated() {
                    if k > 0 { w.raw(",") }
                    w.raw("[")
                    w.int(p.time)
                    w.raw(",")
                    Self.writeValue(p.value, into: &w)
                    w.raw("]")
                }
                w.raw("]}")
            }
            w.raw("]}")
        }
        w.raw("]}")
        return w.bytes
    }

    /// `POST /api/v1/datapoints/query/tags`: one result per metric with the tags of the
    /// matching series that have points in the range.
    public func tags(_ request: QueryRequest) throws(QueryFailure) -> [UInt8] {
        var w = JSONWriter(capacity: 1024)
        w.raw("{\"queries\":[")
        for (i, metric) in request.metrics.enumerated() {
            if i > 0 { w.raw(",") }
            var union: [String: Set<String>] = [:]
            for entry in try withPoints(metric, request) {
                for t in entry.key.tags { union[t.key, default: []].insert(t.value) }
            }
            w.raw("{\"results\":[{\"name\":")
            w.string(metric.name)
            w.raw(",\"tags\":")
            writeTags(union, into: &w)
            w.raw(",\"values\":[]}]}")
        }
        w.raw("]}")
        return w.bytes
    }

    /// `POST /api/v1/datapoints/delete`: deletes every point the query would read.
    public func delete(_ request: QueryRequest) throws(QueryFailure) {
        for metric in request.metrics {
            do {
                let series = try store.findSeries(metric: metric.name, filter: metric.tags)
                try store.delete(series: series, start: request.start, end: request.end)
            } catch {
                throw QueryFailure(message: error.message)
            }
        }
    }

    /// `DELETE /api/v1/metric/{name}`.
    public func deleteMetric(_ name: String) throws(QueryFailure) {
        do {
            try store.delete(series: store.findSeries(metric: name, filter: TagFilter()), start: .min, end: .max)
        } catch {
            throw QueryFailure(message: error.message)
        }
    }

    /// The metric's groups, the points read (`sample_size`) and how many of its aggregators are
    /// already applied. The store is read in one of three ways:
    /// - a first aggregator that folds buckets into one number, over whole series: folded while
    ///   the store scans (``StreamedAggregation``), in memory for the buckets only;
    /// - a `limit` over whole series of one data type each: the newest (or oldest) `limit` points
    ///   of each series, read from that end (KairosDB also pushes its limit down to Cassandra);
    /// - otherwise every point in the range.
    private func gather(_ metric: MetricQuery, _ request: QueryRequest, frame: QueryFrame) throws(QueryFailure)
        -> (groups: [Grouping.Group], sampleSize: Int, applied: Int)
    {
        do {
            let series = try store.findSeries(metric: metric.name, filter: metric.tags)
            if !readsEveryPoint, !metric.descending, let plan = StreamedAggregation(metric, series: series) {
                let (groups, sampleSize) = try plan.run(store: store, series: series, frame: frame)
                return (groups, sampleSize, 1)
            }
            let data: [SeriesData]
            if !readsEveryPoint, let limit = metric.limit, limit > 0, metric.groupBy.allSatisfy({ if case .tag = $0 { true } else { false } }),
               series.allSatisfy({ Self.oneGroupType($0.types) }) {
                data = try store.read(series: series, start: request.start, end: request.end, limit: limit,
                                      from: metric.descending ? .descending : .ascending)
            } else {
                data = try store.read(series: series, start: request.start, end: request.end)
            }
            let sampleSize = data.reduce(0) { $0 + $1.times.count }
            return (Grouping.group(data, by: metric.groupBy, request: request), sampleSize, 0)
        } catch {
            throw QueryFailure(message: error.message)
        }
    }

    /// Whether every value of a series of `types` falls into one KairosDB group type (`number`,
    /// `text` or `complex`), so that a group's newest points are among its series' newest.
    static func oneGroupType(_ types: ValueTypes) -> Bool {
        !types.isEmpty && (ValueTypes([.long, .double]).isSuperset(of: types) || types == .string || types == .complex)
    }

    /// The metric's series with a point in the query's range.
    private func withPoints(_ metric: MetricQuery, _ request: QueryRequest) throws(QueryFailure) -> [SeriesEntry] {
        do {
            let series = try store.findSeries(metric: metric.name, filter: metric.tags)
            return try store.seriesWithPoints(series, start: request.start, end: request.end)
        } catch {
            throw QueryFailure(message: error.message)
        }
    }

    private func save(_ points: [DataPoint], as target: Aggregator.SaveAs, group: Grouping.Group, source: String) async throws(QueryFailure) {
        var tags = target.tags
        for (k, values) in group.tags where values.count == 1 { tags.append(.init(k, values.first!)) }
        if target.addSavedFrom { tags.append(.init("saved_from", source)) }
        var write = SeriesWrite(key: SeriesKey(metric: target.metricName, tags: tags), ttl: target.ttl)
        for p in points { if let v = p.value { write.append(p.time, v) } }
        do {
            try await store.append([write])
        } catch {
            throw QueryFailure(message: "save_as failed: \(error.message)")
        }
    }

    private func writeEmpty(_ metric: MetricQuery, into w: inout JSONWriter) {
        w.raw("{\"name\":")
        w.string(metric.name)
        if let alias = metric.alias {
            w.raw(",\"alias\":")
            w.string(alias)
        }
        if !metric.excludeTags { w.raw(",\"tags\":{}") }
        w.raw(",\"values\":[]}")
    }

    private func writeTags(_ tags: [String: Set<String>], into w: inout JSONWriter) {
        w.raw("{")
        for (i, key) in tags.keys.sorted().enumerated() {
            if i > 0 { w.raw(",") }
            w.string(key)
            w.raw(":")
            w.strings(tags[key]!.sorted())
        }
        w.raw("}")
    }

    static func writeValue(_ value: MetricValue?, into w: inout JSONWriter) {
        switch value {
        case nil: w.null()
        case .long(let v): w.int(v)
        case .double(let v): w.double(v)
        case .string(let s): w.string(s)
        case .complex(let r, let i):
            w.raw("{\"real\":")
            w.double(r)
            w.raw(",\"imaginary\":")
            w.double(i)
            w.raw("}")
        }
    }
}
