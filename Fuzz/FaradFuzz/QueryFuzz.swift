import FaradCore
@testable import FaradQuery

/// KairosDB queries: parse, then run every aggregator of an accepted query over a few points
/// spread over its range (the bucket and calendar arithmetic is where planning can trap).
enum QueryFuzz {
    static let now: Int64 = 1_700_000_000_000

    static func run(_ bytes: [UInt8]) {
        guard let request = try? QueryRequest.parse(bytes, now: now) else { return }
        let limits = QueryLimits()
        guard (try? limits.check(request, now: now)) != nil else { return }
        let frame = QueryFrame(start: request.start, end: request.end, zoneOffset: request.zoneOffset, now: now)
        let span = request.end.subtractingReportingOverflow(request.start)
        let step = span.overflow ? Int64.max / 4 : max(1, span.partialValue / 4)
        var points: [DataPoint] = []
        var t = request.start
        for k in 0..<5 {
            points.append(DataPoint(time: t, value: k % 2 == 0 ? .long(Int64(k)) : .double(Double(k) / 3)))
            let (next, overflow) = t.addingReportingOverflow(step)
            if overflow || next > request.end { break }
            t = next
        }
        for metric in request.metrics {
            var stream = points
            for aggregator in metric.aggregators {
                guard let out = try? aggregator.apply(stream, frame: frame) else { break }
                stream = out
            }
        }
    }
}
