import KapacitorUDFWire
import Testing

/// The reference frames of shared/spec/udf-protocol.md §1, produced identically by protoc and protobuf-go.
@Suite struct GoldenFrameTests {
    static func hex(_ s: String) -> [UInt8] {
        s.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    static let requests: [(String, UDFRequest, String)] = [
        ("info", .info, "02 0A 00"),
        ("keepalive 42", .keepalive(time: 42), "04 1A 02 08 2A"),
        ("begin cpu size 2", .begin(BeginBatch(name: "cpu", size: 2)), "0A 82 01 07 0A 03 63 70 75 20 02"),
        ("end cpu tmax 1", .end(EndBatch(name: "cpu", tmax: 1)), "0A 92 01 07 0A 03 63 70 75 18 01"),
        ("point double", .point(UDFPoint(time: 1, fieldsDouble: ["v": 1.5])),
         "13 8A 01 10 08 01 42 0C 0A 01 76 11 00 00 00 00 00 00 F8 3F"),
        ("point int zero", .point(UDFPoint(fieldsInt: ["v": 0])), "0A 8A 01 07 4A 05 0A 01 76 10 00"),
        ("init size 0", .initialize(InitRequest(options: [UDFOption(name: "size", values: [.int(0)])])),
         "10 12 0E 0A 0C 0A 04 73 69 7A 65 12 04 08 01 18 00"),
    ]

    static let responses: [(String, UDFResponse, String)] = [
        ("keepalive 42", .keepalive(time: 42), "04 1A 02 08 2A"),
        ("init ok", .initialize(success: true, error: ""), "04 12 02 08 01"),
        ("init failed", .initialize(success: false, error: "x"), "05 12 03 12 01 78"),
        ("error", .error("x"), "05 32 03 0A 01 78"),
        ("empty snapshot", .snapshot([]), "02 22 00"),
        ("info", .info(UDFInfo(wants: .stream, provides: .batch, options: ["f": [.string, .double]])),
         "0F 0A 0D 10 01 1A 09 0A 01 66 12 04 0A 02 03 02"),
        ("info zero-arg option", .info(UDFInfo(wants: .stream, provides: .stream, options: ["f": []])),
         "09 0A 07 1A 05 0A 01 66 12 00"),
        ("point bool byName", .point(UDFPoint(fieldsBool: ["b": true], byName: true)),
         "0C 8A 01 09 58 01 62 05 0A 01 62 10 01"),
    ]

    @Test(arguments: requests.indices)
    func requestEncodesToGoldenBytes(_ i: Int) {
        let (name, request, bytes) = Self.requests[i]
        #expect(request.frame == Self.hex(bytes), "\(name)")
    }

    @Test(arguments: requests.indices)
    func requestDecodesFromGoldenBytes(_ i: Int) throws {
        let (name, request, bytes) = Self.requests[i]
        var decoder = FrameDecoder()
        decoder.append(Self.hex(bytes))
        let payload = try #require(try decoder.next(), "\(name)")
        #expect(try UDFRequest(decoding: payload) == request, "\(name)")
        #expect(try decoder.next() == nil)
        try decoder.finish()
    }

    @Test(arguments: responses.indices)
    func responseEncodesToGoldenBytes(_ i: Int) {
        let (name, response, bytes) = Self.responses[i]
        #expect(response.frame == Self.hex(bytes), "\(name)")
    }

    @Test(arguments: responses.indices)
    func responseDecodesFromGoldenBytes(_ i: Int) throws {
        let (name, response, bytes) = Self.responses[i]
        var decoder = FrameDecoder()
        decoder.append(Self.hex(bytes))
        let payload = try #require(try decoder.next(), "\(name)")
        #expect(try UDFResponse(decoding: payload) == response, "\(name)")
    }

    @Test func emptyResponseFrameIsRejected() throws {
        var decoder = FrameDecoder()
        decoder.append([0x00])
        let payload = try #require(try decoder.next())
        #expect(payload.isEmpty)
        let error = #expect(throws: WireError.self) { try UDFResponse(decoding: payload) }
        #expect(error?.code == .unknownMessage)
        #expect(error?.message == "empty response: no message set")
    }

    @Test func unknownMessageNumberIsNamed() throws {
        // Request with field 7 (unused in the protocol), an empty message.
        let error = #expect(throws: WireError.self) { try UDFRequest(decoding: [0x3A, 0x00][...]) }
        #expect(error?.message == "request message number 7 is not part of the UDF protocol")
    }

    @Test func decodedPointPassesThroughByteForByte() throws {
        let frame = Self.hex("13 8A 01 10 08 01 42 0C 0A 01 76 11 00 00 00 00 00 00 F8 3F")
        var decoder = FrameDecoder()
        decoder.append(frame)
        guard case .point(let point) = try UDFRequest(decoding: try #require(try decoder.next())) else {
            Issue.record("not a point")
            return
        }
        #expect(point.isEncoded)
        #expect(point.time == 1)
        #expect(point.double("v") == 1.5)
        #expect(point.double("w") == nil)
        // Request.point and Response.point share number 17: echoing is a byte copy.
        #expect(UDFResponse.point(point).frame == frame)
    }
}
