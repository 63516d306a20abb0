/// Writes the fields of one `agent.Point` straight from a host's own values: no dictionaries,
/// no ``UDFPoint`` in between. Hosts that keep points in another form (Farad's engine) encode
/// them with ``UDFPoint/appendFrame(to:_:)``.
///
/// Call the methods in field-number order (time, name, database, retentionPolicy, group,
/// dimensions, tags, double, int, string fields, byName, bool fields) to get protobuf's canonical
/// order; any order decodes the same. Proto3 defaults are omitted: time 0, empty strings, false.
///
/// ```swift
/// UDFPoint.appendFrame(to: &bytes) { p in
///     p.time(t)
///     p.name("cpu")
///     p.tag("host", "a")
///     p.double("usage", 0.5)
/// }
/// ```
public struct UDFPointEncoder {
    var writer: RawWriter

    init(_ writer: RawWriter) {
        self.writer = writer
    }

    public mutating func time(_ nanoseconds: Int64) {
        if nanoseconds != 0 { writer.varintField(1, UInt64(bitPattern: nanoseconds)) }
    }

    public mutating func name(_ value: String) { writer.optionalStringField(2, value) }
    public mutating func database(_ value: String) { writer.optionalStringField(3, value) }
    public mutating func retentionPolicy(_ value: String) { writer.optionalStringField(4, value) }
    public mutating func group(_ value: String) { writer.optionalStringField(5, value) }
    /// One group-by tag name (repeated, in order).
    public mutating func dimension(_ value: String) { writer.stringField(6, value) }
    public mutating func tag(_ key: String, _ value: String) { writer.entry(7, key, value, StringValueCodec.self) }
    public mutating func double(_ key: String, _ value: Double) { writer.entry(8, key, value, DoubleValueCodec.self) }
    public mutating func int(_ key: String, _ value: Int64) { writer.entry(9, key, value, Int64ValueCodec.self) }
    public mutating func string(_ key: String, _ value: String) { writer.entry(10, key, value, StringValueCodec.self) }

    public mutating func byName(_ value: Bool) {
        if value { writer.varintField(11, 1) }
    }

    public mutating func bool(_ key: String, _ value: Bool) { writer.entry(12, key, value, BoolValueCodec.self) }
}

extension UDFPoint {
    /// Appends one `point` frame (the same bytes as a `Request` and a `Response`) whose
    /// `agent.Point` `encode` writes.
    ///
    /// The point is written once into scratch space (1 KiB on the stack, more on the heap for
    /// big points), then framed with one copy.
    public static func appendFrame(to bytes: inout [UInt8], _ encode: (inout UDFPointEncoder) -> Void) {
        var capacity = 1024
        while true {
            let done = withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 1) { scratch -> Bool in
                let base = scratch.baseAddress!
                var encoder = UDFPointEncoder(RawWriter(base, limit: base + scratch.count))
                encode(&encoder)
                guard !encoder.writer.overflowed else { return false }
                let body = UnsafeRawBufferPointer(start: base, count: encoder.writer.pointer - base)
                WrapperMember.appendFrame(field: 17, size: body.count, to: &bytes) { $0.bytes(body) }
                return true
            }
            if done { return }
            capacity *= 8
        }
    }
}
