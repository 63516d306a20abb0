import FaradCore
import FaradInfluxQL
import FaradTestSupport
import FaradTICK
import Foundation
import Synchronization
import Testing
@testable import FaradEngine

/// A batch source that records every statement asked of it and answers from a script of
/// replies (by default: nothing).
final class RecordingBatchSource: BatchSource {
    private let state = Mutex<(statements: [String], replies: [Result<[InfluxQLResultSeries], BatchSourceError>])>(([], []))

    var statements: [String] { state.withLock { $0.statements } }

    /// Queues the answer of the next query.
    func reply(_ reply: Result<[InfluxQLResultSeries], BatchSourceError>) {
        state.withLock { $0.replies.append(reply) }
    }

    func query(_ statement: InfluxQLSelect, cluster: String) async throws(BatchSourceError) -> [InfluxQLResultSeries] {
        let reply = state.withLock { s -> Result<[InfluxQLResultSeries], BatchSourceError> in
            s.statements.append(statement.description)
            return s.replies.isEmpty ? .success([]) : s.replies.removeFirst()
        }
        return try reply.get()
    }
}

/// Batch tasks: `batch|query()` compiled, scheduled on a ``ManualWallClock``, its answers
/// turned into batches, and replayed over recorded points.
@Suite struct BatchTaskTests {
    static let second: Int64 = 1_000_000_000
    /// 2023-11-14T22:13:20Z, on a 10s boundary.
    static let start: Int64 = 1_700_000_000 * second

    static func environment(_ source: any BatchSource) -> TaskEnvironment {
        var environment = TaskEnvironment()
        environment.batchSource = source
        return environment
    }

