import FaradCore
@testable import FaradUDFHost
import KapacitorUDFWire
import Testing

@Suite struct UDFFunctionConfigTests {
    @Test func readsKapacitorSections() throws {
        let functions = try UDFFunctionConfig.load(toml: """
            [udf]
            [udf.functions]
                [udf.functions.movingAvg]
                    prog = "/usr/bin/python3"
                    args = ["-u", "/etc/kapacitor/udf/moving_avg.py"]
                    timeout = "10s"
                    [udf.functions.movingAvg.env]
                        PYTHONPATH = "/tmp/agent/py"
                [udf.functions.mirror]
                    socket = "/tmp/mirror.sock"
                    timeout = "1m30s"
                    restart = "off"
                [udf.functions.tuned]
                    prog = "udf"
                    timeout = "5s"
                    restart-backoff = "250ms"
                    restart-backoff-max = "5s"
                    restart-max = 3
                    snapshot-interval = "10s"
            """)
        #expect(functions.map(\.name) == ["mirror", "movingAvg", "tuned"])
        #expect(functions[1].endpoint == .process(prog: "/usr/bin/python3", args: ["-u", "/etc/kapacitor/udf/moving_avg.py"], env: ["PYTHONPATH": "/tmp/agent/py"]))
        #expect(functions[1].timeout == .seconds(10))
        #expect(functions[1].restart == .onFailure())
        #expect(functions[0].endpoint == .socket(path: "/tmp/mirror.sock"))
        #expect(functions[0].timeout == .seconds(90))
        #expect(functions[0].restart.enabled == false)
        #expect(functions[2].restart == .onFailure(initialBackoff: .milliseconds(250), maximumBackoff: .seconds(5), maximumRestarts: 3))
        #expect(functions[2].snapshotInterval == .seconds(10))
    }

    @Test(arguments: [
        ("prog = \"x\"", "UDF f: timeout is too small: 0s"),
        ("prog = \"x\"\ntimeout = \"1ms\"", "UDF f: timeout is too small: 1ms"),
        ("prog = \"x\"\nsocket = \"/s\"\ntimeout = \"1s\"", "UDF f: both socket and process config provided"),
        ("args = [\"-u\"]\nsocket = \"/s\"\ntimeout = \"1s\"", "UDF f: both socket and process config provided"),
        ("timeout = \"1s\"", "UDF f: must set either prog or socket"),
        ("prog = \"x\"\ntimeout = \"soon\"", "UDF f: timeout: invalid duration \"soon\""),
        ("prog = \"x\"\ntimeout = \"1s\"\nrestart = \"always\"", "UDF f: restart must be \"on-failure\" or \"off\", got \"always\""),
        ("prog = 3\ntimeout = \"1s\"", "UDF f: prog must be a string, got a integer"),
    ])
    func kapacitorsValidationTexts(_ body: String, _ message: String) throws {
        let error = #expect(throws: UDFHostError.self) { try UDFFunctionConfig.load(toml: "[udf.functions.f]\n" + body) }
        #expect(error?.description == message)
    }

    @Test func backoffDoublesUpToTheCap() {
        let policy = RestartPolicy.onFailure(initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1))
        #expect((1...6).map { policy.backoff(attempt: $0) } == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }
}

@Suite struct HostSessionStateMachineTests {
    func failure(_ action: HostSessionStateMachine.Action) -> String? {
        if case .fail(_, let text) = action { return text }
        return nil
    }

    @Test func batchesAreDeliveredWholeAtTheirEnd() {
        var m = HostSessionStateMachine()
        let begin = BeginBatch(name: "cpu", size: 2)
        let end = EndBatch(name: "cpu", tmax: 2, tags: ["host": "a"])
        #expect(m.receive(.begin(begin)) == .buffered)
        #expect(m.receive(.point(UDFPoint(time: 1))) == .buffered)
        #expect(m.receive(.point(UDFPoint(time: 2))) == .buffered)
        #expect(m.receive(.end(end)) == .deliver(.batch(begin, [UDFPoint(time: 1), UDFPoint(time: 2)], end)))
        #expect(m.receive(.point(UDFPoint(time: 3))) == .deliver(.point(UDFPoint(time: 3))))
    }

    @Test func everythingThatCrashesKapacitorIsAnError() {
        var m = HostSessionStateMachine(maximumBatchSize: 1000)
        #expect(failure(m.receive(.end(EndBatch()))) == "end batch received without begin batch")
        #expect(failure(m.receive(.begin(BeginBatch(size: -1)))) == "begin batch with negative size -1")
        #expect(failure(m.receive(.begin(BeginBatch(size: 1001)))) == "begin batch with size 1001, over the limit of 1000")
        _ = m.receive(.begin(BeginBatch(name: "a")))
        #expect(failure(m.receive(.begin(BeginBatch(name: "b")))) == "begin batch received while batch \"a\" is open")
        #expect(m.receive(.error("boom")) == .fail(.agentError, "boom"))
    }

    @Test func repliesAndKeepalivesAreRouted() {
        var m = HostSessionStateMachine()
        #expect(m.receive(.initialize(success: true, error: "")) == .reply(.initialize, .initialize(success: true, error: "")))
        #expect(m.receive(.snapshot([1])) == .reply(.snapshot, .snapshot([1])))
        #expect(m.receive(.keepalive(time: 9)) == .keepalive(echoedTime: 9))
    }
}

@Suite struct OptionAssignmentTests {
    static let info = UDFInfo(wants: .stream, provides: .stream, options: [
        "field": [.string], "size": [.int], "scale": [.double], "flag": [], "opt2": [.bool, .int, .double, .string, .duration],
    ])

    @Test func valuesAreTypedFromInfo() throws {
        #expect(try UDFOption(assignment: "size=10", info: Self.info, udf: "u") == UDFOption(name: "size", values: [.int(10)]))
        #expect(try UDFOption(assignment: "scale=1.5", info: Self.info, udf: "u") == UDFOption(name: "scale", values: [.double(1.5)]))
        #expect(try UDFOption(assignment: "field=a,b", info: Self.info, udf: "u") == UDFOption(name: "field", values: [.string("a,b")]))
        #expect(try UDFOption(assignment: "flag", info: Self.info, udf: "u") == UDFOption(name: "flag", values: []))
        #expect(try UDFOption(assignment: "opt2=FALSE,1,1.0,1.0,1s", info: Self.info, udf: "u")
            == UDFOption(name: "opt2", values: [.bool(false), .int(1), .double(1), .string("1.0"), .duration(1_000_000_000)]))
    }

    @Test(arguments: [
        ("nope=1", "UDF u: unknown option nope (options: field, flag, opt2, scale, size)"),
        ("size=1.5", "UDF u: size: \"1.5\" is not an INT"),
        ("size=1,2", "UDF u: unexpected number of args to size, got 2 expected 1"),
        ("flag=1", "UDF u: unexpected number of args to flag, got 1 expected 0"),
        ("opt2=yes,1,1,x,1s", "UDF u: opt2: \"yes\" is not a BOOL (true or false)"),
        ("opt2=true,1,1,x,soon", "UDF u: opt2: \"soon\" is not a DURATION (e.g. 10s)"),
    ])
    func mistakesAreNamed(_ text: String, _ message: String) {
        let error = #expect(throws: UDFHostError.self) { try UDFOption(assignment: text, info: Self.info, udf: "u") }
        #expect(error?.description == message)
    }
}
