import FaradCore
import FaradSystem
import FaradTICK
import Synchronization
import Testing
@testable import FaradEngine

/// Nodes that Kapacitor's streamer suite tests only together with others (shift with join) or
/// not at all in stream tasks (truncate, round, eval's quiet, log): Farad's own cases, with
/// nanosecond times the second-precision fixtures cannot carry.
@Suite struct NodeTests {
    static let second: Int64 = 1_000_000_000

    static func point(_ time: Int64, _ value: Double = 1, host: String = "a") -> Point {
        Point(measurement: "cpu", tags: ["host": host], fields: [("value", .double(value))], time: time)
    }

    /// Runs `script` over `points` and returns the task (for httpOut and statistics).
    static func run(_ script: String, _ points: [Point], environment: TaskEnvironment = TaskEnvironment()) async throws -> TaskExecution {
        let task = try TaskExecution(id: "t", script: script, environment: environment)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await task.run() }
            await task.write(points, database: "db", retentionPolicy: "rp")
            task.stop()
            try await group.waitForAll()
        }
        return task
    }

    @Test func truncateAndRoundRewriteTimes() async throws {
        let points = [Self.point(1_400_000_000), Self.point(2_600_000_000)]
        let truncated = try await Self.run("stream|from().truncate(1s)|window().periodCount(2)|httpOut('x')", points)
        #expect(truncated.httpOut("x")!.contains(#"["1970-01-01T00:00:01Z","a",1],["1970-01-01T00:00:02Z","a",1]"#))
        let rounded = try await Self.run("stream|from().round(1s)|window().periodCount(2)|httpOut('x')", points)
        #expect(rounded.httpOut("x")!.contains(#"["1970-01-01T00:00:01Z","a",1],["1970-01-01T00:00:03Z","a",1]"#))
    }

    @Test func shiftMovesPointsAndBatches() async throws {
        let points = (0..<3).map { Self.point(Int64($0) * Self.second, Double($0)) }
        let stream = try await Self.run("stream|from()|shift(-500ms)|httpOut('x')", points)
        #expect(stream.httpOut("x") == #"{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","value"],"values":[["1970-01-01T00:00:01.5Z",2]]}]}"#)
        let batch = try await Self.run("stream|from()|window().periodCount(2)|shift(1h)|httpOut('x')", points)
        // The batch (the first two points) moves with its points.
        #expect(batch.httpOut("x") == #"{"series":[{"name":"cpu","columns":["time","host","value"],"values":[["1970-01-01T01:00:00Z","a",0],["1970-01-01T01:00:01Z","a",1]]}]}"#)
    }

    @Test func evalQuietCountsErrorsWithoutReportingThem() async throws {
        let points = [Point(measurement: "cpu", fields: [("value", .string("x"))], time: 1), Self.point(2, 4)]
        let loud = try await Self.run(#"stream|from()|eval(lambda: "value" * 2.0).as('double')|httpOut('x')"#, points)
        let quiet = try await Self.run(#"stream|from()|eval(lambda: "value" * 2.0).as('double').quiet()|httpOut('x')"#, points)
        for task in [loud, quiet] {
            #expect(task.httpOut("x")!.contains(#""columns":["time","double"],"values":[["1970-01-01T00:00:00.000000002Z",8]]"#))
            let eval = try #require(task.statistics().first { $0.name == "eval2" })
            #expect(eval.values.first { $0.0 == "errors" }?.1 == 1)
            #expect(eval.values.first { $0.0 == "eval_errors" }?.1 == 1)
        }
        // Only the loud one keeps the error's text.
        for (script, text) in [(#"stream|from()|eval(lambda: "value" * 2.0).as('d')|httpOut('x')"#, true),
                               (#"stream|from()|eval(lambda: "value" * 2.0).as('d').quiet()|httpOut('x')"#, false)] {
            let pipeline = try TaskCompiler.build(id: "t", script: script, environment: TaskEnvironment()).pipeline
            pipeline.write(points, database: "db", retentionPolicy: "rp")
            #expect((pipeline.node(named: "eval2")?.lastError != nil) == text)
        }
    }

    @Test func logWritesEveryPointAsKapacitorDoesAndPassesItOn() async throws {
        let lines = Mutex<[String]>([])
        let environment = TaskEnvironment(log: { level, line in lines.withLock { $0.append("\(level) \(line)") } })
        let task = try await Self.run("stream|from()|log().level('WARN').prefix('p')|httpOut('x')", [Self.point(Self.second, 2.5)], environment: environment)
        #expect(lines.withLock { $0 } == [
            #"WARN lvl=warn msg=point node=log2 prefix=p name=cpu db=db rp=rp group="" tag_host=a field_value=2.5 time=1970-01-01T00:00:01Z"#,
        ])
        #expect(task.httpOut("x")!.contains(#""values":[["1970-01-01T00:00:01Z",2.5]]"#))
    }
}

/// influxDBOut's properties as Intel's and Kapacitor's scripts write them.
@Suite struct InfluxDBOutPropertyTests {
    static var environment: TaskEnvironment {
        var e = TaskEnvironment()
        e.influxDB = InfluxDBOutConfiguration(endpoint: HTTPPost.Endpoint(url: "http://127.0.0.1:8086")!)
        return e
    }

    @Test func bufferZeroWritesEachPointAtOnce() throws {
        let built = try TaskCompiler.build(id: "t", script: "stream|from()|influxDBOut().database('out').buffer(0)", environment: Self.environment)
        let writer = try #require(built.outputs.first as? InfluxDBWriter)
        #expect(writer.configuration.bufferSize == 1)
        #expect(throws: TICKDiagnostic.self) {
            try TaskCompiler.validate(id: "t", script: "stream|from()|influxDBOut().buffer(-1)", environment: Self.environment)
        }
    }
}

