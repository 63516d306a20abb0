/// A message an agent writes (`agent.Response`).
///
/// Every case sets exactly one member, so an empty `Response` (which crashes Kapacitor) cannot be
/// expressed.
public enum UDFResponse: Sendable, Equatable {
    case info(UDFInfo)
    case initialize(success: Bool, error: String)
    case keepalive(time: Int64)
    case snapshot([UInt8])
    case restore(success: Bool, error: String)
    /// A fatal error: the host ends the session with this text.
    case error(String)
    case begin(BeginBatch)
    case point(UDFPoint)
    case end(EndBatch)

    /// The oneof member's name.
    public var kind: String {
        switch self {
        case .info: "info"
        case .initialize: "init"
        case .keepalive: "keepalive"
        case .snapshot: "snapshot"
        case .restore: "restore"
        case .error: "error"
        case .begin: "begin"
        case .point: "point"
        case .end: "end"
        }
    }

    /// Decodes one frame's payload.
    /// - Throws: ``WireError``: `unknownMessage` for an empty response or an unknown message number,
    ///   `malformedMessage` for bytes that do not parse.
    public init(decoding payload: ArraySlice<UInt8>) throws(WireError) {
        let member = try WrapperMember.find(in: payload, wrapper: "response")
        let body = payload[member.range]
        switch member.field {
        case 1: self = .info(try ManagementDecoder.info(body))
        case 2:
            let (success, error) = try ManagementDecoder.status(body, "init response")
            self = .initialize(success: success, error: error)
        case 3: self = .keepalive(time: try ManagementDecoder.varint1(body, "keepalive response"))
        case 4: self = .snapshot(try ManagementDecoder.bytes1(body, "snapshot response"))
        case 5:
            let (success, error) = try ManagementDecoder.status(body, "restore response")
            self = .restore(success: success, error: error)
        case 6: self = .error(try ManagementDecoder.error(body))
        case 16: self = .begin(try body.withWireBytes { (raw) throws(WireError) in try BeginBatch(decoding: raw, range: 0..<raw.count) })
        case 17: self = .point(try UDFPoint(validating: body))
        case 18: self = .end(try body.withWireBytes { (raw) throws(WireError) in try EndBatch(decoding: raw, range: 0..<raw.count) })
        default:
            throw WireError(.unknownMessage, "response message number \(member.field) is not part of the UDF protocol")
        }
    }

    /// Appends this response as one frame: uvarint length, then the `agent.Response` bytes.
    public func appendFrame(to bytes: inout [UInt8]) {
        switch self {
        case .info(let info): WrapperMember.appendFrame(field: 1, body: ManagementEncoder.info(info), to: &bytes)
        case .initialize(let success, let error):
            WrapperMember.appendFrame(field: 2, body: ManagementEncoder.status(success: success, error: error), to: &bytes)
        case .keepalive(let time): WrapperMember.appendFrame(field: 3, body: ManagementEncoder.keepalive(time), to: &bytes)
        case .snapshot(let blob): WrapperMember.appendFrame(field: 4, body: ManagementEncoder.bytesField(blob), to: &bytes)
        case .restore(let success, let error):
            WrapperMember.appendFrame(field: 5, body: ManagementEncoder.status(success: success, error: error), to: &bytes)
        case .error(let text): WrapperMember.appendFrame(field: 6, body: ManagementEncoder.error(text), to: &bytes)
        case .begin(let b): WrapperMember.appendFrame(field: 16, size: b.encodedSize, to: &bytes, b.write(to:))
        case .point(let p): p.appendFrame(to: &bytes)
        case .end(let e): WrapperMember.appendFrame(field: 18, size: e.encodedSize, to: &bytes, e.write(to:))
        }
    }

    /// This response as one frame.
    public var frame: [UInt8] {
        var bytes: [UInt8] = []
        appendFrame(to: &bytes)
        return bytes
    }
}
