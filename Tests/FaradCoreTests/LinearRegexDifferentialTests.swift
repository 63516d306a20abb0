import FaradTestSupport
import FaradCore
import Testing

/// Random small patterns and inputs, matched by `LinearRegex` and by Swift's backtracking
/// `Regex` (fine on inputs this short): where both accept a pattern they must agree. A fixed
/// seed keeps it deterministic.
@Suite struct LinearRegexDifferentialTests {

    static let atoms = ["a", "b", "c", ".", "[ab]", "[^a]", "\\w", "(a|b)", "(ab|a)", "(a*)", "()", "^", "$", "\\b", "(?i)A", "[a-c]", "(?:b+)"]
    static let quantifiers = ["", "", "", "*", "+", "?", "{2}", "{1,2}", "{0,}", "*?"]

    func pattern(_ rng: inout SplitMix64) -> String {
        var p = ""
        for _ in 0..<(1 + rng.next(5)) {
            let atom = Self.atoms[rng.next(Self.atoms.count)]
            let quantified = ["^", "$", "\\b", "(?i)A"].contains(atom) ? "" : Self.quantifiers[rng.next(Self.quantifiers.count)]
            p += atom + quantified
            if rng.next(6) == 0 { p += "|" }
        }
        return p
    }

    @Test func agreesWithSwiftRegexOnSmallCases() throws {
        var rng = SplitMix64(seed: 12)
        var compared = 0
        for _ in 0..<1_500 {
            let p = pattern(&rng)
            guard let linear = try? LinearRegex(p), let backtracking = try? Regex(p) else { continue }
            // RE2's \b and \w: ASCII word characters, not Unicode's word boundaries.
            let swift = backtracking.wordBoundaryKind(.simple).asciiOnlyWordCharacters()
            for _ in 0..<6 {
                let input = String((0..<rng.next(7)).map { _ in ["a", "b", "c", "A", " "][rng.next(5)] })
                let expected = (try? swift.firstMatch(in: input)) != nil
                #expect(linear.firstMatch(in: input) == expected, "\(p) in \(input.debugDescription)")
                let whole = (try? swift.wholeMatch(in: input)) != nil
                #expect(linear.wholeMatch(input) == whole, "\(p) whole \(input.debugDescription)")
                compared += 1
            }
        }
        #expect(compared > 5_000)
    }

    @Test func randomPatternsNeverCrash() {
        var rng = SplitMix64(seed: 99)
        let pieces = ["(", ")", "[", "]", "{", "}", ",", "1", "0", "9", "*", "+", "?", "|", "\\", "^", "$", ".", "-", ":", "a", "?:", "(?", "i", "P<", ">", "[:", ":]", "x", "Q", "E"]
        var compiled = 0
        for _ in 0..<5_000 {
            let p = (0..<rng.next(12)).map { _ in pieces[rng.next(pieces.count)] }.joined()
            if let r = try? LinearRegex(p) {
                compiled += 1
                _ = r.firstMatch(in: "a1,{}[]()x")
                _ = r.wholeMatch("")
            }
        }
        #expect(compiled > 100)
    }
}
