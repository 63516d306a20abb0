@testable import FaradSystem
import FaradTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A process group outlives its leader: what a child forked is ended with it, on every path.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ProcessGroupTests {
    /// A shell that starts `sleep` in the background, prints its pid and exits 0 at once: the
    /// orphan keeps the group (and, unless redirected, the stdout pipe) alive.
    func forkingChild(helperKeepsStdout: Bool) throws -> (ChildProcess, pid_t) {
        let redirect = helperKeepsStdout ? "" : " >/dev/null"
        let child = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "sleep 1000\(redirect) & echo $!; exit 0"],
            standardInput: .null, standardOutput: .pipe)
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 32)
        while !text.contains("\n") {
            let n = try buffer.withUnsafeMutableBytes { try child.standardOutput!.read(into: $0) }
            if n == 0 { break }
            text += String(decoding: buffer[..<n], as: UTF8.self)
        }
        return (child, try #require(pid_t(text.trimmingSuffix())))
    }

    @Test func terminateEndsTheGroupAfterItsLeaderExited() async throws {
        let (child, helper) = try forkingChild(helperKeepsStdout: false)
        #expect(await child.wait() == .exited(0))
        #expect(isRunning(helper), "the helper outlives its parent until the group is ended")
        #expect(!child.isReaped, "the exited leader is held, so its group's ID cannot be reused")
        #expect(child.terminate(grace: .seconds(5)) == .exited(0))
        #expect(child.isReaped)
        #expect(await eventually { !isRunning(helper) }, "helper \(helper) left behind")
        child.standardOutput!.close()
    }

    @Test func signalGroupReachesWhatTheExitedLeaderLeft() async throws {
        let (child, helper) = try forkingChild(helperKeepsStdout: true)
        #expect(await child.wait() == .exited(0))
        child.signalGroup(SIGKILL)
        #expect(await eventually { !isRunning(helper) }, "helper \(helper) left behind")
        // The helper held the pipe: its end is the pipe's end.
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(try buffer.withUnsafeMutableBytes { try child.standardOutput!.read(into: $0) } == 0)
        child.terminate(grace: .milliseconds(100))
        child.standardOutput!.close()
    }

    @Test func releasingAnExitedChildReapsItAndEndsItsGroup() async throws {
        // The child value goes away at the end of this function, after its leader exited.
        func startAndRelease() async throws -> (helper: pid_t, leader: pid_t) {
            let (child, helper) = try forkingChild(helperKeepsStdout: false)
            #expect(await child.wait() == .exited(0))
            child.standardOutput!.close()
            return (helper, child.pid)
        }
        let (helper, leader) = try await startAndRelease()
        #expect(await eventually { !isRunning(helper) && kill(leader, 0) != 0 }, "leader \(leader) or helper \(helper) left behind")
    }

    @Test func parsesProcStatWithAwkwardNames() {
        let line = Array("4242 (a (b) c) S 1 777 777 0 -1".utf8)
        let stat = ProcessGroup.parseStat(line[...])
        #expect(stat?.state == UInt8(ascii: "S"))
        #expect(stat?.pgrp == 777)
        #expect(ProcessGroup.parseStat(Array("garbage".utf8)[...]) == nil)
    }
}

/// Whether `pid` runs (exists and is not a zombie waiting for init to reap it).
func isRunning(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let bytes = try? FileDescriptor.readFile(atPath: "/proc/\(pid)/stat") else { return false }
    return ProcessGroup.parseStat(bytes[...]).map { $0.state != UInt8(ascii: "Z") } ?? false
}

