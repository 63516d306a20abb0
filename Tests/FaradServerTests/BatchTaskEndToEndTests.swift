import FaradSystem
import FaradTestSupport
import Foundation
import KapacitorUDFTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Batch tasks through the real `farad serve`: queries over Farad's own store, over a real
/// `influxd` configured as `[influxdb]`, the dbrp check, and `farad replay` of a batch task.
@Suite(.serialized) struct BatchTaskEndToEndTests {
    static let script = """
        dbrp "telegraf"."autogen"

        batch
            |query('SELECT mean("usage_idle") AS idle FROM "telegraf"."autogen"."cpu"')
                .period(1h)
                .every(1s)
                .groupBy('host')
            |httpOut('idle')
        """

    /// Points a minute old (in seconds): a = 10, 20; b = 40, inside every window of the hour.
    static func lines(now: Int64 = Int64(Date().timeIntervalSince1970)) -> String {
        "cpu,host=a usage_idle=10 \(now - 60)\ncpu,host=a usage_idle=20 \(now - 59)\ncpu,host=b usage_idle=40 \(now - 58)\n"
    }

    /// Defines a task; `dbrps` empty: the script declares them.
    static func define(_ server: ServerProcess, id: String, script: String, dbrps: [[String: String]] = []) async throws -> ServerProcess.Reply {
        var body: [String: Any] = ["id": id, "type": "batch", "script": script, "status": "enabled"]
        if !dbrps.isEmpty { body["dbrps"] = dbrps }
        return try await server.request("POST", "/kapacitor/v1/tasks", body: try JSONSerialization.data(withJSONObject: body))
    }

    /// Polls `path` until its JSON names both hosts.
    static func bothHosts(_ server: ServerProcess, _ path: String) async throws -> String {
        try await TaskPeerTests.eventually("both hosts at \(path)") { () -> String? in
            let reply = try await server.get(path)
            return reply.text.contains(#""host":"a""#) && reply.text.contains(#""host":"b""#) ? reply.text : nil
        }
    }

    @Test func aBatchTaskQueriesFaradsOwnStore() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        #expect(try await server.post("/write?db=telegraf&precision=s", Self.lines()).status == 204)
        let defined = try await Self.define(server, id: "idle", script: Self.script)
        #expect(defined.status == 200, "\(defined.text)")
        #expect(defined.text.contains(#""type":"batch""#), "\(defined.text)")
        let json = try await Self.bothHosts(server, "/kapacitor/v1/tasks/idle/idle")
        #expect(json.contains(#""tags":{"host":"a"},"columns":["time","idle"],"values":[["#) && json.contains(",15]]"), "\(json)")
        #expect(json.contains(#""tags":{"host":"b"},"columns":["time","idle"],"values":[["#) && json.contains(",40]]"), "\(json)")
        // Writes do not reach a batch task: its node counts what its queries returned.
        let task = try await server.get("/kapacitor/v1/tasks/idle")
        #expect(task.text.contains("batches_queried="), "\(task.text)")
        #expect(!task.text.contains("stream0"), "\(task.text)")
    }

    @Test func aBatchQueryOutsideTheTasksDBRPsIsRejected() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let reply = try await Self.define(server, id: "other", script: Self.script.replacingOccurrences(of: #"dbrp "telegraf"."autogen""#, with: ""),
                                          dbrps: [["db": "other", "rp": "autogen"]])
        #expect(reply.status == 400)
        #expect(reply.text.contains(#"batch query is not allowed to request data from \"telegraf\".\"autogen\""#), "\(reply.text)")
        let bad = try await Self.define(server, id: "bad", script: "batch|query('SELECT v FROM \"telegraf\".\"autogen\".\"m\"').every(1s)",
                                        dbrps: [["db": "telegraf", "rp": "autogen"]])
        #expect(bad.status == 400)
        #expect(bad.text.contains("needs .period(d)"), "\(bad.text)")
    }

