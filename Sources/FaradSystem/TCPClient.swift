#if canImport(Glibc)
import Glibc
#endif

/// Blocking IPv4 TCP connections for background threads: influxDBOut's and the alert handlers'
/// requests.
public enum TCPClient {
    /// A socket connected to `host` (an IPv4 address; `localhost` is 127.0.0.1) and `port`,
    /// with send and receive timeouts of `timeoutSeconds`. The caller closes it.
    /// - Throws: ``SystemError`` when the address is not IPv4 or the connection fails.
    public static func connect(host: String, port: Int, timeoutSeconds: Int) throws(SystemError) -> FileDescriptor {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError.current("socket") }
        var timeout = timeval(tv_sec: max(timeoutSeconds, 1), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // As Go's dialer does: small requests go out at once, not after the peer's delayed ACK.
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        let address = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else {
            close(fd)
            throw SystemError(code: EINVAL, operation: "inet_pton", subject: host)
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let error = SystemError.current("connect", subject: "\(host):\(port)")
            close(fd)
            throw error
        }
        return FileDescriptor(rawValue: fd)
    }

    /// Sends all of `bytes` (no SIGPIPE on a closed peer).
    public static func send(_ bytes: [UInt8], on fd: FileDescriptor, subject: String) throws(SystemError) {
        let failure = bytes.withUnsafeBytes { raw -> SystemError? in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd.rawValue, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { return SystemError.current("send", subject: subject) }
                sent += n
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Splits `host:port` (`[v6]` is refused: IPv4 only).
    public static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        return host.isEmpty ? nil : (host, port)
    }
}
