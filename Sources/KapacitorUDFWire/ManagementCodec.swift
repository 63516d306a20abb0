// Hand codec for the management messages (shared/spec/udf-protocol.md §2.3), so the wire module
// needs no protobuf runtime (and a UDF binary no Foundation). Encodings follow protoc exactly:
// ascending field numbers, proto3 defaults omitted, set oneof members always emitted, map
// entries with key and value, packed repeated enums. SwiftProtobuf checks all of it in the
// differential tests.

/// Encoders of management message bodies (no wrapper, no frame).
enum ManagementEncoder {
    static func keepalive(_ time: Int64) -> [UInt8] {
        var b: [UInt8] = []
        if time != 0 { WireWriter.appendVarint(1, UInt64(bitPattern: time), to: &b) }
        return b
    }

    static func bytesField(_ blob: [UInt8]) -> [UInt8] {
        var b: [UInt8] = []
        if !blob.isEmpty { WireWriter.appendBytes(1, blob, count: blob.count, to: &b) }
        return b
    }

    /// InitResponse and RestoreResponse: `success` = 1, `error` = 2.
    static func status(success: Bool, error: String) -> [UInt8] {
        var b: [UInt8] = []
        if success { WireWriter.appendVarint(1, 1, to: &b) }
        WireWriter.appendOptionalString(2, error, to: &b)
        return b
    }

    static func error(_ text: String) -> [UInt8] {
        var b: [UInt8] = []
        WireWriter.appendOptionalString(1, text, to: &b)
        return b
    }

    static func info(_ info: UDFInfo) -> [UInt8] {
        var b: [UInt8] = []
        if info.wants != .stream { WireWriter.appendVarint(1, UInt64(info.wants.rawValue), to: &b) }
        if info.provides != .stream { WireWriter.appendVarint(2, UInt64(info.provides.rawValue), to: &b) }
        for name in info.options.keys.sorted() {
            // OptionInfo{valueTypes}: packed enums (each value < 128, so one byte each).
            let types = info.options[name]!
            var optionInfo: [UInt8] = []
            if !types.isEmpty { WireWriter.appendBytes(1, types.map { UInt8($0.rawValue) }, count: types.count, to: &optionInfo) }
            var entry: [UInt8] = []
            WireWriter.appendString(1, name, to: &entry)
            WireWriter.appendBytes(2, optionInfo, count: optionInfo.count, to: &entry)
            WireWriter.appendBytes(3, entry, count: entry.count, to: &b)
        }
        return b
    }

    static func initRequest(_ request: InitRequest) -> [UInt8] {
        var b: [UInt8] = []
        for option in request.options {
            var o: [UInt8] = []
            WireWriter.appendOptionalString(1, option.name, to: &o)
            for value in option.values {
                var v: [UInt8] = []
                if value.type != .bool { WireWriter.appendVarint(1, UInt64(value.type.rawValue), to: &v) }
                switch value {
                case .bool(let x): WireWriter.appendVarint(2, x ? 1 : 0, to: &v)
                case .int(let x): WireWriter.appendVarint(3, UInt64(bitPattern: x), to: &v)
                case .double(let x): WireWriter.appendFixed64(4, x.bitPattern, to: &v)
                case .string(let x): WireWriter.appendString(5, x, to: &v)
                case .duration(let x): WireWriter.appendVarint(6, UInt64(bitPattern: x), to: &v)
                }
                WireWriter.appendBytes(2, v, count: v.count, to: &o)
            }
            WireWriter.appendBytes(1, o, count: o.count, to: &b)
        }
        WireWriter.appendOptionalString(2, request.taskID, to: &b)
        WireWriter.appendOptionalString(3, request.nodeID, to: &b)
        return b
    }
}

/// Decoders of management message bodies. Unknown fields are skipped; missing ones read as defaults.
enum ManagementDecoder {
    static func decode<R>(_ body: ArraySlice<UInt8>, _ what: String, _ read: (inout WireScanner) throws(WireError) -> R) throws(WireError) -> R {
        try body.withWireBytes { (raw) throws(WireError) in
            var s = WireScanner(raw)
            do throws(WireError) {
                return try read(&s)
            } catch {
                throw WireError(error.code, "\(error.message) in \(what)")
            }
        }
    }

    /// A message whose only field 1 is a varint (keepalive time).
    static func varint1(_ body: ArraySlice<UInt8>, _ what: String) throws(WireError) -> Int64 {
        try decode(body, what) { (s) throws(WireError) in
            var value: Int64 = 0
            while let (field, wire) = try s.tag() {
                if field == 1 { try s.expect(.varint, wire, field: "time"); value = Int64(bitPattern: try s.varint()) } else { try s.skip(wire) }
            }
            return value
        }
    }

    /// A message whose only field 1 is bytes (snapshot blobs).
    static func bytes1(_ body: ArraySlice<UInt8>, _ what: String) throws(WireError) -> [UInt8] {
        try decode(body, what) { (s) throws(WireError) in
            var value: [UInt8] = []
            while let (field, wire) = try s.tag() {
                if field == 1 {
                    try s.expect(.lengthDelimited, wire, field: "snapshot")
                    value = Array(s.bytes[try s.lengthDelimited()])
                } else {
                    try s.skip(wire)
                }
            }
            return value
        }
    }

    /// InitResponse / RestoreResponse.
    static func status(_ body: ArraySlice<UInt8>, _ what: String) throws(WireError) -> (Bool, String) {
        try decode(body, what) { (s) throws(WireError) in
            var success = false
            var error = ""
            while let (field, wire) = try s.tag() {
                switch field {
                case 1: try s.expect(.varint, wire, field: "success"); success = try s.varint() != 0
                case 2: try s.expect(.lengthDelimited, wire, field: "error"); error = try s.string(try s.lengthDelimited())
                default: try s.skip(wire)
                }
            }
            return (success, error)
        }
    }

