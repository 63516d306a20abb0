import FaradSystem
import KapacitorUDF
import KapacitorUDFTesting
import Testing
import UDFExamples

#if canImport(Glibc)
import Glibc
#endif

@Suite(.timeLimit(.minutes(1))) struct MirrorTests {
    static let point = UDFPoint(time: 1_700_000_000_000_000_000, name: "cpu", database: "telegraf", retentionPolicy: "autogen",
                                tags: ["host": "server01", "cpu": "cpu-total"],
                                fieldsDouble: ["usage_user": 10.5, "usage_system": 5.25], fieldsInt: ["procs": 1234])

    @Test(arguments: AgentKind.allCases)
    func streamPointsComeBackByteForByte(_ kind: AgentKind) async throws {
        let agent = try makeAgent(kind, Mirror.self, executable: "udf-mirror")
        #expect(try await agent.info() == UDFInfo(wants: .stream, provides: .stream))
        #expect(try await agent.initialize([]) == nil)
        var bytes: [UInt8] = []
        for i in 0..<1_000 {
            var p = Self.point
            p.time += Int64(i)
            UDFRequest.point(p).appendFrame(to: &bytes)
        }
        try agent.sendRaw(bytes)
        let result = try await agent.finish()
        var echoed: [UInt8] = []
        for r in result.responses { r.appendFrame(to: &echoed) }
        #expect(echoed == bytes)
        #expect(result.exitStatus == .exited(0))
    }

    @Test(arguments: AgentKind.allCases)
    func wholeBatchesComeBackInOrder(_ kind: AgentKind) async throws {
        let agent = try makeAgent(kind, BatchMirror.self, executable: "udf-mirror", arguments: ["--batch"])
        #expect(try await agent.info() == UDFInfo(wants: .batch, provides: .batch))
        #expect(try await agent.initialize([]) == nil)
        var sent: [UDFRequest] = []
        for b in 0..<3 {
            let tags = ["host": "h\(b)"]
            sent.append(.begin(BeginBatch(name: "cpu", group: "host=h\(b)", tags: tags, size: 2)))
            sent.append(.point(UDFPoint(time: 1, tags: tags, fieldsDouble: ["v": 1], fieldsString: ["s": "x"])))
            sent.append(.point(UDFPoint(time: 2, tags: tags, fieldsInt: ["n": 2], fieldsBool: ["b": false])))
            sent.append(.end(EndBatch(name: "cpu", group: "host=h\(b)", tmax: 2, tags: tags)))
        }
        for r in sent { try agent.send(r) }
        let result = try await agent.finish()
        #expect(result.responses.map { $0.frame } == sent.map { $0.frame })
        #expect(result.exitStatus == .exited(0))
    }

    @Test func stdioErrorsExitNonZeroAndLogsStayOnStderr() async throws {
        let agent = try UDFTestAgent.process(executable: try UDFTestAgent.builtExecutable(named: "udf-mirror"), arguments: ["--log-level", "debug"])
        #expect(try await agent.initialize([]) == nil)
        try agent.send(.begin(BeginBatch(name: "cpu")))
        let result = try await agent.finish()
        #expect(result.responses == [.error("batching not supported: this UDF wants a stream")])
        #expect(result.outputError == nil)  // stdout held frames only
        #expect(result.exitStatus == .exited(1))
        #expect(agent.standardError.contains("UDF session started"))
        #expect(agent.standardError.contains("UDF session failed"))
    }

    @Test func truncatedFrameOverStdio() async throws {
        let agent = try UDFTestAgent.process(executable: try UDFTestAgent.builtExecutable(named: "udf-mirror"))
        #expect(try await agent.initialize([]) == nil)
        let frame = UDFRequest.point(Self.point).frame
        try agent.sendRaw(Array(frame.dropLast(10)))
        let result = try await agent.finish()
        #expect(result.responses == [.error("unexpected EOF, expected \(frame[0]) more bytes")])
        #expect(result.exitStatus == .exited(1))
    }

    @Test func badArgumentsExitTwoWithUsage() async throws {
        let agent = try UDFTestAgent.process(executable: try UDFTestAgent.builtExecutable(named: "udf-mirror"), arguments: ["--bogus"])
        let result = try await agent.finish()
        #expect(result.exitStatus == .exited(2))
        #expect(agent.standardError.contains("unknown argument --bogus"))
        #expect(agent.standardError.contains("usage: udf-mirror"))
    }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct MirrorSocketTests {
    /// Connects, retrying until the server listens (or the deadline passes).
    static func connect(_ path: String) async throws -> UDFTestAgent {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            if let agent = try? UDFTestAgent.socket(path: path) { return agent }
            guard ContinuousClock.now < deadline else { throw UDFTestError("no server at \(path)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func eightConcurrentSessionsThenSIGTERM() async throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/mirror.sock"
        // A stale socket file from a crashed server: bound, never unlinked, nobody listening.
        let stale = try UnixSocket.listen(path: path)
        stale.close()
        let server = try UDFTestAgent.process(executable: try UDFTestAgent.builtExecutable(named: "udf-mirror"), arguments: ["--socket", path])
        // The info probe is a session of its own.
        let probe = try await Self.connect(path)
        #expect(try await probe.info() == UDFInfo(wants: .stream, provides: .stream))
        #expect(try await probe.finish().responses.isEmpty)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for session in 0..<8 {
                group.addTask {
                    let agent = try await Self.connect(path)
                    #expect(try await agent.initialize([], nodeID: "mirror\(session)") == nil)
                    var sent: [UDFResponse] = []
                    for i in 0..<500 {
                        let p = UDFPoint(time: Int64(i), name: "s\(session)", tags: ["session": "\(session)"], fieldsInt: ["i": Int64(i)])
                        try agent.send(.point(p))
                        sent.append(.point(p))
                    }
                    let result = try await agent.finish()
                    #expect(result.responses == sent, "session \(session)")
                }
            }
            try await group.waitForAll()
        }

        // A session whose handler fails gets an ErrorResponse and its connection closed; the
        // server goes on serving others.
        let failing = try await Self.connect(path)
        #expect(try await failing.initialize([]) == nil)
        try failing.send(.begin(BeginBatch(name: "cpu")))
        let failed = try await failing.finish()
        #expect(failed.responses == [.error("batching not supported: this UDF wants a stream")])
        #expect(failed.outputError == nil)

        // A session still open at SIGTERM is ended gracefully: its output arrives, then EOF.
        let open = try await Self.connect(path)
        #expect(try await open.initialize([]) == nil)
        try open.send(.point(UDFPoint(time: 5)))
        #expect(try await open.receive() == .point(UDFPoint(time: 5)))
        server.childProcess!.signalGroup(SIGTERM)
        let status = await server.childProcess!.wait()
        #expect(status == .exited(0))
        #expect(access(path, F_OK) != 0, "socket file removed")
        _ = try await open.finish()
    }

    @Test func refusesToStealALiveSocket() async throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/live.sock"
        let live = try UnixSocket.listen(path: path)
        defer { live.close() }
        let server = try UDFTestAgent.process(executable: try UDFTestAgent.builtExecutable(named: "udf-mirror"), arguments: ["--socket", path])
        let status = await server.childProcess!.wait()
        #expect(status == .exited(1))
        #expect(server.standardError.contains("has a live server"))
    }
}
