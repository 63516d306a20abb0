#if canImport(Glibc)
import Glibc
#endif
import FaradSystem
import Foundation

/// A blocking HTTP/1.1 keep-alive client: just enough to load a server without the client's
/// own overhead dominating (one socket, one request at a time, no allocation per header).
final class HTTPConnection {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var pending: [UInt8] = []

    init(host: String, port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw BenchError("cannot connect to \(host):\(port): errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends one request and returns the status and body.
    func send(_ method: String, _ path: String, body: [UInt8], headers: String = "") throws -> (Int, [UInt8]) {
        var head = Array("\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.count)\r\n\(headers)\r\n".utf8)
        head.append(contentsOf: body)
        try head.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw BenchError("send failed: errno \(errno)") }
                sent += n
            }
        }
        // Headers.
        var headerEnd: Int?
        while headerEnd == nil {
            if let r = find(pending, [13, 10, 13, 10]) { headerEnd = r; break }
            try fill()
        }
        let headerText = String(decoding: pending[0..<headerEnd!], as: UTF8.self)
        pending.removeFirst(headerEnd! + 4)
        let status = Int(headerText.split(separator: " ", maxSplits: 2)[1]) ?? 0
        var length = 0
        for line in headerText.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        while pending.count < length { try fill() }
        let responseBody = Array(pending[0..<length])
        pending.removeFirst(length)
        return (status, responseBody)
    }

    private func fill() throws {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw BenchError("connection closed") }
        pending.append(contentsOf: buffer[0..<n])
    }

    private func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// Request bodies of the ingest benchmark: `points` in requests of `batch`, 1,000 hosts.
func ingestBodies(format: String, points: Int, batch: Int) -> [[UInt8]] {
    var bodies: [[UInt8]] = []
    var produced = 0
    let base: Int64 = 1_700_000_000_000
    var request = 0
    while produced < points {
        let n = min(batch, points - produced)
        var text = ""
        text.reserveCapacity(n * 40)
        if format == "lp" {
            for i in 0..<n {
                let k = produced + i
                text += "cpu,host=host\(k % 1000),dc=dc\(k % 1000 % 7) usage_user=\(Double(k % 1000) / 10) \(base + Int64(k / 1000))\n"
            }
        } else {
            // 100 points per series per request, as collectors batch them.
            text += "["
            var i = 0
            var first = true
            while i < n {
                let seriesPoints = min(100, n - i)
                let host = (request * 100 + i / 100) % 1000
                if !first { text += "," }
                first = false
                text += "{\"name\":\"cpu.usage_user\",\"tags\":{\"host\":\"host\(host)\",\"dc\":\"dc\(host % 7)\"},\"datapoints\":["
                for j in 0..<seriesPoints {
                    if j > 0 { text += "," }
                    let t = base + Int64(request) * 1000 + Int64(j)
                    text += "[\(t),\(Double((i + j) % 1000) / 10)]"
                }
                text += "]}"
                i += seriesPoints
            }
            text += "]"
        }
        bodies.append(Array(text.utf8))
        produced += n
        request += 1
    }
    return bodies
}

/// Loads `/api/v1/datapoints` or `/write` from `clients` connections and reports points/s.
func serveBenchmark(host: String, port: Int, format wireFormat: String, points: Int, batch: Int, clients: Int, serverPID: Int32?) throws {
    let format = wireFormat
    let isLP = format == "lp"
    var bodies = ingestBodies(format: isLP ? "lp" : "json", points: points, batch: batch)
    if format == "gzip" { bodies = try bodies.map(gzipped) }
    let headers = format == "gzip" ? "Content-Encoding: gzip\r\n" : ""
    let path = isLP ? "/write?db=bench&precision=ms" : "/api/v1/datapoints"
    let totalBytes = bodies.reduce(0) { $0 + $1.count }
    print("\(format): \(points) points in \(bodies.count) requests of \(batch), \(totalBytes / 1_000_000) MB, \(clients) clients")
    let shared = bodies
    let failures = ConditionLock(0)
    let start = ContinuousClock.now
    var threads: [OSThread] = []
    for c in 0..<clients {
        threads.append(try OSThread(name: "client\(c)") {
            do {
                let connection = try HTTPConnection(host: host, port: port)
                var i = c
                while i < shared.count {
                    let (status, body) = try connection.send("POST", path, body: shared[i], headers: headers)
                    if status != 204 {
                        failures.withLock { $0 += 1 }
                        print("status \(status): \(String(decoding: body.prefix(200), as: UTF8.self))")
                    }
                    i += clients
                }
            } catch {
                failures.withLock { $0 += 1 }
                print("client \(c): \(error)")
            }
        })
    }
    for t in threads { t.join() }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let failed = failures.withLock { $0 }
    print("  \(formatNumber(Double(points) / seconds / 1e6, 3)) M points/s durable (\(formatNumber(seconds, 2)) s), failed requests: \(failed)")
    if let serverPID, let status = try? String(contentsOfFile: "/proc/\(serverPID)/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM") }) {
        print("  server peak RSS: \(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().joined(separator: " "))")
    }
}

