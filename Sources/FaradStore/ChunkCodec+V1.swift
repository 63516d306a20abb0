import FaradCore

/// Chunk format v1: compressed times and values.
///
/// ```
/// 0x01                      marker (see ChunkCodec on telling v0 from v1)
/// 0x10 | kind               kind 0 long, 1 double, 2 string, 3 complex: every point that type;
///                           4: mixed, each point's type as 2 bits in the bit stream;
///                           5: doubles that are all decimals m / 10^k (see `decimalScale`)
/// varint count              ≥ 1
/// [k]                       kind 5 only: one byte, the scale k (0...15)
/// [varint n, n bytes]       kinds 2 and 4 only: each string as a varint length and UTF-8
/// bit stream                to the end of the blob, most significant bit first, then a stop
///                           bit `1` and zero bits to the end of its byte
/// ```
///
/// Per point the bit stream holds its time, then (kind 4) its type, then its value (nothing for
/// a string). Times: the delta-of-delta (from `base` and a delta of 0 before the first point)
/// as a zig-zag integer in buckets `0` (zero), `10`+7, `110`+14, `1110`+21, `11110`+32 and
/// `11111`+64 bits. Longs: the same over the longs of the chunk (from 0). Doubles: Gorilla XOR
/// with the previous double's bits (from 0): `0` the same, `10` + the bits in the previous
/// window, `11` + 5 bits of leading zeros + 6 bits of length − 1 + the bits. A complex is two
/// such streams, real and imaginary. Decimal doubles (kind 5): the integers m coded as longs, a
/// random walk of 0.1 steps takes about 10 bits a point instead of Gorilla's 45. All arithmetic
/// wraps, so any sequence round-trips exactly.
///
/// The stop bit makes every cut detectable: a blob cut inside its bit stream decodes along the
/// same path as the whole one until it reads past the cut, so it reaches its last point past
/// the cut, where the stop bit is missing; a cut in the header or string section fails their
/// lengths. Only the empty prefix decodes (as a v0 chunk of no points).
extension ChunkCodec {
    static let mixed: UInt8 = 4
    static let decimal: UInt8 = 5
    static let maxScale = 15
    /// Exact powers of ten (all below 2^53).
    static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

    static func encodeV1(times: ArraySlice<Int64>, values: ArraySlice<MetricValue>, base: Int64, into out: inout [UInt8]) {
        assert(times.count == values.count, "a chunk's times and values differ in length")
        let count = min(times.count, values.count)
        guard count > 0 else { return }
        let times = times.prefix(count)
        let values = values.prefix(count)
        var kind = kindOf(values)
        var scale = 1.0
        var k = 0
        if kind == double, let found = decimalScale(values) {
            kind = decimal
            k = found
            scale = powersOfTen[found]
        }
        out.append(v1Marker)
        out.append(0x10 | kind)
        appendVarint(UInt64(count), to: &out)
        if kind == decimal { out.append(UInt8(k)) }
        if kind == string || kind == mixed {
            var length: UInt64 = 0
            for case .string(let s) in values {
                let n = UInt64(s.utf8.count)
                length &+= UInt64(varintLength(n)) &+ n
            }
            appendVarint(length, to: &out)
            for case .string(let s) in values {
                appendVarint(UInt64(s.utf8.count), to: &out)
                out.append(contentsOf: s.utf8)
            }
        }
        var bits = BitWriter()
        var time = IntegerState(previous: base)
        var longs = IntegerState(previous: 0)
        var doubles = XORState()
        var imaginaries = XORState()
        var t = times.startIndex
        var v = values.startIndex
        for _ in 0..<count {
            time.encode(times[t], &bits, &out)
            let value = values[v]
            if kind == mixed {
                let type: UInt8 = switch value {
                case .long: long
                case .double: double
                case .string: string
                case .complex: complex
                }
                bits.write(UInt64(type), 2, to: &out)
            }
            switch value {
            case .long(let x): longs.encode(x, &bits, &out)
            case .double(let x) where kind == decimal: longs.encode(Int64((x * scale).rounded()), &bits, &out)
            case .double(let x): doubles.encode(x.bitPattern, &bits, &out)
            case .string: break
            case .complex(let r, let im):
                doubles.encode(r.bitPattern, &bits, &out)
                imaginaries.encode(im.bitPattern, &bits, &out)
            }
            t = times.index(after: t)
            v = values.index(after: v)
        }
        bits.write(1, 1, to: &out)
        bits.finish(to: &out)
    }

    /// The type of every value, or `mixed`.
    private static func kindOf(_ values: ArraySlice<MetricValue>) -> UInt8 {
        var kind: UInt8?
        for value in values {
            let k: UInt8 = switch value {
            case .long: long
            case .double: double
            case .string: string
            case .complex: complex
            }
            if kind == nil { kind = k } else if kind != k { return mixed }
        }
        return kind ?? double
    }

