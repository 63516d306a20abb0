#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A blocking HTTP/1.1 keep-alive client for the scale benchmark: sends `Host: localhost` (Farad
/// refuses other names while bound to loopback), reads `Content-Length` and chunked bodies (Go's
/// net/http chunks InfluxDB's larger answers), and gives up after a receive timeout so no
/// benchmark step can hang forever.
final class ScaleConnection {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var pending: [UInt8] = []
    private var start = 0
    /// Largest response body accepted (a bound, not a measurement).
    private let maxBody = 1 << 30

    init(port: Int, timeoutSeconds: Int = 900) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket failed: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw BenchError("cannot connect to 127.0.0.1:\(port): errno \(e)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends one request and returns the status, the body and whether the server closes the connection.
    func send(_ method: String, _ target: String, body: [UInt8] = [], contentType: String? = nil) throws -> (status: Int, body: [UInt8], closes: Bool) {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "\r\n"
        try sendAll(Array(head.utf8))
        if !body.isEmpty { try sendAll(body) }

        let headerEnd = try readUntil([13, 10, 13, 10])
        let headerText = String(decoding: pending[start..<headerEnd], as: UTF8.self)
        start = headerEnd + 4
        let lines = headerText.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else {
            throw BenchError("bad status line: \(headerText.prefix(100))")
        }
        var length: Int?
        var chunked = false
        var closes = false
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].lowercased()
            let value = parts[1].trimmingCharacters(in: .whitespaces).lowercased()
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding", value.contains("chunked") { chunked = true }
            if name == "connection", value == "close" { closes = true }
        }
        var responseBody: [UInt8] = []
        if chunked {
            // Each chunk: hex size CRLF, data, CRLF; size 0 ends, then trailers up to an empty line.
            while true {
                let lineEnd = try readUntil([13, 10])
                let sizeText = String(decoding: pending[start..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                    throw BenchError("bad chunk size '\(sizeText)'")
                }
                start = lineEnd + 2
                if size == 0 {
                    let trailerEnd = try readUntil([13, 10])
                    start = trailerEnd + 2
                    break
                }
                guard responseBody.count + size <= maxBody else { throw BenchError("response over \(maxBody) bytes") }
                try need(size + 2)
                responseBody.append(contentsOf: pending[start..<(start + size)])
                start += size + 2
            }
        } else if let length {
            guard length <= maxBody else { throw BenchError("response over \(maxBody) bytes") }
            try need(length)
            responseBody = Array(pending[start..<(start + length)])
            start += length
        }
        compact()
        return (status, responseBody, closes)
    }

    private func sendAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw BenchError("send failed: errno \(errno)") }
                sent += n
            }
        }
    }

    /// Reads until `needle` appears at or after `start`; returns its index.
    private func readUntil(_ needle: [UInt8]) throws -> Int {
        var from = start
        while true {
            if pending.count - from >= needle.count {
                var i = from
                while i <= pending.count - needle.count {
                    if pending[i] == needle[0] && (needle.count == 2 ? pending[i + 1] == needle[1]
                        : pending[i + 1] == needle[1] && pending[i + 2] == needle[2] && pending[i + 3] == needle[3]) {
                        return i
                    }
                    i += 1
                }
                from = max(start, pending.count - needle.count + 1)
            }
            guard pending.count - start < 1 << 20 else { throw BenchError("no line end within 1 MiB") }
            try fill()
        }
    }

    private func need(_ count: Int) throws {
        while pending.count - start < count { try fill() }
    }

    private func fill() throws {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw BenchError(n == 0 ? "connection closed" : "receive failed: errno \(errno)") }
        pending.append(contentsOf: buffer[0..<n])
    }

    private func compact() {
        if start == pending.count {
            pending.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 20 {
            pending.removeFirst(start)
            start = 0
        }
    }
}

/// CPU, I/O and memory figures of a server process, from /proc.
struct ProcessSample {
    /// utime + stime in clock ticks.
    var cpuTicks: Int
    /// Bytes this process caused to be written to storage (`write_bytes` of /proc/PID/io).
    var writeBytes: Int
    var rssKiB: Int
    var peakRSSKiB: Int

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    init?(pid: Int32) {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let paren = stat.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: paren)...].split(separator: " ")
        guard fields.count > 13, let utime = Int(fields[11]), let stime = Int(fields[12]) else { return nil }
        cpuTicks = utime + stime
        writeBytes = 0
        if let io = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8),
           let line = io.split(separator: "\n").first(where: { $0.hasPrefix("write_bytes:") }) {
            writeBytes = Int(line.split(separator: " ").last ?? "") ?? 0
        }
        rssKiB = 0
        peakRSSKiB = 0
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) {
            for line in status.split(separator: "\n") {
                let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard parts.count >= 2 else { continue }
                if parts[0] == "VmRSS:" { rssKiB = Int(parts[1]) ?? 0 }
                if parts[0] == "VmHWM:" { peakRSSKiB = Int(parts[1]) ?? 0 }
            }
        }
    }

    /// Resets VmHWM to the current RSS (Linux `clear_refs` 5); false when the kernel refuses.
    @discardableResult
    static func resetPeak(pid: Int32) -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/\(pid)/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }
}

/// Milliseconds since `start`.
func millisecondsSince(_ start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start).seconds * 1000
}

/// The value at quantile `q` of sorted `values` (nearest rank).
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((Double(sorted.count) * q).rounded(.up)) - 1
    return sorted[min(sorted.count - 1, max(0, rank))]
}

/// Wall-clock nanoseconds since the epoch (to compare with a shell's `date +%s%N`).
func realtimeNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
