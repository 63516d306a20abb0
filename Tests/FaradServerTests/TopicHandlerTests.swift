import FaradTestSupport
import Foundation
import KapacitorUDFTesting
import Testing

/// Named alert topics through the real server and the `kapacitor` command line: a task's
/// `.topic('cpu')`, a handler bound from a YAML file with `define-topic-handler`, the topic API's
/// JSON, the handler surviving a restart, and its deletion.
@Suite(.serialized) struct TopicHandlerTests {
    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func aTopicHandlerFromAYAMLFileReceivesTheTopicsEventsAcrossARestart() async throws {
        let data = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        var server = try ServerProcess.start(dataDirectory: data)
        defer { _ = server.stop(removingData: false) }
        let bin = try KapacitorDropInTests.namedBinaries()
        defer { try? FileManager.default.removeItem(atPath: bin) }
        var env = ["KAPACITOR_URL": "http://127.0.0.1:\(server.port)", "TZ": "UTC"]
        let log = bin + "/cpu-topic.log"
        try "dbrp \"telegraf\".\"autogen\"\nstream|from().measurement('cpu').groupBy('host')|alert().topic('cpu').crit(lambda: \"v\" > 1)\n"
            .write(toFile: bin + "/cpu.tick", atomically: true, encoding: .utf8)
        try """
            # bound to the topic, not to the task
            topic: cpu
            id: log-cpu
            kind: log
            options:
              path: '\(log)'
              mode: 0644
            """.write(toFile: bin + "/log-cpu.yaml", atomically: true, encoding: .utf8)
        #expect(try KapacitorDropInTests.shell("\(bin)/kapacitor define cpu -tick \(bin)/cpu.tick", env) == (0, ""))
        #expect(try KapacitorDropInTests.shell("\(bin)/kapacitor enable cpu", env) == (0, ""))
        #expect(try KapacitorDropInTests.shell("\(bin)/kapacitor define-topic-handler \(bin)/log-cpu.yaml", env) == (0, ""))
        #expect(try KapacitorDropInTests.shell("\(bin)/kapacitor list topic-handlers", env).1 == "Topic ID      Kind\ncpu   log-cpu log\n")
        #expect(try KapacitorDropInTests.shell("\(bin)/kapacitor show-topic-handler cpu log-cpu", env).1
            == "ID: log-cpu\nTopic: cpu\nKind: log\nMatch: \nOptions: {\"path\":\"\(log)\",\"mode\":420}\n")

        _ = try await server.post("/write?db=telegraf&rp=autogen", "cpu,host=a v=5 1000000000\ncpu,host=b v=0 1000000000")
        #expect(await eventually { Self.lines(log).count == 1 })
        #expect(Self.lines(log).first?.contains(#""id":"cpu:host=a","message":"cpu:host=a is CRITICAL""#) == true)
        let topic = try await server.get("/kapacitor/v1/alerts/topics/cpu")
        #expect(topic.text == #"{"link":{"rel":"self","href":"/kapacitor/v1/alerts/topics/cpu"},"id":"cpu","level":"CRITICAL","collected":1,"events-link":{"rel":"events","href":"/kapacitor/v1/alerts/topics/cpu/events"},"handlers-link":{"rel":"handlers","href":"/kapacitor/v1/alerts/topics/cpu/handlers"}}"#)
        let show = try KapacitorDropInTests.shell("\(bin)/kapacitor show-topic cpu", env).1
        #expect(show.hasPrefix("ID: cpu\nLevel: CRITICAL\nCollected: 1\nHandlers: [log-cpu]\n"), "\(show)")

        // The binding is stored: after a restart the recovery reaches the same file.
        _ = server.stop(removingData: false)
        server = try ServerProcess.start(dataDirectory: data)
        env["KAPACITOR_URL"] = "http://127.0.0.1:\(server.port)"
        _ = try await server.post("/write?db=telegraf&rp=autogen", "cpu,host=a v=0 2000000000")
        #expect(await eventually { Self.lines(log).count == 2 })
        #expect(Self.lines(log).last?.contains(#""level":"OK""#) == true)

