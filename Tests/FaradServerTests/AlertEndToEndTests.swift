import FaradTestSupport
import Foundation
import Testing

/// `alert()` through the real `farad serve`: points written over HTTP, events delivered by the
/// tcp, post, log and exec handlers to receivers the test runs, and a dead receiver that
/// blocks nothing.
@Suite struct AlertEndToEndTests {
    /// Beyond Kapacitor: alert state is kept in the store, so a `kill -9` (or a restart, or a
    /// reload) neither repeats an alert (`stateChangesOnly` stays quiet on the level it had) nor
    /// loses the recovery (with the level before it and the run's duration).
    @Test func alertStateSurvivesAKill9() async throws {
        let tcp = try EventReceiver(.tcp)
        defer { tcp.close() }
        let directory = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var server = try ServerProcess.start(dataDirectory: directory + "/data")
        defer { server.stop(removingData: false) }
        let script = """
            stream
                |from().measurement('cpu').groupBy('host')
                |alert().crit(lambda: "usage" > 90).stateChangesOnly().tcp('127.0.0.1:\(tcp.port)')
            """
        #expect(try await TaskAPITests.define(server, id: "keep", script: script).status == 200)
        #expect(try await server.post("/write?db=telegraf", "cpu,host=a usage=95 1000000000\n").status == 204)
        #expect(await eventually { tcp.deliveries.count == 1 })
        // Saved within 100 ms; the store's own file says when.
        let db = directory + "/data/farad.sqlite"
        #expect(await eventually {
            let probe = "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from documents where kind='alert'\").fetchone()[0])"
            let out = (try? runTool("/usr/bin/env", ["python3", "-c", probe, db]).output) ?? []
            return (Int(String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 2
        })
        server.kill9()
        server = try ServerProcess.start(dataDirectory: directory + "/data")
        // Still critical: no second alert. Then the recovery, from the level before the kill.
        #expect(try await server.post("/write?db=telegraf", "cpu,host=a usage=96 2000000000\ncpu,host=a usage=10 3000000000\n").status == 204)
        #expect(await eventually { tcp.deliveries.count >= 2 })
        let events = try tcp.deliveries.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(events.map { $0["level"] as? String } == ["CRITICAL", "OK"])
        #expect(events.last?["previousLevel"] as? String == "CRITICAL")
        #expect(events.last?["duration"] as? Int == 2_000_000_000)
    }

    /// `.post().endpoint(name)` posts to kapacitor.conf's `[[httppost]]` endpoint, with its
    /// headers and basic-auth, the handler's own headers winning.
    @Test func postToAnHTTPPostEndpointOfTheConfig() async throws {
        let http = try EventReceiver(.http)
        defer { http.close() }
        let directory = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = """
            [[httppost]]
              endpoint = "opcua"
              url = "http://127.0.0.1:\(http.port)/opcua_alerts"
              headers = { X-Site = "plant-1", X-Source = "config" }
              basic-auth = { username = "farad", password = "secret" }
            """
        try config.write(toFile: directory + "/kapacitor.conf", atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDirectory: directory + "/data", arguments: ["--config", directory + "/kapacitor.conf"])
        defer { server.stop() }
        let script = "stream\n    |from().measurement('cpu')\n    |alert().crit(lambda: \"usage\" > 90).post().endpoint('opcua').header('X-Source', 'task')\n"
        #expect(try await TaskAPITests.define(server, id: "ep", script: script).status == 200)
        #expect(try await server.post("/write?db=telegraf", "cpu usage=95 1000000000\n").status == 204)
        #expect(await eventually { http.deliveries.count == 1 })
        let head = try #require(http.heads.first)
        #expect(head.hasPrefix("POST /opcua_alerts HTTP/1.1\r\n"), "\(head)")
        #expect(head.contains("\r\nAuthorization: Basic ZmFyYWQ6c2VjcmV0") && head.contains("\r\nX-Site: plant-1"), "\(head)")
        #expect(head.contains("\r\nX-Source: task") && !head.contains("X-Source: config"), "\(head)")
        #expect(http.deliveries.first?.contains(#""level":"CRITICAL""#) == true)
        let missing = try await TaskAPITests.define(server, id: "nope", script: script.replacingOccurrences(of: "opcua", with: "nope"))
        #expect(missing.text.contains("no [[httppost]] endpoint named nope"), "\(missing.text)")
    }