    static func error(_ body: ArraySlice<UInt8>) throws(WireError) -> String {
        try decode(body, "error response") { (s) throws(WireError) in
            var text = ""
            while let (field, wire) = try s.tag() {
                if field == 1 { try s.expect(.lengthDelimited, wire, field: "error"); text = try s.string(try s.lengthDelimited()) } else { try s.skip(wire) }
            }
            return text
        }
    }

    static func edge(_ value: UInt64) throws(WireError) -> EdgeType {
        guard let e = EdgeType(rawValue: Int(truncatingIfNeeded: value)), value <= 1 else {
            throw WireError.malformed("unknown edge type \(value)")
        }
        return e
    }

    static func valueType(_ value: UInt64) throws(WireError) -> ValueType {
        guard value <= 4, let t = ValueType(rawValue: Int(value)) else { throw WireError.malformed("unknown value type \(value)") }
        return t
    }

    static func info(_ body: ArraySlice<UInt8>) throws(WireError) -> UDFInfo {
        try decode(body, "info response") { (s) throws(WireError) in
            var info = UDFInfo(wants: .stream, provides: .stream)
            while let (field, wire) = try s.tag() {
                switch field {
                case 1: try s.expect(.varint, wire, field: "wants"); info.wants = try edge(try s.varint())
                case 2: try s.expect(.varint, wire, field: "provides"); info.provides = try edge(try s.varint())
                case 3:
                    try s.expect(.lengthDelimited, wire, field: "options")
                    var entry = WireScanner(s.bytes, range: try s.lengthDelimited())
                    var name = ""
                    var types: [ValueType] = []
                    while let (f, w) = try entry.tag() {
                        switch f {
                        case 1: try entry.expect(.lengthDelimited, w, field: "option name"); name = try entry.string(try entry.lengthDelimited())
                        case 2:
                            try entry.expect(.lengthDelimited, w, field: "OptionInfo")
                            types = []
                            var optionInfo = WireScanner(entry.bytes, range: try entry.lengthDelimited())
                            while let (g, gw) = try optionInfo.tag() {
                                guard g == 1 else { try optionInfo.skip(gw); continue }
                                if gw == .varint {
                                    types.append(try valueType(try optionInfo.varint()))
                                } else {
                                    try optionInfo.expect(.lengthDelimited, gw, field: "valueTypes")
                                    var packed = WireScanner(optionInfo.bytes, range: try optionInfo.lengthDelimited())
                                    while !packed.isAtEnd { types.append(try valueType(try packed.varint())) }
                                }
                            }
                        default: try entry.skip(w)
                        }
                    }
                    info.options[name] = types
                default: try s.skip(wire)
                }
            }
            return info
        }
    }

    static func initRequest(_ body: ArraySlice<UInt8>) throws(WireError) -> InitRequest {
        try decode(body, "init request") { (s) throws(WireError) in
            var request = InitRequest()
            while let (field, wire) = try s.tag() {
                switch field {
                case 1:
                    try s.expect(.lengthDelimited, wire, field: "options")
                    request.options.append(try option(WireScanner(s.bytes, range: try s.lengthDelimited())))
                case 2: try s.expect(.lengthDelimited, wire, field: "taskID"); request.taskID = try s.string(try s.lengthDelimited())
                case 3: try s.expect(.lengthDelimited, wire, field: "nodeID"); request.nodeID = try s.string(try s.lengthDelimited())
                default: try s.skip(wire)
                }
            }
            return request
        }
    }

    static func option(_ scanner: WireScanner) throws(WireError) -> UDFOption {
        var s = scanner
        var option = UDFOption(name: "", values: [])
        while let (field, wire) = try s.tag() {
            switch field {
            case 1: try s.expect(.lengthDelimited, wire, field: "option name"); option.name = try s.string(try s.lengthDelimited())
            case 2:
                try s.expect(.lengthDelimited, wire, field: "option value")
                option.values.append(try optionValue(WireScanner(s.bytes, range: try s.lengthDelimited())))
            default: try s.skip(wire)
            }
        }
        return option
    }

    static func optionValue(_ scanner: WireScanner) throws(WireError) -> OptionValue {
        var s = scanner
        var type = ValueType.bool
        var value: OptionValue?
        while let (field, wire) = try s.tag() {
            switch field {
            case 1: try s.expect(.varint, wire, field: "value type"); type = try valueType(try s.varint())
            case 2: try s.expect(.varint, wire, field: "boolValue"); value = .bool(try s.varint() != 0)
            case 3: try s.expect(.varint, wire, field: "intValue"); value = .int(Int64(bitPattern: try s.varint()))
            case 4: try s.expect(.fixed64, wire, field: "doubleValue"); value = .double(Double(bitPattern: try s.fixed64()))
            case 5: try s.expect(.lengthDelimited, wire, field: "stringValue"); value = .string(try s.string(try s.lengthDelimited()))
            case 6: try s.expect(.varint, wire, field: "durationValue"); value = .duration(Int64(bitPattern: try s.varint()))
            default: try s.skip(wire)
            }
        }
        if let value { return value }
        // No value set: the declared type's default, as a proto3 reader sees it.
        switch type {
        case .bool: return .bool(false)
        case .int: return .int(0)
        case .double: return .double(0)
        case .string: return .string("")
        case .duration: return .duration(0)
        }
    }
}
