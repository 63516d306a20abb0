import FaradInfluxQL
import Testing

/// Queries answered by InfluxDB 1.6 on the same points (recorded from `influxd`), answered by
/// the engine over an in-memory storage: every answer must be byte for byte InfluxDB's.
@Suite struct InfluxQLRecordedAnswerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var query: String
        var answer: String
        init(_ query: String, _ answer: String) {
            self.query = query
            self.answer = answer
        }
        var testDescription: String { query }
    }

    /// The points of `/tmp/data.lp` in the recording: cpu (tags host, region; fields usage,
    /// idle, ok, note) and mem.
    static func storage() -> InMemoryInfluxStorage {
        let s = InMemoryInfluxStorage()
        let t0: Int64 = 1_600_000_000_000_000_000
        let a = ["host": "a", "region": "east"], b = ["host": "b", "region": "west"]
        s.write("cpu", tags: a, fields: ["usage": .float(1.5), "idle": .integer(90), "ok": .boolean(true), "note": .string("x")], time: t0)
        s.write("cpu", tags: b, fields: ["usage": .float(2.5), "idle": .integer(80), "ok": .boolean(false)], time: t0 + 10_000_000_000)
        s.write("cpu", tags: a, fields: ["usage": .float(3.5), "idle": .integer(70)], time: t0 + 70_000_000_000)
        s.write("cpu", tags: b, fields: ["usage": .float(4.5)], time: t0 + 130_000_000_000)
        s.write("cpu", tags: a, fields: ["usage": .float(5.5), "idle": .integer(60)], time: t0 + 190_000_000_000)
        s.write("mem", tags: ["host": "a"], fields: ["free": .integer(10)], time: t0)
        return s
    }

    static let cases: [Case] = [
        Case("SELECT * FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","idle","note","ok","region","usage"],"values":[["2020-09-13T12:26:40Z","a",90,"x",true,"east",1.5],["2020-09-13T12:26:50Z","b",80,null,false,"west",2.5],["2020-09-13T12:27:50Z","a",70,null,null,"east",3.5],["2020-09-13T12:28:50Z","b",null,null,null,"west",4.5],["2020-09-13T12:29:50Z","a",60,null,null,"east",5.5]]}]}]}"#),
        Case("SELECT usage, host FROM cpu WHERE host = 'a'",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","usage","host"],"values":[["2020-09-13T12:26:40Z",1.5,"a"],["2020-09-13T12:27:50Z",3.5,"a"],["2020-09-13T12:29:50Z",5.5,"a"]]}]}]}"#),
        Case("SELECT usage::integer, idle::float FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","usage","idle"],"values":[["2020-09-13T12:26:40Z",1,90],["2020-09-13T12:26:50Z",2,80],["2020-09-13T12:27:50Z",3,70],["2020-09-13T12:28:50Z",4,null],["2020-09-13T12:29:50Z",5,60]]}]}]}"#),
        Case("SELECT usage + 1, idle / 7, idle % 7 FROM cpu WHERE idle > 65",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","usage","idle","idle_1"],"values":[["2020-09-13T12:26:40Z",2.5,12.857142857142858,6],["2020-09-13T12:26:50Z",3.5,11.428571428571429,3],["2020-09-13T12:27:50Z",4.5,10,0]]}]}]}"#),
        Case("SELECT * FROM cpu WHERE usage > 2 AND usage < 5",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","idle","note","ok","region","usage"],"values":[["2020-09-13T12:26:50Z","b",80,null,false,"west",2.5],["2020-09-13T12:27:50Z","a",70,null,null,"east",3.5],["2020-09-13T12:28:50Z","b",null,null,null,"west",4.5]]}]}]}"#),
        Case("SELECT * FROM cpu WHERE host = 'a' OR idle = 80",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","idle","note","ok","region","usage"],"values":[["2020-09-13T12:26:40Z","a",90,"x",true,"east",1.5],["2020-09-13T12:26:50Z","b",80,null,false,"west",2.5],["2020-09-13T12:27:50Z","a",70,null,null,"east",3.5],["2020-09-13T12:29:50Z","a",60,null,null,"east",5.5]]}]}]}"#),
        Case("SELECT * FROM cpu WHERE host =~ /^b/",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","idle","note","ok","region","usage"],"values":[["2020-09-13T12:26:50Z","b",80,null,false,"west",2.5],["2020-09-13T12:28:50Z","b",null,null,null,"west",4.5]]}]}]}"#),
        Case("SELECT * FROM cpu WHERE host !~ /^b/ AND ok = true",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","idle","note","ok","region","usage"],"values":[["2020-09-13T12:26:40Z","a",90,"x",true,"east",1.5]]}]}]}"#),
        Case("SELECT * FROM cpu ORDER BY time DESC LIMIT 2",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","idle","note","ok","region","usage"],"values":[["2020-09-13T12:29:50Z","a",60,null,null,"east",5.5],["2020-09-13T12:28:50Z","b",null,null,null,"west",4.5]]}]}]}"#),
        Case("SELECT usage FROM cpu GROUP BY host LIMIT 1 OFFSET 1",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","usage"],"values":[["2020-09-13T12:27:50Z",3.5]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","usage"],"values":[["2020-09-13T12:28:50Z",4.5]]}]}]}"#),
        Case("SELECT usage FROM cpu GROUP BY * SLIMIT 1 SOFFSET 1",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"b","region":"west"},"columns":["time","usage"],"values":[["2020-09-13T12:26:50Z",2.5],["2020-09-13T12:28:50Z",4.5]]}]}]}"#),
        Case("SELECT count(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","count"],"values":[["1970-01-01T00:00:00Z",5]]}]}]}"#),
        Case("SELECT count(*) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","count_idle","count_note","count_ok","count_usage"],"values":[["1970-01-01T00:00:00Z",4,1,2,5]]}]}]}"#),
        Case("SELECT mean(usage), sum(idle) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","mean","sum"],"values":[["1970-01-01T00:00:00Z",3.5,300]]}]}]}"#),
        Case("SELECT mean(idle) FROM cpu GROUP BY host",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","mean"],"values":[["1970-01-01T00:00:00Z",73.33333333333333]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","mean"],"values":[["1970-01-01T00:00:00Z",80]]}]}]}"#),
        Case("SELECT median(usage), mode(idle), spread(usage), stddev(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","median","mode","spread","stddev"],"values":[["1970-01-01T00:00:00Z",3.5,60,4,1.5811388300841898]]}]}]}"#),
        Case("SELECT distinct(host) FROM cpu",
             #"{"results":[{"statement_id":0}]}"#),
        Case("SELECT first(usage), last(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","first","last"],"values":[["1970-01-01T00:00:00Z",1.5,5.5]]}]}]}"#),
        Case("SELECT max(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","max"],"values":[["2020-09-13T12:29:50Z",5.5]]}]}]}"#),
        Case("SELECT max(idle), usage FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","max","usage"],"values":[["2020-09-13T12:26:40Z",90,1.5]]}]}]}"#),
        Case("SELECT min(usage), max(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","min","max"],"values":[["1970-01-01T00:00:00Z",1.5,5.5]]}]}]}"#),
        Case("SELECT percentile(usage, 50), percentile(usage, 90) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","percentile","percentile_1"],"values":[["1970-01-01T00:00:00Z",3.5,5.5]]}]}]}"#),
        Case("SELECT mean(usage), mean(idle) FROM cpu GROUP BY host",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","mean","mean_1"],"values":[["1970-01-01T00:00:00Z",3.5,73.33333333333333]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","mean","mean_1"],"values":[["1970-01-01T00:00:00Z",3.5,80]]}]}]}"#),
        Case("SELECT max(ok) FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","max"],"values":[["2020-09-13T12:26:40Z",true]]}]}]}"#),
        Case("SELECT count(usage) FROM cpu WHERE time >= 1600000000s AND time < 1600000300s GROUP BY time(1m)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","count"],"values":[["2020-09-13T12:26:00Z",2],["2020-09-13T12:27:00Z",1],["2020-09-13T12:28:00Z",1],["2020-09-13T12:29:00Z",1],["2020-09-13T12:30:00Z",0],["2020-09-13T12:31:00Z",0]]}]}]}"#),
        Case("SELECT count(usage) FROM cpu WHERE time >= 1600000000s AND time < 1600000300s GROUP BY time(1m) fill(none)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","count"],"values":[["2020-09-13T12:26:00Z",2],["2020-09-13T12:27:00Z",1],["2020-09-13T12:28:00Z",1],["2020-09-13T12:29:00Z",1]]}]}]}"#),
        Case("SELECT mean(usage) FROM cpu WHERE time >= 1600000000s AND time < 1600000300s GROUP BY time(1m) fill(previous)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","mean"],"values":[["2020-09-13T12:26:00Z",2],["2020-09-13T12:27:00Z",3.5],["2020-09-13T12:28:00Z",4.5],["2020-09-13T12:29:00Z",5.5],["2020-09-13T12:30:00Z",5.5],["2020-09-13T12:31:00Z",5.5]]}]}]}"#),
        Case("SELECT mean(usage) FROM cpu WHERE time >= 1600000000s AND time < 1600000300s GROUP BY time(1m) fill(linear)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","mean"],"values":[["2020-09-13T12:26:00Z",2],["2020-09-13T12:27:00Z",3.5],["2020-09-13T12:28:00Z",4.5],["2020-09-13T12:29:00Z",5.5],["2020-09-13T12:30:00Z",null],["2020-09-13T12:31:00Z",null]]}]}]}"#),
        Case("SELECT mean(usage) FROM cpu WHERE time >= 1600000000s AND time < 1600000300s GROUP BY time(1m) fill(-1)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","mean"],"values":[["2020-09-13T12:26:00Z",2],["2020-09-13T12:27:00Z",3.5],["2020-09-13T12:28:00Z",4.5],["2020-09-13T12:29:00Z",5.5],["2020-09-13T12:30:00Z",-1],["2020-09-13T12:31:00Z",-1]]}]}]}"#),
        Case("SELECT mean(usage) FROM cpu WHERE time >= 1600000000s AND time < 1600000300s GROUP BY time(2m, 30s), host",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","mean"],"values":[["2020-09-13T12:26:30Z",2.5],["2020-09-13T12:28:30Z",5.5],["2020-09-13T12:30:30Z",null]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","mean"],"values":[["2020-09-13T12:26:30Z",2.5],["2020-09-13T12:28:30Z",4.5],["2020-09-13T12:30:30Z",null]]}]}]}"#),
        Case("SELECT max(usage) FROM cpu WHERE time >= '2020-09-13T12:26:00Z' AND time <= '2020-09-13T12:30:00Z' GROUP BY time(2m)",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","max"],"values":[["2020-09-13T12:26:00Z",3.5],["2020-09-13T12:28:00Z",5.5],["2020-09-13T12:30:00Z",null]]}]}]}"#),
        Case("SELECT mean(usage) FROM cpu, mem",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","mean"],"values":[["1970-01-01T00:00:00Z",3.5]]}]}]}"#),
        Case("SELECT * FROM /m.*/",
             #"{"results":[{"statement_id":0,"series":[{"name":"mem","columns":["time","free","host"],"values":[["2020-09-13T12:26:40Z",10,"a"]]}]}]}"#),
        Case("SELECT mean(note) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"unsupported mean iterator type: *query.stringInterruptIterator"}]}"#),
        Case("SELECT usage, mean(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"mixing aggregate and non-aggregate queries is not supported"}]}"#),
        Case("SELECT nope(usage) FROM cpu",
             #"{"results":[{"statement_id":0,"error":"undefined function nope()"}]}"#),
        Case("SELECT host FROM cpu",
             #"{"results":[{"statement_id":0}]}"#),
        Case("SELECT * FROM nothing",
             #"{"results":[{"statement_id":0}]}"#),
        Case("SHOW MEASUREMENTS",
             #"{"results":[{"statement_id":0,"series":[{"name":"measurements","columns":["name"],"values":[["cpu"],["mem"]]}]}]}"#),
        Case("SHOW MEASUREMENTS WITH MEASUREMENT =~ /c.*/",
             #"{"results":[{"statement_id":0,"series":[{"name":"measurements","columns":["name"],"values":[["cpu"]]}]}]}"#),
        Case("SHOW TAG KEYS",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["tagKey"],"values":[["host"],["region"]]},{"name":"mem","columns":["tagKey"],"values":[["host"]]}]}]}"#),
        Case("SHOW TAG KEYS FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["tagKey"],"values":[["host"],["region"]]}]}]}"#),
        Case("SHOW TAG VALUES WITH KEY = host",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["key","value"],"values":[["host","a"],["host","b"]]},{"name":"mem","columns":["key","value"],"values":[["host","a"]]}]}]}"#),
        Case("SHOW TAG VALUES FROM cpu WITH KEY IN (host, region) WHERE region = 'west'",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["key","value"],"values":[["host","b"],["region","west"]]}]}]}"#),
        Case("SHOW FIELD KEYS FROM cpu",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["fieldKey","fieldType"],"values":[["idle","integer"],["note","string"],["ok","boolean"],["usage","float"]]}]}]}"#),
        Case("SHOW SERIES",
             #"{"results":[{"statement_id":0,"series":[{"columns":["key"],"values":[["cpu,host=a,region=east"],["cpu,host=b,region=west"],["mem,host=a"]]}]}]}"#),
        Case("SHOW SERIES FROM cpu WHERE host = 'a'",
             #"{"results":[{"statement_id":0,"series":[{"columns":["key"],"values":[["cpu,host=a,region=east"]]}]}]}"#),
        Case("SHOW RETENTION POLICIES ON db",
             #"{"results":[{"statement_id":0,"series":[{"columns":["name","duration","shardGroupDuration","replicaN","default"],"values":[["autogen","0s","168h0m0s",1,true]]}]}]}"#),
        Case("SELECT * FROM db.autogen.mem",
             #"{"results":[{"statement_id":0,"series":[{"name":"mem","columns":["time","free","host"],"values":[["2020-09-13T12:26:40Z",10,"a"]]}]}]}"#),
        Case("SELECT * FROM cpu; SELECT * FROM mem",
             #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","idle","note","ok","region","usage"],"values":[["2020-09-13T12:26:40Z","a",90,"x",true,"east",1.5],["2020-09-13T12:26:50Z","b",80,null,false,"west",2.5],["2020-09-13T12:27:50Z","a",70,null,null,"east",3.5],["2020-09-13T12:28:50Z","b",null,null,null,"west",4.5],["2020-09-13T12:29:50Z","a",60,null,null,"east",5.5]]}]},{"statement_id":1,"series":[{"name":"mem","columns":["time","free","host"],"values":[["2020-09-13T12:26:40Z",10,"a"]]}]}]}"#),
    ]

    @Test(arguments: cases) func answersAsInfluxDB(_ c: Case) throws {
        let query = try InfluxQLParser.parse(c.query)
        let results = InfluxQLExecutor(storage: Self.storage()).execute(query, database: "db", retentionPolicy: nil, now: 1_600_001_000_000_000_000)
        let json = String(decoding: InfluxQLResponseWriter().json(results), as: UTF8.self)
        #expect(json == c.answer)
    }

    /// The deepest expression the parser lets through is evaluated (and released) without
    /// running out of stack.
    @Test func theLongestExpressionEvaluates() throws {
        // The WHERE's `=` is the last operator allowed.
        let n = InfluxQLParser.maximumOperators - 1
        let text = "SELECT idle" + String(repeating: " + idle", count: n) + " FROM cpu WHERE host = 'b'"
        let results = InfluxQLExecutor(storage: Self.storage()).execute(try InfluxQLParser.parse(text), database: "db", retentionPolicy: nil, now: 0)
        #expect(results.first?.series.first?.values.first?.last == .value(.integer(80 * Int64(n + 1))))
    }

    /// A percentile beyond 0…100 selects no point (InfluxDB's null), whatever its size.
    @Test(arguments: [String(repeating: "9", count: 300) + ".5", "101", "-5", "100"]) func percentilesOutsideTheRangeSelectNothing(_ n: String) throws {
        let results = InfluxQLExecutor(storage: Self.storage()).execute(
            try InfluxQLParser.parse("SELECT percentile(usage, \(n)) FROM cpu"), database: "db", retentionPolicy: nil, now: 0)
        let cell = results.first?.series.first?.values.first?.last
        #expect(cell == (n == "100" ? .value(.float(5.5)) : nil))
    }
}