        #expect(try KapacitorDropInTests.shell("\(bin)/kapacitor delete topic-handlers cpu log-cpu", env) == (0, ""))
        #expect(try KapacitorDropInTests.shell("\(bin)/kapacitor list topic-handlers cpu", env).1 == "Topic ID Kind\n")
        let missing = try await server.get("/kapacitor/v1/alerts/topics/cpu/handlers/log-cpu")
        #expect(missing.status == 404)
        #expect(try KapacitorDropInTests.shell("\(bin)/kapacitor delete topics cpu", env) == (0, ""))
        #expect(try await server.get("/kapacitor/v1/alerts/topics/cpu").status == 404)
    }

    @Test func handlerFilesInJSONAndYAMLWithListsAndNumbers() async throws {
        let server = try ServerProcess.start()
        defer { _ = server.stop() }
        let dir = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["KAPACITOR_URL": "http://127.0.0.1:\(server.port)"]
        try "topic: ops\nid: run\nkind: exec\noptions:\n  prog: /bin/sh\n  args: [-c, 'cat > /dev/null']\n".write(toFile: dir + "/exec.yaml", atomically: true, encoding: .utf8)
        try #"{"topic": "ops", "id": "mq", "kind": "tcp", "options": {"address": "127.0.0.1:9"}}"#.write(toFile: dir + "/tcp.json", atomically: true, encoding: .utf8)
        try "topic: ops\nid: bad\nkind: mqtt\noptions:\n  qos: 08\n  topic: x\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let farad = try UDFTestAgent.builtExecutable(named: "farad")
        #expect(try KapacitorDropInTests.shell("\(farad) kapacitor define-topic-handler \(dir)/exec.yaml", env) == (0, ""))
        #expect(try KapacitorDropInTests.shell("\(farad) kapacitor define-topic-handler \(dir)/tcp.json", env) == (0, ""))
        let exec = try await server.get("/kapacitor/v1/alerts/topics/ops/handlers/run")
        #expect(exec.text.contains(#""options":{"prog":"/bin/sh","args":["-c","cat > /dev/null"]}"#), "\(exec.text)")
        let bad = try KapacitorDropInTests.shell("\(farad) kapacitor define-topic-handler \(dir)/bad.yaml", env)
        #expect(bad.0 == 3 && bad.1.contains("mqtt handler option qos is 0, 1 or 2"), "\(bad)")
        #expect(try KapacitorDropInTests.shell("\(farad) kapacitor list topic-handlers ops", env).1 == "Topic ID  Kind\nops   run exec\nops   mq  tcp\n")
    }

    @Test func badHandlersAreRefusedWithTheirReason() async throws {
        let server = try ServerProcess.start()
        defer { _ = server.stop() }
        let cases: [(String, String)] = [
            (#"{"id":"x","kind":"slack"}"#, #"unknown handler kind \"slack\": Farad has log, post, tcp, exec and mqtt"#),
            (#"{"id":"x","kind":"log","options":{"path":"relative.log"}}"#, "log path must be absolute"),
            (#"{"id":"x","kind":"log","options":{"file":"/tmp/x"}}"#, #"log handler has no option \"file\": it has mode, path"#),
            (#"{"id":"x","kind":"tcp","match":"changed() == TRUE","options":{"address":"127.0.0.1:1"}}"#, "match expressions are not supported"),
            (#"{"kind":"log"}"#, "must provide an ID for the handler"),
            (#"{"id":"a b","kind":"log"}"#, "invalid handler ID"),
        ]
        for (body, message) in cases {
            let reply = try await server.request("POST", "/kapacitor/v1/alerts/topics/cpu/handlers", body: Data(body.utf8))
            #expect(reply.status == 400, "\(body)")
            #expect(reply.text.contains(message), "\(body): \(reply.text)")
        }
        let ok = try await server.request("POST", "/kapacitor/v1/alerts/topics/cpu/handlers", body: Data(#"{"id":"t","kind":"tcp","options":{"address":"127.0.0.1:1"}}"#.utf8))
        #expect(ok.status == 200)
        let again = try await server.request("POST", "/kapacitor/v1/alerts/topics/cpu/handlers", body: Data(#"{"id":"t","kind":"tcp","options":{"address":"127.0.0.1:1"}}"#.utf8))
        #expect(again.status == 400 && again.text.contains("already exists"))
    }
}
