#if canImport(Glibc)
import Glibc
#endif

/// Decodes an HTTP/1.1 chunked body (RFC 9112 7.1) as its bytes arrive: `size[;ext] CRLF data
/// CRLF … 0 CRLF [trailer lines] CRLF`. InfluxDB answers `/query` this way. Each byte is looked
/// at once however the body is split across reads; the body, a size line and the trailer are
/// bounded, so a hostile server cannot make it grow or loop without end.
public struct HTTPChunkedDecoder: Sendable {
    /// The decoded body so far (all of it once ``feed(_:)`` returned true).
    public private(set) var body: [UInt8] = []
    /// Bytes after the body's end: the start of the next response on a kept-alive connection.
    public private(set) var rest: [UInt8] = []
    private var pending: [UInt8] = []
    private var state = State.size
    private var remaining = 0
    private var trailerBytes = 0
    private let limit: Int
    private let subject: String?

    private enum State { case size, data, dataEnd, trailer, done }

    /// The longest chunk-size line (with extensions) and trailer accepted.
    static let maximumLine = 4096

    /// `limit`: the largest body accepted; `subject` names the peer in errors.
    public init(limit: Int, subject: String? = nil) {
        self.limit = limit
        self.subject = subject
    }

    /// Takes the next bytes read; true once the body is complete (later bytes go to ``rest``).
    /// - Throws: ``SystemError`` (`EPROTO`) on a malformed framing, `EMSGSIZE` past the limit.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(SystemError) -> Bool {
        if state == .done {
            rest += bytes
            return true
        }
        pending += bytes
        var i = 0
        defer { pending.removeFirst(i) }
        while state != .done {
            switch state {
            case .size:
                guard let end = lineEnd(from: i) else {
                    guard pending.count - i <= Self.maximumLine else { throw error(EPROTO, "chunk size line too long") }
                    return false
                }
                remaining = try chunkSize(pending[i..<end])
                guard remaining <= limit - body.count else { throw error(EMSGSIZE, "chunked response body over \(limit) bytes") }
                i = end + 2
                state = remaining == 0 ? .trailer : .data
            case .data:
                let n = min(remaining, pending.count - i)
                guard n > 0 else { return false }
                guard body.count <= limit - n else { throw error(EMSGSIZE, "chunked response body over \(limit) bytes") }
                body += pending[i..<(i + n)]
                i += n
                remaining -= n
                if remaining == 0 { state = .dataEnd }
            case .dataEnd:
                guard pending.count - i >= 2 else { return false }
                guard pending[i] == 13, pending[i + 1] == 10 else { throw error(EPROTO, "chunk data not followed by CRLF") }
                i += 2
                state = .size
            case .trailer:
                guard let end = lineEnd(from: i) else {
                    guard trailerBytes + pending.count - i <= Self.maximumLine else { throw error(EPROTO, "chunked trailer too long") }
                    return false
                }
                trailerBytes += end + 2 - i
                guard trailerBytes <= Self.maximumLine else { throw error(EPROTO, "chunked trailer too long") }
                // An empty line ends the trailer, and the body.
                if end == i { state = .done }
                i = end + 2
            case .done:
                break
            }
        }
        rest = Array(pending[i...])
        return true
    }

    /// The index of the next CRLF at or after `start` in `pending`.
    private func lineEnd(from start: Int) -> Int? {
        var j = start
        while j + 1 < pending.count {
            if pending[j] == 13, pending[j + 1] == 10 { return j }
            j += 1
        }
        return nil
    }

    /// The hexadecimal size before any `;extension`, spaces around it allowed.
    private func chunkSize(_ line: ArraySlice<UInt8>) throws(SystemError) -> Int {
        let digits = line.prefix { $0 != UInt8(ascii: ";") }.drop { $0 == 32 || $0 == 9 }
        var size = 0
        var count = 0
        for byte in digits {
            if byte == 32 || byte == 9 { break }
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            default: throw error(EPROTO, "bad chunk size '\(String(decoding: line, as: UTF8.self))'")
            }
            // Past the limit already: no need to read (or overflow on) more digits.
            guard size <= limit else { throw error(EMSGSIZE, "chunked response body over \(limit) bytes") }
            size = size * 16 + value
            count += 1
        }
        guard count > 0 else { throw error(EPROTO, "bad chunk size '\(String(decoding: line, as: UTF8.self))'") }
        return size
    }

    private func error(_ code: Int32, _ operation: String) -> SystemError {
        SystemError(code: code, operation: operation, subject: subject)
    }
}
