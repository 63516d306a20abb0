import FaradCore
import Testing

@testable import FaradIngest

/// Inputs that used to trap (overflow, SIGILL), take quadratic time, or let a NUL or invalid
/// UTF-8 reach the store: each is now an error naming the line and the problem.
@Suite struct HostileLineProtocolTests {
    let parser = LineProtocolParser(precision: .nanoseconds, defaultTime: 42)

    static let range = "time outside range -9223372036854775806 - 9223372036854775806"

    @Test(arguments: [
        // (body, precision, reason)
        ("m v=1 -9223372036854775808", "n", range),
        ("m v=1 -9223372036854775807", "n", range),
        ("m v=1 9223372036854775807", "n", range),
        ("m v=1 2562048", "h", range),
        ("m v=1 -2562048", "h", range),
        ("m v=1 9223372036854775", "ms", range),
        ("m v=1 99999999999999999999", "n", "bad timestamp"),
        ("mem\0 a=1,b=2", "n", "invalid NUL byte in measurement"),
        ("m,t\0k=v a=1", "n", "invalid NUL byte in tag key"),
        ("m,t=victim\0evil a=1", "n", "invalid NUL byte in tag value"),
        ("m a\0=1", "n", "invalid NUL byte in field key"),
        ("m\u{FF}x v=1", "n", "invalid UTF-8"),
    ])
    func refusedNotTrapped(_ body: String, _ precision: String, _ reason: String) throws {
        // \u{FF} stands for the byte 0xFF (not its UTF-8), which a String cannot hold.
        let bytes = Self.bytes(body)
        let p = LineProtocolParser(precision: Precision(name: precision)!, defaultTime: 0)
        let (points, errors) = p.parse(bytes)
        #expect(points.isEmpty)
        #expect(errors.count == 1)
        #expect(errors.first?.reason == reason)
        #expect(errors.first?.description.hasPrefix("unable to parse '") == true)
        // The series parser (the /write path) refuses the same line the same way.
        let series = LineProtocolSeriesParser(parser: p, namespace: "db/rp").parse(bytes)
        #expect(series.points == 0)
        #expect(series.errors == errors)
    }

    /// The body's bytes, with U+00FF written as the single invalid byte 0xFF.
    static func bytes(_ body: String) -> [UInt8] {
        body.unicodeScalars.flatMap { s -> [UInt8] in s == "\u{FF}" ? [0xFF] : Array(String(s).utf8) }
    }

    @Test func theExtremesOfTheRangeAreAccepted() throws {
        #expect(try parser.parseLine("m v=1 -9223372036854775806")?.time == -9_223_372_036_854_775_806)
        #expect(try parser.parseLine("m v=1 9223372036854775806")?.time == 9_223_372_036_854_775_806)
        let hours = LineProtocolParser(precision: .hours, defaultTime: 0)
        #expect(try hours.parseLine("m v=1 2562047")?.time == 2_562_047 * 3_600_000_000_000)
    }

    @Test func millisecondsFloorWithoutOverflow() {
        #expect(PointSeries.milliseconds(.min) == -9_223_372_036_855)
        #expect(PointSeries.milliseconds(.max) == 9_223_372_036_854)
        #expect(PointSeries.milliseconds(-1) == -1)
        #expect(PointSeries.milliseconds(-1_000_000) == -1)
        #expect(PointSeries.milliseconds(-1_000_001) == -2)
        #expect(PointSeries.milliseconds(1_999_999) == 1)
    }

    @Test func manyFieldsAreLinearAndBounded() throws {
        // 100,000 distinct fields took over 15 s (a scan per field); one repeated key still wins last.
        let fields = (0..<100_000).map { "f\($0)=\($0)i" }.joined(separator: ",")
        var p = LineProtocolParser(precision: .nanoseconds, defaultTime: 0)
        p.maxFieldsPerLine = 200_000
        let point = try #require(try p.parseLine("m " + fields + ",f7=-1i 1"))
        #expect(point.fields.count == 100_000)
        #expect(point.field("f7") == .int(-1))
        #expect(point.field("f99999") == .int(99_999))
        // Over the limit: refused with a reason naming it.
        p.maxFieldsPerLine = 1_000
        #expect(throws: LineProtocolError.self) { try p.parseLine("m " + fields) }
        do {
            _ = try p.parseLine("m " + fields)
        } catch {
            #expect(error.reason == "too many fields (more than 1000)")
        }
        #expect(LineProtocolParser(precision: .nanoseconds, defaultTime: 0).maxFieldsPerLine == 65_535)
    }