    /// A running batch task on a manual clock; `body` drives it; then the task stops.
    static func withTask(_ script: String, source: RecordingBatchSource, clockStart: Int64 = start,
                         _ body: (TaskExecution, ManualWallClock) async throws -> Void) async throws {
        let clock = ManualWallClock(start: clockStart)
        var environment = environment(source)
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

    /// Moves the clock and waits until the source has been asked `count` queries in all and
    /// the task is asleep again.
    static func tick(_ clock: ManualWallClock, by seconds: Int64, _ source: RecordingBatchSource, until count: Int) async {
        clock.advance(by: seconds * second)
        #expect(await eventually { source.statements.count == count && clock.sleepers == 1 }, "query \(count) after \(seconds)s")
    }

    static let script = """
        batch
            |query('SELECT mean("usage_idle") AS idle FROM "telegraf"."autogen"."cpu" WHERE "cpu" = \\'cpu-total\\'')
                .period(1m)
                .every(30s)
                .offset(10s)
                .groupBy('host')
            |httpOut('out')
        """

    @Test func eachTickQueriesItsWindowWithTheNodesGroupBy() async throws {
        let source = RecordingBatchSource()
        try await Self.withTask(Self.script, source: source, clockStart: Self.start + 5 * Self.second) { _, clock in
            // Unaligned: the first tick is one `every` after the start (22:13:55), the window
            // ends `offset` before it and is `period` long.
            await Self.tick(clock, by: 30, source, until: 1)
            await Self.tick(clock, by: 30, source, until: 2)
        }
        // The script's condition and the window are each parenthesized (Kapacitor leaves them
        // bare, so an OR in the script's condition escapes its window).
        #expect(source.statements == [
            #"SELECT mean("usage_idle") AS "idle" FROM "telegraf"."autogen"."cpu" WHERE ("cpu" = 'cpu-total') AND ("time" >= '2023-11-14T22:12:45Z' AND "time" < '2023-11-14T22:13:45Z') GROUP BY "host""#,
            #"SELECT mean("usage_idle") AS "idle" FROM "telegraf"."autogen"."cpu" WHERE ("cpu" = 'cpu-total') AND ("time" >= '2023-11-14T22:13:15Z' AND "time" < '2023-11-14T22:14:15Z') GROUP BY "host""#,
        ])
    }

    @Test func alignedTicksFallOnMultiplesOfEvery() async throws {
        let source = RecordingBatchSource()
        let script = "batch|query('SELECT max(v) FROM \"db\".\"rp\".\"m\"').period(10s).every(10s).align().groupBy(time(5s), *).fill(0)|httpOut('o')"
        try await Self.withTask(script, source: source, clockStart: Self.start + 3 * Self.second) { _, clock in
            await Self.tick(clock, by: 7, source, until: 1)
        }
        #expect(source.statements == [
            #"SELECT max("v") FROM "db"."rp"."m" WHERE "time" >= '2023-11-14T22:13:20Z' AND "time" < '2023-11-14T22:13:30Z' GROUP BY time(5s, 0s), * fill(0)"#,
        ])
    }

    @Test func answersBecomeOneBatchPerSeriesStampedWithTheWindowsEnd() async throws {
        let source = RecordingBatchSource()
        source.reply(.success([
            InfluxQLResultSeries(name: "cpu", tags: [("host", "a")], columns: ["time", "idle", "n"],
                                 values: [[.time(Self.start), .value(.integer(7)), .value(.string("x"))], [.time(Self.start + 1), .null, .null]]),
            InfluxQLResultSeries(name: "cpu", tags: [("host", "b")], columns: ["time", "idle", "n"],
                                 values: [[.time(Self.start), .value(.float(2.5)), .null]]),
        ]))
        try await Self.withTask(Self.script, source: source) { task, clock in
            await Self.tick(clock, by: 30, source, until: 1)
            #expect(await eventually { task.httpOut("out")?.contains("\"b\"") == true })
            // Integers become floats, a row of nulls is dropped, a null cell is left out.
            #expect(task.httpOut("out") == #"{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","idle","n"],"values":[["2023-11-14T22:13:20Z",7,"x"]]},{"name":"cpu","tags":{"host":"b"},"columns":["time","idle"],"values":[["2023-11-14T22:13:20Z",2.5]]}]}"#)
            let stats = try #require(task.statistics().first { $0.name == "query1" })
            #expect(stats.emitted == 2)
        }
    }

    @Test func aFailingQueryIsCountedAndTheNextTickRunsAgain() async throws {
        let source = RecordingBatchSource()
        source.reply(.failure(BatchSourceError("database not found: telegraf")))
        try await Self.withTask(Self.script, source: source) { task, clock in
            await Self.tick(clock, by: 30, source, until: 1)
            #expect(await eventually { task.statistics().first { $0.name == "query1" }?.values.first { $0.0 == "errors" }?.1 == 1 })
            await Self.tick(clock, by: 30, source, until: 2)
        }
    }

    @Test func batchTimeStampsTheLastRowWhenGroupedByTime() {
        let query = BatchQuery(statement: InfluxQLSelect(), period: 10, every: 10, cron: nil, offset: 0, align: false,
                               alignGroup: false, groupByTime: (5, 0), byMeasurement: false, cluster: "")
        let series = [InfluxQLResultSeries(name: "m", columns: ["time", "v"], values: [[.time(100), .value(.float(1))], [.time(105), .value(.float(2))]])]
        let batches = query.batches(from: series, stop: 110, database: "db", retentionPolicy: "rp")
        #expect(batches.map { $0.tmax } == [105])
        #expect(batches.first?.points.map { $0.time } == [100, 105])
    }

    /// With `.alignGroup()` the offset is the window's start modulo the interval, as Kapacitor's.
    @Test func alignGroupMovesTheTimeOffsetWithTheWindow() {
        var query = BatchQuery(statement: InfluxQLSelect(), period: 60 * Self.second, every: 60 * Self.second, cron: nil,
                               offset: 0, align: false, alignGroup: true, groupByTime: (60 * Self.second, 0), byMeasurement: false, cluster: "")
        query.statement.dimensions = [.call("time", [.duration(60 * Self.second)])]
        let s = query.statement(start: Self.start + 7 * Self.second, stop: Self.start + 67 * Self.second)
        // 22:13:27 is 27s past a minute.
        #expect(s.description.hasSuffix("GROUP BY time(1m, 27s)"), "\(s)")
    }

    @Test(arguments: [
        ("batch|query('SELECT v FROM \"db\".\"rp\".\"m\"').period(1m).every(1m).cron('* * * * *')", "must not set both 'every' and 'cron' properties"),
        ("batch|query('SELECT v FROM \"db\".\"rp\".\"m\"').period(1m)", "must define one of 'every' or 'cron'"),
        ("batch|query('SELECT v FROM \"db\".\"rp\".\"m\"').every(1m)", "query() needs .period(d)"),
        ("batch|query('SELECT v FROM m').period(1m).every(1m)", "must name the database"),
        ("batch|query('SELEC v').period(1m).every(1m)", "failed to parse InfluxQL query"),
        ("batch|query('SHOW DATABASES').period(1m).every(1m)", "query is not a select statement"),
        ("batch|query('SELECT v FROM \"db\".\"rp\".\"m\"').period(1m).every(1m).groupBy(time(1m), time(2m))", "more than one time dimension"),
        ("batch|query('SELECT v FROM \"db\".\"rp\".\"m\"').period(1m).every(1m).fill('sideways')", "unexpected fill option"),
        ("batch|query('SELECT v FROM \"db\".\"rp\".\"m\"').period(1m).cron('61 * * * *')", "minutes field \"61\""),
        ("batch|query('SELECT v FROM \"db\".\"rp\".\"m\"').period(1m).every(1m).cluster('eu')", "no InfluxDB cluster named \"eu\""),
        ("stream|query('SELECT v FROM \"db\".\"rp\".\"m\"')", "query() starts a batch task"),
    ])
    func invalidBatchScriptsAreRejected(script: String, message: String) {
        #expect {
            _ = try TaskExecution(id: "t", script: script, environment: Self.environment(RecordingBatchSource()))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func aBatchTaskWithoutASourceIsRejected() {
        #expect {
            _ = try TaskExecution(id: "t", script: "batch|query('SELECT v FROM \"db\".\"rp\".\"m\"').period(1m).every(1m)", environment: TaskEnvironment())
        } throws: { error in
            "\(error)".contains("batch tasks need somewhere to query")
        }
    }

    @Test func summaryNamesTheTypeAndTheQueriedDBRPs() throws {
        let summary = try TaskCompiler.validate(id: "t", script: Self.script, environment: Self.environment(RecordingBatchSource()))
        #expect(summary.type == .batch)
        #expect(summary.queryDBRPs == [DBRP(db: "telegraf", rp: "autogen")])
    }

    /// Replay: points in memory, every tick over them run in order through the InfluxQL engine.
    @Test func replayRunsEveryTickOverTheRecording() async throws {
        let memory = InMemoryInfluxStorage()
        var environment = TaskEnvironment()
        environment.batchSource = StorageBatchSource(storage: memory, clock: ManualWallClock(start: 0))
        environment.wallClock = ManualWallClock(start: 0)
        let script = """
            batch
                |query('SELECT sum(v) AS total FROM "db"."rp"."m"')
                    .period(10s)
                    .every(10s)
                    .groupBy('host')
                |log()
                |httpOut('o')
            """
        let lines = (0..<30).map { i in "m,host=\(i % 2 == 0 ? "a" : "b") v=\(i)i \(Int64(i) * Self.second)" }.joined(separator: "\n")
        let recording = try ReplayRecording(lineProtocol: Array(lines.utf8), precision: .nanoseconds, database: "db", retentionPolicy: "rp")
        recording.load(into: memory)
        let logged = Mutex<[String]>([])
        environment.log = { _, line in logged.withLock { $0.append(line) } }
        let task = try TaskExecution(id: "t", script: script, environment: environment)
        try await recording.replayBatch(into: task)
        // Windows [0,10s), [10s,20s), [20s,30s): a's sums of even i, b's of odd i.
        let sums = logged.withLock { $0 }.compactMap { line -> String? in
            guard let r = line.range(of: "field_total=") else { return nil }
            return String(line[r.upperBound...].prefix { $0 != " " })
        }
        #expect(sums == ["20", "25", "70", "75", "120", "125"], "\(logged.withLock { $0 })")
        #expect(task.httpOut("o")?.contains(#""values":[["1970-01-01T00:00:20Z",125]]"#) == true, "\(task.httpOut("o") ?? "")")
    }
}

