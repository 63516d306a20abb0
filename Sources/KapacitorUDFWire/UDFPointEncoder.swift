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

    /// Time in nanoseconds since the Unix epoch (field 1; omitted when 0).
    public mutating func time(_ nanoseconds: Int64) {
        if nanoseconds != 0 { writer.varintField(1, UInt64(bitPattern: nanoseconds)) }
    }

    /// The measurement name (field 2).
    public mutating func name(_ value: String) { writer.optionalStringField(2, value) }
    /// The database (field 3).
    public mutating func database(_ value: String) { writer.optionalStringField(3, value) }
    /// The retention policy (field 4).
    public mutating func retentionPolicy(_ value: String) { writer.optionalStringField(4, value) }
    /// The group ID string (field 5, see the protocol spec §3.5).
    public mutating func group(_ value: String) { writer.optionalStringField(5, value) }
    /// One group-by tag name (repeated, in order).
    public mutating func dimension(_ value: String) { writer.stringField(6, value) }
    /// One tag (an entry of map field 7).
    public mutating func tag(_ key: String, _ value: String) { writer.entry(7, key, value, StringValueCodec.self) }
    /// One float field (map field 8).
    public mutating func double(_ key: String, _ value: Double) { writer.entry(8, key, value, DoubleValueCodec.self) }
    /// One integer field (map field 9).
    public mutating func int(_ key: String, _ value: Int64) { writer.entry(9, key, value, Int64ValueCodec.self) }
    /// One string field (map field 10).
    public mutating func string(_ key: String, _ value: String) { writer.entry(10, key, value, StringValueCodec.self) }

    /// Whether grouping includes the measurement name (field 11; omitted when false).
    public mutating func byName(_ value: Bool) {
        if value { writer.varintField(11, 1) }
    }

    /// One boolean field (map field 12).
    public mutating func bool(_ key: String, _ value: Bool) { writer.entry(12, key, value, BoolValueCodec.self) }

    /// Name, database, retention policy, group and dimensions at once, encoded beforehand.
    public mutating func header(_ header: UDFPointHeader) {
        header.bytes.withUnsafeBytes { writer.bytes($0) }
    }
}

/// The fields that the points of one group share — name, database, retention policy, group,
/// dimensions — encoded once, for ``UDFPointEncoder/header(_:)``.
public struct UDFPointHeader: Sendable {
    let bytes: [UInt8]

    /// Encodes the shared fields once.
    public init(name: String, database: String, retentionPolicy: String, group: String, dimensions: [String]) {
        var capacity = 1024
        while true {
            let encoded = withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 1) { scratch -> [UInt8]? in
                let base = scratch.baseAddress!
                var e = UDFPointEncoder(RawWriter(base, limit: base + scratch.count))
                e.name(name)
                e.database(database)
                e.retentionPolicy(retentionPolicy)
                e.group(group)
                for d in dimensions { e.dimension(d) }
                return e.writer.overflowed ? nil : Array(UnsafeRawBufferPointer(start: base, count: e.writer.pointer - base))
            }
            if let encoded {
                bytes = encoded
                return
            }
            capacity *= 8
        }
    }
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
                // The body goes after room for the frame's header (at most 14 bytes), which is
                // written in front of it once its size is known: one copy into `bytes`.
                let base = scratch.baseAddress!
                let bodyStart = base + 16
                var encoder = UDFPointEncoder(RawWriter(bodyStart, limit: base + scratch.count))
                encode(&encoder)
                guard !encoder.writer.overflowed else { return false }
                let size = encoder.writer.pointer - bodyStart
                let payload = WireWriter.lengthDelimitedSize(17, size)
                let headerSize = Varint.size(UInt64(payload)) + payload - size
                var header = RawWriter(bodyStart - headerSize)
                header.varint(UInt64(payload))
                header.tag(17, .lengthDelimited)
                header.varint(UInt64(size))
                bytes.append(contentsOf: UnsafeRawBufferPointer(start: bodyStart - headerSize, count: headerSize + size))
                return true
            }
            if done { return }
            capacity *= 8
        }
    }
}
