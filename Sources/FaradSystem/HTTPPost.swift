#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client for a background thread: one request per connection
/// (`Connection: close`), IPv4 hosts or `localhost`, no TLS. Enough for influxDBOut's writes.
public enum HTTPPost {
    /// A `http://host:port` URL split into its parts.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        /// A path prefix, e.g. `/influx` (empty for none).
        public var basePath: String

        /// Parses `http://host[:port][/path]`.
        public init?(url: String) {
            guard url.hasPrefix("http://") else { return nil }
            var rest = Substring(url.dropFirst(7))
            var path = ""
            if let slash = rest.firstIndex(of: "/") {
                path = String(rest[slash...])
                rest = rest[..<slash]
            }
            if path.hasSuffix("/") { path.removeLast() }
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard let host = parts.first, !host.isEmpty, parts.count <= 2 else { return nil }
            self.host = host == "localhost" ? "127.0.0.1" : String(host)
            if parts.count == 2 {
                guard let p = Int(parts[1]), (1...65535).contains(p) else { return nil }
                port = p
            } else {
                port = 80
            }
            basePath = path
        }

        public var description: String { "http://\(host):\(port)\(basePath)" }
    }

    /// Sends `method path` with `body` and returns the status and the response body.
    /// - Throws: ``SystemError`` when connecting, sending or receiving fails.
    public static func send(
        _ method: String, to endpoint: Endpoint, path: String, body: [UInt8], contentType: String = "application/octet-stream",
        headers: [(name: String, value: String)] = [], timeoutSeconds: Int = 10
    ) throws(SystemError) -> (status: Int, body: [UInt8]) {
        let socket = try TCPClient.connect(host: endpoint.host, port: endpoint.port, timeoutSeconds: timeoutSeconds)
        defer { socket.close() }
        let fd = socket.rawValue
        var request = Array("""
            \(method) \(endpoint.basePath)\(path) HTTP/1.1\r
            Host: \(endpoint.host):\(endpoint.port)\r
            Content-Type: \(contentType)\r
            Content-Length: \(body.count)\r
            Connection: close\r

            """.utf8)
        for (name, value) in headers { request += Array("\(name): \(value)\r\n".utf8) }
        request += [13, 10]
        request.append(contentsOf: body)
        try TCPClient.send(request, on: socket, subject: endpoint.description)
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw SystemError.current("recv", subject: endpoint.description) }
            response.append(contentsOf: chunk[0..<n])
        }
        return try parse(response, from: endpoint)
    }

    static func parse(_ response: [UInt8], from endpoint: Endpoint) throws(SystemError) -> (status: Int, body: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        if response.count >= 4 {
            for i in 0...(response.count - 4) where response[i] == 13 && Array(response[i..<(i + 4)]) == separator {
                headerEnd = i
                break
            }
        }
        guard let headerEnd else { throw SystemError(code: EPROTO, operation: "HTTP response", subject: endpoint.description) }
        let statusLine = String(decoding: response[0..<headerEnd], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw SystemError(code: EPROTO, operation: "HTTP status line", subject: endpoint.description)
        }
        return (status, Array(response[(headerEnd + 4)...]))
    }
}
