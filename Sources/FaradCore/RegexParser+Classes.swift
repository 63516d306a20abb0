/// Escapes and character classes: `\d \w \s` (ASCII, as in RE2), `[a-z]`, `[^…]`,
/// `[[:alpha:]]`, `\x41`, `\x{1F600}`, octal `\012`, `\n \t \r \f \v \a`, escaped punctuation.
extension RegexParser {
    static let digits: [ClosedRange<UInt32>] = [48...57]
    static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
    /// RE2's `\s`: `[\t\n\f\r ]` (no `\v`).
    static let space: [ClosedRange<UInt32>] = [9...10, 12...13, 32...32]

    static let posix: [String: [ClosedRange<UInt32>]] = [
        "alnum": [48...57, 65...90, 97...122],
        "alpha": [65...90, 97...122],
        "ascii": [0...0x7F],
        "blank": [9...9, 32...32],
        "cntrl": [0...0x1F, 0x7F...0x7F],
        "digit": [48...57],
        "graph": [0x21...0x7E],
        "lower": [97...122],
        "print": [0x20...0x7E],
        "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E],
        "space": [9...13, 32...32],
        "upper": [65...90],
        "word": [48...57, 65...90, 95...95, 97...122],
        "xdigit": [48...57, 65...70, 97...102],
    ]

    /// An escape outside a class, at `\`.
    mutating func escape(_ flags: RegexFlags) throws(RegexError) -> RegexNode {
        let start = i
        guard let c = peek(1) else { throw error(.invalidEscape, "trailing backslash at end of expression") }
        switch c {
        case "b", "B", "A", "z":
            i += 2
            let a: RegexAssertion = switch c {
            case "b": .wordBoundary
            case "B": .notWordBoundary
            case "A": .beginText
            default: .endText
            }
            return .assertion(a)
        case "C":
            i += 2
            return .any(dotAll: true)
        default:
            break
        }
        if let (ranges, negated) = try perlClass() {
            return .set(ScalarSet(ranges: ranges, negated: negated, foldCase: false))
        }
        let scalar = try escapedScalar(at: start)
        return literal(scalar, flags)
    }

    /// `\d \D \w \W \s \S` at `i`, consumed; `\p`/`\P` are refused.
    mutating func perlClass() throws(RegexError) -> ([ClosedRange<UInt32>], negated: Bool)? {
        guard peek == "\\", let c = peek(1) else { return nil }
        let ranges: [ClosedRange<UInt32>]
        switch c {
        case "d", "D": ranges = Self.digits
        case "w", "W": ranges = Self.word
        case "s", "S": ranges = Self.space
        case "p", "P":
            throw error(.unsupported, "Unicode classes (\\p, \\P) are not supported: use a class such as [a-zA-Z] or [[:alpha:]]")
        default: return nil
        }
        i += 2
        return (ranges, c.properties.isUppercase)
    }

    /// One scalar written as an escape at `i` (`\n`, `\x41`, `\.`…), consumed.
    mutating func escapedScalar(at start: Int) throws(RegexError) -> Unicode.Scalar {
        guard let c = peek(1) else { throw error(.invalidEscape, "trailing backslash at end of expression", at: start) }
        i += 2
        switch c {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "a": return "\u{07}"
        case "x":
            if peek == "{" {
                i += 1
                var value: UInt32 = 0
                let digitsStart = i
                while let d = peek, d != "}" {
                    guard let h = Self.hexValue(d), value <= 0x10FFFF else { break }
                    value = value * 16 + h
                    i += 1
                }
                guard peek == "}", i > digitsStart, let s = Unicode.Scalar(value) else {
                    throw error(.invalidEscape, "invalid escape sequence \\x{…}: give 1 to 6 hex digits of a Unicode scalar", at: start)
                }
                i += 1
                return s
            }
            guard let h = peek.flatMap(Self.hexValue), let l = peek(1).flatMap(Self.hexValue) else {
                throw error(.invalidEscape, "invalid escape sequence \\x: give two hex digits, e.g. \\x41, or \\x{…}", at: start)
            }
            i += 2
            return Unicode.Scalar(UInt8(h * 16 + l))
        case "0"..."7":
            // A single non-zero digit would be a backreference, which RE2 does not have.
            if c != "0" && !(peek.map { ("0"..."7").contains($0) } ?? false) {
                throw error(.invalidEscape, "invalid escape sequence \\\(c): backreferences are not supported", at: start)
            }
            var value = c.value - 48
            for _ in 0..<2 {
                guard let d = peek, ("0"..."7").contains(d) else { break }
                value = value * 8 + d.value - 48
                i += 1
            }
            return Unicode.Scalar(UInt8(value))
        default:
            guard c.isASCII, !c.properties.isAlphabetic, !("0"..."9").contains(c) else {
                throw error(.invalidEscape, "invalid escape sequence \\\(c)", at: start)
            }
            return c
        }
    }

    static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": c.value - 48
        case "a"..."f": c.value - 87
        case "A"..."F": c.value - 55
        default: nil
        }
    }

    /// A class at `[`, consumed.
    mutating func characterClass(_ flags: RegexFlags) throws(RegexError) -> ScalarSet {
        let open = i
        i += 1
        var negated = false
        if peek == "^" {
            negated = true
            i += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            guard let c = peek else { throw error(.missingBracket, "missing closing ]", at: open) }
            if c == "]" && !first { break }
            first = false
            if c == "[", peek(1) == ":", let posix = try posixClass() {
                ranges += posix
                continue
            }
            if let (perl, negatedPerl) = try perlClass() {
                ranges += negatedPerl ? ScalarSet.complement(perl) : perl
                continue
            }
            let itemStart = i
            let lo = try classScalar()
            var hi = lo
            if peek == "-", let next = peek(1), next != "]" {
                i += 1
                hi = try classScalar()
                guard hi.value >= lo.value else {
                    throw error(.invalidClassRange, "invalid character class range \(String(String.UnicodeScalarView(scalars[itemStart..<i])))", at: itemStart)
                }
            }
            ranges.append(lo.value...hi.value)
        }
        i += 1
        return ScalarSet(ranges: ranges, negated: negated, foldCase: flags.foldCase)
    }

    /// One scalar in a class: literal or escaped.
    mutating func classScalar() throws(RegexError) -> Unicode.Scalar {
        guard let c = peek else { throw error(.missingBracket, "missing closing ]") }
        if c == "\\" {
            let start = i
            if let next = peek(1), ["b", "B", "A", "z", "C", "Q"].contains(next) {
                throw error(.invalidEscape, "invalid escape sequence \\\(next) in a character class", at: start)
            }
            return try escapedScalar(at: start)
        }
        i += 1
        return c
    }

    /// `[:name:]` or `[:^name:]` at `i`, consumed; nil when it is not one (then `[` is literal).
    mutating func posixClass() throws(RegexError) -> [ClosedRange<UInt32>]? {
        let start = i
        var j = i + 2
        var negated = false
        if j < scalars.count, scalars[j] == "^" {
            negated = true
            j += 1
        }
        let nameStart = j
        while j < scalars.count, scalars[j] != ":", j - nameStart < 8 { j += 1 }
        guard j + 1 < scalars.count, scalars[j] == ":", scalars[j + 1] == "]" else { return nil }
        let name = String(String.UnicodeScalarView(scalars[nameStart..<j]))
        guard let ranges = Self.posix[name] else {
            throw error(.invalidClassRange, "invalid character class range [:\(negated ? "^" : "")\(name):]", at: start)
        }
        i = j + 2
        return negated ? ScalarSet.complement(ranges) : ranges
    }
}
