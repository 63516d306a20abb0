import FaradCore
import Testing
@testable import FaradEngine

/// `join`: Kapacitor's `streamer_test.go` join cases on their recordings, batches joined by
/// point time, `.on()` matching, the script errors, and the bounds Farad adds.
@Suite struct JoinTests {
    typealias F = Fixture

    /// `TestStream_JoinTolerance.srpl`.
    static let errorsAndViews = """
        errors,service=cartA,dc=A value=7 0000000001
        views,service=cartA,dc=A value=700 0000000001
        errors,service=login,dc=B value=9 0000000001
        views,service=login,dc=B value=900 0000000001
        disk,service=sda,dc=B value=39   0000000001
        errors,service=front,dc=A value=2 0000000001
        views,service=front,dc=A value=200 0000000001
        errors,service=cartA,dc=B value=9 0000000002
        views,service=cartA,dc=B value=900 0000000002
        errors,service=login,dc=A value=5 0000000002
        views,service=login,dc=A value=500 0000000002
        errors,service=front,dc=B value=9 0000000002
        views,service=front,dc=B value=900 0000000003
        errors,service=cartA,dc=A value=3 0000000004
        views,service=cartA,dc=A value=300 0000000004
        errors,service=login,dc=B value=9 0000000004
        views,service=login,dc=B value=900 0000000004
        errors,service=front,dc=A value=7 0000000005
        views,service=front,dc=A value=700 0000000005
        errors,service=login,dc=B value=2 0000000005
        views,service=login,dc=B value=200 0000000005
        errors,service=front,dc=A value=5 0000000006
        views,service=front,dc=A value=500 0000000006
        errors,service=cartA,dc=B value=11 0000000006
        views,service=cartA,dc=B value=1100 0000000006
        errors,service=login,dc=C value=7 0000000006
        views,service=login,dc=C value=700 0000000006
        errors,service=front,dc=A value=4 0000000007
        views,service=front,dc=A value=400 0000000007
        errors,service=cartA,dc=B value=12 0000000007
        views,service=cartA,dc=B value=1200 0000000007
        errors,service=front,dc=A value=6 0000000008
        views,service=front,dc=A value=600 0000000008
        errors,service=cartA,dc=B value=6 0000000008
        views,service=cartA,dc=B value=600 0000000008
        errors,service=login,dc=A value=10 0000000009
        views,service=login,dc=A value=1000 0000000009
        errors,service=front,dc=B value=4 0000000009
        views,service=front,dc=B value=400 0000000009
        disk,service=sda,dc=B value=423  0000000009
        errors,service=cartA,dc=A value=5 0000000010
        views,service=cartA,dc=A value=500 0000000010
        errors,service=login,dc=B value=3 0000000010
        views,service=login,dc=B value=300 0000000010
        errors,service=cartA,dc=A value=5 0000000011
        views,service=cartA,dc=A value=500 0000000011
        errors,service=login,dc=B value=6 0000000011
        views,service=login,dc=B value=600 0000000011
        errors,service=cartA,dc=A value=8 0000000012
        views,service=cartA,dc=A value=800 0000000012
        errors,service=front,dc=A value=9 0000000012
        views,service=front,dc=A value=900 0000000012
        errors,service=login,dc=B value=5 0000000012
        views,service=login,dc=B value=500 0000000012
        """

