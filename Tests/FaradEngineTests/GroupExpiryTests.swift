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

    @Test func idleGroupsEmitTheirWindowAndAreForgotten() async throws {
        let task = try TaskExecution(id: "t", script: Self.script, environment: TaskEnvironment(groupIdleTimeout: 30_000_000_000))
        try await ReplayRecording(srpl: Fixture.srpl(Self.data)).replay(into: task)
        let window = try #require(task.statistics().first { $0.name == "window2" })
        #expect(window.values.first { $0.0 == "working_cardinality" }?.1 == 1)
        #expect(task.httpOut("count")!.contains(#"{"name":"cpu","tags":{"host":"a"},"columns":["time","count"],"values":[["1971-01-01T00:00:10Z",2]]}"#))
    }

    @Test func withoutTheOptionGroupsStay() async throws {
        let task = try TaskExecution(id: "t", script: Self.script, environment: TaskEnvironment())
        try await ReplayRecording(srpl: Fixture.srpl(Self.data)).replay(into: task)
        let window = try #require(task.statistics().first { $0.name == "window2" })
        #expect(window.values.first { $0.0 == "working_cardinality" }?.1 == 2)
        #expect(!task.httpOut("count")!.contains(#""host":"a""#))
    }
}
