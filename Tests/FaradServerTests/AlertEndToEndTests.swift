import FaradTestSupport
import Foundation
import Testing

/// `alert()` through the real `farad serve`: points written over HTTP, events delivered by the
/// tcp, post, log and exec handlers to receivers the test runs, and a dead receiver that
/// blocks nothing.
@Suite struct AlertEndToEndTests {
    @Test func handlersDeliverKapacitorsEventsAndADeadOneBlocksNothing() async throws {
        let tcp = try EventReceiver(.tcp)
        let http = try EventReceiver(.http)
        defer {
            tcp.close()
            http.close()
        }
        let dead = try freePort()
        let directory = ServerProcess.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess.start(dataDirectory: directory + "/data")
        defer { server.stop() }
        let script = """
            stream
                |from()
                    .measurement('cpu')
                    .groupBy('host')
                |alert()
                    .crit(lambda: "usage" > 90)
                    .message('{{ .ID }} is {{ .Level }} at {{ index .Fields "usage" }}')
                    .tcp('127.0.0.1:\(dead)')
                    .tcp('127.0.0.1:\(tcp.port)')
                    .post('http://127.0.0.1:\(http.port)/alerts')
                    .header('X-Source', 'farad')
                    .log('\(directory)/alerts.log')
                    .exec('/bin/sh', '-c', 'cat >> \(directory)/exec.log')
                |httpOut('alerts')
            """
        #expect(try await TaskAPITests.define(server, id: "cpu_alert", script: script).status == 200)
        let lines = "cpu,host=a usage=95 1000000000\ncpu,host=b usage=50 1000000000\ncpu,host=a usage=10 2000000000\n"
        #expect(try await server.post("/write?db=telegraf", lines).status == 204)
        #expect(await eventually { tcp.deliveries.count == 2 && http.deliveries.count == 2 })
        for delivered in [tcp.deliveries, http.deliveries] {
            let events = try delivered.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            #expect(events.map { $0["level"] as? String } == ["CRITICAL", "OK"])
            #expect(events.map { $0["message"] as? String } == ["cpu:host=a is CRITICAL at 95", "cpu:host=a is OK at 10"])
            #expect(events.map { $0["previousLevel"] as? String } == ["OK", "CRITICAL"])
        }
        // tcp: the JSON line, then a newline, per connection.
        #expect(tcp.deliveries.allSatisfy { $0.hasSuffix("}\n\n") })
        #expect(await eventually {
            let log = (try? String(contentsOfFile: directory + "/alerts.log", encoding: .utf8)) ?? ""
            let exec = (try? String(contentsOfFile: directory + "/exec.log", encoding: .utf8)) ?? ""
            return log.split(separator: "\n").count == 2 && exec == log
        })
        // The decorated points went on; the dead receiver's failures are the node's statistics, not a stall.
        let out = try await TaskAPITests.result(server, "/kapacitor/v1/tasks/cpu_alert/alerts")
        #expect(out.contains(#""tags":{"host":"a"}"#))
        let task = try await server.get("/kapacitor/v1/tasks/cpu_alert").text
        #expect(task.contains(#""alerts_triggered":2"#))
        #expect(task.contains(#""crits_triggered":1"#))
    }
}
