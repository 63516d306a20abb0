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
    /// Each slot's bytes as two words, the length in the top byte of the second.
    private var words: [(UInt64, UInt64)]
    private var strings: [String]

    public init() {
        words = Array(repeating: (0, 0), count: 1 << Self.slotBits)
        strings = Array(repeating: "", count: 1 << Self.slotBits)
    }

    /// The string in `range` of the scanner's bytes.
    mutating func string(_ scanner: WireScanner, _ range: Range<Int>) throws(WireError) -> String {
        let count = range.count
        guard count > 0, count <= 15, let base = scanner.bytes.baseAddress else { return try scanner.string(range) }
        // Equal words, equal bytes: the length sits in the top byte, which no string byte reaches.
        var key: (UInt64, UInt64) = (0, UInt64(count) << 56)
        withUnsafeMutableBytes(of: &key) { $0.baseAddress!.copyMemory(from: base + range.lowerBound, byteCount: count) }
        let slot = Int(truncatingIfNeeded: (key.0 &* 0x9E37_79B9_7F4A_7C15 ^ key.1 &* 0xC2B2_AE3D_27D4_EB4F) >> (64 - Self.slotBits))
        if words[slot] == key { return strings[slot] }
        let s = try scanner.string(range)
        words[slot] = key
        strings[slot] = s
        return s
    }
}
