import FaradTestSupport
import FaradCore
import Testing

@testable import FaradStore

/// The chunk codec: v1 round trips for any sequence, v0 blobs still read, damage is an error.
@Suite struct ChunkCodecTests {
    /// A point compared bit for bit (NaN payloads, -0.0).
    struct Point: Equatable, CustomStringConvertible {
        var time: Int64
        var value: Bits
        enum Bits: Equatable {
            case long(Int64), double(UInt64), string(String), complex(UInt64, UInt64)
        }
        init(_ time: Int64, _ v: MetricValue) {
            self.time = time
            switch v {
            case .long(let x): value = .long(x)
            case .double(let x): value = .double(x.bitPattern)
            case .string(let s): value = .string(s)
            case .complex(let r, let i): value = .complex(r.bitPattern, i.bitPattern)
            }
        }
        var description: String { "\(time): \(value)" }
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var times: [Int64]
        var values: [MetricValue]
        var base: Int64?
        var description: String { name }
    }

    static let nan = Double(bitPattern: 0x7FF8_0000_DEAD_BEEF)
    static let signallingNaN = Double(bitPattern: 0xFFF0_0000_0000_0001)

    static let edgeCases: [Case] = [
        Case(name: "one point", times: [1_700_000_000_000], values: [.double(1.5)]),
        Case(name: "regular doubles", times: [0, 10_000, 20_000, 30_000], values: [.double(1), .double(1), .double(2), .double(-3.25)]),
        Case(name: "Int64 extremes", times: [.max, .min, .max, 0, .min, -1], values: Array(repeating: .long(0), count: 6)),
        Case(name: "extreme longs", times: [0, 1, 2, 3, 4], values: [.long(.min), .long(.max), .long(.min), .long(0), .long(-1)]),
        Case(name: "extreme base", times: [.min, .max], values: [.long(1), .long(2)], base: .max),
        Case(name: "unsorted and duplicates", times: [50, 10, 10, 30, 10, 50], values: [.long(1), .long(2), .long(2), .long(3), .long(4), .long(5)]),
        Case(name: "special doubles", times: [1, 2, 3, 4, 5, 6, 7, 8, 9],
             values: [.double(nan), .double(-0.0), .double(0.0), .double(.infinity), .double(-.infinity),
                      .double(signallingNaN), .double(.leastNonzeroMagnitude), .double(.greatestFiniteMagnitude), .double(nan)]),
        Case(name: "strings", times: [1, 2, 3, 4], values: [.string(""), .string("é𝄞\u{0}x"), .string(""), .string(String(repeating: "a", count: 300))]),
        Case(name: "complex", times: [1, 1, 2], values: [.complex(real: 1, imaginary: -0.0), .complex(real: nan, imaginary: 2), .complex(real: 1, imaginary: 2)]),
        Case(name: "mixed", times: [5, 4, 3, 2, 1, 0],
             values: [.long(7), .double(7), .string("7"), .complex(real: 7, imaginary: 7), .string(""), .long(8)]),
        Case(name: "decimals", times: [1, 2, 3, 4, 5, 6], values: [.double(0.1), .double(0.3), .double(1e15), .double(-123456.789), .double(0), .double(8_999_999_999_999.999)]),
        Case(name: "not quite decimals", times: [1, 2, 3], values: [.double(0.1 + 0.2), .double(1e300), .double(0.5)]),
        Case(name: "negative first time, base 0 (log rows)", times: [-1, -2], values: [.double(1), .double(2)], base: 0),
    ]

    static func points(_ times: [Int64], _ values: [MetricValue]) -> [Point] {
        zip(times, values).map { Point($0, $1) }
    }

    static func decoded(_ bytes: [UInt8], base: Int64) throws -> [Point] {
        var result: [Point] = []
        try bytes.withUnsafeBytes { raw in
            try ChunkCodec.decode(raw, base: base) { result.append(Point($0, $1)) }
        }
        return result
    }

    static func encoded(_ times: [Int64], _ values: [MetricValue], base: Int64) -> [UInt8] {
        var out: [UInt8] = []
        ChunkCodec.encode(times: times[...], values: values[...], base: base, into: &out)
        return out
    }

    static func defaultBase(_ c: Case) -> Int64 { c.base ?? c.times.min() ?? 0 }

    @Test(arguments: edgeCases)
    func roundTripsEdgeCases(_ c: Case) throws {
        let base = Self.defaultBase(c)
        let bytes = Self.encoded(c.times, c.values, base: base)
        #expect(bytes.first == ChunkCodec.v1Marker)
        #expect(try Self.decoded(bytes, base: base) == Self.points(c.times, c.values))
    }

    @Test(arguments: edgeCases)
    func readsV0Blobs(_ c: Case) throws {
        let base = Self.defaultBase(c)
        var old: [UInt8] = []
        ChunkCodec.encodeV0(times: c.times[...], values: c.values[...], base: base, into: &old)
        #expect(try Self.decoded(old, base: base) == Self.points(c.times, c.values))
    }

