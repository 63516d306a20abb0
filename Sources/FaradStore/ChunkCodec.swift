import FaradCore

/// The bytes of one chunk: the points of one series from one commit, in arrival order.
///
/// Each point is a zig-zag varint of its time minus the previous point's (the first minus the
/// chunk's `min_time`), a type byte, and the value: a zig-zag varint for a long, 8 bytes
/// little-endian for a double, a varint length and UTF-8 for a string, 16 bytes for a complex.
enum ChunkCodec {
    static let long: UInt8 = 0
    static let double: UInt8 = 1
    static let string: UInt8 = 2
    static let complex: UInt8 = 3

    static func encode(times: ArraySlice<Int64>, values: ArraySlice<MetricValue>, base: Int64, into out: inout [UInt8]) {
        var previous = base
        for i in times.indices {
            let t = times[i]
            appendZigZag(t &- previous, to: &out)
            previous = t
            switch values[i] {
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

    /// Decodes a chunk, calling `body` with each point in stored order.
    static func decode(
        _ bytes: UnsafeRawBufferPointer, base: Int64, _ body: (Int64, MetricValue) -> Void
    ) throws(StoreError) {
        var i = 0
        var time = base
        func varint() throws(StoreError) -> UInt64 { try readVarint(bytes, &i) }
        func fixed() throws(StoreError) -> UInt64 {
            guard bytes.count - i >= 8 else { throw StoreError(code: .corrupt, message: "corrupt chunk: truncated value") }
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            i += 8
            return v
        }
        while i < bytes.count {
            time = time &+ unZigZag(try varint())
            guard i < bytes.count else { throw StoreError(code: .corrupt, message: "corrupt chunk: missing type") }
            let type = bytes[i]
            i += 1
            switch type {
            case long: body(time, .long(unZigZag(try varint())))
            case double: body(time, .double(Double(bitPattern: try fixed())))
            case string:
                guard let n = Int(exactly: try varint()), n <= bytes.count - i else {
                    throw StoreError(code: .corrupt, message: "corrupt chunk: truncated string at byte \(i)")
                }
                body(time, .string(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]), as: UTF8.self)))
                i += n
            case complex:
                let r = Double(bitPattern: try fixed())
                body(time, .complex(real: r, imaginary: Double(bitPattern: try fixed())))
            default:
                throw StoreError(code: .corrupt, message: "corrupt chunk: unknown type \(type)")
            }
        }
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
        appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &out)
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