    @Test func aBatchTaskQueriesARealInfluxDB() async throws {
        let influx = try await InfluxDProcess.start()
        defer { influx.stop() }
        _ = try await influx.query("CREATE DATABASE telegraf")
        var request = URLRequest(url: URL(string: influx.url + "/write?db=telegraf&precision=s")!)
        request.httpMethod = "POST"
        request.httpBody = Data(Self.lines().utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 204)
        let server = try ServerProcess.start(arguments: ["--influxdb-url", influx.url])
        defer { server.stop() }
        let defined = try await Self.define(server, id: "idle", script: Self.script)
        #expect(defined.status == 200, "\(defined.text)")
        // InfluxDB answered the query: Farad's store has none of these points.
        let json = try await Self.bothHosts(server, "/kapacitor/v1/tasks/idle/idle")
        #expect(json.contains(",15]]") && json.contains(",40]]"), "\(json)")
    }

    @Test func replayRunsABatchTaskOverARecording() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("farad-batch-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tick = directory.appendingPathComponent("b.tick").path
        let data = directory.appendingPathComponent("cpu.lp").path
        try Data("""
            batch
                |query('SELECT max("usage_idle") AS top FROM "telegraf"."autogen"."cpu"')
                    .period(10s)
                    .every(10s)
                    .groupBy(time(5s), 'host')
                |log()
            """.utf8).write(to: URL(fileURLWithPath: tick))
        let lines = (0..<20).map { "cpu,host=\($0 % 2 == 0 ? "a" : "b") usage_idle=\($0) \($0)" }.joined(separator: "\n")
        try Data(lines.utf8).write(to: URL(fileURLWithPath: data))
        let farad = try UDFTestAgent.builtExecutable(named: "farad")
        let (status, output) = try runTool(farad, ["replay", "-tick", tick, "-data", data, "--precision", "s"])
        let text = String(decoding: output, as: UTF8.self)
        #expect(status == 0, "\(text)")
        // Four 5s buckets per host over [0s, 20s): a's maxima 4, 8, 14, 18; b's 3, 9, 13, 19, one batch per host and tick.
        let maxima = text.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("batch point"), let r = line.range(of: "field_top=") else { return nil }
            let host = line.contains("tag_host=a") ? "a" : "b"
            return host + String(line[r.upperBound...].prefix { $0 != " " })
        }
        #expect(maxima == ["a4", "a8", "b3", "b9", "a14", "a18", "b13", "b19"], "\(text)")
    }

    /// Kapacitor's batch recordings stand in for a task's queries: one `.brpl` per query node.
    @Test func replayFeedsBatchRecordingsToTheQueries() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("farad-brpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tick = directory.appendingPathComponent("j.tick").path
        try Data("""
            var a = batch|query('SELECT mean(v) FROM "db"."rp".m WHERE h = \\'a\\'').period(10s).every(10s).groupBy(time(2s))
            var b = batch|query('SELECT mean(v) FROM "db"."rp".m WHERE h = \\'b\\'').period(10s).every(10s).groupBy(time(2s))
            a|join(b).as('a', 'b')|eval(lambda: "b.mean" - "a.mean").as('gap')|httpOut('gap')
            """.utf8).write(to: URL(fileURLWithPath: tick))
        var files: [String] = []
        for (i, values) in [[1.0, 2.0], [11.0, 12.5]].enumerated() {
            let path = directory.appendingPathComponent("r.\(i).brpl").path
            let points = values.enumerated().map { #"{"fields":{"mean":\#($0.element)},"time":"2015-10-30T17:14:1\#(2 * $0.offset)Z"}"# }
            try Data(#"{"name":"m","points":[\#(points.joined(separator: ","))]}"#.utf8).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let farad = try UDFTestAgent.builtExecutable(named: "farad")
        let (status, output) = try runTool(farad, ["replay", "-tick", tick, "-data", files[0], "-data", files[1]])
        let text = String(decoding: output, as: UTF8.self)
        #expect(status == 0, "\(text)")
        #expect(text.contains(#""values":[["1971-01-01T00:00:00Z",10],["1971-01-01T00:00:02Z",10.5]]"#), "\(text)")
    }
}