/// 100-point requests at a fixed rate: the latency distribution.
func latencyBenchmark(host: String, port: Int, rate: Int, seconds: Int) throws {
    let count = rate * seconds
    let bodies = ingestBodies(format: "json", points: count * 100, batch: 100)
    let connections = 2
    let latencies = ConditionLock<[Double]>([])
    let start = ContinuousClock.now
    var threads: [OSThread] = []
    for c in 0..<connections {
        threads.append(try OSThread(name: "lat\(c)") {
            guard let connection = try? HTTPConnection(host: host, port: port) else { return }
            var local: [Double] = []
            var i = c
            while i < count {
                // Open loop: request i is due at start + i / rate.
                let due = start + .nanoseconds(Int64(i) * 1_000_000_000 / Int64(rate))
                let now = ContinuousClock.now
                if due > now {
                    let d = due - now
                    usleep(UInt32(d.components.attoseconds / 1_000_000_000_000) + UInt32(d.components.seconds) * 1_000_000)
                }
                let t0 = ContinuousClock.now
                _ = try? connection.send("POST", "/api/v1/datapoints", body: bodies[i])
                let d = ContinuousClock.now - max(t0, due)
                local.append(Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000)
                i += connections
            }
            latencies.withLock { $0 += local }
        })
    }
    for t in threads { t.join() }
    let sorted = latencies.withLock { $0 }.sorted()
    func p(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
    print("100-point requests at \(rate)/s for \(seconds) s: p50 \(format(p(0.5), 2)) ms, p99 \(format(p(0.99), 2)) ms, max \(format(sorted.last ?? 0, 2)) ms")
}

/// avg by 1-minute buckets over one series of 86,400 points (a day at 1 s).
func queryBenchmark(host: String, port: Int, repeats: Int) throws {
    let connection = try HTTPConnection(host: host, port: port)
    let base: Int64 = 1_600_000_000_000
    for chunk in 0..<9 {
        var text = "[{\"name\":\"query.bench\",\"tags\":{\"host\":\"a\"},\"datapoints\":["
        let lo = chunk * 10_000
        let hi = min(86_400, lo + 10_000)
        for i in lo..<hi {
            if i > lo { text += "," }
            text += "[\(base + Int64(i) * 1000),\(Double(i % 600) / 10)]"
        }
        text += "]}]"
        let (status, _) = try connection.send("POST", "/api/v1/datapoints", body: Array(text.utf8))
        guard status == 204 else { throw BenchError("seeding failed: \(status)") }
    }
    let query = Array("""
        {"start_absolute":\(base),"end_absolute":\(base + 86_400_000),"metrics":[{"name":"query.bench",
         "aggregators":[{"name":"avg","sampling":{"value":1,"unit":"minutes"}}]}]}
        """.utf8)
    var times: [Double] = []
    var size = 0
    for _ in 0..<repeats {
        let t0 = ContinuousClock.now
        let (status, body) = try connection.send("POST", "/api/v1/datapoints/query", body: query)
        let d = ContinuousClock.now - t0
        guard status == 200 else { throw BenchError("query failed: \(status)") }
        size = body.count
        times.append(Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000)
    }
    times.sort()
    print("query avg/1 min over 86,400 points (1,440 buckets, \(size) bytes): p50 \(format(times[times.count / 2], 2)) ms, p99 \(format(times[min(times.count - 1, times.count * 99 / 100)], 2)) ms")
}

private func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-c", "-1"]
    let input = Pipe()
    let output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    let writer = Thread { input.fileHandleForWriting.write(Data(bytes)); try? input.fileHandleForWriting.close() }
    writer.start()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Array(out)
}

/// ``format(_:_:)`` under a name a local `format` variable cannot shadow.
func formatNumber(_ value: Double, _ decimals: Int) -> String { format(value, decimals) }
