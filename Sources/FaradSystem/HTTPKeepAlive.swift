import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A persistent HTTP/1.1 connection to one endpoint, for one background thread at a time (the
/// alert post handler's; ``HTTPPost/send(_:to:path:body:contentType:headers:timeoutSeconds:)``
/// uses one for a single request): requests reuse the socket while the server keeps it open (as
/// Go's client, and so Kapacitor's, does), and a connection the server closed is opened again once.
public final class HTTPKeepAlive: Sendable {
    public let endpoint: HTTPPost.Endpoint
    private let socket = Mutex<FileDescriptor?>(nil)
    /// Bytes read past the last response (the start of the next one when requests are pipelined).
    private let leftover = Mutex<[UInt8]>([])

    /// The largest response body read (a longer announced one is an error; a longer unframed
    /// one is cut).
    static let maximumBody = 16 << 20
    /// The largest response head.
    static let maximumHead = 64 << 10

    public init(_ endpoint: HTTPPost.Endpoint) {
        self.endpoint = endpoint
    }

    deinit {
        socket.withLock { $0?.close() }
    }

    /// Sends one request and reads its response.
    /// - Throws: ``SystemError`` when connecting, sending or reading fails (on a fresh connection).
    public func send(
        _ method: String, path: String, body: [UInt8], contentType: String, headers: [(name: String, value: String)] = [],
        timeoutSeconds: Int = 30
    ) throws(SystemError) -> (status: Int, body: [UInt8]) {
        let request = request(method, path: path, body: body, contentType: contentType, headers: headers)
        while true {
            let (fd, reused) = try connection(timeoutSeconds)
            do throws(SystemError) {
                try TCPClient.send(request, on: fd, subject: endpoint.description)
                let (status, responseBody, keep) = try readResponse(fd)
                if !keep { drop() }
                return (status, responseBody)
            } catch {
                drop()
                // A kept connection the server had closed: once more, on a new one.
                guard reused else { throw error }
            }
        }
    }

    /// Sends `bodies` as pipelined requests (all of a flight of up to 64 written, then their
    /// responses read in order), reusing the connection; requests whose response did not come
    /// (the server closed the connection) are sent again, one at a time, on a new one. Returns
    /// each request's status, or the error that ended it.
    public func sendPipelined(
        _ method: String, path: String, bodies: [[UInt8]], contentType: String, headers: [(name: String, value: String)] = [],
        timeoutSeconds: Int = 30
    ) -> [Result<Int, SystemError>] {
        var results: [Result<Int, SystemError>] = []
        results.reserveCapacity(bodies.count)
        var next = 0
        while next < bodies.count {
            let flight = bodies[next..<min(next + 64, bodies.count)]
            var answered = 0
            do throws(SystemError) {
                let (fd, _) = try connection(timeoutSeconds)
                var bytes: [UInt8] = []
                for body in flight { bytes += request(method, path: path, body: body, contentType: contentType, headers: headers) }
                try TCPClient.send(bytes, on: fd, subject: endpoint.description)
                var keep = true
                while answered < flight.count, keep {
                    let (status, _, k) = try readResponse(fd)
                    keep = k
                    results.append(.success(status))
                    answered += 1
                }
                if !keep { drop() }
            } catch {
                drop()
            }
            // What this connection left unanswered: one at a time on a fresh one.
            for body in flight.dropFirst(answered) {
                do throws(SystemError) {
                    results.append(.success(try send(method, path: path, body: body, contentType: contentType, headers: headers, timeoutSeconds: timeoutSeconds).status))
                } catch {
                    results.append(.failure(error))
                }
            }
            next += flight.count
        }
        return results
    }

    /// The open connection (`reused`), or a new one.
    private func connection(_ timeoutSeconds: Int) throws(SystemError) -> (FileDescriptor, reused: Bool) {
        if let open = socket.withLock({ $0 }) { return (open, true) }
        let fd = try TCPClient.connect(host: endpoint.host, port: endpoint.port, timeoutSeconds: timeoutSeconds)
        socket.withLock { $0 = fd }
        return (fd, false)
    }

    private func request(_ method: String, path: String, body: [UInt8], contentType: String, headers: [(name: String, value: String)]) -> [UInt8] {
        var request = Array("\(method) \(endpoint.basePath)\(path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n".utf8)
        for (name, value) in headers { request += Array("\(name): \(value)\r\n".utf8) }
        request += [13, 10]
        request += body
        return request
    }

    private func drop() {
        socket.withLock { s in
            s?.close()
            s = nil
        }
        leftover.withLock { $0 = [] }
    }

    /// Appends what one `recv` gives to `buffer`; false at the end of the stream.
    private func receive(_ fd: FileDescriptor, into buffer: inout [UInt8]) throws(SystemError) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress, $0.count, 0) }
        if n == 0 { return false }
        guard n > 0 else { throw SystemError.current("recv", subject: endpoint.description) }
        buffer += chunk[0..<n]
        return true
    }

    /// Status, body, and whether the connection may be reused.
    private func readResponse(_ fd: FileDescriptor) throws(SystemError) -> (Int, [UInt8], Bool) {
        var data = leftover.withLock { l in
            defer { l = [] }
            return l
        }
        var headerEnd = Self.find([13, 10, 13, 10], in: data)
        while headerEnd == nil {
            guard data.count < Self.maximumHead else { throw SystemError(code: EMSGSIZE, operation: "response head too long", subject: endpoint.description) }
            guard try receive(fd, into: &data) else { throw SystemError(code: ECONNRESET, operation: "recv: closed before a response", subject: endpoint.description) }
            headerEnd = Self.find([13, 10, 13, 10], in: data)
        }
        let head = String(decoding: data[..<headerEnd!], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw SystemError(code: EPROTO, operation: "not an HTTP response", subject: endpoint.description)
        }
        var length: Int?
        var chunked = false
        var keep = parts[0] == "HTTP/1.1"
        for line in lines.dropFirst() {
            let lower = line.lowercased()
            if lower.hasPrefix("content-length:") { length = Int(lower.dropFirst(15).filter { $0 != " " }) }
            if lower.hasPrefix("transfer-encoding:") && lower.contains("chunked") { chunked = true }
            if lower.hasPrefix("connection:") { keep = lower.contains("keep-alive") || (keep && !lower.contains("close")) }
        }
        var body = Array(data[(headerEnd! + 4)...])
        data = []
        // 1xx, 204 and 304 have no body whatever the headers say (RFC 9112 6.3): InfluxDB's 204
        // to a write carries no Content-Length, and reading for a body would wait out the timeout.
        if (100..<200).contains(status) || status == 204 || status == 304 {
            if !body.isEmpty { leftover.withLock { $0 = body } }
            return (status, [], keep)
        }
        if let length, !chunked {
            guard length >= 0, length <= Self.maximumBody else {
                throw SystemError(code: EMSGSIZE, operation: "response body of \(length) bytes", subject: endpoint.description)
            }
            while body.count < length {
                guard try receive(fd, into: &body) else { throw SystemError(code: ECONNRESET, operation: "recv: body cut short", subject: endpoint.description) }
            }
            // Whatever follows this response belongs to the next one.
            if body.count > length {
                leftover.withLock { $0 = Array(body[length...]) }
                body.removeLast(body.count - length)
            }
            return (status, body, keep)
        }
        if chunked {
            var decoder = HTTPChunkedDecoder(limit: Self.maximumBody, subject: endpoint.description)
            var input = body
            while try !decoder.feed(input) {
                input = []
                guard try receive(fd, into: &input) else { throw SystemError(code: ECONNRESET, operation: "recv: chunked body cut short", subject: endpoint.description) }
            }
            // Whatever follows the last chunk belongs to the next response.
            if !decoder.rest.isEmpty { leftover.withLock { $0 = decoder.rest } }
            return (status, decoder.body, keep)
        }
        // Unframed: read to the end of the connection, which is not kept.
        while body.count <= Self.maximumBody {
            guard try receive(fd, into: &body) else { break }
        }
        return (status, Array(body.prefix(Self.maximumBody)), false)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { i in
            needle.indices.allSatisfy { haystack[i + $0] == needle[$0] }
        }
    }
}
