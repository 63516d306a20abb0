// The encoded side of UDFPoint: validation, lazy field access, full decoding and encoding.
// Field numbers are those of agent.Point (shared/spec/udf-protocol.md §2.4).

extension UDFPoint {
    /// Checks that `raw` is a well-formed `agent.Point`, so later accessors can scan it without
    /// failing: wire types, lengths, map entries and UTF-8. Unknown fields are allowed (and kept
    /// on pass-through). Dispatches on raw tags: this runs for every point a session receives.
    static func validate(_ raw: UnsafeRawBufferPointer) throws(WireError) {
        var s = WireScanner(raw)
        while !s.isAtEnd {
            let key = try s.varint()
            switch key {
            case 0x08, 0x58:  // time, byName
                _ = try s.varint()
            case 0x12, 0x1A, 0x22, 0x2A, 0x32:  // name, database, retentionPolicy, group, dimensions
                try s.validateUTF8(try s.lengthDelimited())
            case 0x3A, 0x52:  // tags, fieldsString
                try s.validateMapEntry(try s.lengthDelimited(), valueKey: 0x12)
            case 0x42:  // fieldsDouble
                try s.validateMapEntry(try s.lengthDelimited(), valueKey: 0x11)
            case 0x4A, 0x62:  // fieldsInt, fieldsBool
                try s.validateMapEntry(try s.lengthDelimited(), valueKey: 0x10)
            default:
                guard let wire = WireType(rawValue: UInt8(key & 7)), key >> 3 != 0 else {
                    throw WireError.malformed("invalid tag \(key)")
                }
                if (1...12).contains(key >> 3) {
                    throw WireError.malformed("wrong wire type \(wire.rawValue) for Point field \(key >> 3)")
                }
                try s.skip(wire)
            }
        }
    }

    /// All fields, decoded.
    @usableFromInline
    var fields: PointFields {
        switch storage {
        case .decoded(let box): return box.fields
        case .encoded(let bytes):
            // Validated at construction, so this cannot fail.
            return (try? bytes.withWireBytes { (raw) throws(WireError) in try Self.decodeFields(raw) }) ?? PointFields()
        }
    }

    static func decodeFields(_ raw: UnsafeRawBufferPointer) throws(WireError) -> PointFields {
        var f = PointFields()
        var s = WireScanner(raw)
        while let (field, wire) = try s.tag() {
            switch field {
            case 1: f.time = Int64(bitPattern: try s.varint())
            case 2: f.name = try s.string(try s.lengthDelimited())
            case 3: f.database = try s.string(try s.lengthDelimited())
            case 4: f.retentionPolicy = try s.string(try s.lengthDelimited())
            case 5: f.group = try s.string(try s.lengthDelimited())
            case 6: f.dimensions.append(try s.string(try s.lengthDelimited()))
            case 7: try s.decodeEntry(try s.lengthDelimited(), StringValueCodec.self, into: &f.tags)
            case 8: try s.decodeEntry(try s.lengthDelimited(), DoubleValueCodec.self, into: &f.fieldsDouble)
            case 9: try s.decodeEntry(try s.lengthDelimited(), Int64ValueCodec.self, into: &f.fieldsInt)
            case 10: try s.decodeEntry(try s.lengthDelimited(), StringValueCodec.self, into: &f.fieldsString)
            case 11: f.byName = try s.varint() != 0
            case 12: try s.decodeEntry(try s.lengthDelimited(), BoolValueCodec.self, into: &f.fieldsBool)
            default: try s.skip(wire)
            }
        }
        return f
    }

    /// A varint field, last occurrence wins (protobuf's rule for scalars).
    @inlinable
    func scalar<T>(field: UInt64, decoded: KeyPath<PointFields, T>, _ convert: (UInt64) -> T) -> T {
        switch storage {
        case .decoded(let box): return box.fields[keyPath: decoded]
        case .encoded(let bytes):
            let v: UInt64 = bytes.withUnsafeBytes { raw in
                var s = WireScanner(raw)
                var value: UInt64 = 0
                while let (f, wire) = try? s.tag() {
                    if f == field { value = (try? s.varint()) ?? 0 } else if (try? s.skip(wire)) == nil { break }
                }
                return value
            }
            return convert(v)
        }
    }

    /// A string field, last occurrence wins.
    @inlinable
    func text(field: UInt64, decoded: KeyPath<PointFields, String>) -> String {
        switch storage {
        case .decoded(let box): return box.fields[keyPath: decoded]
        case .encoded(let bytes):
            return bytes.withUnsafeBytes { raw in
                var s = WireScanner(raw)
                var found: Range<Int>?
                while let (f, wire) = try? s.tag() {
                    if f == field { found = try? s.lengthDelimited() } else if (try? s.skip(wire)) == nil { break }
                }
                guard let found else { return "" }
                return (try? s.string(found)) ?? ""
            }
        }
    }

