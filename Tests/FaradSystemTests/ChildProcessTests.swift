import FaradSystem
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.timeLimit(.minutes(1))) struct ChildProcessTests {
    @Test func pipesAndExitStatus() async throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "read line; echo got $line; echo oops >&2; exit 3"],
                                     standardError: .pipe)
        try child.standardInput!.writeAll(Array("hello\n".utf8))
        child.standardInput!.close()
        #expect(await child.wait() == .exited(3))
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = try buffer.withUnsafeMutableBytes { try child.standardOutput!.read(into: $0) }
        #expect(String(decoding: buffer[..<n], as: UTF8.self) == "got hello\n")
        let e = try buffer.withUnsafeMutableBytes { try child.standardError!.read(into: $0) }
        #expect(String(decoding: buffer[..<e], as: UTF8.self) == "oops\n")
        child.standardOutput!.close()
        child.standardError!.close()
    }

    @Test func childLeadsItsOwnProcessGroup() async throws {
        let child = try ChildProcess(executable: "sleep", arguments: ["30"], standardInput: .null, standardOutput: .null)
        #expect(getpgid(child.pid) == child.pid)
        #expect(getpgid(child.pid) != getpgrp())
        #expect(child.terminate(grace: .seconds(5)) == .signaled(SIGTERM))
        #expect(kill(child.pid, 0) != 0, "reaped: no zombie left")
    }

    @Test func terminateEscalatesToSIGKILLAndReachesGrandchildren() async throws {
        // The shell ignores SIGTERM and starts a grandchild in the same group.
        let child = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 30 & echo $!; wait"],
            standardInput: .null, standardOutput: .pipe)
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = try buffer.withUnsafeMutableBytes { try child.standardOutput!.read(into: $0) }
        let grandchild = pid_t(String(decoding: buffer[..<n], as: UTF8.self).trimmingSuffix())!
        #expect(child.terminate(grace: .milliseconds(200)) == .signaled(SIGKILL))
        // The grandchild got SIGTERM with its group; poll until init has reaped it.
        let deadline = ContinuousClock.now + .seconds(10)
        while kill(grandchild, 0) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(kill(grandchild, 0) != 0)
        child.standardOutput!.close()
    }

    @Test func missingProgramIsAnError() {
        let error = #expect(throws: SystemError.self) { try ChildProcess(executable: "/nonexistent/udf") }
        #expect(error?.description.contains("posix_spawn(/nonexistent/udf)") == true)
    }
}

@Suite struct WakerTests {
    @Test func wakeInterruptsAWait() throws {
        let pipe = try FileDescriptor.pipe()
        defer { pipe.read.close(); pipe.write.close() }
        let waker = try Waker()
        waker.wake()
        #expect(waker.waitReadable(pipe.read) == false)
        let other = try Waker()
        try pipe.write.writeAll([1])
        #expect(other.waitReadable(pipe.read) == true)
    }

    @Test func unixSocketRoundTrip() throws {
        let path = "/tmp/farad-system-test-\(getpid()).sock"
        let listener = try UnixSocket.listen(path: path)
        defer { listener.close(); unlink(path) }
        let client = try UnixSocket.connect(path: path)
        let server = try #require(try UnixSocket.accept(listener, waker: try Waker()))
        try client.writeAll([1, 2, 3])
        client.shutdown(.write)
        var buffer = [UInt8](repeating: 0, count: 8)
        let n = try buffer.withUnsafeMutableBytes { try server.read(into: $0) }
        #expect(Array(buffer[..<n]) == [1, 2, 3])
        let eof = try buffer.withUnsafeMutableBytes { try server.read(into: $0) }
        #expect(eof == 0)
        client.close()
        server.close()
    }
}

extension String {
    func trimmingSuffix() -> String {
        var s = self
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
