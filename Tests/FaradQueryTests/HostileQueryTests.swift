import FaradCore
import Testing

@testable import FaradQuery

/// Query bodies whose times, durations or bucket counts overflowed (SIGILL) or asked for
/// unbounded work: each is a 400 text naming the property.
@Suite struct HostileQueryTests {
    static let now: Int64 = 1_700_000_000_000

    static func body(_ top: String, aggregators: String = "", groupBy: String = "") -> String {
        var metric = #"{"name":"m""#
        if !aggregators.isEmpty { metric += #","aggregators":["# + aggregators + "]" }
        if !groupBy.isEmpty { metric += #","group_by":["# + groupBy + "]" }
        return "{" + top + #","metrics":["# + metric + "}]}"
    }

    static let start = #""start_absolute":0"#

    @Test(arguments: [
        (body(#""start_relative":{"value":9223372036854775807,"unit":"years"}"#),
         "query.start_relative.value must be less than or equal to 273972 for YEARS (it is 9223372036854775807)"),
        (body(#""start_relative":{"value":300000,"unit":"years"}"#),
         "query.start_relative.value must be less than or equal to 273972 for YEARS (it is 300000)"),
        (body(#""start_relative":{"value":9223372036854775807,"unit":"months"}"#),
         "query.start_relative.value must be less than or equal to 3333333 for MONTHS (it is 9223372036854775807)"),
        (body(#""start_relative":{"value":9223372036854775807,"unit":"weeks"}"#),
         "query.start_relative.value must be less than or equal to 14285714 for WEEKS (it is 9223372036854775807)"),
        (body(#""start_relative":{"value":9223372036854775807,"unit":"milliseconds"}"#),
         "query.start_relative.value must be less than or equal to 8640000000000000 for MILLISECONDS (it is 9223372036854775807)"),
        (body(#""start_relative":{"value":-9223372036854775808,"unit":"days"}"#),
         "query.start_relative.value must be greater than or equal to 1"),
        (body(#""start_relative":{"value":0,"unit":"days"}"#), "query.start_relative.value must be greater than or equal to 1"),
        (body(#""start_absolute":-9223372036854775808"#),
         "query.start_absolute must be between -8640000000000000 and 8640000000000000 milliseconds (it is -9223372036854775808)"),
        (body(#""start_absolute":9223372036854775807"#),
         "query.start_absolute must be between -8640000000000000 and 8640000000000000 milliseconds (it is 9223372036854775807)"),
        (body(start + #","end_absolute":9223372036854775807"#),
         "query.end_absolute must be between -8640000000000000 and 8640000000000000 milliseconds (it is 9223372036854775807)"),
        (body(start + #","end_relative":{"value":9223372036854775807,"unit":"years"}"#),
         "query.end_relative.value must be less than or equal to 273972 for YEARS (it is 9223372036854775807)"),
        (body(start, aggregators: #"{"name":"avg","sampling":{"value":9223372036854775807,"unit":"weeks"}}"#),
         "query.metric[0].aggregators[0].sampling.value must be less than or equal to 14285714 for WEEKS (it is 9223372036854775807)"),
        (body(start, aggregators: #"{"name":"sum","sampling":{"value":9223372036854775807,"unit":"years"}}"#),
         "query.metric[0].aggregators[0].sampling.value must be less than or equal to 273972 for YEARS (it is 9223372036854775807)"),
        (body(start, groupBy: #"{"name":"time","range_size":{"value":9223372036854775807,"unit":"days"},"group_count":2}"#),
         "query.metric[0].group_by[0].range_size.value must be less than or equal to 100000000 for DAYS (it is 9223372036854775807)"),
        (body(start, groupBy: #"{"name":"time","range_size":{"value":1,"unit":"days"},"group_count":9223372036854775807}"#),
         "query.metric[0].group_by[0].groupCount must be less than or equal to 1000000 (it is 9223372036854775807)"),
        (body(start, aggregators: #"{"name":"percentile","percentile":"NaN","sampling":{"value":1,"unit":"days"}}"#),
         "query.metric[0].aggregators[0].percentile must be a finite number"),
        (body(start, aggregators: #"{"name":"save_as","metric_name":"x","ttl":9223372036854775807}"#),
         "query.metric[0].aggregators[0].ttl must be less than or equal to 2147483647 (it is 9223372036854775807)"),
        (#"{"start_absolute":0,"metrics":[{"name":"victim\u0000evil"}]}"#, "query.metric[0].name may not contain a NUL character"),
        (#"{"start_absolute":0,"metrics":[{"name":"m\ud800\u0041"}]}"#,
         "Malformed JSON: invalid \\u escape: high surrogate not followed by a low surrogate at line 1 column 42"),
        // gaps at 1 ms over 100 years grew to 3 GB.
        (body(#""start_relative":{"value":100,"unit":"years"}"#, aggregators: #"{"name":"gaps","sampling":{"value":1,"unit":"milliseconds"}}"#),
         "query.metric[0].aggregators[0].sampling of 1 MILLISECONDS over the query's 3155760000000 milliseconds makes 3155760000001 buckets, more than the limit of 1000000"),
    ])
    func refusedNotTrapped(_ body: String, _ message: String) {
        #expect(throws: QueryError([message])) { try QueryRequest.parse(Array(body.utf8), now: Self.now) }
    }

    @Test func theBucketLimitIsConfigurable() throws {
        let body = Self.body(#""start_relative":{"value":1,"unit":"hours"}"#, aggregators: #"{"name":"gaps","sampling":{"value":1,"unit":"seconds"}}"#)
        #expect(throws: Never.self) { try QueryRequest.parse(Array(body.utf8), now: Self.now) }
        #expect(throws: QueryError.self) { try QueryRequest.parse(Array(body.utf8), now: Self.now, limits: QueryLimits(maxBuckets: 3_600)) }
        #expect(throws: Never.self) { try QueryRequest.parse(Array(body.utf8), now: Self.now, limits: QueryLimits(maxBuckets: 3_601)) }
    }

    @Test func theLargestAcceptedValuesDoNotOverflowWhenRun() throws {
        let body = Self.body(
            #""start_relative":{"value":270000,"unit":"years"},"end_relative":{"value":1,"unit":"milliseconds"},"time_zone":"Asia/Kathmandu""#,
            aggregators: #"{"name":"sum","sampling":{"value":273972,"unit":"years"},"align_end_time":true},"#
                + #"{"name":"avg","sampling":{"value":3333333,"unit":"months"},"align_start_time":true},"#
                + #"{"name":"count","sampling":{"value":8640000000000000,"unit":"milliseconds"},"align_sampling":false},"#
                + #"{"name":"gaps","sampling":{"value":1000,"unit":"years"}}"#,
            groupBy: #"{"name":"time","range_size":{"value":273972,"unit":"years"},"group_count":3}"#)
        let request = try QueryRequest.parse(Array(body.utf8), now: Self.now)
        let frame = QueryFrame(start: request.start, end: request.end, zoneOffset: request.zoneOffset, now: Self.now)
        var points = [request.start, 0, request.end].map { DataPoint(time: $0, value: .double(1)) }
        for a in request.metrics[0].aggregators { points = try a.apply(points, frame: frame) }
        #expect(!points.isEmpty)
    }

    @Test func calendarBucketsAreExactOverLongRanges() throws {
        // Months over ~270,000 years: each point's bucket is found in a few steps.
        var sum = Aggregator(kind: .sum)
        sum.sampling = RelativeTime(value: 1, unit: .months)
        let start = -QueryRequest.timeBound
        let frame = QueryFrame(start: start, end: QueryRequest.timeBound, zoneOffset: 0, now: 0)
        let t = Calendar.addMonths(0, 5, offset: 0)  // 1970-06-01
        let out = try sum.apply([DataPoint(time: t, value: .double(2)), DataPoint(time: t + 1, value: .double(3))], frame: frame)
        #expect(out == [DataPoint(time: t, value: .double(5))])
    }

    @Test func valueGroupsSaturateLikeJava() {
        #expect(Grouping.javaLong(1e300) == .max)
        #expect(Grouping.javaLong(-1e300) == .min)
        #expect(Grouping.javaLong(.nan) == 0)
        #expect(Grouping.javaLong(-2.9) == -2)
    }

    @Test func relativeAddSaturatesInsteadOfTrapping() {
        #expect(RelativeTime(value: .max, unit: .years).add(.max, to: 0) == .max)
        #expect(RelativeTime(value: .max, unit: .weeks).add(-1, to: .min) == .min)
        #expect(RelativeTime(value: 2, unit: .days).add(-3, to: 0) == -6 * 86_400_000)
    }

    @Test func smaIsLinearInItsWindow() throws {
        var sma = Aggregator(kind: .sma)
        sma.size = 2
        let points = (1...4).map { DataPoint(time: Int64($0), value: .double(Double($0))) }
        let out = try sma.apply(points, frame: QueryFrame(start: 0, end: 10, zoneOffset: 0, now: 10))
        #expect(out.map(\.value) == [.double(1), .double(1.5), .double(2.5), .double(3.5)])
    }
}