    /// One map value by key, scanning entries of `field` without building the map.
    @inlinable
    func lookup<C: MapValueCodec>(
        _ key: String, field: UInt64, _ codec: C.Type, decoded: KeyPath<PointFields, [String: C.Value]>
    ) -> C.Value? {
        switch storage {
        case .decoded(let box): return box.fields[keyPath: decoded][key]
        case .encoded(let bytes):
            var key = key
            return key.withUTF8 { keyBytes in
                bytes.withUnsafeBytes { raw -> C.Value? in
                    var s = WireScanner(raw)
                    var result: C.Value?
                    while let (f, wire) = try? s.tag() {
                        guard f == field else {
                            if (try? s.skip(wire)) == nil { break }
                            continue
                        }
                        guard let range = try? s.lengthDelimited(),
                              let (k, v) = try? s.entry(range, valueWire: C.wireType) else { break }
                        if s.equals(k, UnsafeRawBufferPointer(keyBytes)) { result = try? C.decode(v, in: s) }
                    }
                    return result
                }
            }
        }
    }

    /// The size of the encoded `agent.Point`.
    public var encodedSize: Int {
        switch storage {
        case .encoded(let bytes): return bytes.count
        case .decoded(let box): return box.fields.encodedSize
        }
    }

    /// Appends this point as a whole frame: `Request{point}` and `Response{point}` share message
    /// number 17, so the bytes are the same in both directions.
    public func appendFrame(to bytes: inout [UInt8]) {
        switch storage {
        case .encoded(let encoded):
            // Pass-through: a header and one copy of the bytes.
            Varint.append(UInt64(2 + Varint.size(UInt64(encoded.count)) + encoded.count), to: &bytes)
            bytes.append(0x8A)
            bytes.append(0x01)
            Varint.append(UInt64(encoded.count), to: &bytes)
            bytes.append(contentsOf: encoded)
        case .decoded(let box):
            if box.fields.appendFrameInOnePass(to: &bytes) { return }
            WrapperMember.appendFrame(field: 17, size: encodedSize, to: &bytes, write(to:))
        }
    }

    /// Appends the protobuf encoding of this `agent.Point` (no length prefix) to `bytes`.
    public func encode(into bytes: inout [UInt8]) {
        RawWriter.append(exactly: encodedSize, to: &bytes, write(to:))
    }

    func write(to writer: inout RawWriter) {
        switch storage {
        case .encoded(let encoded): writer.bytes(encoded)
        case .decoded(let box): box.fields.write(to: &writer)
        }
    }
}

extension PointFields {
    /// Encodes into a stack buffer in one pass (no sizing pass over the maps), then appends the
    /// frame header and the body. False if the point does not fit in the buffer.
    func appendFrameInOnePass(to bytes: inout [UInt8]) -> Bool {
        withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 1) { scratch in
            let base = scratch.baseAddress!
            var w = RawWriter(base, limit: base + scratch.count)
            write(to: &w)
            guard !w.overflowed else { return false }
            let body = UnsafeRawBufferPointer(start: base, count: w.pointer - base)
            WrapperMember.appendFrame(field: 17, size: body.count, to: &bytes) { $0.bytes(body) }
            return true
        }
    }

    var encodedSize: Int {
        typealias W = WireWriter
        var n = 0
        if time != 0 { n += 1 + Varint.size(UInt64(bitPattern: time)) }
        n += W.optionalStringSize(2, name) + W.optionalStringSize(3, database)
        n += W.optionalStringSize(4, retentionPolicy) + W.optionalStringSize(5, group)
        for d in dimensions { n += W.lengthDelimitedSize(6, d.utf8.count) }
        n += W.mapSize(7, tags, StringValueCodec.self)
        n += W.mapSize(8, fieldsDouble, DoubleValueCodec.self)
        n += W.mapSize(9, fieldsInt, Int64ValueCodec.self)
        n += W.mapSize(10, fieldsString, StringValueCodec.self)
        if byName { n += 2 }
        n += W.mapSize(12, fieldsBool, BoolValueCodec.self)
        return n
    }

    func write(to w: inout RawWriter) {
        if time != 0 { w.varintField(1, UInt64(bitPattern: time)) }
        w.optionalStringField(2, name)
        w.optionalStringField(3, database)
        w.optionalStringField(4, retentionPolicy)
        w.optionalStringField(5, group)
        for d in dimensions { w.stringField(6, d) }
        w.map(7, tags, StringValueCodec.self)
        w.map(8, fieldsDouble, DoubleValueCodec.self)
        w.map(9, fieldsInt, Int64ValueCodec.self)
        w.map(10, fieldsString, StringValueCodec.self)
        if byName { w.varintField(11, 1) }
        w.map(12, fieldsBool, BoolValueCodec.self)
    }
}