    /// An `[[httppost]]` endpoint's `alert-template` is the body, over Kapacitor's alert data.
    @Test func anHTTPPostAlertTemplateIsTheBody() async throws {
        let http = try EventReceiver(.http)
        defer { http.close() }
        let directory = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = #"""
            [[httppost]]
              endpoint = "chat"
              url = "http://127.0.0.1:\#(http.port)/hook"
              alert-template = "{{ .Level }} {{ .ID }}: {{ .Message }} (was {{ .PreviousLevel }}, {{ index (index (index .Data.Series 0).Values 0) 1 }})"
            """#
        try config.write(toFile: directory + "/kapacitor.conf", atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDirectory: directory + "/data", arguments: ["--config", directory + "/kapacitor.conf"])
        defer { server.stop() }
        let script = "stream|from().measurement('cpu')|alert().crit(lambda: \"usage\" > 90).message('hot').post().endpoint('chat')\n"
        #expect(try await TaskAPITests.define(server, id: "tpl", script: script).status == 200)
        #expect(try await server.post("/write?db=telegraf", "cpu usage=95 1000000000\n").status == 204)
        #expect(await eventually { http.deliveries.count == 1 })
        #expect(http.deliveries.first == "CRITICAL cpu:nil: hot (was OK, 95)", "\(http.deliveries)")
        #expect(http.heads.first?.contains("\r\nContent-Type: text/plain\r\n") == true)
    }

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

    /// The guide's pipeline end: `.mqtt(…).topic(…).qos(1)` to the `[[mqtt]]` broker of the
    /// config, one message (the rendered message only) per anomalous point, after a broker restart too.
    @Test func mqttHandlerPublishesTheMessageToTheConfiguredBroker() async throws {
        let broker = try await MosquittoProcess()
        defer { broker.stop() }
        try await broker.subscribe("alerts/#")
        let directory = ServerProcess.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/farad.toml"
        try """
            [[mqtt]]
              enabled = true
              name = "local"
              default = true
              url = "tcp://127.0.0.1:\(broker.port)"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDirectory: directory + "/data", arguments: ["--config", config])
        defer { server.stop() }
        let script = """
            stream
                |from()
                    .measurement('wind')
                |alert()
                    .crit(lambda: "anomaly_status" > 0)
                    .message('Anomaly: wind speed {{ index .Fields "wind_speed" }}, power {{ index .Fields "grid_active_power" }}')
                    .noRecoveries()
                    .mqtt('my_mqtt_broker')
                    .topic('alerts/wind_turbine')
                    .qos(1)
            """
        #expect(try await TaskAPITests.define(server, id: "wind", script: script).status == 200)
        let lines = """
            wind anomaly_status=0,wind_speed=5.5,grid_active_power=400 1000000000
            wind anomaly_status=1,wind_speed=9.25,grid_active_power=120 2000000000
            wind anomaly_status=0,wind_speed=6,grid_active_power=500 3000000000

            """
        #expect(try await server.post("/write?db=telegraf", lines).status == 204)
        #expect(await eventually { broker.messages == ["Anomaly: wind speed 9.25, power 120"] })
        // The broker restarts; the next anomaly still arrives (the client reconnects).
        broker.stopBroker()
        try await broker.startBroker()
        try await broker.subscribe("alerts/#")
        #expect(try await server.post("/write?db=telegraf", "wind anomaly_status=0.6,wind_speed=12,grid_active_power=90 4000000000\n").status == 204)
        #expect(await eventually(within: .seconds(60)) { broker.messages == ["Anomaly: wind speed 12, power 90"] })
    }
}
