#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Who is in a process group, read from `/proc` (Linux).
enum ProcessGroup {
    /// Whether a process other than `leader` that has not exited (not a zombie) is in the group
    /// `pgid`. Reads `/proc/PID/stat` of every process (bounded by the number of processes).
    /// Elsewhere than Linux: false (teardown then does not wait for the group).
    static func hasLiveMembers(_ pgid: pid_t, besides leader: pid_t) -> Bool {
        #if os(Linux)
        guard let dir = opendir("/proc") else { return false }
        defer { closedir(dir) }
        var buffer = [UInt8](repeating: 0, count: 512)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = pid_t(name), pid != leader else { continue }
            let fd = open("/proc/\(name)/stat", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard n > 0, let stat = parseStat(buffer[..<n]) else { continue }
            if stat.pgrp == pgid && stat.state != UInt8(ascii: "Z") && stat.state != UInt8(ascii: "X") { return true }
        }
        return false
        #else
        return false
        #endif
    }

    /// The state letter and process group of a `/proc/PID/stat` line: `pid (comm) S ppid pgrp …`.
    /// The command name may hold spaces and parentheses: fields start after the last `)`.
    static func parseStat(_ bytes: ArraySlice<UInt8>) -> (state: UInt8, pgrp: pid_t)? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), maxSplits: 4)
        guard fields.count >= 3, let state = fields[0].first, let pgrp = pid_t(String(decoding: fields[2], as: UTF8.self)) else {
            return nil
        }
        return (state, pgrp)
    }
}
