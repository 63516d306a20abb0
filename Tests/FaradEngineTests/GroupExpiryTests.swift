import FaradCore
import Testing
@testable import FaradEngine

/// Farad's `group-idle`: idle groups are emitted if complete, then forgotten by every node.
@Suite struct GroupExpiryTests {
    static let script = """
        stream
            |from()
                .measurement('cpu')
                .groupBy('host')
            |window()
                .period(10s)
                .every(10s)
            |count('value')
            |httpOut('count')
        """

    /// Host a writes twice and goes quiet; host b writes every second for 100 s.
    static let data = (["cpu,host=a value=1 1", "cpu,host=a value=2 2"] + (1...100).map { "cpu,host=b value=1 \($0)" }).joined(separator: "\n")

    static func cardinality(_ task: TaskExecution, _ node: String) throws -> Int? {
        try #require(task.statistics().first { $0.name == node }).values.first { $0.0 == "working_cardinality" }?.1
    }

    @Test func idleGroupsEmitTheirWindowAndAreForgotten() async throws {
        let task = try TaskExecution(id: "t", script: Self.script, environment: TaskEnvironment(groupIdleTimeout: 30_000_000_000))
        func points(_ host: String, _ seconds: ClosedRange<Int64>) -> [Point] {
            seconds.map { Point(measurement: "cpu", tags: ["host": host], fields: [("value", .int(1))], time: $0 * 1_000_000_000) }
        }
        await task.write(points("a", 1...2) + points("b", 1...40), database: "db", retentionPolicy: "rp")
        // Host a has been idle for 30 s: its completed window came out, and its state is gone.
        #expect(try Self.cardinality(task, "window2") == 1)
        #expect(task.httpOut("count")!.contains(#"{"name":"cpu","tags":{"host":"a"},"columns":["time","count"],"values":[["1970-01-01T00:00:11Z",2]]}"#))
        // Idle for long enough after that, its row leaves httpOut too: memory is bounded by the
        // groups alive, in every node.
        await task.write(points("b", 41...100), database: "db", retentionPolicy: "rp")
        #expect(try Self.cardinality(task, "http_out4") == 1)
        #expect(!task.httpOut("count")!.contains(#""host":"a""#))
    }

    @Test func withoutTheOptionGroupsStay() async throws {
        let task = try TaskExecution(id: "t", script: Self.script, environment: TaskEnvironment())
        try await ReplayRecording(srpl: Fixture.srpl(Self.data)).replay(into: task)
        let window = try #require(task.statistics().first { $0.name == "window2" })
        #expect(window.values.first { $0.0 == "working_cardinality" }?.1 == 2)
        #expect(!task.httpOut("count")!.contains(#""host":"a""#))
    }
}
