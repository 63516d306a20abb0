import FaradCore
import FaradTestSupport
import FaradTICK
import Foundation
import Testing
@testable import FaradEngine

/// `stats()` and `deadman()`, driven by a ``ManualWallClock``: the test moves wall-clock time
/// and waits (polling) for the tick to have gone through the task.
@Suite struct DeadmanTests {
    static let second: Int64 = 1_000_000_000
    /// A wall-clock time on a 10s boundary.
    static let start: Int64 = 1_700_000_000 * second

    static func point(_ host: String, _ t: Int64) -> Point {
        Point(measurement: "cpu", tags: ["host": host], fields: [("value", .double(1))], time: t)
    }

    /// A running task on a manual clock; `body` drives it; then the task stops.
    static func withTask(_ script: String, clockStart: Int64 = start, environment: TaskEnvironment = TaskEnvironment(),
                         _ body: (TaskExecution, ManualWallClock) async throws -> Void) async throws {
        let clock = ManualWallClock(start: clockStart)
        var environment = environment
        environment.wallClock = clock
        let task = try TaskExecution(id: "t", script: script, environment: environment)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await task.run() }
            #expect(await eventually { clock.sleepers == 1 })
            try await body(task, clock)
            task.stop()
            try await group.waitForAll()
        }
    }

    /// Moves the clock by `seconds` and waits until node `stats` has emitted `emitted` points.
    static func tick(_ task: TaskExecution, _ clock: ManualWallClock, by seconds: Int64, until emitted: Int, node: String = "stats2") async {
        clock.advance(by: seconds * second)
        let done = await eventually { task.statistics().first { $0.name == node }?.emitted == emitted }
        #expect(done, "the tick after \(seconds)s reached \(node)")
    }

    @Test func statsReportsEmittedPerGroupOnAlignedWallClockTicks() async throws {
        // Started 3s past a boundary: the first tick waits for the boundary and carries the start
        // rounded to the interval (as Kapacitor's), the next ones their own time.
        try await Self.withTask("stream|from().groupBy('host')|stats(10s).align()|httpOut('s')", clockStart: Self.start + 3 * Self.second) { task, clock in
            await task.write([Self.point("a", 1), Self.point("a", 2), Self.point("b", 3)], database: "db", retentionPolicy: "rp")
            await Self.tick(task, clock, by: 7, until: 2)
            let first = try #require(task.httpOut("s"))
            #expect(first.contains(#"{"name":"stats","tags":{"host":"a"},"columns":["time","emitted"],"values":[["2023-11-14T22:13:20Z",2]]}"#), "\(first)")
            #expect(first.contains(#"{"name":"stats","tags":{"host":"b"},"columns":["time","emitted"],"values":[["2023-11-14T22:13:20Z",1]]}"#), "\(first)")
            await task.write([Self.point("b", 4)], database: "db", retentionPolicy: "rp")
            await Self.tick(task, clock, by: 10, until: 4)
            let second = try #require(task.httpOut("s"))
            #expect(second.contains(#""tags":{"host":"b"},"columns":["time","emitted"],"values":[["2023-11-14T22:13:40Z",2]]"#), "\(second)")
        }
    }

    @Test func statsWithoutDataReportsTheNilGroup() async throws {
        try await Self.withTask("stream|from()|stats(1s)|httpOut('s')") { task, clock in
            await Self.tick(task, clock, by: 1, until: 1)
            #expect(task.httpOut("s") == #"{"series":[{"name":"stats","columns":["time","emitted"],"values":[["2023-11-14T22:13:21Z",0]]}]}"#)
        }
    }

    /// The events a `.log()` handler wrote to a temporary file, read on each call.
    final class LoggedEvents {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("farad-deadman-\(UUID().uuidString)").path
        var path: String { dir + "/deadman.log" }

        init() throws { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func read() -> [[String: Any]] {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    @Test func deadmanGoesCriticalWhenAGroupStopsAndRecoversWhenItReturns() async throws {
        let log = try LoggedEvents()
        let script = "stream|from().measurement('cpu').groupBy('host')|deadman(1.0, 10s).log('\(log.path)')"
        try await Self.withTask(script) { task, clock in
            let write = { (n: Int) in await task.write((0..<n).map { Self.point("a", Int64($0)) }, database: "db", retentionPolicy: "rp") }
            await write(5)
            await Self.tick(task, clock, by: 10, until: 1)   // emitted 5: the derivative's first value
            await write(3)
            await Self.tick(task, clock, by: 10, until: 2)   // 3 points in 10s: alive, no event (OK to OK)
            #expect(log.read().isEmpty)
            await Self.tick(task, clock, by: 10, until: 3)   // none: dead
            #expect(await eventually { log.read().count == 1 })
            await write(20)
            await Self.tick(task, clock, by: 10, until: 4)   // 20 points: alive again
            #expect(await eventually { log.read().count == 2 })
            let all = log.read()
            #expect(all.map { $0["level"] as? String } == ["CRITICAL", "OK"])
            #expect(all.first?["id"] as? String == "host=a:from1 for task 't'")
            #expect(all.first?["message"] as? String == "host=a:from1 for task 't' is dead: 0.000 points/10s.")
            #expect(all.last?["message"] as? String == "host=a:from1 for task 't' is alive: 20.000 points/10s.")
            #expect(all.first?["time"] as? String == "2023-11-14T22:13:50Z")
        }
    }

    @Test func deadmanTakesConfiguredTemplatesExtraLambdasAndLaterProperties() async throws {
        var environment = TaskEnvironment()
        environment.deadman.message = "{{ .ID }} at INTERVAL"
        environment.deadman.id = "dm:NODE_NAME"
        // No data: the nil group's count stays 0, so the second tick's derivative is 0: dead.
        for (properties, id, message) in [("", "dm:from1", "dm:from1 at 1m0s"), (".id('mine').message('m {{ .Level }}')", "mine", "m CRITICAL")] {
            let log = try LoggedEvents()
            let script = #"stream|from()|deadman(0.0, 1m, lambda: "emitted" < 100)"# + properties + ".log('\(log.path)')|httpOut('d')"
            try await Self.withTask(script, environment: environment) { task, clock in
                #expect(task.statistics().first { $0.name == "alert4" }?.children == ["http_out5"])
                await Self.tick(task, clock, by: 60, until: 1)
                await Self.tick(task, clock, by: 60, until: 2)
                #expect(await eventually { log.read().count == 1 })
                #expect(log.read().first?["id"] as? String == id)
                #expect(log.read().first?["message"] as? String == message)
            }
        }
        let task = try TaskExecution(id: "t", script: "stream|from()|deadman(0.0, 10s)", environment: environment)
        #expect(task.summary.dot.contains("from1 -> stats2"), "\(task.summary.dot)")
    }

    @Test(arguments: [
        ("stream|from()|deadman(1.0)", "deadman() takes a threshold and an interval, got 1 argument"),
        ("stream|from()|deadman('x', 10s)", "deadman() takes the threshold (points per interval) as a number, got a string"),
        ("stream|from()|deadman(1.0, 0s)", "deadman() takes a positive interval"),
        ("stream|from()|deadman(1.0, 10s, 'x')", "deadman() takes lambdas after the interval, got a string"),
        ("stream|from()|stats()", "stats() takes 1 argument, got 0"),
        ("stream|from()|stats(10)", "stats() takes a positive duration"),
    ])
    func badDeadmanAndStatsCallsAreNamed(script: String, message: String) throws {
        let error = #expect(throws: TICKDiagnostic.self) { try TaskExecution(id: "t", script: script, environment: TaskEnvironment()) }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test func tickScheduleFollowsKapacitor() {
        let s = Self.second
        #expect(StatsNode.schedule(from: 13 * s, interval: 10 * s, align: true) == (20 * s, 10 * s))
        #expect(StatsNode.schedule(from: 17 * s, interval: 10 * s, align: true) == (20 * s, 20 * s))
        #expect(StatsNode.schedule(from: 17 * s, interval: 10 * s, align: false) == (27 * s, 27 * s))
        #expect(StatsNode.schedule(from: .max - 1, interval: 10 * s, align: false) == (.max, .max))
    }

    @Test func manualClockWakesSleepersAndHonoursCancellation() async throws {
        let clock = ManualWallClock(start: 0)
        let sleeper = Task { try await clock.sleep(until: 5) }
        #expect(await eventually { clock.sleepers == 1 })
        clock.advance(by: 5)
        try await sleeper.value
        let cancelled = Task { try await clock.sleep(until: 100) }
        #expect(await eventually { clock.sleepers == 1 })
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(clock.sleepers == 0)
    }
}
