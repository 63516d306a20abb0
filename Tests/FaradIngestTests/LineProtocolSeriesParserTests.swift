import FaradCore
import Testing

@testable import FaradIngest

/// The fast series parser must store exactly what Point parsing + ``PointSeries`` stores.
@Suite struct LineProtocolSeriesParserTests {
    static let lines = [
        "cpu,host=a,dc=x usage_user=1.5,usage_system=2i 1718000000000000000",
        "cpu,host=a,dc=x usage_user=2.25,usage_system=-3i 1718000001000000000",
        "cpu,dc=x,host=a usage_user=7 1718000002000000000",  // same series, other tag order
        "cpu,host=a,dc=x usage_user=1e3 1718000003000000000",  // exponent: full parser
        "cpu,host=a,dc=x usage_user=-0.125,ok=true 1718000004000000000",
        "cpu,host=a,dc=x ok=F,usage_user=.5 1718000005000000000",
        "cpu,host=a,dc=x msg=\"hi, there\" 1718000006000000000",
        "cpu,host=a\\ b,dc=x usage_user=1 1718000007000000000",
        "cpu,host=a,dc=x usage_user= 1718000008000000000",  // bad
        "cpu,host=a,dc=x usage_user=1 17180000090000000000000",  // bad time
        "cpu,host=a,dc=x usage_user=1.5",  // default time
        "cpu,host=a,dc=x  usage_user=1.5 1718000010000000000",
        "",
        "# comment",
        "mem free=9007199254740993i 1718000011000000000",
        "mem free=123456789012345678 1718000012000000000",
        "cpu,host=a,dc=x usage_user=1.5 1718000013000000000 ",
        "cpu,host=a,dc=x usage_user=3,usage_user=4 1718000014000000000",
    ]

    @Test func storesExactlyWhatThePointParserStores() {
        let body = Array((Self.lines + Self.lines).joined(separator: "\n").utf8)
        let parser = LineProtocolParser(precision: .nanoseconds, defaultTime: 1_718_000_099_000_000_000)
        let (points, errors) = parser.parse(body)
        let expected = PointSeries.writes(points, namespace: "db/autogen")
        let fast = LineProtocolSeriesParser(parser: parser, namespace: "db/autogen").parse(body)
        #expect(fast.points == points.count)
        #expect(fast.errors == errors)
        #expect(fast.writes.map(\.key) == expected.map(\.key))
        #expect(fast.writes.map(\.key.origin) == expected.map(\.key.origin))
        #expect(fast.writes.map(\.times) == expected.map(\.times))
        #expect(fast.writes.map(\.values) == expected.map(\.values))
    }

    /// InfluxQL reads a field back through where its measurement ends and whether it was a boolean.
    @Test func eachFieldKeepsItsOrigin() {
        let parser = LineProtocolParser(precision: .nanoseconds, defaultTime: 0)
        let body = Array("a.b,host=x c=1,ok=true 1\na.b,host=x c=2,ok=f 2\n".utf8)
        let writes = LineProtocolSeriesParser(parser: parser, namespace: "db/autogen").parse(body).writes
        #expect(writes.map(\.key.metric) == ["a.b.c", "a.b.ok"])
        #expect(writes.map(\.key.origin) == [FieldOrigin(measurementLength: 3), FieldOrigin(measurementLength: 3, isBoolean: true)])
        #expect(writes[0].key.origin?.split("a.b.c")?.measurement == "a.b")
        #expect(writes.map(\.count) == [2, 2])
    }

    @Test func aSharedCacheServesLaterRequestsAndKeepsNamespacesApart() {
        let cache = SeriesTextCache()
        let parser = LineProtocolParser(precision: .nanoseconds, defaultTime: 0)
        let body = Array(Self.lines.joined(separator: "\n").utf8)
        let first = LineProtocolSeriesParser(parser: parser, namespace: "a/autogen", cache: cache).parse(body)
        let second = LineProtocolSeriesParser(parser: parser, namespace: "a/autogen", cache: cache).parse(body)
        let other = LineProtocolSeriesParser(parser: parser, namespace: "b/autogen", cache: cache).parse(body)
        #expect(second.writes.map(\.key) == first.writes.map(\.key))
        #expect(second.writes.map(\.values) == first.writes.map(\.values))
        #expect(other.writes.allSatisfy { $0.key.namespace == "b/autogen" })
        #expect(other.writes.map(\.times) == first.writes.map(\.times))
    }

    /// Fresh fuzzing found the fast path storing -0 as +0 (the full parser keeps the sign).
    @Test func negativeZeroKeepsItsSignOnTheFastPath() {
        let body = Array("m v=-0\nm v=-0.0\nm v=0\n".utf8)
        let parser = LineProtocolParser(precision: .nanoseconds, defaultTime: 1)
        let cache = SeriesTextCache(capacity: 4)
        for _ in 0..<2 {  // the second pass takes the fast path, its cache warm
            let values = LineProtocolSeriesParser(parser: parser, namespace: "", cache: cache).parse(body).writes.flatMap(\.values)
            #expect(values.map { if case .double(let x) = $0 { x.sign == .minus } else { false } } == [true, true, false])
        }
    }

    @Test func precisionsScaleTheFastPath() {
        let body = Array("m,t=a v=1 1718000000\nm,t=a v=2 1718000001\n".utf8)
        let parser = LineProtocolParser(precision: .seconds, defaultTime: 0)
        let fast = LineProtocolSeriesParser(parser: parser, namespace: "").parse(body)
        #expect(fast.writes.first?.times == [1_718_000_000_000, 1_718_000_001_000])
        #expect(fast.writes.first?.values == [.double(1), .double(2)])
    }

    @Test func aCacheThatOnlyMissesStopsFillingUntilItEarnsItsHits() {
        let cache = SeriesTextCache(capacity: 4)
        let key = SeriesKey(metric: "m.v", tags: [])
        let line: [UInt8] = Array("s f".utf8)
        func insert(_ h: UInt64) { cache.insert(h, namespace: "", series: [line[0]], field: [line[2]], key: key) }
        func found(_ h: UInt64) -> Bool {
            line.withUnsafeBufferPointer { cache.lookup(h, namespace: "", line: $0, seriesEnd: 1, field: 2..<3) != nil }
        }
        // A table filled without a single hit: series that do not come back while it holds them.
        for h in 1...4 as ClosedRange<UInt64> { insert(h) }
        insert(5)
        #expect(!found(5) && !found(1))
        // The next `capacity` inserts are refused; then entries are kept again.
        for h in 6...9 as ClosedRange<UInt64> { insert(h) }
        #expect(!found(6) && !found(9))
        insert(10)
        #expect(found(10))
        // A table that earns its hits starts over normally when full.
        for h in 11...13 as ClosedRange<UInt64> {
            insert(h)
            #expect(found(h))
        }
        insert(14)
        #expect(found(14) && !found(10))
    }
}