    /// `TestStream_JoinN.srpl`.
    static let cpuMemDisk = """
        cpu,cpu=0,host=serverA value=98 0000000001
        cpu,cpu=1,host=serverB value=97 0000000001
        memory,type=free,host=serverA value=1000 0000000001
        disk,device=sda,host=serverB value=39 0000000001
        cpu,cpu=total,host=serverA value=92 0000000002
        disk,device=sdb,host=serverB value=39 0000000002
        memory,type=free,host=serverA value=1000 0000000002
        cpu,cpu=total,host=serverB value=92 0000000002
        cpu,cpu=total,host=serverA value=93 0000000004
        memory,type=cached,host=serverA value=1000 0000000004
        cpu,cpu=0,host=serverB value=93 0000000004
        disk,device=sdb,host=serverB value=39 0000000004
        memory,type=free,host=serverA value=1000 0000000004
        cpu,cpu=1,host=serverA value=92 0000000005
        memory,type=free,host=serverA value=1000 0000000005
        cpu,cpu=total,host=serverB value=92 0000000005
        disk,device=sda,host=serverB value=39 0000000005
        memory,type=used,host=serverA value=1000 0000000005
        cpu,cpu=0,host=serverA value=95 0000000006
        cpu,cpu=1,host=serverB value=95 0000000006
        memory,type=free,host=serverA value=1000 0000000006
        cpu,cpu=total,host=serverC value=95 0000000006
        disk,device=sdb,host=serverB value=39 0000000006
        cpu,cpu=0,host=serverA value=92 0000000007
        cpu,cpu=1,host=serverB value=92 0000000007
        memory,type=cached,host=serverA value=1000 0000000007
        disk,device=sda,host=serverB value=39 0000000007
        cpu,cpu=total,host=serverA value=96 0000000008
        disk,device=sdb,host=serverB value=39 0000000008
        cpu,cpu=0,host=serverB value=96 0000000008
        memory,type=free,host=serverA value=1000 0000000008
        disk,device=sda,host=serverB value=39 0000000008
        cpu,cpu=1,host=serverA value=93 0000000009
        memory,type=used,host=serverA value=1000 0000000009
        disk,device=sdb,host=serverB value=39 0000000008
        memory,type=cache,host=serverA value=1000 0000000009
        cpu,cpu=total,host=serverB value=93 0000000009
        memory,type=free,host=serverA value=1000 0000000009
        disk,device=sda,host=serverB value=39 0000000009
        disk,device=sdb,host=serverB value=42 0000000009
        cpu,cpu=0,host=serverA value=95 0000000010
        memory,type=free,host=serverA value=1000 0000000010
        disk,device=sda,host=serverB value=39 0000000010
        cpu,cpu=1,host=serverB value=95 0000000010
        disk,device=sdb,host=serverB value=39 0000000010
        memory,type=used,host=serverA value=1000 0000000010
        cpu,cpu=total,host=serverA value=96 0000000011
        disk,device=sda,host=serverB value=39 0000000011
        cpu,cpu=0,host=serverB value=96 0000000011
        memory,type=cache,host=serverA value=1000 0000000011
        disk,device=sdb,host=serverB value=39 0000000011
        cpu,cpu=1,host=serverA value=95 0000000012
        memory,type=free,host=serverA value=1000 0000000012
        disk,device=sda,host=serverB value=39 0000000012
        cpu,cpu=total,host=serverB value=95 0000000012
        memory,type=free,host=serverA value=1000 0000000012
        memory,type=used,host=serverA value=1000 0000000012
        """

    static let errorsViewsScript = """
        var errorCounts = stream
            |from()
                .measurement('errors')
                .groupBy('service')
        var viewCounts = stream
            |from()
                .measurement('views')
                .groupBy('service')
        errorCounts
            |join(viewCounts)
                .as('errors', 'views')
                .tolerance(2s)
                .streamName('error_view')
            |window()
                .period(10s)
                .every(10s)
            |httpOut('TestStream_JoinTolerance')
        """

