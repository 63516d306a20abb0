import FaradInfluxQL
import Testing

/// `top()` and `bottom()` over the recorded points of ``InfluxQLRecordedAnswerTests``: each
/// answer (and error) recorded from `influxd` 1.6 on the same points, byte for byte.
@Suite struct InfluxQLSelectorTests {
    typealias Case = InfluxQLRecordedAnswerTests.Case

    static let cases: [Case] = [
        Case("SELECT top(usage, 2) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top"],"values":[["2020-09-13T12:28:50Z",4.5],["2020-09-13T12:29:50Z",5.5]]}]}]}"#),
        Case("SELECT bottom(usage, 3) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","bottom"],"values":[["2020-09-13T12:26:40Z",1.5],["2020-09-13T12:26:50Z",2.5],["2020-09-13T12:27:50Z",3.5]]}]}]}"#),
        Case("SELECT top(usage, host, 2) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top","host"],"values":[["2020-09-13T12:28:50Z",4.5,"b"],["2020-09-13T12:29:50Z",5.5,"a"]]}]}]}"#),
        Case("SELECT top(usage, 2), host FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top","host"],"values":[["2020-09-13T12:28:50Z",4.5,"b"],["2020-09-13T12:29:50Z",5.5,"a"]]}]}]}"#),
        Case("SELECT top(idle, 10) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top"],"values":[["2020-09-13T12:26:40Z",90],["2020-09-13T12:26:50Z",80],["2020-09-13T12:27:50Z",70],["2020-09-13T12:29:50Z",60]]}]}]}"#),
        Case("SELECT top(usage, 2) FROM cpu GROUP BY host",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","top"],"values":[["2020-09-13T12:27:50Z",3.5],["2020-09-13T12:29:50Z",5.5]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","top"],"values":[["2020-09-13T12:26:50Z",2.5],["2020-09-13T12:28:50Z",4.5]]}]}]}"#),
        Case("SELECT top(usage, 1) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(2m)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top"],"values":[["2020-09-13T12:27:50Z",3.5],["2020-09-13T12:29:50Z",5.5]]}]}]}"#),
        Case("SELECT top(usage, 2) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(2m) fill(0)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top"],"values":[["2020-09-13T12:26:50Z",2.5],["2020-09-13T12:27:50Z",3.5],["2020-09-13T12:28:50Z",4.5],["2020-09-13T12:29:50Z",5.5]]}]}]}"#),
        Case("SELECT top(usage, 2), mean(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"selector function top() cannot be combined with other functions"}]}"#),
        Case("SELECT top(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"invalid number of arguments for top, expected at least 2, got 1"}]}"#),
        Case("SELECT top(usage, 0) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"limit (0) in top function must be at least 1"}]}"#),
        Case("SELECT top(usage, 2.5) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"expected integer as last argument in top(), found 2.500"}]}"#),
        Case("SELECT top(note, 1) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"unsupported top iterator type: *query.stringInterruptIterator"}]}"#),
        Case("SELECT top(ok, 1) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"unsupported top iterator type: *query.booleanInterruptIterator"}]}"#),
        Case("SELECT bottom(idle, region, 2) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","bottom","region"],"values":[["2020-09-13T12:26:50Z",80,"west"],["2020-09-13T12:29:50Z",60,"east"]]}]}]}"#),
        Case("SELECT top(usage, 2) FROM cpu ORDER BY time DESC",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top"],"values":[["2020-09-13T12:28:50Z",4.5],["2020-09-13T12:29:50Z",5.5]]}]}]}"#),
        Case("SELECT top(usage, 3) FROM cpu LIMIT 2",
             #"{"results":[{"statement_id":0,"error":"limit (3) in top function can not be larger than the LIMIT (2) in the select statement"}]}"#),
        Case("SELECT top(usage, host, region, 3) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top","host","region"],"values":[["2020-09-13T12:28:50Z",4.5,"b","west"],["2020-09-13T12:29:50Z",5.5,"a","east"]]}]}]}"#),
        Case("SELECT top(usage, 'host', 2) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"only fields or tags are allowed in top(), found 'host'"}]}"#),
        Case("SELECT top(*, 2) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"expected first argument to be a field in top(), found *"}]}"#),
        Case("SELECT top(usage, 2) AS t FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","t"],"values":[["2020-09-13T12:28:50Z",4.5],["2020-09-13T12:29:50Z",5.5]]}]}]}"#),
        Case("SELECT top(usage, 1), bottom(usage,1) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"selector function top() cannot be combined with other functions"}]}"#),
        Case("SELECT top(usage, 2), idle FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top","idle"],"values":[["2020-09-13T12:28:50Z",4.5,null],["2020-09-13T12:29:50Z",5.5,60]]}]}]}"#),
        Case("SELECT top(usage, 2), usage FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top","usage"],"values":[["2020-09-13T12:28:50Z",4.5,4.5],["2020-09-13T12:29:50Z",5.5,5.5]]}]}]}"#),
        Case("SELECT top(usage, region, 1) FROM cpu GROUP BY host",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","top","region"],"values":[["2020-09-13T12:29:50Z",5.5,"east"]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","top","region"],"values":[["2020-09-13T12:28:50Z",4.5,"west"]]}]}]}"#),
        Case("SELECT top(usage, host, 1), host FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top","host","host_1"],"values":[["2020-09-13T12:29:50Z",5.5,"a","a"]]}]}]}"#),
        Case("SELECT top(idle, 2) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(1m)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top"],"values":[["2020-09-13T12:26:40Z",90],["2020-09-13T12:26:50Z",80],["2020-09-13T12:27:50Z",70],["2020-09-13T12:29:50Z",60]]}]}]}"#),
        Case("SELECT top(usage, 2) FROM cpu GROUP BY host SLIMIT 1",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","top"],"values":[["2020-09-13T12:27:50Z",3.5],["2020-09-13T12:29:50Z",5.5]]}]}]}"#),
        Case("SELECT top(usage, -1) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"limit (-1) in top function must be at least 1"}]}"#),
        Case("SELECT top(usage, 2, 3) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"only fields or tags are allowed in top(), found 2"}]}"#),
        Case("SELECT top(usage, host) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"expected integer as last argument in top(), found host"}]}"#),
        Case("SELECT top(2, usage) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"expected integer as last argument in top(), found usage"}]}"#),
        Case("SELECT bottom(usage, 2) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(2m) ORDER BY time DESC",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","bottom"],"values":[["2020-09-13T12:28:50Z",4.5],["2020-09-13T12:29:50Z",5.5],["2020-09-13T12:26:40Z",1.5],["2020-09-13T12:26:50Z",2.5]]}]}]}"#),
        Case("SELECT top(usage, 3) FROM cpu LIMIT 2 OFFSET 1",
             #"{"results":[{"statement_id":0,"error":"limit (3) in top function can not be larger than the LIMIT (2) in the select statement"}]}"#),
        Case("SELECT top(usage, 4) FROM cpu LIMIT 5 OFFSET 1",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","top"],"values":[["2020-09-13T12:27:50Z",3.5],["2020-09-13T12:28:50Z",4.5],["2020-09-13T12:29:50Z",5.5]]}]}]}"#),
    ]

    @Test(arguments: cases) func answersAsInfluxDB(_ c: Case) throws {
        let query = try InfluxQLParser.parse(c.query)
        let results = InfluxQLExecutor(storage: InfluxQLRecordedAnswerTests.storage()).execute(query, database: "db", retentionPolicy: nil, now: 1_600_001_000_000_000_000)
        let json = String(decoding: InfluxQLResponseWriter().json(results), as: UTF8.self)
        #expect(json == c.answer)
    }

    /// A huge non-integer N is named in the error without trapping on its conversion.
    @Test func aHugeFractionalNIsNamed() throws {
        let results = InfluxQLExecutor(storage: InfluxQLRecordedAnswerTests.storage()).execute(
            try InfluxQLParser.parse("SELECT top(usage, 100000000000000000000000.5) FROM cpu"), database: "db", retentionPolicy: nil, now: 0)
        #expect(results.first?.error?.hasPrefix("expected integer as last argument in top(), found 1.0000000000000001e+23") == true, "\(results)")
    }

    /// An N InfluxDB would fail to allocate (it answers a panic) is a clear error.
    @Test func aHugeNIsAnError() throws {
        let results = InfluxQLExecutor(storage: InfluxQLRecordedAnswerTests.storage()).execute(
            try InfluxQLParser.parse("SELECT top(usage, 9223372036854775807) FROM cpu"), database: "db", retentionPolicy: nil, now: 0)
        #expect(results.first?.error?.contains("is too large") == true, "\(results)")
    }
}
