import FaradCore
import Testing

@testable import FaradIngest

@Suite struct KairosDatapointsParserTests {
    private func parse(_ text: String) -> KairosDatapointsParser.Result {
        KairosDatapointsParser().parse(Array(text.utf8))
    }

    @Test(arguments: [
        ("42", MetricValue.long(42)), ("42.0", .double(42)), ("\"123\"", .long(123)), ("\"123.3\"", .double(123.3)),
        ("\"0.000000\"", .double(0)), ("1E3", .long(1000)), ("1.5e3", .double(1500)), ("1E-3", .long(0)),
        ("9223372036854775808", .long(.min)), ("\"1e3\"", .string("1e3")), ("true", .string("true")),
        ("false", .string("false")), ("NaN", .string("NaN")), ("Infinity", .string("Infinity")), ("\"hello\"", .string("hello")),
        ("-7", .long(-7)), ("\"+5\"", .long(5)), ("\".5\"", .double(0.5)),
    ])
    func typesValuesByTheirText(json: String, expected: MetricValue) {
        let result = parse("{\"name\":\"m\",\"timestamp\":1,\"value\":\(json),\"tags\":{\"a\":\"b\"}}")
        #expect(result.errors.isEmpty)
        #expect(result.writes.first?.values == [expected])
    }

    @Test func explicitTypesOverrideTheText() {
        let result = parse(#"{"name":"m","type":"double","datapoints":[[1,21],[2,"7"],[3,"x","string"],[4.9,1]],"tags":{"a":"b"}}"#)
        #expect(result.errors.isEmpty)
        #expect(result.writes[0].values == [.double(21), .double(7), .string("x"), .double(1)])
        #expect(result.writes[0].times == [1, 2, 3, 4])  // fractions inside datapoints are truncated
        let long = parse(#"{"name":"m","type":"long","timestamp":1,"value":"abc","tags":{"a":"b"}}"#)
        #expect(long.internalError == "java.lang.NumberFormatException: For input string: \"abc\"")
        let emptyString = parse(#"{"name":"m","type":"string","timestamp":1,"value":"","tags":{"a":"b"}}"#)
        #expect(emptyString.errors.isEmpty)
        #expect(emptyString.writes[0].values == [.string("")])
    }

    @Test func keysInAnyOrderTimeAliasTTLAndSkipValidate() {
        let result = parse(#"{"tags":{"b":"2","a":"1"},"value":5,"time":10,"ttl":60,"name":"m"}"#)
        #expect(result.errors.isEmpty)
        #expect(result.writes[0].key == SeriesKey(metric: "m", tags: [.init("a", "1"), .init("b", "2")]))
        #expect(result.writes[0].ttl == 60)
        let skipped = parse(#"{"name":"m","timestamp":1,"value":1,"skip_validate":true}"#)
        #expect(skipped.errors.isEmpty)
        #expect(skipped.pointCount == 1)
    }

    @Test func nonNumericTimestampInDatapointsIsAServerErrorKeepingEarlierPoints() {
        let result = parse(#"[{"name":"a","timestamp":1,"value":1,"tags":{"a":"b"}},{"name":"m","datapoints":[[1,1],["x",2]],"tags":{"a":"b"}}]"#)
        #expect(result.internalError == "java.lang.NumberFormatException: For input string: \"x\"")
        #expect(result.pointCount == 2)
    }

    @Test func byteByByteTruncationsNeverCrash() {
        let body = Array(#"[{"name":"m\u00e9","datapoints":[[1,1.5],[2,"s"]],"tags":{"a":"b"},"type":"double"}]"#.utf8)
        for n in 0..<body.count {
            let result = KairosDatapointsParser().parse(Array(body[0..<n]))
            #expect(!result.errors.isEmpty || result.internalError != nil, "prefix \(n)")
        }
    }
}

@Suite struct TelnetParserTests {
    @Test func putHasTheSecondsHeuristicAndPutmDoesNot() throws {
        #expect(try TelnetParser.parse("put m 1718000000 1 a=b") == .put(SeriesKey(metric: "m", tags: [.init("a", "b")]), time: 1_718_000_000_000, value: .long(1), ttl: 0))
        #expect(try TelnetParser.parse("putm m 1718000000 1.5 a=b") == .put(SeriesKey(metric: "m", tags: [.init("a", "b")]), time: 1_718_000_000, value: .double(1.5), ttl: 0))
        #expect(try TelnetParser.parse("puts m 1 \"two words\" a=b") == .put(SeriesKey(metric: "m", tags: [.init("a", "b")]), time: 1, value: .string("two words"), ttl: 0))
    }

    @Test func tagRulesAndTTL() throws {
        #expect(try TelnetParser.parse("putm m 1 1 a=b=c kairos_opt.ttl=60") == .put(SeriesKey(metric: "m", tags: [.init("a", "b")]), time: 1, value: .long(1), ttl: 60))
        #expect(try TelnetParser.parse("putm m 1 1") == .put(SeriesKey(metric: "m", tags: [.init("add", "tag")]), time: 1, value: .long(1), ttl: 0))
        #expect(throws: TelnetParser.Failure.self) { try TelnetParser.parse("putm m 1 1e3 a=b") }
        #expect(throws: TelnetParser.Failure.self) { try TelnetParser.parse("putm m 1 1 ab") }
        #expect(try TelnetParser.parse("version") == .version)
        #expect(try TelnetParser.parse("   ") == .empty)
    }
}