    @Test func encodesAppendingToTheBufferAndSlicesByOffset() throws {
        let times: [Int64] = [9, 1, 2, 3, 9]
        let values: [MetricValue] = [.long(0), .long(10), .long(20), .long(30), .long(0)]
        var out: [UInt8] = [0xAA]
        ChunkCodec.encode(times: times[1..<4], values: values[1..<4], base: 1, into: &out)
        #expect(out.first == 0xAA)
        #expect(try Self.decoded(Array(out.dropFirst()), base: 1) == Self.points([1, 2, 3], [.long(10), .long(20), .long(30)]))
        var empty: [UInt8] = []
        ChunkCodec.encode(times: [], values: [], base: 0, into: &empty)
        #expect(empty.isEmpty)
        #expect(try Self.decoded([], base: 0).isEmpty)
    }

    /// Golden bytes pin both formats: times 0 and 10 s, the double 1.0 twice.
    @Test func goldenBytes() throws {
        let times: [Int64] = [0, 10_000]
        let values: [MetricValue] = [.double(1), .double(1)]
        // v1: marker, kind decimal, 2 points, scale 0; bits 0 (time) | 10 0000010 (m 1: dod 1) |
        // 1110 + 21 bits of zig-zag 20000 | 10 0000001 (dod -1) | stop bit 1, padding.
        let v1: [UInt8] = [0x01, 0x15, 0x02, 0x00, 0x40, 0xB8, 0x09, 0xC4, 0x10, 0x18]
        #expect(Self.encoded(times, values, base: 0) == v1)
        #expect(try Self.decoded(v1, base: 0) == Self.points(times, values))
        // Gorilla (kind double), as 1.0 was before decimals: bits 0 | 11 00010 001001 1111111111 |
        // 1110 + 21 bits of zig-zag 20000 | 0 (same value) | stop bit.
        let gorilla: [UInt8] = [0x01, 0x11, 0x02, 0x62, 0x27, 0xFF, 0xE0, 0x27, 0x10, 0x20]
        #expect(try Self.decoded(gorilla, base: 0) == Self.points(times, values))
        // v0 as the old encoder wrote it: varint(zz(0)), type 1, 1.0 LE, varint(zz(10000)), type 1, 1.0 LE.
        let one: [UInt8] = [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]
        let v0: [UInt8] = [0x00, 0x01] + one + [0xA0, 0x9C, 0x01, 0x01] + one
        var old: [UInt8] = []
        ChunkCodec.encodeV0(times: times[...], values: values[...], base: 0, into: &old)
        #expect(old == v0)
        #expect(try Self.decoded(v0, base: 0) == Self.points(times, values))
        // A v0 log row whose first time is -1 starts 0x01 like v1, then a type byte 0…3.
        let log: [UInt8] = [0x01, 0x00, 0x0E]
        #expect(try Self.decoded(log, base: 0) == [Point(-1, .long(7))])
    }

    @Test(arguments: 0..<6)
    func roundTripsSeededRandomChunks(_ kind: Int) throws {
        var rng = SplitMix64(seed: UInt64(kind) &* 0x9E37_79B9 &+ 17)
        for round in 0..<150 {
            let count = round < 10 ? round + 1 : Int(rng.next() % 600) + 1
            let times = Self.randomTimes(count, style: Int(rng.next() % 5), &rng)
            let values = (0..<count).map { i in Self.randomValue(kind == 5 ? Int(rng.next() % 4) : kind, i, &rng) }
            let base = rng.next() % 8 == 0 ? Int64(bitPattern: rng.next()) : times.min()!
            let bytes = Self.encoded(times, values, base: base)
            #expect(try Self.decoded(bytes, base: base) == Self.points(times, values), "kind \(kind) round \(round)")
        }
    }

    @Test func smallerThanV0ForRegularData() throws {
        var rng = SplitMix64(seed: 42)
        let n = 8192
        let times = (0..<n).map { Int64(1_700_000_000_000) + Int64($0) * 10_000 }
        var walk = 50.0
        let doubles: [MetricValue] = (0..<n).map { _ in
            walk += Double(Int64(rng.next() % 21) - 10) / 10
            return .double((walk * 10).rounded() / 10)
        }
        let constant: [MetricValue] = Array(repeating: .double(0.5), count: n)
        var counter: Int64 = 0
        let counters: [MetricValue] = (0..<n).map { _ in
            counter += Int64(rng.next() % 50)
            return .long(counter)
        }
        for values in [doubles, constant, counters] {
            var old: [UInt8] = []
            ChunkCodec.encodeV0(times: times[...], values: values[...], base: times[0], into: &old)
            let new = Self.encoded(times, values, base: times[0])
            #expect(new.count * 2 < old.count, "v1 \(new.count) bytes, v0 \(old.count) for \(n) points")
            #expect(try Self.decoded(new, base: times[0]).count == n)
        }
        // Decimals as integers: a 0.1-step random walk in under 2 bytes a point (Gorilla needs ~6).
        #expect(Self.encoded(times, doubles, base: times[0])[1] == 0x10 | ChunkCodec.decimal)
        #expect(Self.encoded(times, doubles, base: times[0]).count < 2 * n)
        // Regular times and a constant: about 2 bits a point.
        #expect(Self.encoded(times, constant, base: times[0]).count < n / 2)
    }

