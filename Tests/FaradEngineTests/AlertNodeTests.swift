import FaradCore
import FaradTICK
import Foundation
import Testing
@testable import FaradEngine

/// `|alert()` in the style of Kapacitor's streamer tests: points in, the events a log handler
/// wrote (Kapacitor's JSON, one line each) and the points passed on.
@Suite struct AlertNodeTests {
    static let second: Int64 = 1_000_000_000

    static func point(_ t: Int64, _ value: Double, host: String = "a") -> Point {
        Point(measurement: "cpu", tags: ["host": host], fields: [("value", .double(value))], time: t * second)
    }

    /// Runs `alert` (the alert node's properties) over `values` (one point a second) with a log
    /// handler; returns the logged events and the task.
    static func run(_ alert: String, _ values: [Double], after: String = "|httpOut('out')") async throws -> (events: [[String: Any]], lines: [String], task: TaskExecution) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("farad-alert-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = "stream|from().measurement('cpu')|alert()\(alert).log('\(dir)/alerts.log')\(after)"
        let points = values.enumerated().map { point(Int64($0.offset + 1), $0.element) }
        let task = try await NodeTests.run(script, points)
        let text = (try? String(contentsOfFile: dir + "/alerts.log", encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").map(String.init)
        let events = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        return (events, lines, task)
    }

    static func levels(_ events: [[String: Any]]) -> [String] {
        events.map { $0["level"] as? String ?? "?" }
    }

    static func stat(_ task: TaskExecution, _ key: String) -> Int? {
        task.statistics().first { $0.name == "alert2" }?.values.first { $0.0 == key }?.1
    }

    static let warnCrit = #".warn(lambda: "value" > 80).crit(lambda: "value" > 90)"#

    /// `.inhibit(category, tags…)`: while a host is down (the inhibiting alert not OK), that
    /// host's alerts of the category are not sent (counted as inhibited); other hosts' are, and
    /// so are the host's once it is up again — the registry shared by every task of a server.
    @Test func inhibitSilencesTheCategoryForTheSameTags() async throws {
        let script = """
            var data = stream|from().measurement('cpu').groupBy('host')
            data|alert().inhibit('system', 'host').crit(lambda: "up" == 0).log('/dev/null')
            data|alert().category('system').crit(lambda: "cpu" > 90).log('/dev/null')
            """
        func p(_ t: Int64, _ host: String, _ fields: [(String, FieldValue)]) -> Point {
            Point(measurement: "cpu", tags: ["host": host], fields: fields, time: t * Self.second)
        }
        let points = [
            p(1, "a", [("up", .int(0)), ("cpu", .double(10))]),   // host a down: inhibits a's system alerts
            p(2, "a", [("up", .int(0)), ("cpu", .double(95))]),   // inhibited
            p(2, "b", [("up", .int(1)), ("cpu", .double(95))]),   // b: sent
            p(3, "a", [("up", .int(1)), ("cpu", .double(96))]),   // a up again: sent
        ]
        let task = try await NodeTests.run(script, points)
        // The inhibiting alert comes first, so it has seen each point when the other decides.
        let system = try #require(task.statistics().first { $0.name == "alert3" })
        #expect(system.values.first { $0.0 == "alerts_inhibited" }?.1 == 1)
        #expect(system.values.first { $0.0 == "alerts_triggered" }?.1 == 2)
        #expect(throws: TICKDiagnostic.self) {
            try TaskExecution(id: "t", script: "stream|from()|alert().inhibit()", environment: TaskEnvironment())
        }
    }

    /// An alert state read back from the store is the state saved (another `.history()` keeps
    /// the current level and the run's times); bytes that are not a state are refused.
    @Test func alertStateRoundTripsThroughItsBytes() {
        var state = AlertState(history: 5)
        for (i, level) in [AlertLevel.ok, .warning, .critical, .critical, .ok, .critical].enumerated() {
            state.add(level, at: Int64(i) * 1_000, flapping: (0.25, 0.5), stateChangesOnly: 0)
            if level != .ok { state.triggered(at: Int64(i) * 1_000) }
        }
        let back = AlertState(encoded: state.encoded, history: 5)
        #expect(back?.encoded == state.encoded)
        #expect(back?.currentLevel == .critical && back?.duration == state.duration && back?.flapping == state.flapping)
        let resized = AlertState(encoded: state.encoded, history: 21)
        #expect(resized?.currentLevel == .critical && resized?.duration == state.duration)
        #expect(AlertState(encoded: [], history: 5) == nil)
        #expect(AlertState(encoded: Array(state.encoded.dropLast()) + [9], history: 5) == nil)
    }

    @Test func levelsAndTheRecovery() async throws {
        let (events, _, task) = try await Self.run(Self.warnCrit, [10, 95, 85, 50, 40])
        // The first OK sends nothing; CRITICAL, WARNING, then the recovery; the last OK nothing.
        #expect(Self.levels(events) == ["CRITICAL", "WARNING", "OK"])
        #expect(events.map { $0["previousLevel"] as? String } == ["OK", "CRITICAL", "WARNING"])
        // The duration runs from the first non-OK event to the recovery.
        #expect(events.map { $0["duration"] as? Int } == [0, 1_000_000_000, 2_000_000_000])
        #expect(Self.stat(task, "alerts_triggered") == 3)
        #expect(Self.stat(task, "crits_triggered") == 1)
        #expect(Self.stat(task, "warns_triggered") == 1)
        #expect(Self.stat(task, "oks_triggered") == 1)
        #expect(Self.stat(task, "alerts_inhibited") == 0)
    }

    @Test func theEventJSONIsKapacitors() async throws {
        let (_, lines, _) = try await Self.run(#".crit(lambda: "value" > 90)"#, [95])
        // Go's encoder writes the & of html/template's &#34; as \u0026.
        let details = #"{&#34;Name&#34;:&#34;cpu&#34;,&#34;TaskName&#34;:&#34;t&#34;,&#34;Group&#34;:&#34;nil&#34;,&#34;Tags&#34;:{&#34;host&#34;:&#34;a&#34;},"#
            + #"&#34;ServerInfo&#34;:{&#34;Hostname&#34;:&#34;\#(AlertNode.hostname)&#34;,&#34;ClusterID&#34;:&#34;&#34;,&#34;ServerID&#34;:&#34;&#34;},"#
            + #"&#34;ID&#34;:&#34;cpu:nil&#34;,&#34;Fields&#34;:{&#34;value&#34;:95},&#34;Level&#34;:&#34;CRITICAL&#34;,"#
            + #"&#34;Time&#34;:&#34;1970-01-01T00:00:01Z&#34;,&#34;Duration&#34;:0,&#34;Message&#34;:&#34;cpu:nil is CRITICAL&#34;}\n"#
        #expect(lines == [
            #"{"id":"cpu:nil","message":"cpu:nil is CRITICAL","details":"\#(details.replacingOccurrences(of: "&", with: "\\u0026"))","time":"1970-01-01T00:00:01Z","duration":0,"level":"CRITICAL","#
                + #""data":{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","value"],"values":[["1970-01-01T00:00:01Z",95]]}]},"#
                + #""previousLevel":"OK","recoverable":true}"#,
        ])
    }

