import FaradTestSupport
import Foundation
import KapacitorUDFTesting
import Testing

/// Tasks against real peers through the real `farad serve`: influxDBOut into `influxd`, a UDF
/// node on the Python agent (Google's protobuf runtime), and that agent crashing mid-stream.
@Suite(.serialized) struct TaskPeerTests {
    /// Polls `body` until it returns a value (no sleeps to wait for things: a deadline).
    static func eventually<T>(_ what: String, seconds: Int = 30, _ body: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = try await body() { return value }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw ServerTestError("timed out waiting for \(what)")
    }

    @Test func influxDBOutWritesIntoARealInfluxDB() async throws {
        let influx = try await InfluxDProcess.start()
        defer { influx.stop() }
        let server = try ServerProcess.start(arguments: ["--influxdb-url", influx.url])
        defer { server.stop() }
        let script = """
            stream
                |from()
                    .measurement('cpu')
                    .groupBy('host')
                |window()
                    .period(10s)
                    .every(10s)
                |mean('usage')
                |influxDBOut()
                    .create()
                    .database('farad_out')
                    .retentionPolicy('autogen')
                    .measurement('cpu_mean')
                    .tag('source', 'farad')
                    .precision('s')
                    .flushInterval(50ms)
            """
        let defined = try await TaskAPITests.define(server, id: "out", script: script)
        #expect(defined.status == 200, "\(defined.text)")
        let lines = (0..<12).map { "cpu,host=\($0 % 2 == 0 ? "a" : "b") usage=\($0) \(Int64($0) * 1_000_000_000)" }.joined(separator: "\n")
        #expect(try await server.post("/write?db=telegraf", lines).status == 204)
        let json = try await Self.eventually("points in influxd") { () -> String? in
            let text = try await influx.query("SELECT * FROM cpu_mean GROUP BY host ORDER BY time", database: "farad_out")
            return text.contains(#""host":"b""#) ? text : nil
        }
        // One window per host, [0s, 10s): a = mean(0,2,4,6,8) = 4 (time 10 s), b = mean(1,3,5,7,9) = 5 (11 s).
        #expect(json.contains(#""tags":{"host":"a"},"columns":["time","mean","source"],"values":[[10,4,"farad"]]"#), "\(json)")
        #expect(json.contains(#""tags":{"host":"b"},"columns":["time","mean","source"],"values":[[11,5,"farad"]]"#), "\(json)")
        let task = try await server.get("/kapacitor/v1/tasks/out")
        #expect(task.text.contains(#"points_written=\"2\""#) && task.text.contains(#"write_errors=\"0\""#), "\(task.text)")
    }

    /// `[[influxdb]] username` and `password` reach an InfluxDB that asks for them (Intel's
    /// service sets them through `KAPACITOR_INFLUXDB_0_USERNAME` / `_PASSWORD`).
    @Test func influxDBOutSendsTheCredentialsOfTheConfig() async throws {
        let influx = try await InfluxDProcess.start(authEnabled: true)
        defer { influx.stop() }
        _ = try await influx.query("CREATE USER admin WITH PASSWORD 'secret' WITH ALL PRIVILEGES")
        _ = try await influx.query("CREATE DATABASE out", user: "admin", password: "secret")
        let directory = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
            [[influxdb]]
              enabled = true
              default = true
              name = "secured"
              urls = ["\(influx.url)"]
              username = "admin"
              password = "secret"
            """.write(toFile: directory + "/kapacitor.conf", atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDirectory: directory + "/data", arguments: ["--config", directory + "/kapacitor.conf"])
        defer { server.stop() }
        let script = "stream\n    |from().measurement('m')\n    |influxDBOut().buffer(0).database('out').retentionPolicy('autogen')\n"
        #expect(try await TaskAPITests.define(server, id: "auth", script: script).status == 200)
        #expect(try await server.post("/write?db=telegraf", "m v=1 1000000000\nm v=2 2000000000\n").status == 204)
        _ = try await Self.eventually("2 points in an InfluxDB with auth") { () -> Bool? in
            let text = try await influx.query("SELECT count(v) FROM m", database: "out", user: "admin", password: "secret")
            return text.contains("[[0,2]]") ? true : nil
        }
        let task = try await server.get("/kapacitor/v1/tasks/auth").text
        #expect(task.contains(#"write_errors=\"0\""#), "\(task)")
    }

    /// Beyond Kapacitor: while InfluxDB is down, influxDBOut keeps the points in its outbox in
    /// the data directory — through a `kill -9` of Farad — and delivers them once it is back.
    @Test func influxDBOutLosesNothingWhileInfluxDBIsDownAcrossAKill9() async throws {
        let influx = try await InfluxDProcess.start()
        defer { influx.stop() }
        _ = try await influx.query("CREATE DATABASE out")
        let directory = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var server = try ServerProcess.start(dataDirectory: directory, arguments: ["--influxdb-url", influx.url])
        defer { server.stop(removingData: false) }  // the one running when the test ends
        let script = "stream\n    |from().measurement('m')\n    |influxDBOut().buffer(0).database('out').retentionPolicy('autogen')\n"
        #expect(try await TaskAPITests.define(server, id: "out", script: script).status == 200)
        func count() async throws -> Int {
            let text = try await influx.query("SELECT count(v) FROM m", database: "out")
            guard let range = text.range(of: #"\[\[0,(\d+)\]\]"#, options: .regularExpression) else { return 0 }
            return Int(text[range].dropFirst(4).dropLast(2)) ?? 0
        }
        func write(_ range: Range<Int>) async throws {
            let lines = range.map { "m v=\($0) \(Int64($0 + 1) * 1_000_000_000)" }.joined(separator: "\n")
            #expect(try await server.post("/write?db=telegraf", lines).status == 204)
        }
        try await write(0..<20)
        _ = try await Self.eventually("the first 20 points in influxd") { try await count() == 20 ? true : nil }

        influx.stopServer()
        try await write(20..<50)
        let kept = try await Self.eventually("30 points in the outbox") { () -> String? in
            let text = try await server.get("/kapacitor/v1/tasks/out").text
            return text.contains(#"outbox_points=\"30\""#) ? text : nil
        }
        #expect(kept.contains(#"points_written=\"20\""#), "\(kept)")
        server.kill9()
        server = try ServerProcess.start(dataDirectory: directory, arguments: ["--influxdb-url", influx.url])
        try await influx.restart()
        _ = try await Self.eventually("all 50 points in influxd") { try await count() == 50 ? true : nil }
        let values = try await influx.query("SELECT v FROM m", database: "out")
        #expect(values.contains((0..<50).map { "[\($0 + 1),\($0)]" }.joined(separator: ",")), "\(values)")
    }

    /// `farad serve` in a new directory with the Python agent in `mode` as `@py()`; `body`
    /// runs with it, then both go.
    static func withPythonUDF(mode: String, _ body: (ServerProcess) async throws -> Void) async throws {
        let directory = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess.start(dataDirectory: directory + "/data", arguments: ["--config", try pythonConfig(directory, mode: mode)])
        defer { server.stop() }
        try await body(server)
    }

    /// A farad.toml with the Python agent in `mode` as `@py()`.
    static func pythonConfig(_ directory: String, mode: String) throws -> String {
        let agent = try PythonAgent.prepare(in: directory)
        let config = directory + "/farad.toml"
        try """
            [udf.functions.py]
            prog = "python3"
            args = ["-u", "\(agent)", "\(mode)"]
            timeout = "10s"
            restart-backoff = "10ms"
            snapshot-interval = "1ms"
            [udf.functions.py.env]
            PYTHONPATH = "\(directory)"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    static let movingAverage = """
        stream
            |from()
                .measurement('m')
                .groupBy('host')
            @py()
                .field('value')
                .size(2)
                .as('avg')
            |httpOut('avg')
        """

    @Test func aPythonUDFNode() async throws {
        try await Self.withPythonUDF(mode: "moving_avg") { server in
            #expect(try await TaskAPITests.define(server, id: "py", script: Self.movingAverage).status == 200)
            #expect(try await server.post("/write?db=telegraf", "m,host=a value=1 1000000000\nm,host=b value=10 1000000000\nm,host=a value=3 2000000000\nm,host=a value=5 3000000000\n").status == 204)
            let json = try await Self.eventually("the UDF's averages") { () -> String? in
                let text = try await server.get("/kapacitor/v1/tasks/py/avg").text
                return text.contains(#"["1970-01-01T00:00:03Z",4]"#) ? text : nil
            }
            // Grouped as it came back: by host, from the point's dimensions and tags.
            #expect(json == #"{"series":[{"name":"m","tags":{"host":"a"},"columns":["time","avg"],"values":[["1970-01-01T00:00:03Z",4]]},{"name":"m","tags":{"host":"b"},"columns":["time","avg"],"values":[["1970-01-01T00:00:01Z",10]]}]}"#)
        }
    }

    @Test func aCrashingUDFIsRestartedAndTheTaskGoesOn() async throws {
        try await Self.withPythonUDF(mode: "moving_avg") { server in
            #expect(try await TaskAPITests.define(server, id: "crash", script: Self.movingAverage).status == 200)
            #expect(try await server.post("/write?db=telegraf", "m,host=a value=2 1000000000\nm,host=a value=4 2000000000\n").status == 204)
            _ = try await Self.eventually("the first averages") { () -> String? in
                let text = try await server.get("/kapacitor/v1/tasks/crash/avg").text
                return text.contains(#"["1970-01-01T00:00:02Z",3]"#) ? text : nil
            }
            // This point kills the agent (exit status 3); the supervisor starts a new one, restores
            // the last snapshot, and the task keeps running.
            #expect(try await server.post("/write?db=telegraf", "m,host=a value=0,crash=true 3000000000\n").status == 204)
            do {
                _ = try await Self.eventually("the UDF's restart in /metrics", seconds: 20) { () -> Bool? in
                    try await server.get("/metrics").text.contains("farad_udf_restarts_total{udf=\"py\"} 1") ? true : nil
                }
            } catch {
                let metrics = try await server.get("/metrics").text.split(separator: "\n").filter { $0.contains("udf") }
                Issue.record("\(error): \(metrics.joined(separator: "\n"))")
                throw error
            }
            #expect(try await server.post("/write?db=telegraf", "m,host=a value=8 4000000000\n").status == 204)
            let json = try await Self.eventually("averages after the restart") { () -> String? in
                let text = try await server.get("/kapacitor/v1/tasks/crash/avg").text
                return text.contains("1970-01-01T00:00:04Z") ? text : nil
            }
            // The restored window holds [2, 4]: with 8 it is [4, 8].
            #expect(json.contains(#"["1970-01-01T00:00:04Z",6]"#), "\(json)")
            let task = try await server.get("/kapacitor/v1/tasks/crash")
            // Still executing; its `error` keeps the restarted UDF's last failure (Kapacitor's last error).
            #expect(task.text.contains(#""executing":true"#), "\(task.text)")
            #expect(task.text.contains(#""error":"UDF py: process exited unexpectedly: exit status 3"#), "\(task.text)")
        }
    }
}
