import FaradSystem
import FaradTestSupport
@testable import FaradUDFHost
import KapacitorUDFWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// UDFs that fork helpers, hold pipes after they exit, or end early: every case ends the session
/// promptly with an error naming what happened, and nothing the UDF started outlives it.
/// The UDFs are shell scripts; `cat` relays request frames back, which are valid responses for
/// points and keepalives.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ProcessHygieneTests {
    func expectNoneRunning(_ file: String, atLeast count: Int = 1) async {
        let pids = ProcessProbe.pids(in: file)
        #expect(pids.count >= count, "helpers recorded in \(file): \(pids)")
        for pid in pids {
            #expect(await eventually { !ProcessProbe.isRunning(pid, command: "sleep") }, "helper \(pid) left behind")
        }
        ProcessProbe.killAll(pids, command: "sleep")
    }

    @Test func aHelperIsEndedWithTheSessionAfterANormalEnd() async throws {
        let dir = TemporaryDirectory()
        let pids = dir.path + "/helpers"
        let script = "sleep 1000 >/dev/null 2>&1 & echo $! > \(pids); exec cat"
        let session = try await UDFSession.start(try processConfig("forker", "/bin/sh", ["-c", script]), logger: quietLogger)
        try await session.send((0..<10).map { UDFPoint(time: Int64($0), name: "cpu") })
        async let outputs = collect(session)
        try await session.finish()
        #expect(try await outputs.count == 10)
        await expectNoneRunning(pids)
    }

    @Test func outputHeldByAHelperAfterTheUDFExitedEndsTheSession() async throws {
        let dir = TemporaryDirectory()
        let pids = dir.path + "/helpers"
        // The helper keeps stdout and stderr; `cat` exits 0 once the input ends.
        let script = "sleep 1000 & echo $! > \(pids); echo 'helper started' >&2; exec cat"
        let session = try await UDFSession.start(try processConfig("holder", "/bin/sh", ["-c", script]), logger: quietLogger)
        try await session.send(UDFPoint(time: 1, name: "cpu"))
        async let outputs = collect(session)
        let error = await #expect(throws: UDFHostError.self) { try await session.finish() }
        #expect(error?.code == .exited)
        #expect(error?.description.hasPrefix("UDF holder: process exited: exit status 0 (last stderr line: helper started), but its output is still held open") == true,
                "\(String(describing: error))")
        _ = try? await outputs
        await expectNoneRunning(pids)
    }

    @Test func exitZeroWhileInputStillFlowsIsAnError() async throws {
        let script = "echo 'leaving early' >&2; exit 0"
        let session = try await UDFSession.start(try processConfig("leaver", "/bin/sh", ["-c", script]), logger: quietLogger)
        let error = await #expect(throws: UDFHostError.self) { _ = try await collect(session) }
        #expect(error?.code == .exited)
        // Unless a keepalive's write noticed first (the pipe closed): then it is a write error.
        let message = error?.message ?? ""
        #expect(message == "process exited unexpectedly: exit status 0 (last stderr line: leaving early)" || message.hasPrefix("write error"),
                "\(message)")
        await #expect(throws: UDFHostError.self) { try await session.finish() }
        #expect(session.process?.isReaped == true)
    }

    @Test func exitZeroBeforeReadingAllInputIsAnError() async throws {
        // Reads one byte of its input, then exits 0 once the host has (probably) written the rest.
        let script = "head -c 1 >/dev/null; sleep 0.2; exit 0"
        let session = try await UDFSession.start(try processConfig("skimmer", "/bin/sh", ["-c", script]), logger: quietLogger)
        async let outputs = collect(session)
        let error = await #expect(throws: UDFHostError.self) {
            try await session.send((0..<100).map { UDFPoint(time: Int64($0), name: "cpu") })
            session.flush()
            try await session.finish()
        }
        _ = try? await outputs
        #expect(error?.code == .exited)
        // If the writes came after the exit, they failed: an error as well.
        let message = error?.message ?? ""
        #expect(message.hasPrefix("process exited before reading all its input (") || message.hasPrefix("write error")
                || message.hasPrefix("process exited unexpectedly: exit status 0"), "\(message)")
    }

    @Test func restartsLeaveNoOrphansAndEachFailureIsReported() async throws {
        let dir = TemporaryDirectory()
        let pids = dir.path + "/helpers"
        let script = "sleep 1000 >/dev/null 2>&1 & echo $! >> \(pids); echo \"crash $$\" >&2; exit 3"
        let config = try processConfig("crasher", "/bin/sh", ["-c", script],
                                       restart: .onFailure(initialBackoff: .milliseconds(1), maximumRestarts: 2))
        let supervisor = UDFSupervisor(config: config, logger: quietLogger)
        let inputs = ThreadToTaskQueue<[UDFInput]>(capacity: 1)
        let failures = Mutex<[UDFHostError]>([])
        let error = await #expect(throws: UDFHostError.self) {
            try await supervisor.run(options: [], taskID: "t", nodeID: "crasher1", inputs: inputs.elements,
                                     failed: { e in failures.withLock { $0.append(e) } }) { _ in }
        }
        inputs.close()
        #expect(error?.code == .exited)
        let reported = failures.withLock { $0 }
        #expect(reported.count == 3, "the first session and two restarts: \(reported)")
        #expect(reported.allSatisfy { $0.code == .exited })
        // (A session whose init request found the pipe closed reports the write error instead.)
        #expect(reported.contains { $0.message.hasPrefix("process exited unexpectedly: exit status 3 (last stderr line: crash ") },
                "\(reported)")
        await expectNoneRunning(pids, atLeast: 3)
    }
}
