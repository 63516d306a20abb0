/// The short strings a decoder has met, by their bytes: a host that decodes many points with
/// the same measurement, tag and field names (and tag values) builds each of those strings
/// once. Strings of up to 15 bytes are cached (2,048 slots, a newer string takes its slot);
/// longer ones are decoded each time.
///
/// ```swift
/// var cache = UDFStringCache()
/// for p in points { p.forEachElement(cache: &cache) { element in … } }
/// ```
public struct UDFStringCache: Sendable {
    private static let slotBits = 11
    /// Each slot's key: the first and last 8 bytes (overlapping for shorter strings), and the
    /// length; these determine a string of up to 16 bytes.
    private var keys: [(UInt64, UInt64, Int)]
    private var strings: [String]

    public init() {
        keys = Array(repeating: (0, 0, -1), count: 1 << Self.slotBits)
        strings = Array(repeating: "", count: 1 << Self.slotBits)
    }

    /// The string in `range` of the scanner's bytes.
    mutating func string(_ scanner: WireScanner, _ range: Range<Int>) throws(WireError) -> String {
        let count = range.count
        guard count > 0, count <= 15, let base = scanner.bytes.baseAddress else { return try scanner.string(range) }
        let key: (UInt64, UInt64, Int)
        if count >= 8 {
            key = (base.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt64.self),
                   base.loadUnaligned(fromByteOffset: range.upperBound - 8, as: UInt64.self), count)
        } else if range.upperBound >= 8 {
            // The 8 bytes ending with the string, shifted so that only the string's remain.
            let word = base.loadUnaligned(fromByteOffset: range.upperBound - 8, as: UInt64.self)
            key = (UInt64(littleEndian: word) >> (8 * UInt64(8 - count)), 0, count)
        } else {
            var word: UInt64 = 0
            for i in range.reversed() { word = word << 8 | UInt64(base.load(fromByteOffset: i, as: UInt8.self)) }
            key = (word, 0, count)
        }
        let mixed = key.0 &* 0x9E37_79B9_7F4A_7C15 ^ (key.1 ^ UInt64(count)) &* 0xC2B2_AE3D_27D4_EB4F
        let slot = Int(truncatingIfNeeded: mixed >> (64 - Self.slotBits))
        if keys[slot] == key { return strings[slot] }
        let s = try scanner.string(range)
        keys[slot] = key
        strings[slot] = s
        return s
    }
}
