import FaradInfluxQL
import Testing

/// InfluxQL's transformations and `integral()` over the recorded points of ``InfluxQLRecordedAnswerTests``:
/// each answer recorded from `influxd` 1.6 on the same points, byte for byte.
@Suite struct InfluxQLTransformationTests {
    typealias Case = InfluxQLRecordedAnswerTests.Case

    static let cases: [Case] = [
        Case("SELECT derivative(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","derivative"],"values":[["2020-09-13T12:26:50Z",0.1],["2020-09-13T12:27:50Z",0.016666666666666666],["2020-09-13T12:28:50Z",0.016666666666666666],["2020-09-13T12:29:50Z",0.016666666666666666]]}]}]}"#),
        Case("SELECT non_negative_derivative(idle, 1m) FROM cpu GROUP BY host",
             #"{"results":[{"statement_id":0}]}"#),
        Case("SELECT difference(idle) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","difference"],"values":[["2020-09-13T12:26:50Z",-10],["2020-09-13T12:27:50Z",-10],["2020-09-13T12:29:50Z",-10]]}]}]}"#),
        Case("SELECT non_negative_difference(usage) FROM cpu WHERE host = 'b'",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","non_negative_difference"],"values":[["2020-09-13T12:28:50Z",2]]}]}]}"#),
        Case("SELECT moving_average(usage, 2) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","moving_average"],"values":[["2020-09-13T12:26:50Z",2],["2020-09-13T12:27:50Z",3],["2020-09-13T12:28:50Z",4],["2020-09-13T12:29:50Z",5]]}]}]}"#),
        Case("SELECT cumulative_sum(idle) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","cumulative_sum"],"values":[["2020-09-13T12:26:40Z",90],["2020-09-13T12:26:50Z",170],["2020-09-13T12:27:50Z",240],["2020-09-13T12:29:50Z",300]]}]}]}"#),
        Case("SELECT elapsed(usage, 10s) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","elapsed"],"values":[["2020-09-13T12:26:50Z",1],["2020-09-13T12:27:50Z",6],["2020-09-13T12:28:50Z",6],["2020-09-13T12:29:50Z",6]]}]}]}"#),
        Case("SELECT derivative(mean(usage)) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(1m)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","derivative"],"values":[["2020-09-13T12:27:00Z",1.5],["2020-09-13T12:28:00Z",1],["2020-09-13T12:29:00Z",1]]}]}]}"#),
        Case("SELECT cumulative_sum(sum(idle)) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(1m), host",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","cumulative_sum"],"values":[["2020-09-13T12:26:00Z",90],["2020-09-13T12:27:00Z",160],["2020-09-13T12:29:00Z",220]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","cumulative_sum"],"values":[["2020-09-13T12:26:00Z",80]]}]}]}"#),
        Case("SELECT moving_average(max(usage), 2) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(1m) fill(0)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","moving_average"],"values":[["2020-09-13T12:26:00Z",1.25],["2020-09-13T12:27:00Z",3],["2020-09-13T12:28:00Z",4],["2020-09-13T12:29:00Z",5],["2020-09-13T12:30:00Z",2.75]]}]}]}"#),
        Case("SELECT difference(usage) AS d, elapsed(usage) AS e FROM cpu WHERE host = 'a'",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","d","e"],"values":[["2020-09-13T12:27:50Z",2,70000000000],["2020-09-13T12:29:50Z",2,120000000000]]}]}]}"#),
        Case("SELECT derivative(mean(usage)) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"derivative aggregate requires a GROUP BY interval"}]}"#),
        Case("SELECT derivative(usage) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(1m)",
             #"{"results":[{"statement_id":0,"error":"aggregate function required inside the call to derivative"}]}"#),
        Case("SELECT moving_average(usage, 1) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"moving_average window must be greater than 1, got 1"}]}"#),
        Case("SELECT derivative(usage, 10) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"second argument to derivative must be a duration, got *influxql.IntegerLiteral"}]}"#),
        Case("SELECT integral(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral"],"values":[["1970-01-01T00:00:00Z",740]]}]}]}"#),
        Case("SELECT integral(usage, 1m) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral"],"values":[["1970-01-01T00:00:00Z",12.333333333333334]]}]}]}"#),
        Case("SELECT integral(usage) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(1m)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral"],"values":[["2020-09-13T12:26:00Z",45.83333333333333],["2020-09-13T12:27:00Z",190],["2020-09-13T12:28:00Z",250],["2020-09-13T12:29:00Z",254.16666666666669]]}]}]}"#),
        Case("SELECT integral(idle, 10s) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(1m)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral"],"values":[["2020-09-13T12:26:00Z",164.16666666666666],["2020-09-13T12:27:00Z",465.41666666666663],["2020-09-13T12:29:00Z",765.4166666666667]]}]}]}"#),
        Case("SELECT integral(usage) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(2m) fill(0)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral"],"values":[["2020-09-13T12:26:00Z",235.83333333333331],["2020-09-13T12:28:00Z",504.16666666666663]]}]}]}"#),
        Case("SELECT integral(usage), mean(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral","mean"],"values":[["1970-01-01T00:00:00Z",740,3.5]]}]}]}"#),
        Case("SELECT integral(usage, 5) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"second argument must be a duration"}]}"#),
        Case("SELECT integral(usage, 1s, 2) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"invalid number of arguments for integral, expected at least 1 but no more than 2, got 3"}]}"#),
        Case("SELECT integral(note) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"unsupported integral iterator type: *query.stringInterruptIterator"}]}"#),
        Case("SELECT integral(*) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral_idle","integral_usage"],"values":[["1970-01-01T00:00:00Z",13150,740]]}]}]}"#),
        Case("SELECT integral(usage) FROM cpu WHERE host = 'b'",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral"],"values":[["1970-01-01T00:00:00Z",420]]}]}]}"#),
        Case("SELECT integral(usage) FROM cpu WHERE time >= '2020-09-13T12:26:00Z'",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral"],"values":[["1970-01-01T00:00:00Z",740]]}]}]}"#),
        Case("SELECT integral(usage, 30s) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time < '2020-09-13T12:31:00Z' GROUP BY time(1m, 30s)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","integral"],"values":[["2020-09-13T12:26:30Z",4.444444444444445],["2020-09-13T12:27:30Z",7.333333333333333],["2020-09-13T12:28:30Z",9.333333333333334],["2020-09-13T12:29:30Z",3.555555555555556]]}]}]}"#),
    ]

    @Test(arguments: cases) func answersAsInfluxDB(_ c: Case) throws {
        let query = try InfluxQLParser.parse(c.query)
        let results = InfluxQLExecutor(storage: InfluxQLRecordedAnswerTests.storage()).execute(query, database: "db", retentionPolicy: nil, now: 1_600_001_000_000_000_000)
        let json = String(decoding: InfluxQLResponseWriter().json(results), as: UTF8.self)
        #expect(json == c.answer)
    }
}
