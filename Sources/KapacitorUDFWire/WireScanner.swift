/// Protobuf wire types.
@usableFromInline
enum WireType: UInt8 {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
}

/// A bounds-checked cursor over protobuf bytes: reads tags, varints and length-delimited ranges
/// without copying or allocating.
@usableFromInline
struct WireScanner {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var index: Int
    @usableFromInline let end: Int

    @inlinable
    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
        self.bytes = bytes
        index = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    @inlinable var isAtEnd: Bool { index >= end }

    @inlinable
    mutating func varint() throws(WireError) -> UInt64 {
        // Fast path: one byte.
        if index < end, bytes[index] < 0x80 {
            defer { index += 1 }
            return UInt64(bytes[index])
        }
        let sub = UnsafeRawBufferPointer(rebasing: bytes[..<end])
        switch Varint.read(sub, at: index) {
        case .value(let v, let length):
            index += length
            return v
        case .incomplete:
            throw WireError.malformed("varint runs past the end of the message")
        case .overflow:
            throw WireError.malformed("varint longer than 64 bits")
        }
    }

    /// Reads the next tag; `nil` at the end of the range.
    @inlinable
    mutating func tag() throws(WireError) -> (field: UInt64, wire: WireType)? {
        if index >= end { return nil }
        let key = try varint()
        guard let wire = WireType(rawValue: UInt8(key & 7)), key >> 3 != 0 else {
            throw WireError.malformed("invalid tag \(key)")
        }
        return (key >> 3, wire)
    }

    /// Reads a length prefix and returns the range of the bytes it covers.
    @inlinable
    mutating func lengthDelimited() throws(WireError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - index) else {
            throw WireError.malformed("length \(length) runs past the end of the message")
        }
        let start = index
        index += Int(length)
        return start..<index
    }

    @inlinable
    mutating func fixed64() throws(WireError) -> UInt64 {
        guard end - index >= 8 else { throw WireError.malformed("fixed64 runs past the end of the message") }
        let v = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        index += 8
        return UInt64(littleEndian: v)
    }

    /// Skips a field's value of the given wire type.
    @inlinable
    mutating func skip(_ wire: WireType) throws(WireError) {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32:
            guard end - index >= 4 else { throw WireError.malformed("fixed32 runs past the end of the message") }
            index += 4
        case .startGroup, .endGroup:
            throw WireError.malformed("groups are not supported")
        }
    }

    /// Expects `wire` for a known field, naming the field in the error.
    @inlinable
    func expect(_ wire: WireType, _ actual: WireType, field: StaticString) throws(WireError) {
        if wire != actual { throw WireError.malformed("wrong wire type \(actual.rawValue) for \(field)") }
    }

    /// Checks one map entry: a UTF-8 key (tag 0x0A) and a value whose tag byte is `valueKey`
    /// (0x10 varint, 0x11 fixed64, 0x12 UTF-8 string); unknown fields are skipped.
    @inlinable
    func validateMapEntry(_ range: Range<Int>, valueKey: UInt64) throws(WireError) {
        if isCanonicalEntry(range, valueKey: valueKey) { return }
        var inner = WireScanner(bytes, range: range)
        while !inner.isAtEnd {
            let key = try inner.varint()
            if key == 0x0A {
                try inner.validateUTF8(try inner.lengthDelimited())
            } else if key == valueKey {
                switch key {
                case 0x10: _ = try inner.varint()
                case 0x11: _ = try inner.fixed64()
                default: try inner.validateUTF8(try inner.lengthDelimited())
                }
            } else {
                guard let wire = WireType(rawValue: UInt8(key & 7)), key >> 3 > 2 else {
                    throw WireError.malformed("invalid map entry tag \(key)")
                }
                try inner.skip(wire)
            }
        }
    }

    /// Whether `range` is a valid map entry as every encoder writes it — an ASCII key, then the
    /// value, with one-byte lengths — checked without the general scanner. False means "not
    /// this shape", and the general check decides.
    @inlinable
    func isCanonicalEntry(_ range: Range<Int>, valueKey: UInt64) -> Bool {
        let end = range.upperBound
        var i = range.lowerBound
        guard end - i >= 3, bytes[i] == 0x0A, bytes[i + 1] < 0x80 else { return false }
        let keyEnd = i + 2 + Int(bytes[i + 1])
        guard keyEnd < end, isASCII((i + 2)..<keyEnd), UInt64(bytes[keyEnd]) == valueKey else { return false }
        i = keyEnd + 1
        switch valueKey {
        case 0x11:
            return i + 8 == end
        case 0x10:
            // A varint of up to 9 bytes that ends the entry.
            var j = i
            while j < end && j - i < 9 {
                if bytes[j] < 0x80 { return j + 1 == end }
                j += 1
            }
            return false
        default:
            guard i < end, bytes[i] < 0x80, i + 1 + Int(bytes[i]) == end else { return false }
            return isASCII((i + 1)..<end)
        }
    }

    /// Decodes the UTF-8 string in `range`.
    @inlinable
    func string(_ range: Range<Int>) throws(WireError) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        if isASCII(range) { return String(decoding: slice, as: UTF8.self) }
        guard let s = String(validating: slice, as: UTF8.self) else {
            throw WireError.malformed("string is not valid UTF-8")
        }
        return s
    }

    /// Checks that `range` holds valid UTF-8 without building a String.
    @inlinable
    func validateUTF8(_ range: Range<Int>) throws(WireError) {
        if isASCII(range) { return }
        guard String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) != nil else {
            throw WireError.malformed("string is not valid UTF-8")
        }
    }

    /// True if every byte in `range` is below 0x80 (checked 8 bytes at a time). ASCII is valid
    /// UTF-8; the stdlib's generic validator runs only for the rest.
    @inlinable
    func isASCII(_ range: Range<Int>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var i = range.lowerBound
        var bits: UInt64 = 0
        while i + 8 <= range.upperBound {
            bits |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < range.upperBound {
            bits |= UInt64(base.load(fromByteOffset: i, as: UInt8.self))
            i += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    /// True if the bytes in `range` equal `key`'s UTF-8.
    @inlinable
    func equals(_ range: Range<Int>, _ key: UnsafeRawBufferPointer) -> Bool {
        guard range.count == key.count else { return false }
        if key.isEmpty { return true }
        return memcmp(bytes.baseAddress! + range.lowerBound, key.baseAddress!, key.count) == 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