    @Test func joinTolerance() async throws {
        let json = try await F.run(Self.errorsViewsScript, Self.errorsAndViews)
        let columns = ["time", "errors.value", "views.value"]
        #expect(json == F.result(
            F.series("error_view", tags: [("service", "cartA")], columns, [[0, 7.0, 700.0], [2, 9.0, 900.0], [4, 3.0, 300.0], [6, 11.0, 1100.0], [6, 12.0, 1200.0], [8, 6.0, 600.0]]),
            F.series("error_view", tags: [("service", "login")], columns, [[0, 9.0, 900.0], [2, 5.0, 500.0], [4, 9.0, 900.0], [4, 2.0, 200.0], [6, 7.0, 700.0], [8, 10.0, 1000.0]]),
            F.series("error_view", tags: [("service", "front")], columns, [[0, 2.0, 200.0], [2, 9.0, 900.0], [4, 7.0, 700.0], [6, 5.0, 500.0], [6, 4.0, 400.0], [8, 6.0, 600.0], [8, 4.0, 400.0]])
        ))
    }

    @Test func joinNWithFill() async throws {
        let script = """
            var cpu = stream
                |from()
                    .measurement('cpu')
                    .where(lambda: "cpu" == 'total')
            var mem = stream
                |from()
                    .measurement('memory')
                    .where(lambda: "type" == 'free')
            var disk = stream
                |from()
                    .measurement('disk')
                    .where(lambda: "device" == 'sda')
            cpu
                |join(mem, disk)
                    .as('cpu', 'mem', 'disk')
                    .streamName('magic')
                    .fill(0.0)
                |window()
                    .period(10s)
                    .every(10s)
                |count('cpu.value')
                |httpOut('TestStream_JoinN')
            """
        #expect(try await F.run(script, Self.cpuMemDisk) == F.result(F.series("magic", ["time", "count"], [[10, 10]])))
    }

    @Test func joinOnMatchesTheLessSpecificGroupWithEachMoreSpecificOne() async throws {
        let script = """
            var byDC = stream|from().measurement('errors').groupBy('dc', 'service')
                |window().period(10s).every(10s).align()|sum('value')
            var global = stream|from().measurement('errors').groupBy('service')
                |window().period(10s).every(10s).align()|sum('value')
            global
                |join(byDC).as('service', 'dc').on('service').streamName('dc_error_percent')
                |eval(lambda: "dc.sum" / "service.sum").keep().as('value')
                |httpOut('TestStream_JoinOn')
            """
        let json = try await F.run(script, Self.errorsAndViews)
        // A window closes when its group sees a later point: of the dc groups, only these do
        // (the shifted recording puts 1971-01-01T00:00:10Z at its second 11).
        let columns = ["time", "dc.sum", "service.sum", "value"]
        #expect(json == F.result(
            F.series("dc_error_percent", tags: [("dc", "A"), ("service", "cartA")], columns, [[10, 15.0, 53.0, 15.0 / 53.0]]),
            F.series("dc_error_percent", tags: [("dc", "B"), ("service", "login")], columns, [[10, 23.0, 45.0, 23.0 / 45.0]]),
            F.series("dc_error_percent", tags: [("dc", "A"), ("service", "front")], columns, [[10, 24.0, 37.0, 24.0 / 37.0]])
        ))
    }

    @Test func batchesJoinPointByPoint() async throws {
        let script = """
            var a = stream|from().measurement('errors').groupBy('service')|window().period(4s).every(4s).align()
            var b = stream|from().measurement('views').groupBy('service')|window().period(4s).every(4s).align()
            a|join(b).as('e', 'v')|httpOut('joined')
            """
        let json = try await F.run(script, Self.errorsAndViews)
        // The last [4s, 8s) window of each service (the next ones never close), point by point.
        let columns = ["time", "e.value", "v.value"]
        #expect(json == F.result(
            F.series("errors", tags: [("service", "front")], columns, [[4, 7.0, 700.0], [5, 5.0, 500.0], [6, 4.0, 400.0], [7, 6.0, 600.0]]),
            F.series("errors", tags: [("service", "login")], columns, [[4, 2.0, 200.0], [5, 7.0, 700.0]]),
            F.series("errors", tags: [("service", "cartA")], columns, [[5, 11.0, 1100.0], [6, 12.0, 1200.0], [7, 6.0, 600.0]])
        ))
    }

    @Test(arguments: [
        ("a|join(b)", "a call to join.as() is required"),
        ("a|join(b).as('x')", "number of prefixes specified by join.as() must match"),
        ("a|join(b).as('x', 'x')", "cannot use the same prefix name"),
        ("a|join(b).as('x.y', 'z')", "cannot use name x.y as field prefix, it contains the delimiter"),
        ("a|join(b).as('x', 'y').fill('zero')", "unexpected fill option"),
        ("a|join(b).as('x', 'y').maxWait(-1s)", "must be a positive duration"),
        ("a|join(a).as('x', 'y')", "cannot join a node with itself"),
        ("a|join(c).as('x', 'y')", "join() cannot merge a stream and a batch edge"),
    ])
    func scriptErrors(join: String, message: String) {
        let script = """
            var a = stream|from().measurement('a')
            var b = stream|from().measurement('b')
            var c = stream|from().measurement('c')|window().period(1s).every(1s)
            \(join)|httpOut('x')
            """
        #expect {
            _ = try TaskExecution(id: "join", script: script, environment: TaskEnvironment())
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    /// One parent goes quiet after its first point: Kapacitor would hold every later point of
    /// the other; `.maxWait(10s)` sends each set filled once it is 10 s behind, and without it
    /// a group holds at most 10,000 sets, the oldest sent first.
    @Test(arguments: [(".maxWait(10s)", 29_988), ("", 19_999)])
    func aQuietParentDoesNotMakeTheJoinGrow(property: String, lastSent: Int) async throws {
        let lines = "b value=1 0\n" + (0..<30_000).map { "a value=\($0) \($0)" }.joined(separator: "\n")
        let script = "var a = stream|from().measurement('a')\nvar b = stream|from().measurement('b')\n"
            + "a|join(b).as('a', 'b').fill(0)\(property)|httpOut('x')"
        let task = try TaskExecution(id: "join", script: script, environment: TaskEnvironment())
        try await ReplayRecording(srpl: F.srpl(lines)).replay(into: task)
        let join = try #require(task.statistics().first { $0.name.hasPrefix("join") })
        #expect(join.values.first { $0.0 == "sets_evicted" }?.1 == lastSent, "\(join.values)")
        let json = task.httpOut("x") ?? ""
        #expect(json.contains(#""values":[["#) && json.contains(",\(lastSent),0]]"), "\(json)")
    }
}
