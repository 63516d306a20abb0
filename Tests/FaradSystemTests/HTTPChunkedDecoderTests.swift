import FaradSystem
import Testing

/// Chunked bodies as InfluxDB's `/query` sends them, split across reads at every byte, with
/// extensions, trailers and the next response behind them; malformed and oversized framings.
@Suite struct HTTPChunkedDecoderTests {
    /// Feeds `bytes` in pieces of `size`; the body and rest once complete, nil if it never is.
    static func decode(_ bytes: [UInt8], pieces size: Int, limit: Int = 1 << 20) throws(SystemError) -> (body: String, rest: String)? {
        var decoder = HTTPChunkedDecoder(limit: limit)
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            if try decoder.feed(bytes[start..<end]) {
                if end < bytes.count { _ = try decoder.feed(bytes[end...]) }
                return (String(decoding: decoder.body, as: UTF8.self), String(decoding: decoder.rest, as: UTF8.self))
            }
            start = end
        }
        return nil
    }

    @Test(arguments: 1...12) func splitAnywhereDecodesTheSame(pieceSize: Int) throws {
        // 0xee = 238 bytes, then a chunk with an extension, the last chunk, a trailer.
        let payload = String(repeating: "x", count: 238)
        let wire = Array("ee\r\n\(payload)\r\n3;name=v\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\nHTTP/1.1 204".utf8)
        let decoded = try #require(try Self.decode(wire, pieces: pieceSize))
        #expect(decoded.body == payload + "abc")
        #expect(decoded.rest == "HTTP/1.1 204")
    }

    @Test func anEmptyBodyIsJustTheLastChunk() throws {
        let decoded = try #require(try Self.decode(Array("0\r\n\r\n".utf8), pieces: 1))
        #expect(decoded.body.isEmpty && decoded.rest.isEmpty)
    }

    @Test func anUnfinishedBodyAsksForMore() throws {
        #expect(try Self.decode(Array("5\r\nab".utf8), pieces: 100) == nil)
        #expect(try Self.decode(Array("2\r\nab\r\n0\r\n".utf8), pieces: 100) == nil)
    }

    @Test(arguments: [
        ("zz\r\n", "bad chunk size"),
        ("\r\n", "bad chunk size"),
        ("2\r\nabXY", "not followed by CRLF"),
        (String(repeating: "1", count: 5000), "too long"),
        ("0\r\n" + String(repeating: "t", count: 5000), "too long"),
        ("ffffffffffffffffffffffff\r\n", "over 1048576 bytes"),
        ("100001\r\n", "over 1048576 bytes"),
    ])
    func malformedFramingsAreErrors(wire: String, message: String) {
        #expect {
            _ = try Self.decode(Array(wire.utf8), pieces: 7)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func chunksAddingUpPastTheLimitAreAnError() {
        let chunk = "8\r\n12345678\r\n"
        #expect(throws: SystemError.self) {
            _ = try Self.decode(Array(String(repeating: chunk, count: 3).utf8), pieces: 5, limit: 20)
        }
    }
}