    /// Every non-empty proper prefix of a v1 blob is an error; of a v0 blob, an error or the
    /// points before the cut.
    @Test(arguments: edgeCases)
    func truncatedBlobsAreErrors(_ c: Case) throws {
        let base = Self.defaultBase(c)
        let expected = Self.points(c.times, c.values)
        let bytes = Self.encoded(c.times, c.values, base: base)
        for cut in 1..<bytes.count {
            #expect(throws: StoreError.self, "v1 cut at \(cut) of \(bytes.count)") {
                try Self.decoded(Array(bytes[..<cut]), base: base)
            }
        }
        var old: [UInt8] = []
        ChunkCodec.encodeV0(times: c.times[...], values: c.values[...], base: base, into: &old)
        for cut in 1..<old.count {
            if let got = try? Self.decoded(Array(old[..<cut]), base: base) {
                #expect(Array(expected.prefix(got.count)) == got, "v0 cut at \(cut)")
            }
        }
    }

    /// Random damage never traps; it is an error or some points, never more than the bits allow.
    @Test func damagedBlobsNeverTrap() throws {
        var rng = SplitMix64(seed: 7)
        var errors = 0
        var trials = 0
        for c in Self.edgeCases {
            let base = Self.defaultBase(c)
            let bytes = Self.encoded(c.times, c.values, base: base)
            for _ in 0..<300 {
                var damaged = bytes
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let at = Int(rng.next() % UInt64(damaged.count))
                    damaged[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
                trials += 1
                do {
                    let got = try Self.decoded(damaged, base: base)
                    #expect(got.count <= damaged.count * 8)
                } catch let error as StoreError {
                    errors += 1
                    #expect(error.code == .corrupt)
                    #expect(error.message.hasPrefix("corrupt"))
                }
            }
        }
        #expect(errors > trials / 10, "\(errors) errors in \(trials) damaged blobs")
        // Headers that lie: a huge count, an unknown kind, a string section beyond the blob.
        for bad: [UInt8] in [[0x01, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x80], [0x01, 0x15, 0x01, 0x80], [0x01, 0x12, 0x01, 0x7F, 0x80],
                             [0x01, 0x11, 0x00, 0x80], [0x01, 0x11, 0x01, 0xFF, 0xFF, 0xFF, 0xFF]] {
            #expect(throws: StoreError.self, "\(bad)") { try Self.decoded(bad, base: 0) }
        }
    }

    static func randomTimes(_ n: Int, style: Int, _ rng: inout SplitMix64) -> [Int64] {
        switch style {
        case 0: return (0..<n).map { Int64($0) * 10_000 }
        case 1: return (0..<n).map { Int64($0) * 10_000 + Int64(rng.next() % 2001) - 1000 }
        case 2: return (0..<n).map { _ in Int64(bitPattern: rng.next()) }
        case 3: return (0..<n).map { _ in Int64(rng.next() % 16) - 8 }
        default:
            let pool: [Int64] = [.min, .max, 0, -1, 1, .min + 1, .max - 1]
            return (0..<n).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }
        }
    }

    static func randomValue(_ kind: Int, _ i: Int, _ rng: inout SplitMix64) -> MetricValue {
        let r = rng.next()
        switch kind {
        case 0:
            switch r % 4 {
            case 0: return .long(Int64(bitPattern: rng.next()))
            case 1: return .long(Int64(i) * 3)
            case 2: return .long(Int64(r % 100))
            default: return .long([Int64.min, .max, 0, -1][Int(r >> 8) % 4])
            }
        case 1: return .double(randomDouble(r, i, &rng))
        case 2:
            let length = Int(r % 12)
            let pool: [Character] = ["a", "é", "𝄞", "\u{0}", " "]
            return .string(String((0..<length).map { _ in pool[Int(rng.next() % 5)] }))
        case 3: return .complex(real: randomDouble(r, i, &rng), imaginary: randomDouble(rng.next(), i, &rng))
        default: return .double(Double(i))
        }
    }

    static func randomDouble(_ r: UInt64, _ i: Int, _ rng: inout SplitMix64) -> Double {
        switch r % 5 {
        case 0: return Double(bitPattern: rng.next())
        case 1: return Double(i) / 10
        case 2: return 21.5
        case 3: return [nan, -0.0, .infinity, signallingNaN][Int(r >> 8) % 4]
        default: return Double(Int64(r % 1000)) * 0.01
        }
    }
}

extension ChunkCodecTests {
}