/// Kapacitor's stateful lambda functions, with one state per group and per call site.
@Suite struct StatefulFunctionTests {
    static func p(_ t: Int64, _ v: Double, _ host: String) -> Point {
        Point(measurement: "cpu", tags: ["host": host], fields: [("value", .double(v))], time: t * 1_000_000_000)
    }

    @Test func countIsPerGroup() async throws {
        let points = [Self.p(1, 1, "a"), Self.p(1, 1, "b"), Self.p(2, 1, "a"), Self.p(3, 1, "a"), Self.p(3, 1, "b")]
        let task = try await NodeTests.run("stream|from().groupBy('host')|where(lambda: count() >= 2)|httpOut('x')", points)
        // a passes from its 2nd point (times 2 and 3), b from its 2nd (time 3).
        let out = try #require(task.httpOut("x"))
        #expect(out.contains(#""tags":{"host":"a"},"columns":["time","value"],"values":[["1970-01-01T00:00:03Z",1]]"#))
        #expect(out.contains(#""tags":{"host":"b"},"columns":["time","value"],"values":[["1970-01-01T00:00:03Z",1]]"#))
    }

    @Test func sigmaIsTheDistanceFromTheRunningMeanInStandardDeviations() async throws {
        let points = [Self.p(1, 1, "a"), Self.p(2, 2, "a"), Self.p(3, 3, "a")]
        let task = try await NodeTests.run(#"stream|from()|eval(lambda: sigma("value")).as('s')|window().periodCount(3)|httpOut('x')"#, points)
        let out = try #require(task.httpOut("x"))
        // 0.5 / sqrt(0.5) in IEEE arithmetic, as Go computes it.
        #expect(out.contains(#"[["1970-01-01T00:00:01Z","a",0],["1970-01-01T00:00:02Z","a",0.7071067811865475],["1970-01-01T00:00:03Z","a",1]]"#), "\(out)")
    }

    @Test func spreadInAnAlertLevel() throws {
        let pipeline = try TaskCompiler.build(id: "t", script: #"stream|from()|alert().crit(lambda: spread("value") > 10.0)|httpOut('x')"#,
                                              environment: TaskEnvironment()).pipeline
        pipeline.write([Self.p(1, 5, "a"), Self.p(2, 12, "a"), Self.p(3, 16, "a")], database: "db", retentionPolicy: "rp")
        let alert = try #require(pipeline.node(named: "alert2"))
        // The spread passes 10 at the third point: one CRITICAL event.
        #expect(alert.extraStatistics.first { $0.0 == "crits_triggered" }?.1 == 1)
    }
}
