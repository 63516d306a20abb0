import FaradSystem
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Pipelined requests on one kept-alive connection, against a server that answers them all in
/// one write (so one read holds several responses), and one that closes after each.
/// Accepts connections; on each, waits for `perConnection` requests (or EOF), then answers
/// every request read so far in one `send`, and closes when `close` is set.
final class PipelineServer: Sendable {
    let port: Int
    let fd: Int32
    final class Count: Sendable { let value = Atomic<Int>(0) }
    let accepted = Count()
    let thread: OSThread?

    /// `noContent`: answer each request as it comes with a 204 that has no Content-Length (as
    /// InfluxDB answers a write) and keep the connection open until the client closes it.
    init(perConnection: Int, close: Bool, noContent: Bool = false) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let accepted = self.accepted
        thread = try OSThread(name: "server") {
            while true {
                let c = accept(fd, nil, nil)
                guard c >= 0 else { return }
                accepted.value.add(1, ordering: .relaxed)
                var seen = 0, total = 0
                var buffer = [UInt8](repeating: 0, count: 65536)
                if noContent {
                    while true {
                        let n = buffer.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
                        guard n > 0 else { break }
                        let requests = String(decoding: buffer[0..<n], as: UTF8.self).components(separatedBy: "POST ").count - 1
                        let reply = String(repeating: "HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\n\r\n", count: requests)
                        _ = Array(reply.utf8).withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    }
                    Glibc.close(c)
                    continue
                }
                while seen < perConnection {
                    let n = buffer.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
                    guard n > 0 else { break }
                    // Each request here is small and ends with its body "x".
                    seen += String(decoding: buffer[0..<n], as: UTF8.self).components(separatedBy: "POST ").count - 1
                    guard seen >= perConnection || close else { continue }
                }
                var reply = ""
                for i in total..<seen { reply += "HTTP/1.1 200 OK\r\nContent-Length: \(String(i).count)\r\n\(close ? "Connection: close\r\n" : "")\r\n\(i)" }
                total = seen
                _ = Array(reply.utf8).withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                Glibc.close(c)
            }
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        thread?.join()
    }
}

@Suite struct HTTPKeepAliveTests {
    @Test func pipelinedResponsesInOneReadAreAllRead() throws {
        let server = try PipelineServer(perConnection: 5, close: false)
        defer { server.stop() }
        let client = HTTPKeepAlive(HTTPPost.Endpoint(url: "http://127.0.0.1:\(server.port)")!)
        let results = client.sendPipelined("POST", path: "/", bodies: Array(repeating: Array("x".utf8), count: 5), contentType: "text/plain")
        #expect(results.map { (try? $0.get()) ?? -1 } == [200, 200, 200, 200, 200])
        #expect(server.accepted.value.load(ordering: .relaxed) == 1)
    }

    @Test func aServerThatClosesGetsTheRestOneAtATime() throws {
        let server = try PipelineServer(perConnection: 1, close: true)
        defer { server.stop() }
        let client = HTTPKeepAlive(HTTPPost.Endpoint(url: "http://127.0.0.1:\(server.port)")!)
        let results = client.sendPipelined("POST", path: "/", bodies: Array(repeating: Array("x".utf8), count: 3), contentType: "text/plain")
        #expect(results.map { (try? $0.get()) ?? -1 } == [200, 200, 200])
    }

    /// A 204 ends at its head: the client neither waits for a body nor loses the connection.
    @Test func noContentWithoutALengthEndsAtTheHead() throws {
        let server = try PipelineServer(perConnection: 1, close: false, noContent: true)
        defer { server.stop() }
        do {  // the client closes its connection at the end of this block, before the server stops
            let client = HTTPKeepAlive(HTTPPost.Endpoint(url: "http://127.0.0.1:\(server.port)")!)
            for _ in 0..<3 {
                let (status, body) = try client.send("POST", path: "/write", body: Array("x".utf8), contentType: "text/plain", timeoutSeconds: 2)
                #expect(status == 204 && body.isEmpty)
            }
        }
        #expect(server.accepted.value.load(ordering: .relaxed) == 1)
    }
}