    /// The error of a bit stream that ends inside point `k`; kept out of the decode loops.
    @inline(never)
    static func overrun(_ k: Int, _ count: Int) -> StoreError {
        corrupt("bit stream ends inside point \(k) of \(count)")
    }

    /// The least k in 0...15 such that every value is exactly `Double(m) / 10^k` for an integer
    /// m with |m| < 2^53 (as the decoder computes it, bit for bit), or nil (NaN, infinities,
    /// -0.0, too many digits). Division by an exact power of ten is correctly rounded, so the
    /// check is exact and the same everywhere.
    static func decimalScale(_ values: ArraySlice<MetricValue>) -> Int? {
        scales: for k in 0...maxScale {
            let p = powersOfTen[k]
            for case .double(let x) in values {
                let scaled = (x * p).rounded()
                guard abs(scaled) < 9_007_199_254_740_992 else { continue scales }
                let back = Double(Int64(scaled)) / p
                if back.bitPattern != x.bitPattern { continue scales }
            }
            return k
        }
        return nil
    }

    private static func varintLength(_ v: UInt64) -> Int {
        v == 0 ? 1 : (64 - v.leadingZeroBitCount + 6) / 7
    }

    static func decodeV1(
        _ bytes: UnsafeRawBufferPointer, base: Int64, _ body: (Int64, MetricValue) -> Void
    ) throws(StoreError) {
        let kind = bytes[1] & 0x0F
        guard kind <= decimal else { throw corrupt("unknown v1 kind \(kind)") }
        var i = 2
        let rawCount = try readVarint(bytes, &i)
        var scale = 1.0
        if kind == decimal {
            guard i < bytes.count, Int(bytes[i]) <= maxScale else { throw corrupt("bad decimal scale at byte \(i)") }
            scale = powersOfTen[Int(bytes[i])]
            i += 1
        }
        var strings = UnsafeRawBufferPointer(rebasing: bytes[i..<i])
        if kind == string || kind == mixed {
            guard let n = Int(exactly: try readVarint(bytes, &i)), n <= bytes.count - i else {
                throw corrupt("string section beyond the blob at byte \(i)")
            }
            strings = UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)])
            i += n
        }
        let stream = UnsafeRawBufferPointer(rebasing: bytes[i...])
        // Every point takes at least one bit (its time), so a count beyond the bits is damage;
        // this also bounds the loop below.
        guard rawCount >= 1, let count = Int(exactly: rawCount), count <= stream.count * 8 else {
            throw corrupt("point count \(rawCount) does not fit \(stream.count) bytes of bit stream")
        }
        var bits = BitReader(stream)
        var time = IntegerState(previous: base)
        var longs = IntegerState(previous: 0)
        var doubles = XORState()
        var imaginaries = XORState()
        var s = 0
        func nextString() throws(StoreError) -> String {
            guard let n = Int(exactly: try readVarint(strings, &s)), n <= strings.count - s else {
                throw corrupt("truncated string at byte \(s) of the string section")
            }
            defer { s += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: strings[s..<(s + n)]), as: UTF8.self)
        }
        switch kind {
        case double:
            for k in 0..<count {
                let t = time.decode(&bits)
                let x = try doubles.decode(&bits)
                if bits.overrun { throw overrun(k, count) }
                body(t, .double(Double(bitPattern: x)))
            }
        case long:
            for k in 0..<count {
                let t = time.decode(&bits)
                let x = longs.decode(&bits)
                if bits.overrun { throw overrun(k, count) }
                body(t, .long(x))
            }
        case decimal:
            for k in 0..<count {
                let t = time.decode(&bits)
                let x = longs.decode(&bits)
                if bits.overrun { throw overrun(k, count) }
                // Scale 1 (integral doubles, the commonest) needs no division.
                body(t, .double(scale == 1 ? Double(x) : Double(x) / scale))
            }
        default:
            for k in 0..<count {
                let t = time.decode(&bits)
                let type = kind == mixed ? UInt8(truncatingIfNeeded: bits.read(2)) : kind
                let value: MetricValue
                switch type {
                case long: value = .long(longs.decode(&bits))
                case double: value = .double(Double(bitPattern: try doubles.decode(&bits)))
                case string:
                    if bits.overrun { throw overrun(k, count) }
                    value = .string(try nextString())
                default:
                    let r = try doubles.decode(&bits)
                    value = .complex(real: Double(bitPattern: r), imaginary: Double(bitPattern: try imaginaries.decode(&bits)))
                }
                if bits.overrun { throw overrun(k, count) }
                body(t, value)
            }
        }
        let end = bits.position
        let stop: UInt8 = 0x80 >> UInt8(end & 7)
        guard end / 8 == stream.count - 1, stream[end / 8] & (0xFF >> UInt8(end & 7)) == stop else {
            throw corrupt("no stop bit right after the last of \(count) points (bit \(end) of \(stream.count * 8))")
        }
        guard s == strings.count else {
            throw corrupt("\(strings.count - s) bytes after the last string")
        }
    }
}