@Suite struct CronScheduleTests {
    static let minute: Int64 = 60_000_000_000
    /// 2023-11-14T22:13:20Z, a Tuesday.
    static let t: Int64 = 1_700_000_000_000_000_000

    @Test(arguments: [
        ("* * * * *", "2023-11-14T22:14:00Z"),
        ("*/15 * * * *", "2023-11-14T22:15:00Z"),
        ("0 0 * * *", "2023-11-15T00:00:00Z"),
        ("30 9 * * 1", "2023-11-20T09:30:00Z"),
        ("0 12 1 * *", "2023-12-01T12:00:00Z"),
        ("0 0 1 1 *", "2024-01-01T00:00:00Z"),
        ("0 0 29 2 *", "2024-02-29T00:00:00Z"),
        // Six fields: a year last; seven: seconds first.
        ("*/10 * * * * *", "2023-11-14T22:20:00Z"),
        ("0 0 1 1 * 2030", "2030-01-01T00:00:00Z"),
        ("*/10 * * * * * *", "2023-11-14T22:13:30Z"),
        ("0 0 0 * * SAT,SUN *", "2023-11-18T00:00:00Z"),
        ("@hourly", "2023-11-14T23:00:00Z"),
    ])
    func nextTime(expression: String, expected: String) throws {
        let cron = try CronSchedule(expression)
        #expect(CivilDate.rfc3339Nano(cron.next(after: Self.t)) == expected)
    }

    @Test(arguments: ["* * *", "60 * * * *", "* 24 * * *", "*/0 * * * *", "5-1 * * * *", "x * * * *"])
    func invalidExpressions(expression: String) {
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(expression) }
    }
}
