/// The start of a batch (`agent.BeginBatch`), in either direction.
public struct BeginBatch: Sendable, Hashable {
    /// Measurement name.
    public var name: String
    /// Group ID string (see the protocol spec §3.5).
    public var group: String
    /// The batch's group tags.
    public var tags: [String: String]
    /// Number of points if known, 0 if unknown. Hosts use it as a capacity hint only.
    public var size: Int64
    /// Whether grouping includes the measurement name.
    public var byName: Bool

    public init(name: String = "", group: String = "", tags: [String: String] = [:], size: Int64 = 0, byName: Bool = false) {
        self.name = name
        self.group = group
        self.tags = tags
        self.size = size
        self.byName = byName
    }
}

/// The end of a batch (`agent.EndBatch`), in either direction.
public struct EndBatch: Sendable, Hashable {
    public var name: String
    public var group: String
    /// The batch's time: its maximum point time, ns since the Unix epoch.
    public var tmax: Int64
    public var tags: [String: String]
    public var byName: Bool

    public init(name: String = "", group: String = "", tmax: Int64 = 0, tags: [String: String] = [:], byName: Bool = false) {
        self.name = name
        self.group = group
        self.tmax = tmax
        self.tags = tags
        self.byName = byName
    }
}

extension BeginBatch {
    init(decoding raw: UnsafeRawBufferPointer, range: Range<Int>) throws(WireError) {
        self.init()
        var s = WireScanner(raw, range: range)
        while let (field, wire) = try s.tag() {
            switch field {
            case 1: try s.expect(.lengthDelimited, wire, field: "BeginBatch.name"); name = try s.string(try s.lengthDelimited())
            case 2: try s.expect(.lengthDelimited, wire, field: "BeginBatch.group"); group = try s.string(try s.lengthDelimited())
            case 3:
                try s.expect(.lengthDelimited, wire, field: "BeginBatch.tags")
                let entry = try s.lengthDelimited()
                try s.decodeEntry(entry, StringValueCodec.self, into: &tags)
            case 4: try s.expect(.varint, wire, field: "BeginBatch.size"); size = Int64(bitPattern: try s.varint())
            case 5: try s.expect(.varint, wire, field: "BeginBatch.byName"); byName = try s.varint() != 0
            default: try s.skip(wire)
            }
        }
    }

    var encodedSize: Int {
        WireWriter.optionalStringSize(1, name) + WireWriter.optionalStringSize(2, group)
            + WireWriter.mapSize(3, tags, StringValueCodec.self)
            + (size != 0 ? 1 + Varint.size(UInt64(bitPattern: size)) : 0) + (byName ? 2 : 0)
    }

    func write(to w: inout RawWriter) {
        w.optionalStringField(1, name)
        w.optionalStringField(2, group)
        w.map(3, tags, StringValueCodec.self)
        if size != 0 { w.varintField(4, UInt64(bitPattern: size)) }
        if byName { w.varintField(5, 1) }
    }
}

extension EndBatch {
    init(decoding raw: UnsafeRawBufferPointer, range: Range<Int>) throws(WireError) {
        self.init()
        var s = WireScanner(raw, range: range)
        while let (field, wire) = try s.tag() {
            switch field {
            case 1: try s.expect(.lengthDelimited, wire, field: "EndBatch.name"); name = try s.string(try s.lengthDelimited())
            case 2: try s.expect(.lengthDelimited, wire, field: "EndBatch.group"); group = try s.string(try s.lengthDelimited())
            case 3: try s.expect(.varint, wire, field: "EndBatch.tmax"); tmax = Int64(bitPattern: try s.varint())
            case 4:
                try s.expect(.lengthDelimited, wire, field: "EndBatch.tags")
                let entry = try s.lengthDelimited()
                try s.decodeEntry(entry, StringValueCodec.self, into: &tags)
            case 5: try s.expect(.varint, wire, field: "EndBatch.byName"); byName = try s.varint() != 0
            default: try s.skip(wire)
            }
        }
    }

    var encodedSize: Int {
        WireWriter.optionalStringSize(1, name) + WireWriter.optionalStringSize(2, group)
            + (tmax != 0 ? 1 + Varint.size(UInt64(bitPattern: tmax)) : 0)
            + WireWriter.mapSize(4, tags, StringValueCodec.self) + (byName ? 2 : 0)
    }

    func write(to w: inout RawWriter) {
        w.optionalStringField(1, name)
        w.optionalStringField(2, group)
        if tmax != 0 { w.varintField(3, UInt64(bitPattern: tmax)) }
        w.map(4, tags, StringValueCodec.self)
        if byName { w.varintField(5, 1) }
    }
}