/// Delta-of-delta coding of a sequence of integers (times, longs), wrapping.
struct IntegerState {
    var previous: Int64
    var delta: Int64 = 0

    @inline(__always)
    mutating func encode(_ value: Int64, _ bits: inout BitWriter, _ out: inout [UInt8]) {
        let d = value &- previous
        let z = ChunkCodec.zigZag(d &- delta)
        previous = value
        delta = d
        if z == 0 {
            bits.write(0, 1, to: &out)
        } else if z < 1 << 7 {
            bits.write(0b10 << 7 | z, 9, to: &out)
        } else if z < 1 << 14 {
            bits.write(0b110 << 14 | z, 17, to: &out)
        } else if z < 1 << 21 {
            bits.write(0b1110 << 21 | z, 25, to: &out)
        } else if z < 1 << 32 {
            bits.write(0b11110 << 32 | z, 37, to: &out)
        } else {
            bits.write(0b11111, 5, to: &out)
            bits.write(z, 64, to: &out)
        }
    }

    @inline(__always)
    mutating func decode(_ bits: inout BitReader) -> Int64 {
        let w = bits.peek()
        if w &>> 63 == 0 {
            // A repeated delta, the commonest entry: no change to the state's delta.
            bits.skip(1)
            previous = previous &+ delta
            return previous
        }
        let z: UInt64
        switch (~w).leadingZeroBitCount {
        case 1:
            bits.skip(9)
            z = (w &<< 2) &>> 57
        case 2:
            bits.skip(17)
            z = (w &<< 3) &>> 50
        case 3:
            bits.skip(25)
            z = (w &<< 4) &>> 43
        case 4:
            bits.skip(37)
            z = (w &<< 5) &>> 32
        default:  // 5 or more ones (0 is handled above)
            bits.skip(5)
            z = bits.read(64)
        }
        delta = delta &+ ChunkCodec.unZigZag(z)
        previous = previous &+ delta
        return previous
    }
}

/// Gorilla XOR coding of a sequence of 64-bit patterns (doubles, bit-exact: NaN payloads, -0.0).
struct XORState {
    var previous: UInt64 = 0
    /// The window of the last `11` entry: leading zeros and length (initially all 64 bits).
    var leading = 0
    var length = 64

    @inline(__always)
    mutating func encode(_ value: UInt64, _ bits: inout BitWriter, _ out: inout [UInt8]) {
        let x = value ^ previous
        previous = value
        if x == 0 {
            bits.write(0, 1, to: &out)
            return
        }
        let lead = min(x.leadingZeroBitCount, 31)
        let trail = x.trailingZeroBitCount
        let n = 64 - lead - trail
        let windowTrail = 64 - leading - length
        // Reuse the window when the value fits it and doing so costs no more than a new one.
        if lead >= leading && trail >= windowTrail && length <= n + 11 {
            bits.write(0b10, 2, to: &out)
            bits.write(x &>> UInt64(windowTrail), length, to: &out)
        } else {
            bits.write(0b11 << 11 | UInt64(lead) << 6 | UInt64(n - 1), 13, to: &out)
            bits.write(x &>> UInt64(trail), n, to: &out)
            leading = lead
            length = n
        }
    }

    @inline(__always)
    mutating func decode(_ bits: inout BitReader) throws(StoreError) -> UInt64 {
        let w = bits.peek()
        if w &>> 63 == 0 {
            bits.skip(1)
            return previous
        }
        if (w &>> 62) & 1 == 0 {
            let n = length
            let payload: UInt64
            if n <= 55 {
                payload = (w &<< 2) &>> UInt64(64 &- n)
                bits.skip(2 &+ n)
            } else {
                bits.skip(2)
                payload = bits.read(n)
            }
            previous ^= payload &<< UInt64(64 &- leading &- n)
            return previous
        }
        let lead = Int((w &>> 57) & 0x1F)
        let n = Int((w &>> 51) & 0x3F) &+ 1
        guard lead &+ n <= 64 else {
            throw ChunkCodec.corrupt("XOR window of \(lead) leading zeros and \(n) bits")
        }
        let payload: UInt64
        if n <= 44 {
            payload = (w &<< 13) &>> UInt64(64 &- n)
            bits.skip(13 &+ n)
        } else {
            bits.skip(13)
            payload = bits.read(n)
        }
        leading = lead
        length = n
        previous ^= payload &<< UInt64(64 &- lead &- n)
        return previous
    }
}