    @Test func duplicateFieldsPastTheScanLimitKeepTheLastValue() throws {
        let keys = (0..<40).map { "k\($0)" }
        let line = "m " + (keys + keys).enumerated().map { "\($1)=\($0)i" }.joined(separator: ",")
        let point = try #require(try parser.parseLine(line))
        #expect(point.fields.map(\.key) == keys)
        #expect(point.field("k0") == .int(40))
        #expect(point.field("k39") == .int(79))
        // The series parser agrees (a long line leaves its fast path).
        let body = Array((line + "\n" + line).utf8)
        let writes = LineProtocolSeriesParser(parser: parser, namespace: "n").parse(body)
        #expect(writes.points == 2)
        #expect(writes.writes.count == 40)
    }

    @Test func stringFieldValuesMayHoldNUL() throws {
        let point = try #require(try parser.parseLine("m s=\"a\0b\""))
        #expect(point.field("s") == .string("a\0b"))
    }

    @Test func validUTF8NamesAreKept() throws {
        let point = try #require(try parser.parseLine("température,lieu=Zürich valeur=1"))
        #expect(point.measurement == "température")
        #expect(point.tag("lieu") == "Zürich")
    }
}

@Suite struct HostileTelnetTests {
    @Test(arguments: [
        ("put m -9223372036854775808 1 a=b", "put: timestamp '-9223372036854775808' is out of range in seconds"),
        ("put m -9223372036854776 1 a=b", "put: timestamp '-9223372036854776' is out of range in seconds"),
        ("put m 1 1 a=b kairos_opt.ttl=9223372036854775807", "put: invalid ttl '9223372036854775807' (seconds, 0 to 2147483647)"),
        ("put m 1 1 a=b kairos_opt.ttl=2147483648", "put: invalid ttl '2147483648' (seconds, 0 to 2147483647)"),
        ("put \"victim\0evil\" 1 1 a=b", "put: metric name may not contain a NUL character"),
        ("put m 1 1 \"a=b\0c\"", "put: tag 'a=b\0c' may not contain a NUL character"),
    ])
    func refusedNotTrapped(_ line: String, _ message: String) {
        #expect(throws: TelnetParser.Failure(message: message)) { try TelnetParser.parse(line) }
    }

    @Test func boundsThemselvesAreAccepted() throws {
        let cmd = try TelnetParser.parse("put m -9223372036854775 1 a=b kairos_opt.ttl=2147483647")
        guard case .put(_, let time, _, let ttl) = cmd else { Issue.record("not a put"); return }
        #expect(time == -9_223_372_036_854_775_000)
        #expect(ttl == 2_147_483_647)
    }
}

@Suite struct HostileDatapointsTests {
    let parser = KairosDatapointsParser()

    @Test(arguments: [
        (#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":1,"ttl":9300000000000000}"#,
         "metric[0](name=m).ttl must be less than or equal to 2147483647."),
        (#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":1,"ttl":1e300}"#,
         "metric[0](name=m).ttl must be less than or equal to 2147483647."),
        (#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":1,"ttl":99999999999999999999999}"#,
         "metric[0](name=m).ttl must be less than or equal to 2147483647."),
        (#"{"name":"victim\u0000evil","tags":{"h":"a"},"timestamp":1,"value":1}"#,
         "metric[0].name may not contain a NUL character."),
        (#"{"name":"victim\u0000evil","skip_validate":true,"timestamp":1,"value":1}"#,
         "metric[0].name may not contain a NUL character."),
        (#"{"name":"m","tags":{"h\u0000":"a"},"timestamp":1,"value":1}"#,
         "metric[0](name=m).tag[h\0].name may not contain a NUL character."),
        (#"{"name":"m","tags":{"h":"a\u0000"},"timestamp":1,"value":1}"#,
         "metric[0](name=m).tag[h].value may not contain a NUL character."),
        (#"{"name":"m\ud800\u0041","tags":{"h":"a"},"timestamp":1,"value":1}"#,
         "Malformed JSON: invalid \\u escape: high surrogate not followed by a low surrogate at line 1 column 11"),
        (#"{"name":"m\udc00","tags":{"h":"a"},"timestamp":1,"value":1}"#,
         "Malformed JSON: invalid \\u escape: unpaired low surrogate at line 1 column 11"),
    ])
    func refusedNotTrapped(_ body: String, _ message: String) {
        let result = parser.parse(Array(body.utf8))
        #expect(result.writes.isEmpty)
        #expect(result.errors == [message])
        #expect(result.internalError == nil)
    }

    @Test func invalidUTF8InANameIsRefused() {
        let body = Array(#"{"name":"m"#.utf8) + [0xC3, 0x28] + Array(#"","tags":{"h":"a"},"timestamp":1,"value":1}"#.utf8)
        let result = parser.parse(body)
        #expect(result.writes.isEmpty)
        #expect(result.errors == ["Malformed JSON: invalid UTF-8 in string at line 1 column 11"])
    }

    @Test func aTTLAtTheBoundIsKept() {
        let result = parser.parse(Array(#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":1,"ttl":2147483647}"#.utf8))
        #expect(result.errors.isEmpty)
        #expect(result.writes.first?.ttl == 2_147_483_647)
    }
}
