import SwiftProtobuf

/// The `oneof message` member of a `Request` or `Response` wrapper.
enum WrapperMember {
    /// Whether `field` is a oneof member of `Request` or `Response` (6 exists only in `Response`).
    @inline(__always)
    static func isKnown(_ field: UInt64) -> Bool {
        switch field {
        case 1...6, 16...18: true
        default: false
        }
    }

    /// Finds the member that is set (the last one, as protobuf's oneof rule says). The returned
    /// range is in `payload`'s indices.
    static func find(in payload: ArraySlice<UInt8>, wrapper: String) throws(WireError) -> (field: UInt64, range: Range<Int>) {
        let base = payload.startIndex
        return try payload.withWireBytes { (raw) throws(WireError) in
            var s = WireScanner(raw)
            var member: (field: UInt64, range: Range<Int>)?
            var unknown: UInt64?
            while let (field, wire) = try s.tag() {
                if isKnown(field) {
                    try s.expect(.lengthDelimited, wire, field: "message member")
                    let r = try s.lengthDelimited()
                    member = (field, (r.lowerBound + base)..<(r.upperBound + base))
                } else {
                    unknown = unknown ?? field
                    try s.skip(wire)
                }
            }
            if let member { return member }
            if let unknown {
                throw WireError(.unknownMessage, "\(wrapper) message number \(unknown) is not part of the UDF protocol")
            }
            throw WireError(.unknownMessage, "empty \(wrapper): no message set")
        }
    }

    /// Appends `uvarint(len) + tag + uvarint(len(body)) + body`.
    static func appendFrame(field: UInt64, body: [UInt8], to bytes: inout [UInt8]) {
        appendFrame(field: field, size: body.count, to: &bytes) { $0.append(contentsOf: body) }
    }

    /// Appends a frame whose member body has `size` bytes, written by `write`.
    @inline(__always)
    static func appendFrame(field: UInt64, size: Int, to bytes: inout [UInt8], _ write: (inout [UInt8]) -> Void) {
        let payload = WireWriter.lengthDelimitedSize(field, size)
        bytes.reserveCapacity(bytes.count + Varint.size(UInt64(payload)) + payload)
        Varint.append(UInt64(payload), to: &bytes)
        WireWriter.appendTag(field, .lengthDelimited, to: &bytes)
        Varint.append(UInt64(size), to: &bytes)
        write(&bytes)
    }
}

func decodeManagement<M: SwiftProtobuf.Message>(_ body: ArraySlice<UInt8>, _ what: String) throws(WireError) -> M {
    do {
        return try M(serializedBytes: [UInt8](body))
    } catch {
        throw WireError.malformed("\(what): \(error)")
    }
}

func encodeManagement<M: SwiftProtobuf.Message>(_ message: M) -> [UInt8] {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    // Encoding a message of proto3 scalars, strings and maps cannot fail.
    return (try? message.serializedBytes(options: options)) ?? []
}

extension InitRequest {
    init(_ m: Agent_InitRequest) throws(WireError) {
        var options: [UDFOption] = []
        for o in m.options {
            var values: [OptionValue] = []
            for v in o.values { values.append(try OptionValue(v)) }
            options.append(UDFOption(name: o.name, values: values))
        }
        self.init(options: options, taskID: m.taskID, nodeID: m.nodeID)
    }

    var message: Agent_InitRequest {
        .with {
            $0.taskID = taskID
            $0.nodeID = nodeID
            $0.options = options.map { option in
                .with {
                    $0.name = option.name
                    $0.values = option.values.map(\.message)
                }
            }
        }
    }
}

extension OptionValue {
    init(_ m: Agent_OptionValue) throws(WireError) {
        switch m.value {
        case .boolValue(let v): self = .bool(v)
        case .intValue(let v): self = .int(v)
        case .doubleValue(let v): self = .double(v)
        case .stringValue(let v): self = .string(v)
        case .durationValue(let v): self = .duration(v)
        case nil:
            // No value set: the declared type's default, as a proto3 reader sees it.
            switch m.type {
            case .bool: self = .bool(false)
            case .int: self = .int(0)
            case .double: self = .double(0)
            case .string: self = .string("")
            case .duration: self = .duration(0)
            case .UNRECOGNIZED(let n): throw WireError.malformed("unknown option value type \(n)")
            }
        }
    }

    var message: Agent_OptionValue {
        .with {
            switch self {
            case .bool(let v): $0.type = .bool; $0.boolValue = v
            case .int(let v): $0.type = .int; $0.intValue = v
            case .double(let v): $0.type = .double; $0.doubleValue = v
            case .string(let v): $0.type = .string; $0.stringValue = v
            case .duration(let v): $0.type = .duration; $0.durationValue = v
            }
        }
    }
}

extension UDFInfo {
    init(_ m: Agent_InfoResponse) throws(WireError) {
        func edge(_ e: Agent_EdgeType) throws(WireError) -> EdgeType {
            switch e {
            case .stream: return .stream
            case .batch: return .batch
            case .UNRECOGNIZED(let n): throw WireError.malformed("unknown edge type \(n)")
            }
        }
        var options: [String: [ValueType]] = [:]
        for (name, info) in m.options {
            var types: [ValueType] = []
            for t in info.valueTypes {
                guard let type = ValueType(rawValue: t.rawValue) else {
                    throw WireError.malformed("unknown value type \(t.rawValue) for option \(name)")
                }
                types.append(type)
            }
            options[name] = types
        }
        self.init(wants: try edge(m.wants), provides: try edge(m.provides), options: options)
    }

    var message: Agent_InfoResponse {
        .with {
            $0.wants = wants == .stream ? .stream : .batch
            $0.provides = provides == .stream ? .stream : .batch
            $0.options = options.mapValues { types in
                .with { $0.valueTypes = types.map { Agent_ValueType(rawValue: $0.rawValue) ?? .bool } }
            }
        }
    }
}
