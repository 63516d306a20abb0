/// A message the host writes (`agent.Request`).
public enum UDFRequest: Sendable, Equatable {
    case info
    case initialize(InitRequest)
    /// Host wall clock in ns; agents echo it.
    case keepalive(time: Int64)
    case snapshot
    case restore(snapshot: [UInt8])
    case begin(BeginBatch)
    case point(UDFPoint)
    case end(EndBatch)

    /// The oneof member's name, as Kapacitor's agents name request kinds in error texts.
    public var kind: String {
        switch self {
        case .info: "info"
        case .initialize: "init"
        case .keepalive: "keepalive"
        case .snapshot: "snapshot"
        case .restore: "restore"
        case .begin: "begin"
        case .point: "point"
        case .end: "end"
        }
    }

    /// Decodes one frame's payload.
    ///
    /// A point keeps its bytes and decodes lazily; everything else decodes at once.
    /// - Throws: ``WireError``: `unknownMessage` for an empty request or an unknown message number,
    ///   `malformedMessage` for bytes that do not parse.
    public init(decoding payload: ArraySlice<UInt8>) throws(WireError) {
        let member = try WrapperMember.find(in: payload, wrapper: "request")
        let body = payload[member.range]
        switch member.field {
        case 1: self = .info
        case 2: self = .initialize(try ManagementDecoder.initRequest(body))
        case 3: self = .keepalive(time: try ManagementDecoder.varint1(body, "keepalive request"))
        case 4: self = .snapshot
        case 5: self = .restore(snapshot: try ManagementDecoder.bytes1(body, "restore request"))
        case 16: self = .begin(try body.withWireBytes { (raw) throws(WireError) in try BeginBatch(decoding: raw, range: 0..<raw.count) })
        case 17: self = .point(try UDFPoint(validating: body))
        case 18: self = .end(try body.withWireBytes { (raw) throws(WireError) in try EndBatch(decoding: raw, range: 0..<raw.count) })
        default:
            throw WireError(.unknownMessage, "request message number \(member.field) is not part of the UDF protocol")
        }
    }

    /// Appends this request as one frame: uvarint length, then the `agent.Request` bytes.
    public func appendFrame(to bytes: inout [UInt8]) {
        switch self {
        case .info: WrapperMember.appendFrame(field: 1, body: [], to: &bytes)
        case .initialize(let r): WrapperMember.appendFrame(field: 2, body: ManagementEncoder.initRequest(r), to: &bytes)
        case .keepalive(let time): WrapperMember.appendFrame(field: 3, body: ManagementEncoder.keepalive(time), to: &bytes)
        case .snapshot: WrapperMember.appendFrame(field: 4, body: [], to: &bytes)
        case .restore(let snapshot): WrapperMember.appendFrame(field: 5, body: ManagementEncoder.bytesField(snapshot), to: &bytes)
        case .begin(let b): WrapperMember.appendFrame(field: 16, size: b.encodedSize, to: &bytes, b.write(to:))
        case .point(let p): p.appendFrame(to: &bytes)
        case .end(let e): WrapperMember.appendFrame(field: 18, size: e.encodedSize, to: &bytes, e.write(to:))
        }
    }

    /// This request as one frame.
    public var frame: [UInt8] {
        var bytes: [UInt8] = []
        appendFrame(to: &bytes)
        return bytes
    }
}
