import FaradCore
import FaradInfluxQL
import Testing
@testable import FaradEngine

/// Kapacitor's `batcher_test.go` cases on their `.brpl` recordings (`integrations/testdata`),
/// replayed as Kapacitor's harness replays them: each recording feeds one query node, moved to
/// start at 1971-01-01T00:00:00Z; the expected httpOut results are Kapacitor's.
@Suite struct BatchRecordingTests {
    static let simpleMR = #"""
{"name":"cpu_usage_idle","tags":{"cpu":"cpu-total"},"points":[{"fields":{"mean":90.38281469458698},"time":"2015-10-30T17:14:12Z"},{"fields":{"mean":86.51447101892941},"time":"2015-10-30T17:14:14Z"},{"fields":{"mean":91.71877558217454},"time":"2015-10-30T17:14:16Z"},{"fields":{"mean":87.10524436107617},"time":"2015-10-30T17:14:18Z"},{"fields":{"mean":90.3900735196668},"time":"2015-10-30T17:14:20Z"}]}
{"name":"cpu_usage_idle","tags":{"cpu":"cpu0"},"points":[{"fields":{"mean":83.56930693069836},"time":"2015-10-30T17:14:12Z"},{"fields":{"mean":79.12871287128638},"time":"2015-10-30T17:14:14Z"},{"fields":{"mean":88.99559823928229},"time":"2015-10-30T17:14:16Z"},{"fields":{"mean":85.50000000000182},"time":"2015-10-30T17:14:18Z"},{"fields":{"mean":86.02860286029956},"time":"2015-10-30T17:14:20Z"}]}
{"name":"cpu_usage_idle","tags":{"cpu":"cpu1"},"points":[{"fields":{"mean":93.49999999999409},"time":"2015-10-30T17:14:12Z"},{"fields":{"mean":91.44444444443974},"time":"2015-10-30T17:14:14Z"},{"fields":{"mean":93.44897959187637},"time":"2015-10-30T17:14:16Z"},{"fields":{"mean":95.99999999995998},"time":"2015-10-30T17:14:18Z"},{"fields":{"mean":97.00970097012197},"time":"2015-10-30T17:14:20Z"}]}
{"name":"cpu_usage_idle","tags":{"cpu":"cpu-total"},"points":[{"fields":{"mean":90.8919959776013},"time":"2015-10-30T17:14:22Z"},{"fields":{"mean":86.54244306420236},"time":"2015-10-30T17:14:24Z"},{"fields":{"mean":91.01699558842134},"time":"2015-10-30T17:14:26Z"},{"fields":{"mean":85.66378399063848},"time":"2015-10-30T17:14:28Z"},{"fields":{"mean":89.90919811320221},"time":"2015-10-30T17:14:30Z"}]}
{"name":"cpu_usage_idle","tags":{"cpu":"cpu0"},"points":[{"fields":{"mean":81.72501716191164},"time":"2015-10-30T17:14:22Z"},{"fields":{"mean":81.03810381037587},"time":"2015-10-30T17:14:24Z"},{"fields":{"mean":85.93434343435388},"time":"2015-10-30T17:14:26Z"},{"fields":{"mean":85.36734693878043},"time":"2015-10-30T17:14:28Z"},{"fields":{"mean":83.01320528210614},"time":"2015-10-30T17:14:30Z"}]}
{"name":"cpu_usage_idle","tags":{"cpu":"cpu1"},"points":[{"fields":{"mean":95.98484848485191},"time":"2015-10-30T17:14:22Z"},{"fields":{"mean":92.098039215696},"time":"2015-10-30T17:14:24Z"},{"fields":{"mean":92.99999999998363},"time":"2015-10-30T17:14:26Z"},{"fields":{"mean":86.54015887023496},"time":"2015-10-30T17:14:28Z"},{"fields":{"mean":95.48979591840603},"time":"2015-10-30T17:14:30Z"}]}
{"name":"cpu_usage_idle","tags":{"cpu":"cpu-total"},"points":[{"fields":{"mean":91.06416290101595},"time":"2015-10-30T17:14:32Z"},{"fields":{"mean":85.9694442394385},"time":"2015-10-30T17:14:34Z"},{"fields":{"mean":90.62985736134186},"time":"2015-10-30T17:14:36Z"},{"fields":{"mean":86.45443196005628},"time":"2015-10-30T17:14:38Z"},{"fields":{"mean":88.97243107764031},"time":"2015-10-30T17:14:40Z"}]}
{"name":"cpu_usage_idle","tags":{"cpu":"cpu0"},"points":[{"fields":{"mean":85.08910891088406},"time":"2015-10-30T17:14:32Z"},{"fields":{"mean":78.00000000002001},"time":"2015-10-30T17:14:34Z"},{"fields":{"mean":84.23607066586464},"time":"2015-10-30T17:14:36Z"},{"fields":{"mean":80.85858585861834},"time":"2015-10-30T17:14:38Z"},{"fields":{"mean":80.61224489791657},"time":"2015-10-30T17:14:40Z"}]}
{"name":"cpu_usage_idle","tags":{"cpu":"cpu1"},"points":[{"fields":{"mean":96.49999999996908},"time":"2015-10-30T17:14:32Z"},{"fields":{"mean":93.46464646468584},"time":"2015-10-30T17:14:34Z"},{"fields":{"mean":95.00950095007724},"time":"2015-10-30T17:14:36Z"},{"fields":{"mean":92.99999999998636},"time":"2015-10-30T17:14:38Z"},{"fields":{"mean":90.99999999998545},"time":"2015-10-30T17:14:40Z"}]}
"""#

    static let join0 = #"""
{"name":"cpu_usage_idle","points":[{"fields":{"mean":83.56930693069836},"time":"2015-10-30T17:14:12Z"},{"fields":{"mean":79.12871287128638},"time":"2015-10-30T17:14:14Z"},{"fields":{"mean":88.99559823928229},"time":"2015-10-30T17:14:16Z"},{"fields":{"mean":85.50000000000182},"time":"2015-10-30T17:14:18Z"},{"fields":{"mean":86.02860286029956},"time":"2015-10-30T17:14:20Z"}]}
{"name":"cpu_usage_idle","points":[{"fields":{"mean":81.72501716191164},"time":"2015-10-30T17:14:22Z"},{"fields":{"mean":81.03810381037587},"time":"2015-10-30T17:14:24Z"},{"fields":{"mean":85.93434343435388},"time":"2015-10-30T17:14:26Z"},{"fields":{"mean":85.36734693878043},"time":"2015-10-30T17:14:28Z"},{"fields":{"mean":83.01320528210614},"time":"2015-10-30T17:14:30Z"}]}
{"name":"cpu_usage_idle","points":[{"fields":{"mean":85.08910891088406},"time":"2015-10-30T17:14:32Z"},{"fields":{"mean":78.00000000002001},"time":"2015-10-30T17:14:34Z"},{"fields":{"mean":84.23607066586464},"time":"2015-10-30T17:14:36Z"},{"fields":{"mean":80.85858585861834},"time":"2015-10-30T17:14:38Z"},{"fields":{"mean":80.61224489791657},"time":"2015-10-30T17:14:40Z"}]}
"""#

    static let join1 = #"""
{"name":"cpu_usage_idle","points":[
    {"fields":{"mean":93.49999999999409},"time":"2015-10-30T17:14:12Z"},
    {"fields":{"mean":91.44444444443974},"time":"2015-10-30T17:14:14Z"},
    {"fields":{"mean":93.44897959187637},"time":"2015-10-30T17:14:16Z"},
    {"fields":{"mean":95.99999999995998},"time":"2015-10-30T17:14:18Z"},
    {"fields":{"mean":97.00970097012197},"time":"2015-10-30T17:14:20Z"}]}
{"name":"cpu_usage_idle","points":[
    {"fields":{"mean":95.98484848485191},"time":"2015-10-30T17:14:22Z"},
    {"fields":{"mean":92.098039215696},"time":"2015-10-30T17:14:24Z"},
    {"fields":{"mean":92.99999999998363},"time":"2015-10-30T17:14:26Z"},
    {"fields":{"mean":86.54015887023496},"time":"2015-10-30T17:14:28Z"},
    {"fields":{"mean":95.48979591840603},"time":"2015-10-30T17:14:30Z"}]}
{"name":"cpu_usage_idle","points":[
    {"fields":{"mean":96.49999999996908},"time":"2015-10-30T17:14:32Z"},
    {"fields":{"mean":93.46464646468584},"time":"2015-10-30T17:14:34Z"},
    {"fields":{"mean":95.00950095007724},"time":"2015-10-30T17:14:36Z"},
    {"fields":{"mean":92.99999999998636},"time":"2015-10-30T17:14:38Z"},
    {"fields":{"mean":90.99999999998545},"time":"2015-10-30T17:14:40Z"}]}
"""#

    static let joinTolerance0 = #"""
{"name":"cpu_usage_idle","points":[{"fields":{"mean":83.56930693069836},"time":"2015-10-30T17:14:12.1Z"},{"fields":{"mean":79.12871287128638},"time":"2015-10-30T17:14:14.1Z"},{"fields":{"mean":88.99559823928229},"time":"2015-10-30T17:14:16.1Z"},{"fields":{"mean":85.50000000000182},"time":"2015-10-30T17:14:18.1Z"},{"fields":{"mean":86.02860286029956},"time":"2015-10-30T17:14:20.1Z"}]}
{"name":"cpu_usage_idle","points":[{"fields":{"mean":81.72501716191164},"time":"2015-10-30T17:14:22.3Z"},{"fields":{"mean":81.03810381037587},"time":"2015-10-30T17:14:24.3Z"},{"fields":{"mean":85.93434343435388},"time":"2015-10-30T17:14:26.3Z"},{"fields":{"mean":85.36734693878043},"time":"2015-10-30T17:14:28.3Z"},{"fields":{"mean":83.01320528210614},"time":"2015-10-30T17:14:30.3Z"}]}
{"name":"cpu_usage_idle","points":[{"fields":{"mean":85.08910891088406},"time":"2015-10-30T17:14:32.5Z"},{"fields":{"mean":78.00000000002001},"time":"2015-10-30T17:14:34.5Z"},{"fields":{"mean":84.23607066586464},"time":"2015-10-30T17:14:36.5Z"},{"fields":{"mean":80.85858585861834},"time":"2015-10-30T17:14:38.5Z"},{"fields":{"mean":80.61224489791657},"time":"2015-10-30T17:14:40.5Z"}]}
"""#

    static let joinTolerance1 = #"""
{"name":"cpu_usage_idle","points":[{"fields":{"mean":93.49999999999409},"time":"2015-10-30T17:14:12.2Z"},{"fields":{"mean":91.44444444443974},"time":"2015-10-30T17:14:14.2Z"},{"fields":{"mean":93.44897959187637},"time":"2015-10-30T17:14:16.2Z"},{"fields":{"mean":95.99999999995998},"time":"2015-10-30T17:14:18.2Z"},{"fields":{"mean":97.00970097012197},"time":"2015-10-30T17:14:20.2Z"}]}
{"name":"cpu_usage_idle","points":[{"fields":{"mean":95.98484848485191},"time":"2015-10-30T17:14:22.4Z"},{"fields":{"mean":92.09803921569600},"time":"2015-10-30T17:14:24.4Z"},{"fields":{"mean":92.99999999998363},"time":"2015-10-30T17:14:26.4Z"},{"fields":{"mean":86.54015887023496},"time":"2015-10-30T17:14:28.4Z"},{"fields":{"mean":95.48979591840603},"time":"2015-10-30T17:14:30.4Z"}]}
{"name":"cpu_usage_idle","points":[{"fields":{"mean":96.49999999996908},"time":"2015-10-30T17:14:32.6Z"},{"fields":{"mean":93.46464646468584},"time":"2015-10-30T17:14:34.6Z"},{"fields":{"mean":95.00950095007724},"time":"2015-10-30T17:14:36.6Z"},{"fields":{"mean":92.99999999998636},"time":"2015-10-30T17:14:38.6Z"},{"fields":{"mean":90.99999999998545},"time":"2015-10-30T17:14:40.6Z"}]}
"""#

    static let packets = #"""
{"name":"packets","points":[{"fields":{"value":1000},"time":"2015-10-18T00:00:00Z"},{"fields":{"value":1001},"time":"2015-10-18T00:00:02Z"},{"fields":{"value":1002},"time":"2015-10-18T00:00:04Z"},{"fields":{"value2":0},"time":"2015-10-18T00:00:05Z"},{"fields":{"value":0},"time":"2015-10-18T00:00:06Z"},{"fields":{"value":1},"time":"2015-10-18T00:00:08Z"}]}
"""#

    static func run(_ script: String, _ recordings: [String]) async throws -> String {
        var environment = TaskEnvironment()
        // The recordings answer for the queries, which never run: the clock stays at the epoch.
        environment.wallClock = ManualWallClock(start: 0)
        environment.batchSource = StorageBatchSource(storage: InMemoryInfluxStorage(), clock: ManualWallClock(start: 0))
        let task = try TaskExecution(id: "test", script: script, environment: environment)
        try await BatchRecording.replay(try recordings.map { try BatchRecording(brpl: Array($0.utf8)) }, into: task)
        return task.httpOut(task.endpoints.first ?? "") ?? ""
    }

    static let cpuQuery = """
        batch
            |query(\'\'\'
                SELECT mean("value")
                FROM "telegraf"."default".cpu_usage_idle
                WHERE "host" = 'serverA'
            \'\'\')
                .period(10s)
                .every(10s)
                .groupBy(time(2s), 'cpu')
        """

    @Test func simpleMR() async throws {
        let script = Self.cpuQuery + "\n|count('mean')\n|window().period(20s).every(20s)\n|sum('count')\n|httpOut('TestBatch_SimpleMR')"
        let json = try await Self.run(script, [Self.simpleMR])
        #expect(json == Fixture.result(
            Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu-total")], ["time", "sum"], [[28, 10.0]]),
            Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu0")], ["time", "sum"], [[28, 10.0]]),
            Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu1")], ["time", "sum"], [[28, 10.0]])))
    }

    @Test func whereHasNoSideEffect() async throws {
        let script = "var data = " + Self.cpuQuery + "\n|where(lambda: \"mean\" > 85)\ndata\n|where(lambda: FALSE)\ndata\n|httpOut('TestBatch_SimpleMR')"
        let json = try await Self.run(script, [Self.simpleMR])
        #expect(json.contains(Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu0")], ["time", "mean"], [[20, 85.08910891088406]])), "\(json)")
        #expect(json.contains(Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu1")], ["time", "mean"],
                                             [[20, 96.49999999996908], [22, 93.46464646468584], [24, 95.00950095007724], [26, 92.99999999998636], [28, 90.99999999998545]])), "\(json)")
    }

    @Test func joinOfTwoQueries() async throws {
        let script = """
            var cpu0 = batch
                |query(\'\'\'SELECT mean("value") FROM "telegraf"."default".cpu_usage_idle WHERE "cpu" = 'cpu0'
                \'\'\')
                    .period(10s)
                    .every(10s)
                    .groupBy(time(2s))
            var cpu1 = batch
                |query(\'\'\'SELECT mean("value") FROM "telegraf"."default".cpu_usage_idle WHERE "cpu" = 'cpu1'
                \'\'\')
                    .period(10s)
                    .every(10s)
                    .groupBy(time(2s))
            cpu0
                |join(cpu1)
                    .as('cpu0', 'cpu1')
                |count('cpu0.mean')
                |window()
                    .period(20s)
                    .every(20s)
                |sum('count')
                |httpOut('TestBatch_Join')
            """
        #expect(try await Self.run(script, [Self.join0, Self.join1]) == Fixture.result(Fixture.series("cpu_usage_idle", ["time", "sum"], [[28, 10.0]])))
    }

    /// TestBatch_JoinTolerance (the recordings a tenth of a second apart, joined within 1s) and
    /// TestBatch_Join_DelimiterEmpty.
    @Test(arguments: [(".tolerance(1s)", "cpu0.mean", true), (".delimiter('')", "cpu0mean", false)])
    func joinProperties(property: String, field: String, tolerance: Bool) async throws {
        let query = { (cpu: String) in
            """
            batch
                |query(\'\'\'SELECT mean("value") FROM "telegraf"."default".cpu_usage_idle WHERE "cpu" = '\(cpu)'
                \'\'\')
                    .period(10s)
                    .every(10s)
                    .groupBy(time(2s))
            """
        }
        let script = "var cpu0 = " + query("cpu0") + "\nvar cpu1 = " + query("cpu1")
            + "\ncpu0\n|join(cpu1).as('cpu0', 'cpu1')\(property)\n|count('\(field)')\n|window().period(20s).every(20s)\n|sum('count')\n|httpOut('out')"
        let data = tolerance ? [Self.joinTolerance0, Self.joinTolerance1] : [Self.join0, Self.join1]
        #expect(try await Self.run(script, data) == Fixture.result(Fixture.series("cpu_usage_idle", ["time", "sum"], [[28, 10.0]])))
    }

    @Test(arguments: [(false, [[2, 0.5], [4, 0.5], [6, -501.0], [8, 0.5]]), (true, [[2, 0.5], [4, 0.5], [8, 0.5]])])
    func derivative(nonNegative: Bool, rows: [[Double]]) async throws {
        let script = """
            batch
                |query(\'\'\'SELECT sum("value") as "value" FROM "telegraf"."default".packets\'\'\')
                    .period(10s)
                    .every(10s)
                    .groupBy(time(2s))
                |derivative('value')\(nonNegative ? ".nonNegative()" : "")
                |httpOut('TestBatch_DerivativeNN')
            """
        let expected = Fixture.result(Fixture.series("packets", ["time", "value"], rows.map { [Int($0[0]), $0[1]] }))
        #expect(try await Self.run(script, [Self.packets]) == expected)
    }

    @Test(arguments: [
        ("{\"name\":\"a\",\"points\":[{\"fields\":{\"v\":1}}]}", "1: a point needs an RFC 3339"),
        ("{\"name\":\"a\"", "a batch is not closed"),
        ("[1]]", "unbalanced"),
        ("x", "text between batches"),
    ])
    func badRecordingsAreErrors(text: String, message: String) {
        #expect {
            _ = try BatchRecording(brpl: Array(text.utf8))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    /// More of `batcher_test.go` over `TestBatch_SimpleMR.0.brpl` (the recording answers for
    /// the query whatever its WHERE says): the script's tail after the query, and the result.
    static let simpleMRCases: [(String, String, String)] = {
        let cpus = ["cpu-total", "cpu0", "cpu1"]
        func all(_ series: [String]) -> String { "{\"series\":[" + series.joined(separator: ",") + "]}" }
        let cpu1Means = [[20.0, 96.49999999996908], [22, 93.46464646468584], [24, 95.00950095007724], [26, 92.99999999998636], [28, 90.99999999998545]]
        return [
            ("CountEmptyBatch", ".groupBy('cpu')|where(lambda: \"mean\" < 10)|count('mean')",
             all(cpus.map { Fixture.series("cpu_usage_idle", tags: [("cpu", $0)], ["time", "count"], [[28, 0]]) })),
            ("SumEmptyBatch", ".groupBy('cpu')|where(lambda: \"mean\" < 10)|sum('mean')",
             all(cpus.map { Fixture.series("cpu_usage_idle", tags: [("cpu", $0)], ["time", "sum"], [[28, 0]]) })),
            ("GroupBy_TimeOffset", ".groupBy(time(2s, 1s), 'cpu')|count('mean')|window().period(20s).every(20s)|sum('count')",
             all(cpus.map { Fixture.series("cpu_usage_idle", tags: [("cpu", $0)], ["time", "sum"], [[28, 10.0]]) })),
            ("DoubleGroupBy", ".groupBy(time(2s), 'cpu')|groupBy()|max('mean')",
             Fixture.result(Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu1")], ["time", "max"], [[18, 95.98484848485191]]))),
            ("AlertAll", ".groupBy(time(2s), 'cpu')|alert().all().crit(lambda:\"mean\" > 90).levelField('level')",
             Fixture.result(Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu1")], ["time", "level", "mean"], cpu1Means.map { [Int($0[0]), "CRITICAL", $0[1]] }))),
            ("AlertLevelField", ".groupBy(time(2s), 'cpu')|alert().crit(lambda:\"mean\" > 95).levelField('level').idField('id')",
             Fixture.result(Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu1")], ["time", "id", "level", "mean"],
                                           cpu1Means.map { [Int($0[0]), "cpu_usage_idle:cpu=cpu1", "CRITICAL", $0[1]] }))),
            ("AlertLevelTag", ".groupBy(time(2s), 'cpu')|alert().crit(lambda:\"mean\" > 95).levelTag('level').idTag('id')",
             Fixture.result(Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu1"), ("id", "cpu_usage_idle:cpu=cpu1"), ("level", "CRITICAL")], ["time", "mean"],
                                           cpu1Means.map { [Int($0[0]), $0[1]] }))),
            ("AlertDuration", ".groupBy(time(2s), 'cpu')|alert().crit(lambda:\"mean\" > 95).durationField('duration')",
             Fixture.result(Fixture.series("cpu_usage_idle", tags: [("cpu", "cpu1")], ["time", "duration", "mean"], cpu1Means.map { [Int($0[0]), 14e9, $0[1]] }))),
        ]
    }()

    @Test(arguments: simpleMRCases.indices) func moreSimpleMRCases(_ i: Int) async throws {
        let (name, tail, expected) = Self.simpleMRCases[i]
        let script = """
            batch
                |query(\'\'\'
                    SELECT mean("value")
                    FROM "telegraf"."default".cpu_usage_idle
                \'\'\')
                    .period(10s)
                    .every(10s)
            """ + tail.replacingOccurrences(of: "|", with: "\n|") + "\n|httpOut('out')"
        #expect(try await Self.run(script, [Self.simpleMR]) == expected, "\(name)")
    }
}
