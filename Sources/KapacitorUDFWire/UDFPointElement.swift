/// One field of an `agent.Point`, as ``UDFPoint/forEachElement(_:)`` reads them.
public enum UDFPointElement: Sendable, Equatable {
    /// Nanoseconds since the Unix epoch.
    case time(Int64)
    case name(String)
    case database(String)
    case retentionPolicy(String)
    /// One group-by tag name, in order.
    case dimension(String)
    case tag(key: String, value: String)
    case double(key: String, value: Double)
    case int(key: String, value: Int64)
    case string(key: String, value: String)
    case bool(key: String, value: Bool)
    case byName(Bool)
}

extension UDFPoint {
    /// Visits every field of the point but its `group` once, in the order they were encoded (a
    /// decoded point: in field-number order, map entries by key), without building its maps.
    /// For a host that turns points into its own form; hosts ignore the UDF's `group` and
    /// compute it again, so it is not visited (``group`` still reads it).
    ///
    /// Repeated scalar fields are visited as often as they occur (protobuf's "last one wins"
    /// is the visitor's to apply); map entries with a repeated key likewise.
    public func forEachElement(_ body: (UDFPointElement) -> Void) {
        var none: UDFStringCache?
        forEachElement(&none, body)
    }

    /// ``forEachElement(_:)``, building short strings through `cache`: for a host decoding
    /// many points with the same names.
    public func forEachElement(cache: inout UDFStringCache, _ body: (UDFPointElement) -> Void) {
        var some: UDFStringCache? = consume cache
        forEachElement(&some, body)
        cache = some!
    }

    private func forEachElement(_ cache: inout UDFStringCache?, _ body: (UDFPointElement) -> Void) {
        switch storage {
        case .decoded(let box):
            let f = box.fields
            body(.time(f.time))
            if !f.name.isEmpty { body(.name(f.name)) }
            if !f.database.isEmpty { body(.database(f.database)) }
            if !f.retentionPolicy.isEmpty { body(.retentionPolicy(f.retentionPolicy)) }
            for d in f.dimensions { body(.dimension(d)) }
            for (k, v) in f.tags.sorted(by: { $0.key < $1.key }) { body(.tag(key: k, value: v)) }
            for (k, v) in f.fieldsDouble.sorted(by: { $0.key < $1.key }) { body(.double(key: k, value: v)) }
            for (k, v) in f.fieldsInt.sorted(by: { $0.key < $1.key }) { body(.int(key: k, value: v)) }
            for (k, v) in f.fieldsString.sorted(by: { $0.key < $1.key }) { body(.string(key: k, value: v)) }
            if f.byName { body(.byName(true)) }
            for (k, v) in f.fieldsBool.sorted(by: { $0.key < $1.key }) { body(.bool(key: k, value: v)) }
        case .encoded(let bytes):
            // Validated at construction, so the scan cannot fail; a failure would end it early.
            _ = try? bytes.withWireBytes { (raw) throws(WireError) in try Self.scan(raw, &cache, body) }
        }
    }

    /// How many dimensions, tags and fields (all types together) the point holds, counted
    /// without decoding them: to size a host's arrays before ``forEachElement(_:)``.
    public var elementCounts: (dimensions: Int, tags: Int, fields: Int) {
        switch storage {
        case .decoded(let box):
            let f = box.fields
            return (f.dimensions.count, f.tags.count, f.fieldsDouble.count + f.fieldsInt.count + f.fieldsString.count + f.fieldsBool.count)
        case .encoded(let bytes):
            return bytes.withUnsafeBytes { raw in
                var s = WireScanner(raw)
                var counts = (dimensions: 0, tags: 0, fields: 0)
                while let (field, wire) = try? s.tag() {
                    switch field {
                    case 6: counts.dimensions += 1
                    case 7: counts.tags += 1
                    case 8, 9, 10, 12: counts.fields += 1
                    default: break
                    }
                    if (try? s.skip(wire)) == nil { break }
                }
                return counts
            }
        }
    }

    /// A map entry as every protobuf encoder writes it (key then value, one-byte lengths), read
    /// without the general scanner; `nil` for anything else, which the general path reads.
    @inline(__always)
    private static func canonicalEntry(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ wire: WireType) -> (Range<Int>, RawEntryValue)? {
        let end = range.upperBound
        var i = range.lowerBound
        guard end - i >= 3, bytes[i] == 0x0A, bytes[i + 1] < 0x80 else { return nil }
        let key = (i + 2)..<(i + 2 + Int(bytes[i + 1]))
        i = key.upperBound
        guard i < end else { return nil }
        switch (wire, bytes[i]) {
        case (.lengthDelimited, 0x12):
            guard i + 1 < end, bytes[i + 1] < 0x80, i + 2 + Int(bytes[i + 1]) == end else { return nil }
            return (key, .bytes((i + 2)..<end))
        case (.fixed64, 0x11):
            guard i + 9 == end else { return nil }
            return (key, .fixed64(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 1, as: UInt64.self))))
        case (.varint, 0x10):
            guard i + 1 < end else { return nil }
            var value: UInt64 = 0
            var shift: UInt64 = 0
            var j = i + 1
            while j < end, shift <= 56 {
                let b = bytes[j]
                value |= UInt64(b & 0x7F) << shift
                j += 1
                if b < 0x80 { return j == end ? (key, .varint(value)) : nil }
                shift += 7
            }
            return nil
        default:
            return nil
        }
    }

    private static func scan(_ raw: UnsafeRawBufferPointer, _ cache: inout UDFStringCache?, _ body: (UDFPointElement) -> Void) throws(WireError) {
        var s = WireScanner(raw)
        func text(_ range: Range<Int>) throws(WireError) -> String {
            if cache != nil { return try cache!.string(s, range) }
            return try s.string(range)
        }
        func entry(_ wire: WireType) throws(WireError) -> (key: String, value: RawEntryValue) {
            let range = try s.lengthDelimited()
            if let (k, v) = Self.canonicalEntry(s.bytes, range, wire) { return (try text(k), v) }
            let (k, v) = try s.entry(range, valueWire: wire)
            return (try text(k), v)
        }
        while let (field, wire) = try s.tag() {
            switch field {
            case 1: body(.time(Int64(bitPattern: try s.varint())))
            case 2: body(.name(try text(try s.lengthDelimited())))
            case 3: body(.database(try text(try s.lengthDelimited())))
            case 4: body(.retentionPolicy(try text(try s.lengthDelimited())))
            case 5: _ = try s.lengthDelimited()
            case 6: body(.dimension(try text(try s.lengthDelimited())))
            case 7, 10:
                let (key, v) = try entry(.lengthDelimited)
                let value = if case .bytes(let r) = v { try text(r) } else { "" }
                body(field == 7 ? .tag(key: key, value: value) : .string(key: key, value: value))
            case 8:
                let (key, v) = try entry(.fixed64)
                body(.double(key: key, value: try DoubleValueCodec.decode(v, in: s)))
            case 9:
                let (key, v) = try entry(.varint)
                body(.int(key: key, value: try Int64ValueCodec.decode(v, in: s)))
            case 11: body(.byName(try s.varint() != 0))
            case 12:
                let (key, v) = try entry(.varint)
                body(.bool(key: key, value: try BoolValueCodec.decode(v, in: s)))
            default: try s.skip(wire)
            }
        }
    }
}
