/// Appends bits, most significant first, to a byte array: the bit stream of a v1 chunk.
///
/// Bits collect in a 64-bit accumulator that is written out big-endian when it fills; `finish`
/// writes the last partial byte padded with zero bits.
struct BitWriter {
    private var accumulator: UInt64 = 0
    /// Bits held in `accumulator`, 0..<64.
    private var held = 0

    /// Appends the low `count` bits of `value` (`count` in 0...64; higher bits are ignored).
    @inline(__always)
    mutating func write(_ value: UInt64, _ count: Int, to out: inout [UInt8]) {
        guard count > 0 else { return }
        let v = count == 64 ? value : value & ((1 &<< UInt64(count)) &- 1)
        let free = 64 &- held
        if count < free {
            accumulator |= v &<< UInt64(free &- count)
            held &+= count
        } else {
            let rest = count &- free
            accumulator |= rest == 0 ? v : v &>> UInt64(rest)
            withUnsafeBytes(of: accumulator.bigEndian) { out.append(contentsOf: $0) }
            accumulator = rest == 0 ? 0 : v &<< UInt64(64 &- rest)
            held = rest
        }
    }

    /// Writes the held bits, the last byte padded with zero bits.
    mutating func finish(to out: inout [UInt8]) {
        var a = accumulator
        var n = held
        while n > 0 {
            out.append(UInt8(truncatingIfNeeded: a &>> 56))
            a &<<= 8
            n &-= 8
        }
        accumulator = 0
        held = 0
    }
}

/// Reads bits, most significant first, from a bounded buffer.
///
/// Never reads outside the buffer: a peek near or past its end pads with zero bits, and the
/// decoder checks `position <= bitCount` after each point (`overrun`), so a stream cut short is
/// an error, never an out-of-bounds read.
struct BitReader {
    private let bytes: UnsafeRawBufferPointer
    /// Bits read so far; may pass `bitCount` (then `overrun` is true).
    private(set) var position = 0
    let bitCount: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.bitCount = bytes.count &* 8
    }

    /// True when more bits were read than the buffer holds.
    var overrun: Bool { position > bitCount }

    /// The next 64 bits at `position` without consuming them; at least the first 57 are the
    /// stream's (or zero past its end).
    @inline(__always)
    func peek() -> UInt64 {
        let byte = position &>> 3
        let word: UInt64
        if byte &+ 8 <= bytes.count {
            word = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
        } else {
            word = slowWord(at: byte)
        }
        return word &<< UInt64(position & 7)
    }

    /// The bytes from `byte` to the end, zero-padded to a big-endian word.
    private func slowWord(at byte: Int) -> UInt64 {
        var word: UInt64 = 0
        for k in 0..<8 {
            let i = byte &+ k
            word = (word &<< 8) | (i < bytes.count ? UInt64(bytes[i]) : 0)
        }
        return word
    }

    @inline(__always)
    mutating func skip(_ count: Int) {
        position &+= count
    }

    /// Reads `count` bits (0...64) as an unsigned number.
    @inline(__always)
    mutating func read(_ count: Int) -> UInt64 {
        if count == 0 { return 0 }
        if count <= 56 {
            let v = peek() &>> UInt64(64 &- count)
            position &+= count
            return v
        }
        // 57...64 bits: more than one peek is sure to hold, so two reads of at most 32.
        let highCount = count &- 32
        let high = peek() &>> UInt64(64 &- highCount)
        position &+= highCount
        let low = peek() &>> 32
        position &+= 32
        return (high &<< 32) | low
    }
}
