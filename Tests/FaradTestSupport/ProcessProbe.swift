import FaradSystem

#if canImport(Glibc)
import Glibc
#endif

/// Looks at processes a test's UDF scripts started (their pids written to a file), to prove
/// that none is left behind.
public enum ProcessProbe {
    /// Whether `pid` runs: it exists and is not a zombie waiting for init to reap it; with
    /// `command`, only if that is its name (a pid may have been reused by something else).
    public static func isRunning(_ pid: pid_t, command: String? = nil) -> Bool {
        guard Glibc.kill(pid, 0) == 0 else { return false }
        if let command {
            guard let comm = try? FileDescriptor.readFile(atPath: "/proc/\(pid)/comm"),
                  String(decoding: comm.filter { $0 != 0x0A }, as: UTF8.self) == command else { return false }
        }
        guard let bytes = try? FileDescriptor.readFile(atPath: "/proc/\(pid)/stat"),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), close + 2 < bytes.count else { return false }
        return bytes[close + 2] != UInt8(ascii: "Z")
    }

    /// The pids in `path`, one a line (none if it does not exist yet).
    public static func pids(in path: String) -> [pid_t] {
        guard let bytes = try? FileDescriptor.readFile(atPath: path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Ends every process in `pids` still running `command` (cleanup after a failed expectation;
    /// a pid reused by something else is left alone).
    public static func killAll(_ pids: [pid_t], command: String) {
        for pid in pids where pid > 1 && isRunning(pid, command: command) { _ = Glibc.kill(pid, SIGKILL) }
    }
}
