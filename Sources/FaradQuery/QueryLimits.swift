import FaradCore

/// Bounds on the work one KairosDB query may ask for, checked when the query is parsed so that
/// a query over the bound is a 400 before anything is read.
///
/// ```swift
/// var limits = QueryLimits()
/// limits.maxBuckets = 100_000
/// let request = try QueryRequest.parse(body, now: now, limits: limits)
/// ```
public struct QueryLimits: Sendable, Equatable {
    /// The most buckets that an aggregator that writes one point per bucket, whether or not it
    /// holds data (`gaps`), may produce over the query's range; also the most groups that a
    /// `group_by` `time` may ask for (`group_count`). Default 1,000,000.
    public var maxBuckets: Int64 = 1_000_000

    public init(maxBuckets: Int64 = 1_000_000) {
        self.maxBuckets = maxBuckets
    }

    /// Refuses a request whose buckets or groups exceed the bounds.
    /// - Throws: ``QueryError`` naming the aggregator, its sampling and the range.
    public func check(_ request: QueryRequest, now: Int64) throws(QueryError) {
        for (m, metric) in request.metrics.enumerated() {
            for (a, aggregator) in metric.aggregators.enumerated() where aggregator.kind == .gaps {
                // `gaps` writes a point for every bucket from the start to min(end, now).
                let last = min(request.end, now)
                guard last >= request.start else { continue }
                let span = last - request.start  // both within ±QueryRequest.timeBound
                let width = aggregator.sampling.value * aggregator.sampling.unit.milliseconds
                let buckets = span / max(width, 1) + 1
                if buckets > maxBuckets {
                    let unit = aggregator.sampling.unit.rawValue.uppercased()
                    throw QueryError([
                        "query.metric[\(m)].aggregators[\(a)].sampling of \(aggregator.sampling.value) \(unit) over the query's "
                            + "\(span) milliseconds makes \(buckets) buckets, more than the limit of \(maxBuckets)"
                    ])
                }
            }
        }
    }
}
