import FaradCore

/// The bytes of one chunk: the points of one series, in arrival order (times need not be
/// sorted; duplicates are kept). Chunk rows and log rows both use it.
///
/// Two formats; `encode` writes v1, `decode` reads both:
///
/// - **v1** (`ChunkCodec+V1.swift`): `0x01`, a header byte `0x10 | kind`, the point count, then
///   times as delta-of-delta and values as Gorilla XOR (doubles), delta-of-delta (longs, and
///   doubles that are short decimals) in one bit stream. About 2 bits a point for regular times and a constant value.
/// - **v0** (the first format, still read): per point a zig-zag varint of its time minus the
///   previous point's (the first minus `base`), a type byte (0…3), and the value: a zig-zag
///   varint for a long, 8 bytes little-endian for a double, a varint length and UTF-8 for a
///   string, 16 bytes for a complex.
///
/// Telling them apart: a v0 blob's first byte is the first byte of a zig-zag varint, whose low
/// bit is the sign of the delta. For chunk rows `base` is the chunk's minimum time, so the delta
/// is ≥ 0 and the byte even — but not always: the log row (`LogCodec`) encodes with `base` 0, so
/// a negative first time gives an odd first byte (-1 gives exactly `0x01`), and a chunk spanning
/// more than `Int64.max` wraps to a negative delta too. An odd first byte alone is therefore not
/// proof of v1. What is: a v0 blob whose first byte is `0x01` (a one-byte varint) has its type
/// byte next, 0…3, or v0 decoding itself fails; v1's second byte is `0x10…0x15`. So a blob is
/// v1 exactly when it starts `0x01, 0x1k`, and every blob the v0 encoder wrote still decodes as v0.
package enum ChunkCodec {
    static let long: UInt8 = 0
    static let double: UInt8 = 1
    static let string: UInt8 = 2
    static let complex: UInt8 = 3

    /// The first byte of a v1 blob.
    static let v1Marker: UInt8 = 0x01

    /// Appends the points to `out` in the current format (v1). No points append nothing.
    ///
    /// `times[k]` goes with `values[k]` by offset from each slice's start. `base` is the time the
    /// first delta is taken from (the chunk's `min_time`); the codec is lossless for any times,
    /// in any order, whatever `base` is.
    package static func encode(times: ArraySlice<Int64>, values: ArraySlice<MetricValue>, base: Int64, into out: inout [UInt8]) {
        encodeV1(times: times, values: values, base: base, into: &out)
    }

    /// Decodes a chunk of either format, calling `body` with each point in stored order.
    ///
    /// - Throws: `StoreError` with code `.corrupt` when the bytes are not a whole chunk; `body`
    ///   may have been called for the points before the damage.
    package static func decode(
        _ bytes: UnsafeRawBufferPointer, base: Int64, _ body: (Int64, MetricValue) -> Void
    ) throws(StoreError) {
        if bytes.count >= 2 && bytes[0] == v1Marker && bytes[1] & 0xF0 == 0x10 {
            try decodeV1(bytes, base: base, body)
        } else {
            try decodeV0(bytes, base: base, body)
        }
    }

    /// The v0 encoder, kept so that tests and the benchmark can make blobs in the old format.
    package static func encodeV0(times: ArraySlice<Int64>, values: ArraySlice<MetricValue>, base: Int64, into out: inout [UInt8]) {
        var previous = base
        for (t, value) in zip(times, values) {
            appendZigZag(t &- previous, to: &out)
            previous = t
            switch value {
            case .long(let v):
                out.append(long)
                appendZigZag(v, to: &out)
            case .double(let v):
                out.append(double)
                appendFixed(v.bitPattern, to: &out)
            case .string(let s):
                out.append(string)
                appendVarint(UInt64(s.utf8.count), to: &out)
                out.append(contentsOf: s.utf8)
            case .complex(let r, let im):
                out.append(complex)
                appendFixed(r.bitPattern, to: &out)
                appendFixed(im.bitPattern, to: &out)
            }
        }
    }

    /// Decodes a v0 chunk.
    static func decodeV0(
        _ bytes: UnsafeRawBufferPointer, base: Int64, _ body: (Int64, MetricValue) -> Void
    ) throws(StoreError) {
        var i = 0
        var time = base
        func varint() throws(StoreError) -> UInt64 { try readVarint(bytes, &i) }
        func fixed() throws(StoreError) -> UInt64 {
            guard bytes.count - i >= 8 else { throw corrupt("truncated value at byte \(i)") }
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            i += 8
            return v
        }
        while i < bytes.count {
            time = time &+ unZigZag(try varint())
            guard i < bytes.count else { throw corrupt("missing type at byte \(i)") }
            let type = bytes[i]
            i += 1
            switch type {
            case long: body(time, .long(unZigZag(try varint())))
            case double: body(time, .double(Double(bitPattern: try fixed())))
            case string:
                guard let n = Int(exactly: try varint()), n <= bytes.count - i else {
                    throw corrupt("truncated string at byte \(i)")
                }
                body(time, .string(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]), as: UTF8.self)))
                i += n
            case complex:
                let r = Double(bitPattern: try fixed())
                body(time, .complex(real: r, imaginary: Double(bitPattern: try fixed())))
            default:
                throw corrupt("unknown type \(type) at byte \(i - 1)")
            }
        }
    }

    static func corrupt(_ what: String) -> StoreError {
        StoreError(code: .corrupt, message: "corrupt chunk: \(what)")
    }

    /// Reads a varint at `i` and moves `i` past it.
    @inline(__always)
    static func readVarint(_ bytes: UnsafeRawBufferPointer, _ i: inout Int) throws(StoreError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { break }
        }
        throw StoreError(code: .corrupt, message: "corrupt stored data: bad varint")
    }

    @inline(__always)
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    @inline(__always)
    static func appendZigZag(_ value: Int64, to out: inout [UInt8]) {
        appendVarint(zigZag(value), to: &out)
    }

    @inline(__always)
    static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value &<< 1) ^ (value >> 63))
    }

    @inline(__always)
    static func unZigZag(_ v: UInt64) -> Int64 {
        Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    @inline(__always)
    static func appendFixed(_ v: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }
}
