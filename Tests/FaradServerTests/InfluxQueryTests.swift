import FaradSystem
import Foundation
import Testing

/// InfluxDB 1.x reads: `/query` over HTTP, the `influx` CLI and the `influxdb` Python client.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct InfluxQueryTests {
    static let points = """
        cpu,host=a,region=east usage_user=1.5,idle=90i,ok=true,note="x" 1600000000000000000
        cpu,host=b,region=west usage_user=2.5,idle=80i,ok=false 1600000010000000000
        cpu,host=a,region=east usage_user=3.5,idle=70i 1600000070000000000
        cpu,host=b,region=west usage_user=4.5 1600000130000000000
        cpu,host=a,region=east usage_user=5.5,idle=60i 1600000190000000000
        mem,host=a free=10i 1600000000000000000
        a.b,host=a c=1 1600000000000000000

        """

    private func query(_ server: ServerProcess, _ q: String, _ extra: String = "db=db") async throws -> ServerProcess.Reply {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return try await server.get("/query?\(extra)&q=\(encoded)")
    }

    @Test func queryAnswersAsInfluxDB() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        #expect(try await server.post("/write?db=db", Self.points).status == 204)

        let all = try await query(server, "SELECT * FROM cpu WHERE host = 'a' LIMIT 2")
        #expect(all.status == 200)
        #expect(all.header("Content-Type") == "application/json")
        #expect(all.header("X-Influxdb-Version")?.hasPrefix("1.") == true)
        #expect(all.text == #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","idle","note","ok","region","usage_user"],"values":[["2020-09-13T12:26:40Z","a",90,"x",true,"east",1.5],["2020-09-13T12:27:50Z","a",70,null,null,"east",3.5]]}]}]}"# + "\n")

        // A measurement with a dot in its name is read back whole.
        let dotted = try await query(server, #"SELECT c FROM "a.b""#, "db=db&epoch=s")
        #expect(dotted.text == #"{"results":[{"statement_id":0,"series":[{"name":"a.b","columns":["time","c"],"values":[[1600000000,1]]}]}]}"# + "\n")

        let grouped = try await query(server, "SELECT mean(usage_user) FROM cpu WHERE time >= 1600000000s AND time < 1600000120s GROUP BY time(1m), host", "db=db&epoch=ms")
        #expect(grouped.text == #"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","mean"],"values":[[1599999960000,1.5],[1600000020000,3.5],[1600000080000,null]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","mean"],"values":[[1599999960000,2.5],[1600000020000,null],[1600000080000,null]]}]}]}"# + "\n")

        // Two statements, the second failing: each has its own result.
        let two = try await query(server, "SELECT count(idle) FROM cpu; SELECT mean(note) FROM cpu")
        #expect(two.text == #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","count"],"values":[["1970-01-01T00:00:00Z",4]]}]},{"statement_id":1,"error":"unsupported mean iterator type: *query.stringInterruptIterator"}]}"# + "\n")

        let parseError = try await query(server, "SELECT FROM cpu")
        #expect(parseError.status == 400)
        #expect(parseError.text == #"{"error":"error parsing query: found FROM, expected identifier, string, number, bool at line 1, char 8"}"# + "\n")
        let missing = try await server.get("/query?db=db")
        #expect(missing.status == 400)
        #expect(missing.text == #"{"error":"missing required parameter \"q\""}"# + "\n")
        let noDB = try await query(server, "SELECT * FROM cpu", "db=nope")
        #expect(noDB.text == #"{"results":[{"statement_id":0,"error":"database not found: nope"}]}"# + "\n")
        // A left-deep chain of operators too long to walk is refused; the server goes on.
        let chain = try await server.post("/query?db=db", "q=SELECT+a" + String(repeating: "%2Ba", count: 200_000) + "+FROM+cpu",
                                          headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(chain.status == 400)
        #expect(chain.text.hasPrefix(#"{"error":"error parsing query: more than 2000 operators in one statement at line 1, char "#), "\(chain.text.prefix(200))")
        let params = try await query(server, "SELECT usage_user FROM cpu WHERE host = $h", "db=db&epoch=s&params=%7B%22h%22%3A%22b%22%7D")
        #expect(params.text == #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","usage_user"],"values":[[1600000010,2.5],[1600000130,4.5]]}]}]}"# + "\n")
    }

    @Test func formBodiesChunksCSVAndDatabases() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        #expect(try await server.post("/write?db=db", Self.points).status == 204)

        let form = try await server.post("/query", "db=db&epoch=s&q=SELECT+free+FROM+mem", headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(form.text == #"{"results":[{"statement_id":0,"series":[{"name":"mem","columns":["time","free"],"values":[[1600000000,10]]}]}]}"# + "\n")

        let chunked = try await query(server, "SELECT usage_user FROM cpu GROUP BY host", "db=db&epoch=s&chunked=true&chunk_size=2")
        #expect(chunked.text == """
            {"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","usage_user"],"values":[[1600000000,1.5],[1600000070,3.5]],"partial":true}],"partial":true}]}
            {"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","usage_user"],"values":[[1600000190,5.5]]}],"partial":true}]}
            {"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"b"},"columns":["time","usage_user"],"values":[[1600000010,2.5],[1600000130,4.5]]}]}]}

            """)

        let csv = try await server.request("GET", "/query?db=db&q=SELECT+free+FROM+mem", headers: ["Accept": "application/csv"])
        #expect(csv.header("Content-Type") == "text/csv")
        #expect(csv.text == "name,tags,time,free\nmem,,1600000000000000000,10\n")

        let create = try await server.post("/query", "q=CREATE DATABASE empty", headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(create.text == #"{"results":[{"statement_id":0}]}"# + "\n")
        let databases = try await query(server, "SHOW DATABASES", "")
        #expect(databases.text == #"{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["db"],["empty"]]}]}]}"# + "\n")
        let fields = try await query(server, "SHOW FIELD KEYS FROM cpu")
        #expect(fields.text == #"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["fieldKey","fieldType"],"values":[["idle","integer"],["note","string"],["ok","boolean"],["usage_user","float"]]}]}]}"# + "\n")

        // DROP MEASUREMENT removes the points (KairosDB's view of them too).
        let drop = try await server.post("/query?db=db", "q=DROP MEASUREMENT mem", headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(drop.text == #"{"results":[{"statement_id":0}]}"# + "\n")
        let gone = try await query(server, "SHOW MEASUREMENTS")
        #expect(gone.text == #"{"results":[{"statement_id":0,"series":[{"name":"measurements","columns":["name"],"values":[["a.b"],["cpu"]]}]}]}"# + "\n")
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"mem.free"}]}"#).isEmpty)
        // A statement that changes the store, sent as a GET, runs and is warned about.
        let viaGet = try await query(server, "DROP DATABASE empty", "")
        #expect(viaGet.text == #"{"results":[{"statement_id":0,"messages":[{"level":"warning","text":"deprecated use of 'DROP DATABASE empty' in a read only context, please use a POST request instead"}]}]}"# + "\n")
    }

    @Test func influxCLIReads() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/influx") else {
            Issue.record("the influx CLI (Debian influxdb-client) is not installed; .ci/run installs it")
            return
        }
        let server = try ServerProcess.start()
        defer { server.stop() }
        #expect(try await server.post("/write?db=db", Self.points).status == 204)
        func influx(_ args: [String]) throws -> String {
            let (status, out) = try runTool("/usr/bin/influx", ["-host", "127.0.0.1", "-port", "\(server.port)"] + args)
            #expect(status == 0)
            return String(decoding: out, as: UTF8.self)
        }
        let databases = try influx(["-execute", "SHOW DATABASES"])
        #expect(databases.contains("name: databases") && databases.contains("\ndb\n"), "\(databases)")
        let mean = try influx(["-database", "db", "-precision", "s", "-execute", "SELECT mean(usage_user) FROM cpu GROUP BY host"])
        #expect(mean == "name: cpu\ntags: host=a\ntime mean\n---- ----\n0    3.5\n\nname: cpu\ntags: host=b\ntime mean\n---- ----\n0    3.5\n", "\(mean)")
        let csv = try influx(["-database", "db", "-format", "csv", "-execute", "SELECT free FROM mem"])
        #expect(csv == "name,time,free\nmem,1600000000000000000,10\n", "\(csv)")
        let error = try runTool("/bin/sh", ["-c", "/usr/bin/influx -host 127.0.0.1 -port \(server.port) -database nope -execute 'SELECT * FROM cpu' 2>&1"])
        #expect(String(decoding: error.output, as: UTF8.self).contains("database not found: nope"))
    }

    @Test func pythonInfluxDBClientReads() async throws {
        guard (try? runTool("/usr/bin/env", ["python3", "-c", "import influxdb"]).status) == 0 else {
            Issue.record("the influxdb Python client is not installed; .ci/run installs it from PyPI")
            return
        }
        let server = try ServerProcess.start()
        defer { server.stop() }
        #expect(try await server.post("/write?db=db", Self.points).status == 204)
        let script = """
            from influxdb import InfluxDBClient
            c = InfluxDBClient(host='127.0.0.1', port=\(server.port), database='db')
            rs = c.query('SELECT usage_user, idle FROM cpu WHERE host = $h', bind_params={'h': 'a'}, epoch='s')
            print(list(rs.get_points()))
            print(c.get_list_database())
            print([(k, list(v)) for k, v in c.query('SELECT max(idle) FROM cpu GROUP BY region').items()])
            """
        let (status, out) = try runTool("/usr/bin/env", ["python3", "-c", script])
        #expect(status == 0)
        #expect(String(decoding: out, as: UTF8.self) == """
            [{'time': 1600000000, 'usage_user': 1.5, 'idle': 90}, {'time': 1600000070, 'usage_user': 3.5, 'idle': 70}, {'time': 1600000190, 'usage_user': 5.5, 'idle': 60}]
            [{'name': 'db'}]
            [(('cpu', {'region': 'east'}), [{'time': '2020-09-13T12:26:40Z', 'max': 90}]), (('cpu', {'region': 'west'}), [{'time': '2020-09-13T12:26:50Z', 'max': 80}])]

            """)
    }
}
