import FaradCore
import FaradInfluxQL
import Testing
@testable import FaradEngine

/// `flatten()` on streams and batches: fields named by the `.on()` tags' values, times matched
/// within `.tolerance()`, a group's set sent when its next time comes.
@Suite struct FlattenTests {
    static let disks = """
        disk,host=a,path=/ used=50 1
        disk,host=a,path=/tmp used=40 1
        disk,host=b,path=/ used=7 1
        disk,host=a,path=/ used=60 2
        disk,host=a,path=/tmp used=30 2
        disk,host=b used=8 2
        disk,host=a,path=/ used=70 3
        disk,host=b,path=/ used=9 3
        """

    static func stream(_ flatten: String) async throws -> (json: String, errors: Int) {
        let script = "stream|from().measurement('disk').groupBy('host')|\(flatten)|httpOut('flat')"
        let task = try TaskExecution(id: "flatten", script: script, environment: TaskEnvironment())
        try await ReplayRecording(lineProtocol: Array(disks.utf8), precision: .seconds, database: "db", retentionPolicy: "rp").replay(into: task)
        let errors = task.statistics().first { $0.name.hasPrefix("flatten") }?.values.first { $0.0 == "errors" }?.1 ?? 0
        return (task.httpOut("flat") ?? "", errors)
    }

    @Test func pointsOfOneTimeBecomeOne() async throws {
        let (json, errors) = try await Self.stream("flatten().on('path')")
        // host b's point at 2s lacks the tag: dropped, with an error; its set is empty.
        #expect(json == #"{"series":[{"name":"disk","tags":{"host":"a"},"columns":["time","/.used","/tmp.used"],"values":[["1970-01-01T00:00:02Z",60,30]]},{"name":"disk","tags":{"host":"b"},"columns":["time"],"values":[["1970-01-01T00:00:02Z"]]}]}"#)
        #expect(errors == 1)
    }

    @Test func dropOriginalFieldNameAndDelimiter() async throws {
        let (json, _) = try await Self.stream("flatten().on('path', 'host').delimiter('_').dropOriginalFieldName()")
        #expect(json.contains(#""columns":["time","/_a","/tmp_a"],"values":[["1970-01-01T00:00:02Z",60,30]]"#), "\(json)")
    }

    @Test func toleranceJoinsNearbyTimes() async throws {
        let (json, _) = try await Self.stream("flatten().on('path').tolerance(2s)")
        // 1s and 2s round to 2s: the 2s points overwrite the 1s ones; 3s rounds to 4s and waits.
        #expect(json.contains(#""tags":{"host":"a"},"columns":["time","/.used","/tmp.used"],"values":[["1970-01-01T00:00:02Z",60,30]]"#), "\(json)")
    }

    @Test func batchesAreFlattenedPointByTime() async throws {
        let recording = """
            {"name":"disk","tags":{"host":"a"},"points":[{"fields":{"used":50},"tags":{"host":"a","path":"/"},"time":"2015-10-18T00:00:00Z"},{"fields":{"used":40},"tags":{"host":"a","path":"/tmp"},"time":"2015-10-18T00:00:00Z"},{"fields":{"used":60},"tags":{"host":"a","path":"/"},"time":"2015-10-18T00:00:01Z"}]}
            {"name":"disk","tags":{"host":"a"},"points":[{"fields":{"used":1},"tags":{"host":"a","path":"/"},"time":"2015-10-18T00:00:10Z"}]}
            """
        let script = "batch|query('SELECT used FROM \"db\".\"rp\".disk').period(10s).every(10s).groupBy('host')|flatten().on('path')|httpOut('flat')"
        var environment = TaskEnvironment()
        environment.wallClock = ManualWallClock(start: 0)
        environment.batchSource = StorageBatchSource(storage: InMemoryInfluxStorage(), clock: ManualWallClock(start: 0))
        let task = try TaskExecution(id: "flatten", script: script, environment: environment)
        try await BatchRecording.replay([try BatchRecording(brpl: Array(recording.utf8))], into: task)
        #expect(task.httpOut("flat") == #"{"series":[{"name":"disk","tags":{"host":"a"},"columns":["time","/.used","/tmp.used"],"values":[["1971-01-01T00:00:00Z",50,40],["1971-01-01T00:00:01Z",60,null]]}]}"#)
    }
}
