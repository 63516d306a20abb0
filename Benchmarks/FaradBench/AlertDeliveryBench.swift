import FaradCore
import FaradEngine
import FaradMQTT
import FaradSystem
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Alert events delivered per second by one handler, through a real task whose every point
/// fires: `.mqtt()` with QoS 1 to a broker on `port` (start `mosquitto -p PORT` first), or
/// `.post()` to a receiver this benchmark runs. Points go in rounds of 5,000, each round waiting
/// until the handler has sent it (its queue holds 10,000), so nothing is dropped.
func alertDeliveryBenchmark(kind: String, port: Int, events n: Int) async throws {
    var environment = TaskEnvironment()
    var receiver: CountingReceiver?
    let handler: String
    switch kind {
    case "mqtt":
        environment.connect([MQTTClient.Configuration(name: "bench", host: "127.0.0.1", port: port, isDefault: true)], logger: Logger(label: "bench"))
        handler = ".mqtt('bench/alerts').qos(1)"
    default:
        let r = try CountingReceiver()
        receiver = r
        handler = ".post('http://127.0.0.1:\(r.port)/alerts')"
    }
    defer { receiver?.close() }
    let task = try TaskExecution(id: "bench", script: "stream|from()|alert().crit(lambda: TRUE)\(handler)", environment: environment)
    func sent() -> Int { task.statistics().first { $0.name == "alert2" }?.values.first { $0.0 == "events_sent" }?.1 ?? 0 }
    let round = 5_000
    let clock = ContinuousClock()
    var elapsed: Duration = .zero
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await task.run() }
        var written = 0
        let start = clock.now
        while written < n {
            let count = min(round, n - written)
            let points = (0..<count).map { i in
                Point(measurement: "cpu", sortedTags: [("host", "h\((written + i) % 100)")], fields: [("value", .double(Double(i)))], time: Int64(written + i) * 1_000_000_000)
            }
            await task.write(points, database: "db", retentionPolicy: "rp")
            written += count
            let deadline = clock.now + .seconds(120)
            while sent() < written, clock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        }
        elapsed = clock.now - start
        task.stop()
        try await group.waitForAll()
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let dropped = task.statistics().first { $0.name == "alert2" }?.values.first { $0.0 == "events_dropped" }?.1 ?? 0
    print("alert \(kind == "mqtt" ? "mqtt qos 1" : "post"): \(format(Double(sent()) / seconds, 0)) events/s (\(sent()) of \(n) in \(format(seconds, 2)) s, \(dropped) dropped\(receiver.map { ", \($0.requests) requests received" } ?? ""))")
}

/// An HTTP receiver answering 200 to every request (one per connection, as the post handler
/// sends), counting them.
final class CountingReceiver: Sendable {
    let port: Int
    private let fd: Int32
    private let count = Atomic<Int>(0)
    private let thread = Mutex<OSThread?>(nil)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 1024) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw BenchError("receiver: cannot listen") }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let t = try OSThread(name: "receiver") { [self] in self.serve() }
        thread.withLock { $0 = t }
    }

    var requests: Int { count.load(ordering: .relaxed) }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        thread.withLock { $0 }?.join()
    }

    private func serve() {
        let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
        while true {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { return }
            var one: Int32 = 1
            setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            // Requests on one kept-alive connection, answered in turn, until the client closes.
            var data: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            connection: while true {
                while let length = Self.requestLength(data) {
                    data.removeFirst(length)
                    _ = reply.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    count.add(1, ordering: .relaxed)
                }
                let n = chunk.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { break connection }
                data += chunk[0..<n]
            }
            Glibc.close(c)
        }
    }

    /// The length of the first complete request in `data` (headers and Content-Length body).
    private static func requestLength(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        var end: Int?
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 {
            end = i
            break
        }
        guard let end else { return nil }
        let head = String(decoding: data[..<end], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst(15).filter { $0 != " " }) } ?? 0
        return data.count >= end + 4 + length ? end + 4 + length : nil
    }
}
