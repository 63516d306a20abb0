import KapacitorUDFWire
import Testing

@Suite struct FrameDecoderTests {
    /// Frames of every kind, back to back.
    static let stream: [UInt8] = {
        var bytes: [UInt8] = []
        let requests: [UDFRequest] = [
            .info,
            .initialize(InitRequest(options: [UDFOption(name: "field", values: [.string("value")])], taskID: "t", nodeID: "n1")),
            .keepalive(time: 1_700_000_000_000_000_000),
            .begin(BeginBatch(name: "cpu", group: "host=a", tags: ["host": "a"], size: 2)),
            .point(UDFPoint(time: 10, name: "cpu", tags: ["host": "a"], fieldsDouble: ["v": 1])),
            .point(UDFPoint(time: 20, name: "cpu", tags: ["host": "a"], fieldsInt: ["n": -5])),
            .end(EndBatch(name: "cpu", group: "host=a", tmax: 20, tags: ["host": "a"])),
            .snapshot,
            .restore(snapshot: [1, 2, 3]),
        ]
        for r in requests { r.appendFrame(to: &bytes) }
        return bytes
    }()

    static func decodeAll(_ chunks: [ArraySlice<UInt8>]) throws -> [UDFRequest] {
        var decoder = FrameDecoder(readChunkSize: 7)
        var out: [UDFRequest] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let payload = try decoder.next() { out.append(try UDFRequest(decoding: payload)) }
        }
        try decoder.finish()
        return out
    }

    @Test func allAtOnceByteByByteAndFrameByFrameAgree() throws {
        let whole = try Self.decodeAll([Self.stream[...]])
        #expect(whole.count == 9)
        let byteByByte = try Self.decodeAll(Self.stream.indices.map { Self.stream[$0...$0] })
        #expect(byteByByte == whole)
        // Every split point of the stream into two chunks.
        for cut in 0...Self.stream.count {
            #expect(try Self.decodeAll([Self.stream[..<cut], Self.stream[cut...]]) == whole)
        }
    }

    @Test func tenThousandFramesBackToBack() throws {
        // Kapacitor's io_test.go: the same keepalive frame 10,000 times in one buffer.
        let frame = UDFRequest.keepalive(time: 42).frame
        var bytes: [UInt8] = []
        for _ in 0..<10_000 { bytes += frame }
        var decoder = FrameDecoder()
        decoder.append(bytes)
        var count = 0
        while let payload = try decoder.next() {
            #expect(try UDFRequest(decoding: payload) == .keepalive(time: 42))
            count += 1
        }
        #expect(count == 10_000)
        try decoder.finish()
    }

    @Test func truncatedPayloadAtEOFUsesKapacitorsText() throws {
        let frame = UDFRequest.point(UDFPoint(time: 1, name: "cpu")).frame
        var decoder = FrameDecoder()
        decoder.append(frame.dropLast(3))
        #expect(try decoder.next() == nil)
        let error = #expect(throws: WireError.self) { try decoder.finish() }
        #expect(error?.code == .truncated)
        #expect(error?.message == "unexpected EOF, expected \(frame[0]) more bytes")
    }

    @Test func truncatedLengthAtEOF() throws {
        var decoder = FrameDecoder()
        decoder.append([0x80])
        #expect(try decoder.next() == nil)
        let error = #expect(throws: WireError.self) { try decoder.finish() }
        #expect(error?.message == "unexpected EOF reading a frame length")
    }

    @Test func oversizeLengthIsRejectedBeforeBuffering() throws {
        var decoder = FrameDecoder(maximumFrameSize: 1024)
        var bytes: [UInt8] = []
        Varint.append(1 << 30, to: &bytes)  // claims 1 GiB
        decoder.append(bytes)
        let error = #expect(throws: WireError.self) { try decoder.next() }
        #expect(error?.code == .frameTooLarge)
        #expect(error?.message == "frame of 1073741824 bytes exceeds the maximum of 1024 bytes")
        #expect(decoder.bufferedByteCount < 16)
    }

    @Test func varintLongerThan64BitsIsRejected() throws {
        var decoder = FrameDecoder()
        decoder.append([UInt8](repeating: 0xFF, count: 11))
        let error = #expect(throws: WireError.self) { try decoder.next() }
        #expect(error?.code == .malformedVarint)
    }

    @Test func zeroLengthFrameIsLegalFraming() throws {
        var decoder = FrameDecoder()
        decoder.append([0x00, 0x02, 0x0A, 0x00])
        #expect(try decoder.next()?.isEmpty == true)
        #expect(try UDFRequest(decoding: try #require(try decoder.next())) == .info)
    }

    @Test(arguments: [0, 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64.max])
    func varintRoundTrip(_ value: UInt64) {
        var bytes: [UInt8] = []
        Varint.append(value, to: &bytes)
        #expect(bytes.count == Varint.size(value))
        let result = bytes.withUnsafeBytes { Varint.read($0, at: 0) }
        #expect(result == .value(value, length: bytes.count))
    }

    @Test func malformedPointIsRejectedWithAReason() throws {
        // Point whose tags entry claims 100 bytes but has 2.
        let error = #expect(throws: WireError.self) { try UDFPoint(validating: [0x3A, 0x64, 0x0A, 0x00][...]) }
        #expect(error?.code == .malformedMessage)
        #expect(error?.message.hasPrefix("malformed protobuf:") == true)
    }
}
