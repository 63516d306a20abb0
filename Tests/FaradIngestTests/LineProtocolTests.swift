import FaradCore
import FaradIngest
import Testing

@Suite struct LineProtocolTests {
    let parser = LineProtocolParser(precision: .nanoseconds, defaultTime: 42)

    @Test func typesEscapesAndTimestamps() throws {
        let p = try #require(try parser.parseLine(#"cpu\ load,host=server\ 01,region=us\,west,a\=b=c usage=10.5,procs=1234i,up=t,note="say \"hi\" \\ bye",neg=-1.5e3 1700000000000000000"#))
        #expect(p.measurement == "cpu load")
        #expect(p.tags.map(\.key) == ["a=b", "host", "region"])
        #expect(p.tag("host") == "server 01")
        #expect(p.tag("region") == "us,west")
        #expect(p.tag("a=b") == "c")
        #expect(p.field("usage") == .double(10.5))
        #expect(p.field("procs") == .int(1234))
        #expect(p.field("up") == .bool(true))
        #expect(p.field("note") == .string(#"say "hi" \ bye"#))
        #expect(p.field("neg") == .double(-1500))
        #expect(p.time == 1_700_000_000_000_000_000)
        // Writing it back and parsing again gives the same point.
        #expect(try parser.parseLine(LineProtocolWriter.line(p)) == p)
    }

    /// A combining mark after `,`, `=`, `"` or `\\` makes one Character of the two: the writer
    /// escapes scalar by scalar, so what it writes parses back to the same point (fuzzing found
    /// `mmta\,\u{0616}ta…` written with its comma bare).
    @Test(arguments: ["mmta\\,\u{0616}ta\\,g=v\\=1e v=-0 1", "m,k\\,\u{0301}=v\\=\u{0301} f=\"a\\\"\u{0301}\" 2", "m \u{0301}\\,f=1i 3"])
    func combiningMarksAfterSpecialCharactersRoundTrip(_ line: String) throws {
        let point = try #require(try LineProtocolParser(precision: .nanoseconds, defaultTime: 0).parseLine(line))
        let written = LineProtocolWriter.line(point)
        #expect(try LineProtocolParser(precision: .nanoseconds, defaultTime: 0).parseLine(written) == point, "\(written)")
    }

    @Test func precisionAndDefaultTime() throws {
        let seconds = LineProtocolParser(precision: .seconds, defaultTime: 7)
        #expect(try seconds.parseLine("m v=1 1700000000")?.time == 1_700_000_000_000_000_000)
        #expect(try seconds.parseLine("m v=1")?.time == 7)
        #expect(try seconds.parseLine("m v=1 ")?.time == 7)
    }

    @Test(arguments: ["", "   ", "# a comment"])
    func blankAndCommentLinesAreSkipped(_ line: String) throws {
        #expect(try parser.parseLine(line) == nil)
    }

    @Test(arguments: [
        ("cpu", "missing fields"),
        ("cpu ", "missing fields"),
        (",host=a v=1", "missing measurement"),
        ("cpu,host v=1", "missing tag value"),
        ("cpu,=a v=1", "missing tag key"),
        ("cpu v=", "missing field value"),
        ("cpu v", "missing field value"),
        ("cpu v=1,", "missing field key"),
        ("cpu v=abc", "invalid number"),
        ("cpu v='x'", "invalid field format: strings need double quotes"),
        ("cpu v=12xi", "invalid integer (or out of range)"),
        ("cpu v=99999999999999999999i", "invalid integer (or out of range)"),
        ("cpu v=\"open", "unbalanced quotes"),
        ("cpu v=1 12ab", "bad timestamp"),
        ("cpu v=1 1 2", "invalid field format"),
    ])
    func errorsUseInfluxDBsWording(_ line: String, _ reason: String) {
        let error = #expect(throws: LineProtocolError.self) { try parser.parseLine(line) }
        #expect(error?.reason == reason, "\(line)")
        #expect(error?.description == "unable to parse '\(line)': \(reason)")
    }

    @Test func bodyKeepsGoodLinesAndReportsBadOnes() {
        let body = Array("cpu v=1 1\r\n\nbad\ncpu v=2 2\n# done\n".utf8)
        let (points, errors) = parser.parse(body)
        #expect(points.map(\.time) == [1, 2])
        #expect(errors.count == 1)
        #expect(errors.first?.lineNumber == 3)
        #expect(errors.first?.description == "unable to parse 'bad': missing fields")
    }
}
