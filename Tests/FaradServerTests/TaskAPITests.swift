import FaradSystem
import Foundation
import KapacitorUDFTesting
import Testing

/// Kapacitor's task API through the real `farad serve`: define, enable, write, read httpOut,
/// restart, UDF nodes from the config.
@Suite struct TaskAPITests {
    static let script = """
        stream
            |from()
                .measurement('cpu')
                .groupBy('host')
            |window()
                .period(10s)
                .every(10s)
            |mean('usage_user')
            |httpOut('mean')
        """

    static func define(_ server: ServerProcess, id: String, script: String, dbrp: Bool = true, status: String = "enabled") async throws -> ServerProcess.Reply {
        var body: [String: Any] = ["id": id, "script": script, "status": status]
        if dbrp { body["dbrps"] = [["db": "telegraf", "rp": "autogen"]] }
        return try await server.request("POST", "/kapacitor/v1/tasks", body: try JSONSerialization.data(withJSONObject: body))
    }

    /// Polls the httpOut endpoint until it has series (no sleeps to wait: a deadline).
    static func result(_ server: ServerProcess, _ path: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let reply = try await server.get(path)
            if reply.status == 200 && !reply.text.contains("\"series\":null") { return reply.text }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServerTestError("no result at \(path)")
    }

    @Test func defineWriteReadAndSurviveARestart() async throws {
        let server = try ServerProcess.start()
        let created = try await Self.define(server, id: "cpu", script: Self.script)
        #expect(created.status == 200)
        #expect(created.text.contains(#""executing":true"#))
        #expect(created.header("X-Kapacitor-Version") != nil)
        let lines = "cpu,host=a usage_user=1 1000000000\ncpu,host=b usage_user=7 1000000000\ncpu,host=a usage_user=3 5000000000\ncpu,host=a usage_user=9 12000000000\n"
        #expect(try await server.post("/write?db=telegraf", lines).status == 204)
        let json = try await Self.result(server, "/kapacitor/v1/tasks/cpu/mean")
        #expect(json == #"{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","mean"],"values":[["1970-01-01T00:00:11Z",2]]}]}"#)
        // The points are stored too: the task reads the stream, the store keeps it.
        let task = try await server.get("/kapacitor/v1/tasks/cpu")
        #expect(task.text.contains(#"stream0 -> from1 [processed=\"4\"]"#))

        server.stop(removingData: false)
        let again = try ServerProcess.start(dataDirectory: server.dataDirectory)
        defer {
            again.stop()
            try? FileManager.default.removeItem(atPath: server.dataDirectory)
        }
        let listed = try await again.get("/kapacitor/v1/tasks")
        #expect(listed.text.contains(#""id":"cpu""#) && listed.text.contains(#""executing":true"#))
        #expect(try await again.post("/kapacitor/v1/write?db=telegraf&rp=autogen", "cpu,host=z usage_user=4 1000000000\ncpu,host=z usage_user=4 20000000000\n").status == 204)
        #expect(try await Self.result(again, "/kapacitor/v1/tasks/cpu/mean").contains(#""tags":{"host":"z"}"#))
    }

    @Test func errorsAsKapacitorGivesThem() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let bad = try await Self.define(server, id: "bad", script: "stream\n    |from().measurement('cpu')\n    |window().period(10s).evry(10s)\n    |httpOut('x')")
        #expect(bad.status == 400)
        #expect(bad.text.contains(#"invalid TICKscript: 3:27: no property \"evry\" on window"#))
        let noDBRP = try await Self.define(server, id: "nodbrp", script: Self.script, dbrp: false)
        #expect(noDBRP.text == #"{"error":"must specify dbrp"}"#)
        #expect(try await server.get("/kapacitor/v1/tasks/none").status == 404)
        _ = try await Self.define(server, id: "dup", script: Self.script, status: "disabled")
        #expect(try await Self.define(server, id: "dup", script: Self.script).text.contains("task dup already exists"))
        let plain = try await server.get("/kapacitor/v1/tasks/dup")
        #expect(plain.text.contains(#""dot":"digraph dup {\nstream0 -> from1;\nfrom1 -> window2;"#))
        #expect(try await server.request("DELETE", "/kapacitor/v1/tasks/dup").status == 204)
        #expect(try await server.get("/kapacitor/v1/tasks/dup").status == 404)
    }

    @Test func aUDFNodeFromTheConfig() async throws {
        let directory = ServerProcess.temporaryDirectory()
        let config = directory + "/farad.toml"
        try """
            [udf.functions.movingAvg]
            prog = "\(try UDFTestAgent.builtExecutable(named: "udf-moving-avg"))"
            timeout = "10s"

            [udf.functions.broken]
            prog = "/nonexistent/udf"
            timeout = "10s"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDirectory: directory + "/data", arguments: ["--config", config])
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let wrongOption = try await Self.define(server, id: "u0", script: "stream|from().measurement('m')@movingAvg().size('two')|httpOut('avg')")
        #expect(wrongOption.text.contains("unexpected arg to size, got STRING expected INT"))
        let script = """
            stream
                |from()
                    .measurement('m')
                @movingAvg()
                    .field('value')
                    .size(2)
                    .as('avg')
                |httpOut('avg')
            """
        #expect(try await Self.define(server, id: "u", script: script).status == 200)
        #expect(try await server.post("/write?db=telegraf", "m value=1 1000000000\nm value=3 2000000000\nm value=5 3000000000\n").status == 204)
        let deadline = ContinuousClock.now + .seconds(20)
        var json = ""
        while ContinuousClock.now < deadline && !json.contains("\"avg\",4]") && !json.contains(",4]]") {
            json = try await server.get("/kapacitor/v1/tasks/u/avg").text
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(json.contains(#""columns":["time","avg"]"#))
        #expect(json.contains(#"["1970-01-01T00:00:03Z",4]"#))
    }
}
