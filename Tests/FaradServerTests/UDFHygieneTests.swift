import FaradSystem
import FaradTestSupport
import Foundation
import KapacitorUDFTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// UDFs that misbehave as processes, through the real binary: `farad udf run` ends promptly,
/// non-zero, with `UDF NAME: …`; a crash-looping UDF shows on its task; nothing a UDF forked
/// outlives its session. The UDFs are shell scripts around `udf-mirror` (which, with
/// `UDF_MIRROR_EXIT_AFTER=N`, exits 0 after N points); each writes its helpers' pids to a file.
@Suite(.serialized, .timeLimit(.minutes(2))) struct UDFHygieneTests {
    struct Finished {
        var status: ProcessExitStatus?
        var stderr: String
    }

    /// Runs `farad udf run --prog /bin/sh --arg -c --arg SCRIPT` with `input` on a stdin that
    /// stays open (the stream is not over when the UDF ends), until farad exits or 30 s pass.
    func udfRun(name: String, script: String, input: String) throws -> Finished {
        let farad = try UDFTestAgent.builtExecutable(named: "farad")
        let child = try ChildProcess(
            executable: farad, arguments: ["udf", "run", "--name", name, "--prog", "/bin/sh", "--arg", "-c", "--arg", script],
            standardInput: .pipe, standardOutput: .null, standardError: .pipe)
        defer {
            child.terminate(grace: .seconds(1))
            child.standardInput!.close()
            child.standardError!.close()
        }
        try child.standardInput!.writeAll(Array(input.utf8))
        let status = child.waitBlocking(timeout: .seconds(30))
        if status == nil { child.terminate(grace: .seconds(1)) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while let n = try? buffer.withUnsafeMutableBytes({ try child.standardError!.read(into: $0) }), n > 0 { text += buffer[..<n] }
        return Finished(status: status, stderr: String(decoding: text, as: UTF8.self))
    }

    static func points(_ n: Int) -> String {
        (1...n).map { "m value=\($0) \($0)000000000\n" }.joined()
    }

    /// A shell test that is true from the second run of the script on (the first is the info probe).
    static func afterProbe(_ dir: String) -> String { "[ -e \(dir)/probed ]" }

    @Test func udfRunExitsNonZeroWhenTheUDFExitsZeroMidStream() throws {
        let mirror = try UDFTestAgent.builtExecutable(named: "udf-mirror")
        let script = "UDF_MIRROR_EXIT_AFTER=2 \(mirror); echo 'mirror is done' >&2; exit 0"
        let result = try udfRun(name: "quitter", script: script, input: Self.points(10))
        #expect(result.status != nil, "farad udf run did not end")
        #expect(result.status != .exited(0))
        #expect(result.stderr.contains("UDF quitter: process exited unexpectedly: exit status 0 (last stderr line: mirror is done)"),
                "\(result.stderr)")
    }

    @Test func udfRunEndsWhenAHelperHoldsTheUDFsOutput() async throws {
        let dir = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mirror = try UDFTestAgent.builtExecutable(named: "udf-mirror")
        // From the second run (the task's session) on: a helper keeps stdout and stderr, the UDF exits 0.
        let script = "if \(Self.afterProbe(dir)); then sleep 1000 & echo $! >> \(dir)/helpers; fi; touch \(dir)/probed; "
            + "UDF_MIRROR_EXIT_AFTER=2 exec \(mirror)"
        let result = try udfRun(name: "holder", script: script, input: Self.points(10))
        #expect(result.status != nil, "farad udf run did not end")
        #expect(result.status != .exited(0))
        #expect(result.stderr.contains("UDF holder: process exited: exit status 0"), "\(result.stderr)")
        #expect(result.stderr.contains("its output is still held open"), "\(result.stderr)")
        let helpers = ProcessProbe.pids(in: dir + "/helpers")
        #expect(helpers.count == 1)
        for pid in helpers { #expect(await eventually { !ProcessProbe.isRunning(pid, command: "sleep") }, "helper \(pid) left behind") }
        ProcessProbe.killAll(helpers, command: "sleep")
    }

    @Test func aCrashLoopingForkingUDFShowsOnItsTaskAndLeavesNoOrphans() async throws {
        let directory = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mirror = try UDFTestAgent.builtExecutable(named: "udf-mirror")
        let script = "if \(Self.afterProbe(directory)); then sleep 1000 >/dev/null 2>&1 & echo $! >> \(directory)/helpers; "
            + "echo \"crash $$\" >&2; exit 3; fi; touch \(directory)/probed; exec \(mirror)"
        let scriptFile = directory + "/crasher.sh"
        try script.write(toFile: scriptFile, atomically: true, encoding: .utf8)
        let config = directory + "/farad.toml"
        try """
            [udf.functions.crasher]
            prog = "/bin/sh"
            args = ["\(scriptFile)"]
            timeout = "10s"
            restart = "on-failure"
            restart-backoff = "10ms"
            restart-backoff-max = "50ms"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDirectory: directory + "/data", arguments: ["--config", config])
        var stopped = false
        defer { if !stopped { server.stop() } }
        let define = try await TaskAPITests.define(server, id: "crashing", script: "stream|from().measurement('m')@crasher()|httpOut('x')")
        #expect(define.status == 200, "\(define.text)")

        // The task keeps running (restarts) and shows the failures meanwhile.
        let (error, errors) = try await TaskPeerTests.eventually("the task's error and its UDF node's errors") { () -> (String, Int)? in
            let reply = try await server.get("/kapacitor/v1/tasks/crashing")
            guard let task = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any],
                  let error = task["error"] as? String, !error.isEmpty,
                  let stats = task["stats"] as? [String: Any], let nodes = stats["node-stats"] as? [String: [String: Any]],
                  let udf = nodes.first(where: { $0.key.hasPrefix("crasher") })?.value, let errors = udf["errors"] as? Int, errors > 1
            else { return nil }
            return (error, errors)
        }
        #expect(error.hasPrefix("UDF crasher: "), "\(error)")
        #expect(errors > 1)

        // Every session but the newest has ended: its helper must be gone.
        let helpers = try await TaskPeerTests.eventually("three restarts") { () -> [pid_t]? in
            let pids = ProcessProbe.pids(in: directory + "/helpers")
            return pids.count >= 3 ? pids : nil
        }
        for pid in helpers.dropLast() {
            #expect(await eventually { !ProcessProbe.isRunning(pid, command: "sleep") }, "helper \(pid) of an ended session left behind")
        }
        // SIGTERM ends the server although the UDF keeps crashing (no restart once input ended),
        // and no helper is left at all.
        let status = server.stop()
        stopped = true
        #expect(status != .signaled(SIGKILL), "farad serve did not end on SIGTERM")
        let all = ProcessProbe.pids(in: directory + "/helpers")
        for pid in all { #expect(await eventually { !ProcessProbe.isRunning(pid, command: "sleep") }, "helper \(pid) left behind") }
        ProcessProbe.killAll(all, command: "sleep")
    }
}
