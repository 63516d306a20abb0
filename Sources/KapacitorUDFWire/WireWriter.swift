/// Appends protobuf encodings to a byte array. Fields are written in ascending field number and
/// map entries always carry both key and value, as protoc and protobuf-go do.
@usableFromInline
struct WireWriter {
    @inlinable
    static func tagSize(_ field: UInt64) -> Int { Varint.size(field << 3) }

    @inlinable
    static func appendTag(_ field: UInt64, _ wire: WireType, to bytes: inout [UInt8]) {
        Varint.append(field << 3 | UInt64(wire.rawValue), to: &bytes)
    }

    @inlinable
    static func lengthDelimitedSize(_ field: UInt64, _ length: Int) -> Int {
        tagSize(field) + Varint.size(UInt64(length)) + length
    }

    @inlinable
    static func appendBytes(_ field: UInt64, _ utf8: some Collection<UInt8>, count: Int, to bytes: inout [UInt8]) {
        appendTag(field, .lengthDelimited, to: &bytes)
        Varint.append(UInt64(count), to: &bytes)
        bytes.append(contentsOf: utf8)
    }

    @inlinable
    static func appendString(_ field: UInt64, _ value: String, to bytes: inout [UInt8]) {
        appendBytes(field, value.utf8, count: value.utf8.count, to: &bytes)
    }

    @inlinable
    static func appendVarint(_ field: UInt64, _ value: UInt64, to bytes: inout [UInt8]) {
        appendTag(field, .varint, to: &bytes)
        Varint.append(value, to: &bytes)
    }

    @inlinable
    static func appendFixed64(_ field: UInt64, _ value: UInt64, to bytes: inout [UInt8]) {
        appendTag(field, .fixed64, to: &bytes)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The size of a non-default proto3 string field (0 when empty: defaults are omitted).
    @inlinable
    static func optionalStringSize(_ field: UInt64, _ value: String) -> Int {
        let n = value.utf8.count
        return n == 0 ? 0 : lengthDelimitedSize(field, n)
    }

    @inlinable
    static func appendOptionalString(_ field: UInt64, _ value: String, to bytes: inout [UInt8]) {
        if !value.isEmpty { appendString(field, value, to: &bytes) }
    }
}

/// How the value of one map type is encoded in its entry (field 2 of the entry message).
@usableFromInline
protocol MapValueCodec {
    associatedtype Value
    static var wireType: WireType { get }
    /// Size of the value field including its tag.
    static func size(_ value: Value) -> Int
    static func write(_ value: Value, to writer: inout RawWriter)
    static func decode(_ raw: RawEntryValue, in scanner: WireScanner) throws(WireError) -> Value
}

/// The value of a map entry as read off the wire, before it is typed.
@usableFromInline
enum RawEntryValue {
    case absent, varint(UInt64), fixed64(UInt64), bytes(Range<Int>)
}

@usableFromInline enum StringValueCodec: MapValueCodec {
    @usableFromInline static var wireType: WireType { .lengthDelimited }
    @inlinable static func size(_ value: String) -> Int { WireWriter.lengthDelimitedSize(2, value.utf8.count) }
    @inlinable static func write(_ value: String, to writer: inout RawWriter) { writer.stringField(2, value) }
    @inlinable static func decode(_ raw: RawEntryValue, in scanner: WireScanner) throws(WireError) -> String {
        if case .bytes(let r) = raw { return try scanner.string(r) }
        return ""
    }
}

@usableFromInline enum DoubleValueCodec: MapValueCodec {
    @usableFromInline static var wireType: WireType { .fixed64 }
    @inlinable static func size(_ value: Double) -> Int { 9 }
    @inlinable static func write(_ value: Double, to writer: inout RawWriter) { writer.fixed64Field(2, value.bitPattern) }
    @inlinable static func decode(_ raw: RawEntryValue, in scanner: WireScanner) throws(WireError) -> Double {
        if case .fixed64(let v) = raw { return Double(bitPattern: v) }
        return 0
    }
}

@usableFromInline enum Int64ValueCodec: MapValueCodec {
    @usableFromInline static var wireType: WireType { .varint }
    @inlinable static func size(_ value: Int64) -> Int { 1 + Varint.size(UInt64(bitPattern: value)) }
    @inlinable static func write(_ value: Int64, to writer: inout RawWriter) { writer.varintField(2, UInt64(bitPattern: value)) }
    @inlinable static func decode(_ raw: RawEntryValue, in scanner: WireScanner) throws(WireError) -> Int64 {
        if case .varint(let v) = raw { return Int64(bitPattern: v) }
        return 0
    }
}

@usableFromInline enum BoolValueCodec: MapValueCodec {
    @usableFromInline static var wireType: WireType { .varint }
    @inlinable static func size(_ value: Bool) -> Int { 2 }
    @inlinable static func write(_ value: Bool, to writer: inout RawWriter) { writer.varintField(2, value ? 1 : 0) }
    @inlinable static func decode(_ raw: RawEntryValue, in scanner: WireScanner) throws(WireError) -> Bool {
        if case .varint(let v) = raw { return v != 0 }
        return false
    }
}

extension WireWriter {
    /// Size of a whole map field: one length-delimited entry per key, keys in sorted order.
    @inlinable
    static func mapSize<C: MapValueCodec>(_ field: UInt64, _ map: [String: C.Value], _ codec: C.Type) -> Int {
        var total = 0
        for (key, value) in map {
            let entry = lengthDelimitedSize(1, key.utf8.count) + C.size(value)
            total += lengthDelimitedSize(field, entry)
        }
        return total
    }
}

extension WireScanner {
    /// Splits a map entry into its key range and raw value. Missing parts read as defaults.
    @inlinable
    func entry(_ range: Range<Int>, valueWire: WireType) throws(WireError) -> (key: Range<Int>, value: RawEntryValue) {
        var inner = WireScanner(bytes, range: range)
        var key = range.lowerBound..<range.lowerBound
        var value = RawEntryValue.absent
        while let (field, wire) = try inner.tag() {
            switch field {
            case 1:
                try inner.expect(.lengthDelimited, wire, field: "map key")
                key = try inner.lengthDelimited()
            case 2:
                try inner.expect(valueWire, wire, field: "map value")
                switch wire {
                case .varint: value = .varint(try inner.varint())
                case .fixed64: value = .fixed64(try inner.fixed64())
                default: value = .bytes(try inner.lengthDelimited())
                }
            default:
                try inner.skip(wire)
            }
        }
        return (key, value)
    }

    /// Decodes a map entry into `map` (a later entry with the same key wins, as in protobuf).
    @inlinable
    func decodeEntry<C: MapValueCodec>(_ range: Range<Int>, _ codec: C.Type, into map: inout [String: C.Value]) throws(WireError) {
        let (key, raw) = try entry(range, valueWire: C.wireType)
        map[try string(key)] = try C.decode(raw, in: self)
    }
}
