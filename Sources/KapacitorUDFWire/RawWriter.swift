/// Writes protobuf bytes through a pointer into space reserved beforehand: no capacity or
/// uniqueness check per byte, which `Array.append` would do. The data-path encoders compute a
/// message's exact size first (as protobuf needs it for the length prefixes anyway), reserve it
/// with ``append(exactly:to:_:)``, and write.
@usableFromInline
struct RawWriter {
    @usableFromInline var pointer: UnsafeMutableRawPointer
    /// Writes stop here; a write that would pass it sets ``overflowed`` instead.
    @usableFromInline let limit: UnsafeMutableRawPointer
    @usableFromInline var overflowed = false

    @inlinable
    init(_ pointer: UnsafeMutableRawPointer, limit: UnsafeMutableRawPointer? = nil) {
        self.pointer = pointer
        self.limit = limit ?? UnsafeMutableRawPointer(bitPattern: UInt(Int.max))!
    }

    /// Whether `count` more bytes fit; if not, marks the writer overflowed.
    @inlinable
    mutating func fits(_ count: Int) -> Bool {
        if overflowed || limit - pointer < count {
            overflowed = true
            return false
        }
        return true
    }

    /// Grows `bytes` by exactly `size` bytes and lets `write` fill them. Up to 1 KiB is written
    /// on the stack and appended with one copy; larger sizes are zero-filled in place first.
    @inlinable
    static func append(exactly size: Int, to bytes: inout [UInt8], _ write: (inout RawWriter) -> Void) {
        if size <= 1024 {
            withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 1) { scratch in
                var writer = RawWriter(scratch.baseAddress!)
                write(&writer)
                assert(writer.pointer == scratch.baseAddress! + size, "encoded size differs from the computed size")
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<size]))
            }
            return
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: size))
        bytes.withUnsafeMutableBytes { raw in
            var writer = RawWriter(raw.baseAddress! + start)
            write(&writer)
            assert(writer.pointer == raw.baseAddress! + start + size, "encoded size differs from the computed size")
        }
    }

    @inlinable
    mutating func byte(_ value: UInt8) {
        pointer.storeBytes(of: value, as: UInt8.self)
        pointer += 1
    }

    @inlinable
    mutating func varint(_ value: UInt64) {
        guard fits(10) else { return }
        var v = value
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(v))
    }

    @inlinable
    mutating func tag(_ field: UInt64, _ wire: WireType) {
        varint(field << 3 | UInt64(wire.rawValue))
    }

    @inlinable
    mutating func bytes(_ source: UnsafeRawBufferPointer) {
        guard let base = source.baseAddress, source.count > 0, fits(source.count) else { return }
        pointer.copyMemory(from: base, byteCount: source.count)
        pointer += source.count
    }

    @inlinable
    mutating func bytes(_ source: ArraySlice<UInt8>) {
        source.withUnsafeBytes { bytes($0) }
    }

    @inlinable
    mutating func stringField(_ field: UInt64, _ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            tag(field, .lengthDelimited)
            varint(UInt64(utf8.count))
            bytes(UnsafeRawBufferPointer(utf8))
        }
    }

    /// A proto3 string field: omitted when empty.
    @inlinable
    mutating func optionalStringField(_ field: UInt64, _ value: String) {
        if !value.isEmpty { stringField(field, value) }
    }

    @inlinable
    mutating func varintField(_ field: UInt64, _ value: UInt64) {
        tag(field, .varint)
        varint(value)
    }

    @inlinable
    mutating func fixed64Field(_ field: UInt64, _ value: UInt64) {
        tag(field, .fixed64)
        guard fits(8) else { return }
        pointer.storeBytes(of: value.littleEndian, toByteOffset: 0, as: UInt64.self)
        pointer += 8
    }

    /// A map field with entries sorted by key, so equal maps encode to equal bytes. Maps of one
    /// or two entries (the common case for tags and fields) sort without allocating.
    @inlinable
    mutating func map<C: MapValueCodec>(_ field: UInt64, _ map: [String: C.Value], _ codec: C.Type) {
        switch map.count {
        case 0:
            return
        case 1:
            let (key, value) = map.first!
            entry(field, key, value, codec)
        case 2:
            var entries = map.makeIterator()
            let a = entries.next()!
            let b = entries.next()!
            let (first, second) = a.key < b.key ? (a, b) : (b, a)
            entry(field, first.key, first.value, codec)
            entry(field, second.key, second.value, codec)
        default:
            for (key, value) in map.sorted(by: { $0.key < $1.key }) { entry(field, key, value, codec) }
        }
    }

    @inlinable
    mutating func entry<C: MapValueCodec>(_ field: UInt64, _ key: String, _ value: C.Value, _ codec: C.Type) {
        tag(field, .lengthDelimited)
        varint(UInt64(WireWriter.lengthDelimitedSize(1, key.utf8.count) + C.size(value)))
        stringField(1, key)
        C.write(value, to: &self)
    }
}
