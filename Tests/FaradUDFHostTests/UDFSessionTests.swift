import FaradTestSupport
import FaradSystem
@testable import FaradUDFHost
import KapacitorUDFTesting
import KapacitorUDFWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Kapacitor's host tests (spec §7 items 3–13) and the failure cases of the issue, against real
/// processes. Every test checks that the UDF processes it started are gone afterwards.
@Suite(.serialized, .timeLimit(.minutes(1))) struct UDFSessionTests {
    static let year1971: Int64 = 31_536_000_000_000_000

    func expectGone(_ pids: [pid_t]) async {
        for pid in pids { #expect(await eventually { !processExists(pid) }, "process \(pid) left behind") }
    }

    @Test func startStopWithNoTraffic() async throws {
        let session = try await UDFSession.start(try swiftUDF("udf-mirror"), logger: quietLogger)
        let pid = session.process!.pid
        try await session.finish()
        #expect(session.process?.exitStatus == .exited(0))
        await expectGone([pid])
    }

    @Test func infoProbeThenInit() async throws {
        let probe = try await UDFSession.start(try swiftUDF("udf-moving-avg"), logger: quietLogger)
        #expect(try await probe.info() == UDFInfo(wants: .stream, provides: .stream, options: ["field": [.string], "size": [.int], "as": [.string]]))
        try await probe.finish()
        let node = try await UDFSession.start(try swiftUDF("udf-moving-avg"), logger: quietLogger)
        let error = await #expect(throws: UDFHostError.self) { try await node.initialize([], taskID: "t", nodeID: "movingAvg2") }
        #expect(error?.message == "failed to initialize processes must supply field; must supply window size")
        try await node.initialize([UDFOption(name: "field", values: [.string("v")]), UDFOption(name: "size", values: [.int(2)])], taskID: "t", nodeID: "movingAvg2")
        try await node.finish()
        await expectGone([probe.process!.pid, node.process!.pid])
    }

    @Test func streamRoundTrip() async throws {
        let point = UDFPoint(time: Self.year1971, name: "test", database: "db", retentionPolicy: "rp",
                             tags: ["t1": "v1", "t2": "v2"], fieldsDouble: ["f1": 1.0, "f2": 2.0])
        let session = try await UDFSession.start(try swiftUDF("udf-mirror"), logger: quietLogger)
        try await session.initialize([], taskID: "t", nodeID: "mirror1")
        try await session.send(point)
        async let outputs = collect(session)
        try await session.finish()
        #expect(try await outputs == [.point(point)])
        await expectGone([session.process!.pid])
    }

    @Test func batchRoundTrip() async throws {
        let begin = BeginBatch(name: "test", tags: ["t1": "v1"], size: 1, byName: false)
        let point = UDFPoint(time: Self.year1971, tags: ["t1": "v1", "t2": "v2"], fieldsDouble: ["f1": 1.0, "f2": 2.0],
                             fieldsInt: ["f3": 1], fieldsString: ["f4": "str"])
        let end = EndBatch(name: "test", tmax: Self.year1971, tags: ["t1": "v1"])
        let session = try await UDFSession.start(try swiftUDF("udf-mirror", ["--batch"]), logger: quietLogger)
        try await session.initialize([], taskID: "t", nodeID: "mirror1")
        try await session.send(batch: begin, points: [point], end: end)
        async let outputs = collect(session)
        try await session.finish()
        #expect(try await outputs == [.batch(begin, [point], end)])
    }

    @Test func snapshotAndRestoreAcrossSessions() async throws {
        let options = [UDFOption(name: "field", values: [.string("v")]), UDFOption(name: "size", values: [.int(10)])]
        func point(_ i: Int) -> UDFPoint { UDFPoint(time: Int64(i), group: "g", fieldsDouble: ["v": Double(i)]) }
        let first = try await UDFSession.start(try swiftUDF("udf-moving-avg"), logger: quietLogger)
        try await first.initialize(options, taskID: "t", nodeID: "movingAvg1")
        for i in 1...4 { try await first.send(point(i)) }
        let blob = try await first.snapshot()
        #expect(!blob.isEmpty)
        async let drained = collect(first)
        try await first.finish()
        _ = try await drained

        let second = try await UDFSession.start(try swiftUDF("udf-moving-avg"), logger: quietLogger)
        try await second.initialize(options, taskID: "t", nodeID: "movingAvg1")
        try await second.restore(blob)
        try await second.send(point(5))
        async let outputs = collect(second)
        try await second.finish()
        // The window continued: the average of 1…5.
        let averages: [Double?] = try await outputs.map { if case .point(let p) = $0 { p.double("avg") } else { nil } }
        #expect(averages == [3.0])
        let bad = try await UDFSession.start(try swiftUDF("udf-moving-avg"), logger: quietLogger)
        try await bad.initialize(options, taskID: "t", nodeID: "movingAvg1")
        let error = await #expect(throws: UDFHostError.self) { try await bad.restore(Array("{".utf8)) }
        #expect(error?.message.hasPrefix("error restoring snapshot: cannot restore snapshot:") == true)
        try await bad.finish()
    }

    @Test func socketUDFConnectsWithBackoff() async throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/mirror.sock"
        let config = try UDFFunctionConfig(name: "mirror", endpoint: .socket(path: path), timeout: .seconds(10))
        async let connecting = UDFSession.start(config, logger: quietLogger)
        // The server comes up after the host started dialing.
        let server = try ChildProcess(executable: try UDFTestAgent.builtExecutable(named: "udf-mirror"), arguments: ["--socket", path],
                                      standardInput: .null, standardOutput: .null, standardError: .null)
        let session = try await connecting
        #expect(try await session.info() == UDFInfo(wants: .stream, provides: .stream))
        try await session.finish()
        server.signalGroup(SIGTERM)
        #expect(await server.wait() == .exited(0))
    }

    @Test func keepaliveTimeoutAbortsThenKills() async throws {
        // `sleep` never answers and ignores its closed stdin: only SIGKILL ends it.
        let session = try await UDFSession.start(try processConfig("sleeper", "sleep", ["30"], timeout: .milliseconds(300)), logger: quietLogger)
        let pid = session.process!.pid
        let error = await #expect(throws: UDFHostError.self) { try await session.initialize([], taskID: "t", nodeID: "sleeper1") }
        #expect(error?.code == .keepaliveTimeout)
        #expect(error?.message.hasPrefix("keepalive timedout, last keepalive received was: ") == true)
        #expect(error?.message.hasSuffix(" +0000 UTC") == true)
        #expect(await session.process!.wait() == .signaled(SIGKILL))
        // The exited process is held (a zombie keeps its group's ID) until the session is finished.
        await #expect(throws: UDFHostError.self) { try await session.finish() }
        await expectGone([pid])
    }

    @Test func keepalivesGoOutEveryHalfTimeout() async throws {
        // The "UDF" records what it receives; with T = 100 ms keepalives arrive without any traffic.
        let dir = TemporaryDirectory()
        let file = dir.path + "/in.bin"
        let session = try await UDFSession.start(try processConfig("recorder", "/bin/sh", ["-c", "exec cat > \(file)"], timeout: .milliseconds(100)),
                                                 logger: quietLogger)
        let sawKeepalive = await eventually(within: .seconds(5)) {
            guard let f = fopen(file, "r") else { return false }
            defer { fclose(f) }
            var bytes = [UInt8](repeating: 0, count: 64)
            let n = fread(&bytes, 1, bytes.count, f)
            guard n >= 3 else { return false }
            var decoder = FrameDecoder()
            decoder.append(bytes[..<n])
            guard let payload = try? decoder.next(), case .keepalive(let time)? = try? UDFRequest(decoding: payload) else { return false }
            return time > 1_700_000_000_000_000_000  // wall clock in ns
        }
        #expect(sawKeepalive)
        session.abort(.aborted, "test over")
        await #expect(throws: UDFHostError.self) { try await session.finish() }
    }

    @Test func abortWhileARequestIsPendingReturnsThatError() async throws {
        let session = try await UDFSession.start(try processConfig("silent", "/bin/sh", ["-c", "exec cat > /dev/null"]), logger: quietLogger)
        let info = Task { try await session.info() }
        #expect(await eventually { session.pendingRequestCount == 1 })
        session.abort(.aborted, "task stopped")
        let result = await info.result
        #expect(throws: UDFHostError(.aborted, udf: "silent", "task stopped")) { try result.get() }
        await #expect(throws: UDFHostError.self) { try await session.finish() }
        await expectGone([session.process!.pid])
    }

    static let malformed: [(String, [UInt8], UDFHostError.Code, String)] = [
        ("empty response", [0x00], .protocolViolation, "empty response: no message set"),
        ("unknown message", [0x02, 0x3A, 0x00], .protocolViolation, "response message number 7 is not part of the UDF protocol"),
        ("end without begin", UDFResponse.end(EndBatch(name: "cpu")).frame, .protocolViolation, "end batch received without begin batch"),
        ("negative size", UDFResponse.begin(BeginBatch(name: "cpu", size: -1)).frame, .protocolViolation, "begin batch with negative size -1"),
        ("huge size", UDFResponse.begin(BeginBatch(name: "cpu", size: 1 << 40)).frame, .protocolViolation,
         "begin batch with size 1099511627776, over the limit of 10000000"),
        ("begin inside a batch", UDFResponse.begin(BeginBatch(name: "a")).frame + UDFResponse.begin(BeginBatch(name: "b")).frame,
         .protocolViolation, "begin batch received while batch \"a\" is open"),
        ("truncated frame", Array(UDFResponse.point(UDFPoint(time: 1, name: "cpu")).frame.dropLast(4)), .protocolViolation,
         "unexpected EOF, expected \(UDFResponse.point(UDFPoint(time: 1, name: "cpu")).frame[0]) more bytes"),
        ("error response", UDFResponse.error("boom").frame, .agentError, "boom"),
    ]

    @Test(arguments: malformed.indices)
    func malformedOutputIsASessionErrorNotACrash(_ i: Int) async throws {
        let (name, bytes, code, message) = Self.malformed[i]
        let dir = TemporaryDirectory()
        let file = dir.write("out.bin", bytes)
        let session = try await UDFSession.start(
            try processConfig("scripted", "/bin/sh", ["-c", "cat \(file); exec cat > /dev/null"]), logger: quietLogger)
        let error = await #expect(throws: UDFHostError.self, "\(name)") { _ = try await collect(session) }
        #expect(error?.code == code, "\(name)")
        #expect(error?.message == message, "\(name)")
        #expect(error?.description == "UDF scripted: \(message)")
        await #expect(throws: UDFHostError.self) { try await session.finish() }
        await expectGone([session.process!.pid])
    }

    @Test func udfKilledMidBatch() async throws {
        let dir = TemporaryDirectory()
        let file = dir.write("out.bin", UDFResponse.begin(BeginBatch(name: "cpu", size: 2)).frame + UDFResponse.point(UDFPoint(time: 1)).frame)
        let session = try await UDFSession.start(try processConfig("dying", "/bin/sh", ["-c", "cat \(file); kill -9 $$"]), logger: quietLogger)
        let error = await #expect(throws: UDFHostError.self) { _ = try await collect(session) }
        #expect(error?.message == "output ended inside a batch")
        #expect(await session.process!.wait() == .signaled(SIGKILL))
    }

    @Test func chattyStderrNeverBlocksTheUDF() async throws {
        // 200 KB on one stderr line (cut in the log) and 2,000 more lines, then a byte relay:
        // `cat` echoes request frames, which are valid responses for points and keepalives.
        let script = "head -c 200000 /dev/zero | tr '\\0' x >&2; echo >&2; i=0; while [ $i -lt 2000 ]; do echo line $i >&2; i=$((i+1)); done; exec cat"
        let session = try await UDFSession.start(try processConfig("chatty", "/bin/sh", ["-c", script]), logger: quietLogger)
        let points = (0..<100).map { UDFPoint(time: Int64($0), name: "cpu", fieldsInt: ["i": Int64($0)]) }
        try await session.send(points)
        async let outputs = collect(session)
        try await session.finish()
        #expect(try await outputs.count == 100)
    }

    @Test func udfThatExitsAtOnce() async throws {
        let session = try await UDFSession.start(try processConfig("quitter", "/bin/true"), logger: quietLogger)
        let error = await #expect(throws: UDFHostError.self) { _ = try await collect(session) }
        #expect(error?.code == .exited)
        #expect(error?.message.contains("exit status 0") == true || error?.message.hasPrefix("write error") == true)
        await #expect(throws: UDFHostError.self) { try await session.finish() }
        await expectGone([session.process!.pid])
    }

    @Test func missingProgramIsAStartError() async throws {
        let error = await #expect(throws: UDFHostError.self) {
            _ = try await UDFSession.start(try processConfig("ghost", "/nonexistent/udf"), logger: quietLogger)
        }
        #expect(error?.code == .startFailed)
        #expect(error?.description.hasPrefix("UDF ghost: cannot start process /nonexistent/udf:") == true)
    }
}
