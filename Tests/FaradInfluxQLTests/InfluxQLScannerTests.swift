import FaradInfluxQL
import Testing

/// The scanner against InfluxDB 1.x's tokenization: keywords, identifiers, literals, operators,
/// comments, and the positions its errors name.
@Suite struct InfluxQLScannerTests {
    static func tokens(_ query: String) throws(InfluxQLError) -> [InfluxQLToken] {
        var s = InfluxQLScanner(query)
        var out: [InfluxQLToken] = []
        while true {
            let (t, _) = try s.next()
            if t == .eof { return out }
            out.append(t)
        }
    }

    @Test func aGrafanaQueryScans() throws {
        let q = #"SELECT mean("value") FROM "telegraf"."autogen"."cpu" WHERE time >= now() - 6h GROUP BY time(1m) fill(null)"#
        #expect(try Self.tokens(q) == [
            .keyword("SELECT"), .identifier("mean", quoted: false), .symbol("("), .identifier("value", quoted: true), .symbol(")"),
            .keyword("FROM"), .identifier("telegraf", quoted: true), .symbol("."), .identifier("autogen", quoted: true), .symbol("."),
            .identifier("cpu", quoted: true), .keyword("WHERE"), .identifier("time", quoted: false), .symbol(">="),
            .identifier("now", quoted: false), .symbol("("), .symbol(")"), .symbol("-"), .duration(21_600_000_000_000, text: "6h"),
            .keyword("GROUP"), .keyword("BY"), .identifier("time", quoted: false), .symbol("("), .duration(60_000_000_000, text: "1m"),
            .symbol(")"), .identifier("fill", quoted: false), .symbol("("), .identifier("null", quoted: false), .symbol(")"),
        ])
    }

    @Test(arguments: [
        ("10", InfluxQLToken.integer(10)), ("10.5", .number(10.5)), (".5", .number(0.5)), ("10s", .duration(10_000_000_000, text: "10s")),
        ("1h30m", .duration(5_400_000_000_000, text: "1h30m")), ("5ms", .duration(5_000_000, text: "5ms")), ("3u", .duration(3_000, text: "3u")),
        ("3µ", .duration(3_000, text: "3µ")), ("7ns", .duration(7, text: "7ns")), ("2w", .duration(1_209_600_000_000_000, text: "2w")),
        ("'it\\'s'", .string("it's")), (#""a \"b\"""#, .identifier(#"a "b""#, quoted: true)), ("select", .keyword("SELECT")),
        ("$db", .boundParameter("db")), ("<>", .symbol("<>")), ("=~", .symbol("=~")), ("!~", .symbol("!~")), ("::", .symbol("::")),
        ("9223372036854775808", .number(9_223_372_036_854_775_808)),
    ])
    func literals(text: String, token: InfluxQLToken) throws {
        #expect(try Self.tokens(text) == [token])
    }

    @Test func commentsAndLinesAreSkippedAndCounted() throws {
        var s = InfluxQLScanner("-- a comment\nSELECT /* inner\n comment */ x")
        #expect(try s.next() == (.keyword("SELECT"), InfluxQLPosition(line: 2, char: 1)))
        #expect(try s.next() == (.identifier("x", quoted: false), InfluxQLPosition(line: 3, char: 13)))
        #expect(try s.next().token == .eof)
    }

    @Test func regexesAreReadWhereTheParserAsks() throws {
        var s = InfluxQLScanner(#"host =~ /^web\/[0-9]+$/"#)
        _ = try s.next()
        _ = try s.next()
        #expect(try s.scanRegex() == (#"^web/[0-9]+$"#, InfluxQLPosition(line: 1, char: 9)))
        #expect(try s.next().token == .eof)
    }

    @Test(arguments: [
        ("SELECT 'abc", "unterminated string at line 1, char 8"),
        (#"SELECT "abc"#, "unterminated quoted identifier at line 1, char 8"),
        (#"SELECT 'a\qb'"#, "bad escape at line 1, char 10"),
        ("SELECT 99999999999999999999h", "overflowed duration 99999999999999999999h at line 1, char 8"),
        ("SELECT 1 /* open", "unterminated comment at line 1, char 10"),
        ("SELECT #", "found #, expected a statement at line 1, char 8"),
    ])
    func errorsNameTheirPosition(text: String, message: String) {
        #expect(throws: InfluxQLError.self) { _ = try Self.tokens(text) }
        do {
            _ = try Self.tokens(text)
        } catch {
            #expect(error.description == message)
        }
    }
}
