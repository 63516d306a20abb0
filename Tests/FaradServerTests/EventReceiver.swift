import FaradSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback receiver for alert handlers' deliveries: as `tcp` it keeps what each connection
/// sent until it closed; as `http` it answers each request 200 and keeps its body.
final class EventReceiver: Sendable {
    enum Mode: Sendable { case tcp, http }

    let port: Int
    private let fd: Int32
    private let mode: Mode
    private let received = Mutex<[String]>([])
    private let receivedHeads = Mutex<[String]>([])
    private let thread = Mutex<OSThread?>(nil)

    init(_ mode: Mode) throws {
        self.mode = mode
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                bind(fd, s, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, s, &len) == 0
            }
        }
        guard ok else { throw ServerTestError("receiver: cannot listen") }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let t = try OSThread(name: "receiver") { [self] in self.serve() }
        thread.withLock { $0 = t }
    }

    /// What has been received, one entry per connection (tcp) or request body (http).
    var deliveries: [String] { received.withLock { $0 } }
    /// The request line and headers of each HTTP delivery.
    var heads: [String] { receivedHeads.withLock { $0 } }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        thread.withLock { $0 }?.join()
    }

    private func serve() {
        while true {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { return }
            var data: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { break }
                data += chunk[0..<n]
                if mode == .http, let body = Self.body(data) {
                    let text = String(decoding: data, as: UTF8.self)
                    if let end = text.firstRange(of: "\r\n\r\n") { receivedHeads.withLock { $0.append(String(text[..<end.lowerBound])) } }
                    let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
                    _ = reply.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    data = body
                    break
                }
            }
            Glibc.close(c)
            let text = String(decoding: data, as: UTF8.self)
            received.withLock { $0.append(text) }
        }
    }

    /// The body of a complete HTTP request (headers and Content-Length bytes), or nil.
    private static func body(_ data: [UInt8]) -> [UInt8]? {
        let text = String(decoding: data, as: UTF8.self)
        guard let end = text.firstRange(of: "\r\n\r\n") else { return nil }
        let head = text[..<end.lowerBound].lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        let bodyStart = text.utf8.distance(from: text.startIndex, to: end.upperBound)
        guard data.count - bodyStart >= length else { return nil }
        return Array(data[bodyStart..<(bodyStart + length)])
    }
}
