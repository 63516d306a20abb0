/// Unsigned LEB128 varints as protobuf and Go's `binary.PutUvarint` write them (shortest form).
public enum Varint {
    /// The number of bytes `value` takes.
    @inlinable
    public static func size(_ value: UInt64) -> Int {
        // 1 + floor(bits / 7), with 0 taking one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// Appends `value` to `bytes`.
    @inlinable
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// The outcome of reading a varint from a prefix of a buffer.
    public enum ReadResult: Sendable, Equatable {
        /// A complete varint: its value and how many bytes it took.
        case value(UInt64, length: Int)
        /// The buffer ends before the varint does.
        case incomplete
        /// More than 10 bytes, or a 10th byte that overflows 64 bits.
        case overflow
    }

    /// Reads a varint starting at `offset` of `buffer`.
    @inlinable
    public static func read(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> ReadResult {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        while i < buffer.count {
            let byte = buffer[i]
            i += 1
            if shift == 63 && byte > 1 { return .overflow }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return .value(result, length: i - offset) }
            shift += 7
            if shift > 63 { return .overflow }
        }
        return .incomplete
    }
}
