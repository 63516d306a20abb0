#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client for a background thread: one request per connection,
/// IPv4 hosts or `localhost`, no TLS (``HTTPKeepAlive`` keeps one open). Enough for
/// influxDBOut's writes and the CLI.
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

    /// Sends `method path` with `body` on a connection of its own and returns the status and the
    /// response body.
    /// - Throws: ``SystemError`` when connecting, sending or receiving fails.
    public static func send(
        _ method: String, to endpoint: Endpoint, path: String, body: [UInt8], contentType: String = "application/octet-stream",
        headers: [(name: String, value: String)] = [], timeoutSeconds: Int = 10
    ) throws(SystemError) -> (status: Int, body: [UInt8]) {
        try HTTPKeepAlive(endpoint).send(method, path: path, body: body, contentType: contentType, headers: headers, timeoutSeconds: timeoutSeconds)
    }
}