    @Test func theDefaultsWrittenDirectlyEqualTheTemplatesRun() async throws {
        let values: [Double] = [95, 50]
        let defaults = try await Self.run(#".crit(lambda: "value" > 90)"#, values)
        let explicit = try await Self.run(#".crit(lambda: "value" > 90).id('{{ .Name }}:{{ .Group }}').message('{{ .ID }} is {{ .Level }}').details('{{ json . }}')"#, values)
        #expect(defaults.lines.count == 2)
        #expect(defaults.lines == explicit.lines)
    }

    @Test func aResetHoldsTheLevelUntilItIsTrue() async throws {
        let (events, _, _) = try await Self.run(#".warn(lambda: "value" > 80).warnReset(lambda: "value" < 70)"#, [85, 75, 72, 65])
        // 75 and 72 are not above 80, but the reset is false: still WARNING.
        #expect(Self.levels(events) == ["WARNING", "WARNING", "WARNING", "OK"])
    }

    @Test func stateChangesOnlyWithAndWithoutExpiry() async throws {
        let plain = try await Self.run(Self.warnCrit + ".stateChangesOnly()", [95, 96, 97, 98, 50, 50])
        #expect(Self.levels(plain.events) == ["CRITICAL", "OK"])
        // With 2s: the unchanged level goes out again once 2 s of data time have passed.
        let expiring = try await Self.run(Self.warnCrit + ".stateChangesOnly(2s)", [95, 96, 97, 98, 99, 50])
        #expect(Self.levels(expiring.events) == ["CRITICAL", "CRITICAL", "CRITICAL", "OK"])
        #expect(expiring.events.map { $0["time"] as? String } == [
            "1970-01-01T00:00:01Z", "1970-01-01T00:00:03Z", "1970-01-01T00:00:05Z", "1970-01-01T00:00:06Z",
        ])
    }

    @Test func noRecoveriesStillMovesTheState() async throws {
        let (events, _, task) = try await Self.run(Self.warnCrit + ".noRecoveries()", [95, 50, 95])
        #expect(Self.levels(events) == ["CRITICAL", "CRITICAL"])
        // The recovery was not sent, so the last level sent is still CRITICAL; the run restarted.
        #expect(events.map { $0["previousLevel"] as? String } == ["OK", "CRITICAL"])
        #expect(events.map { $0["duration"] as? Int } == [0, 0])
        #expect(events.allSatisfy { $0["recoverable"] as? Bool == false })
        #expect(Self.stat(task, "oks_triggered") == 0)
    }

    @Test func flappingHoldsEventsWhileTheLevelKeepsChanging() async throws {
        // Kapacitor's weighting over a history of 21: the 11th change crosses 0.5 and nothing
        // goes out until the weighted share of changes falls below 0.25.
        let values: [Double] = Array(repeating: [95, 50] as [Double], count: 8).flatMap { $0 } + Array(repeating: 50, count: 12)
        let plain = try await Self.run(Self.warnCrit, values)
        let flapping = try await Self.run(Self.warnCrit + ".flapping(0.25, 0.5)", values)
        #expect(plain.events.count == 16)
        #expect(Self.levels(flapping.events) == Array(repeating: ["CRITICAL", "OK"], count: 5).flatMap { $0 })
    }

    @Test func templatesAndTheDecoratedPoint() async throws {
        let alert = #".id('{{ .Name }}/{{ index .Tags "host" }}').message('{{ .ID }} {{ .Level }} {{ printf "%.1f" (index .Fields "value") }}')"#
            + #".crit(lambda: "value" > 90).levelTag('level').idField('alert_id').messageField('msg').durationField('dur')"#
        let (events, _, task) = try await Self.run(alert, [10, 95, 96])
        #expect(events.map { $0["message"] as? String } == ["cpu/a CRITICAL 95.0", "cpu/a CRITICAL 96.0"])
        // Only points that made an event go on, with the level tag and the fields.
        let out = try #require(task.httpOut("out"))
        #expect(out.contains(#""tags":{"host":"a","level":"CRITICAL"}"#))
        #expect(out.contains(#""columns":["time","alert_id","dur","msg","value"],"values":[["1970-01-01T00:00:03Z","cpu/a",1000000000,"cpu/a CRITICAL 96.0",96]]"#))
    }

    @Test func batchesAlertOnTheirHighestLevelOrWithAllOnTheirLowest() async throws {
        let window = "|window().periodCount(2).everyCount(2)"
        func run(_ alert: String) async throws -> [String] {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("farad-alert-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let script = "stream|from().measurement('cpu')\(window)|alert()\(alert).log('\(dir)/a.log')"
            _ = try await NodeTests.run(script, [95, 50, 95, 96].enumerated().map { Self.point(Int64($0.offset + 1), $0.element) })
            let text = (try? String(contentsOfFile: dir + "/a.log", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map { line in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["level"] as? String ?? "?"
            }
        }
        #expect(try await run(Self.warnCrit) == ["CRITICAL", "CRITICAL"])
        #expect(try await run(Self.warnCrit + ".all()") == ["CRITICAL"])
    }

    @Test(arguments: [
        (".log('relative.log')", "log path must be absolute: relative.log is not absolute"),
        (".crit(lambda: TRUE).mqtt('x')", "no default MQTT broker: configure [[mqtt]]"),
        (".crit(lambda: TRUE).email('a@b')", "alert .email() is not a handler Farad has yet"),
        (".crit(lambda: TRUE).flapping(2.0, 3.0)", "alert flap thresholds are percentages and should be between 0 and 1"),
        (".crit(lambda: TRUE).mode(0644)", ".mode() belongs to a handler: write it after .log()"),
        (".crit(lambda: TRUE).message('{{ .ID ')", "alert .message(): template: message:1: unclosed action"),
        (".crit(lambda: TRUE).tcp('nohost')", ".tcp() takes host:port"),
        (".crit(lambda: TRUE).post('https://example.com')", "is not an http://host[:port][/path] URL"),
        (".crit(lambda: TRUE).log('/dev/null').topic('t')", "alert .topic() goes before the node's handlers"),
        (".crit(lambda: TRUE).topic('main:t:alert2')", "alert .topic() takes a topic ID of letters, digits"),
    ])
    func badPropertiesAreRefusedAtDefineTime(_ properties: String, _ message: String) {
        let script = "stream|from()|alert()\(properties)"
        do {
            _ = try TaskCompiler.validate(id: "t", script: script, environment: TaskEnvironment())
            Issue.record("accepted: \(script)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func aNamedTopicCollectsTheEventsOfEveryTaskThatPublishesToIt() async throws {
        let environment = TaskEnvironment()
        for task in ["t1", "t2"] {
            let execution = try TaskExecution(id: task, script: #"stream|from()|alert().topic('cpu').id('{{ .TaskName }}').crit(lambda: "value" > 90)"#, environment: environment)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await execution.run() }
                await execution.write([Self.point(1, 95), Self.point(2, 10)], database: "db", retentionPolicy: "rp")
                execution.stop()
                try await group.waitForAll()
            }
            // The node's anonymous topic has its events too.
            #expect(execution.alertTopics().map(\.id) == ["main:\(task):alert2"])
        }
        let topic = try #require(environment.topics.topic("cpu"))
        #expect(topic.collected == 4)
        #expect(topic.events.map(\.id) == ["t1", "t2"])
        #expect(topic.events.map(\.level) == [.ok, .ok])
        #expect(environment.topics.topic("other") == nil)
    }
}
