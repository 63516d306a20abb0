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
    /// Data messages decode with Farad's own codec (a point keeps its bytes); management messages
    /// with SwiftProtobuf.
    /// - Throws: ``WireError``: `unknownMessage` for an empty request or an unknown message number,
    ///   `malformedMessage` for bytes that do not parse.
    public init(decoding payload: ArraySlice<UInt8>) throws(WireError) {
        let member = try WrapperMember.find(in: payload, wrapper: "request")
        let body = payload[member.range]
        switch member.field {
        case 1: self = .info
        case 2:
            let m: Agent_InitRequest = try decodeManagement(body, "init request")
            self = .initialize(try InitRequest(m))
        case 3:
            let m: Agent_KeepaliveRequest = try decodeManagement(body, "keepalive request")
            self = .keepalive(time: m.time)
        case 4: self = .snapshot
        case 5:
            let m: Agent_RestoreRequest = try decodeManagement(body, "restore request")
            self = .restore(snapshot: [UInt8](m.snapshot))
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
        case .initialize(let r): WrapperMember.appendFrame(field: 2, body: encodeManagement(r.message), to: &bytes)
        case .keepalive(let time):
            WrapperMember.appendFrame(field: 3, body: encodeManagement(Agent_KeepaliveRequest.with { $0.time = time }), to: &bytes)
        case .snapshot: WrapperMember.appendFrame(field: 4, body: [], to: &bytes)
        case .restore(let snapshot):
            WrapperMember.appendFrame(field: 5, body: encodeManagement(Agent_RestoreRequest.with { $0.snapshot = .init(snapshot) }), to: &bytes)
        case .begin(let b): WrapperMember.appendFrame(field: 16, size: b.encodedSize, to: &bytes, b.encode(into:))
        case .point(let p): WrapperMember.appendFrame(field: 17, size: p.encodedSize, to: &bytes, p.encode(into:))
        case .end(let e): WrapperMember.appendFrame(field: 18, size: e.encodedSize, to: &bytes, e.encode(into:))
        }
    }

    /// This request as one frame.
    public var frame: [UInt8] {
        var bytes: [UInt8] = []
        appendFrame(to: &bytes)
        return bytes
    }
}
