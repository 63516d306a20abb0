/// The parsed form of a ``LinearRegex`` pattern (RE2/Go `regexp/syntax`, without captures).
indirect enum RegexNode: Sendable {
    case empty
    /// Scalars to match one of (a literal, a class, or a literal under `(?i)`).
    case set(ScalarSet)
    case literal(Unicode.Scalar)
    /// `.`; with `(?s)` it matches `\n` too.
    case any(dotAll: Bool)
    case assertion(RegexAssertion)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `x{min,max}`; `max` nil is unbounded.
    case repetition(RegexNode, min: Int, max: Int?)
}

/// Zero-width assertions.
enum RegexAssertion: Sendable, Hashable {
    /// `\A`, or `^` without `(?m)`.
    case beginText
    /// `\z`, or `$` without `(?m)`.
    case endText
    /// `^` with `(?m)`: at the start or after `\n`.
    case beginLine
    /// `$` with `(?m)`: at the end or before `\n`.
    case endLine
    /// `\b`: between an ASCII word character and a non-word one (or an edge).
    case wordBoundary
    /// `\B`.
    case notWordBoundary
}

/// The flags a pattern sets with `(?flags)` or `(?flags:…)`.
struct RegexFlags: Sendable {
    /// `i`: case-insensitive.
    var foldCase = false
    /// `s`: `.` matches `\n`.
    var dotAll = false
    /// `m`: `^` and `$` match at line boundaries.
    var multiLine = false
}

/// A recursive-descent parser for RE2 syntax. Recursion is bounded by ``maximumDepth`` nested
/// groups; repetition counts are at most ``maximumRepeat``, as in RE2.
struct RegexParser {
    static let maximumDepth = 250
    static let maximumRepeat = 1000

    let pattern: String
    let scalars: [Unicode.Scalar]
    var i = 0
    var depth = 0

    init(_ pattern: String) {
        self.pattern = pattern
        scalars = Array(pattern.unicodeScalars)
    }

    func error(_ code: RegexError.Code, _ message: String, at offset: Int? = nil) -> RegexError {
        RegexError(code, message, pattern: pattern, offset: offset ?? i)
    }

    var peek: Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

    func peek(_ ahead: Int) -> Unicode.Scalar? { i + ahead < scalars.count ? scalars[i + ahead] : nil }

    /// The whole pattern.
    static func parse(_ pattern: String) throws(RegexError) -> RegexNode {
        var parser = RegexParser(pattern)
        var flags = RegexFlags()
        let node = try parser.alternation(&flags)
        if parser.i < parser.scalars.count {
            // Only an unmatched `)` stops an alternation early.
            throw parser.error(.unexpectedParenthesis, "unexpected )")
        }
        return node
    }

    /// Alternatives up to an unmatched `)` or the end. `(?i)` inside changes `flags` for the
    /// rest of the enclosing group, across `|` too, as in RE2.
    mutating func alternation(_ flags: inout RegexFlags) throws(RegexError) -> RegexNode {
        var alternatives = [try concatenation(&flags)]
        while peek == "|" {
            i += 1
            alternatives.append(try concatenation(&flags))
        }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    mutating func concatenation(_ flags: inout RegexFlags) throws(RegexError) -> RegexNode {
        var items: [RegexNode] = []
        /// Whether the last item may take a repetition operator (not one that already has one).
        var repeatable = false
        while let c = peek, c != "|", c != ")" {
            let start = i
            switch c {
            case "*", "+", "?":
                i += 1
                try repeatLast(&items, &repeatable, min: c == "+" ? 1 : 0, max: c == "?" ? 1 : nil, at: start)
                continue
            case "{":
                if let (min, max) = try repeatCount() {
                    try repeatLast(&items, &repeatable, min: min, max: max, at: start)
                    continue
                }
                i += 1
                items.append(literal("{", flags))  // not a valid repeat: a literal brace, as in RE2
            case "(":
                if let group = try group(&flags) {
                    items.append(group)
                } else {
                    repeatable = false
                    continue  // a flag setting (?i): nothing to repeat
                }
            case "[":
                items.append(.set(try characterClass(flags)))
            case ".":
                i += 1
                items.append(.any(dotAll: flags.dotAll))
            case "^":
                i += 1
                items.append(.assertion(flags.multiLine ? .beginLine : .beginText))
            case "$":
                i += 1
                items.append(.assertion(flags.multiLine ? .endLine : .endText))
            case "\\":
                if peek(1) == "Q" {
                    i += 2
                    while let d = peek, !(d == "\\" && peek(1) == "E") {
                        items.append(literal(d, flags))
                        i += 1
                    }
                    if peek != nil { i += 2 }
                    repeatable = !items.isEmpty
                    continue
                }
                items.append(try escape(flags))
            default:
                i += 1
                items.append(literal(c, flags))
            }
            repeatable = true
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    func literal(_ c: Unicode.Scalar, _ flags: RegexFlags) -> RegexNode {
        guard flags.foldCase, ScalarSet.hasCase(c) else { return .literal(c) }
        return .set(ScalarSet(ranges: [c.value...c.value], negated: false, foldCase: true))
    }

    mutating func repeatLast(_ items: inout [RegexNode], _ repeatable: inout Bool, min: Int, max: Int?, at start: Int) throws(RegexError) {
        let op = String(String.UnicodeScalarView(scalars[start..<i]))
        guard let last = items.last else {
            throw error(.missingRepeatArgument, "missing argument to repetition operator \(op)", at: start)
        }
        guard repeatable else {
            throw error(.nestedRepeat, "invalid nested repetition operator \(op)", at: start)
        }
        if peek == "?" { i += 1 }  // lazy: the same for match or no match
        items[items.count - 1] = .repetition(last, min: min, max: max)
        repeatable = false
    }

    /// `{n}`, `{n,}` or `{n,m}` at `i`, consumed; nil (nothing consumed) when the brace starts
    /// no valid repeat, so that it is a literal.
    mutating func repeatCount() throws(RegexError) -> (Int, Int?)? {
        let start = i
        var j = i + 1
        func number() -> Int? {
            let digitsStart = j
            var value = 0
            while j < scalars.count, ("0"..."9").contains(scalars[j]) {
                // Clamped: anything over 1000 is refused, and no digit string overflows.
                value = Swift.min(value * 10 + Int(scalars[j].value - 48), 100_000)
                j += 1
            }
            return j > digitsStart ? value : nil
        }
        guard let min = number() else { return nil }
        var max: Int? = min
        if j < scalars.count, scalars[j] == "," {
            j += 1
            max = number()
        }
        guard j < scalars.count, scalars[j] == "}" else { return nil }
        i = j + 1
        let limit = Self.maximumRepeat
        guard min <= limit, (max ?? 0) <= limit, max.map({ $0 >= min }) ?? true else {
            throw error(.invalidRepeat, "invalid repeat count \(String(String.UnicodeScalarView(scalars[start..<i]))): counts are at most \(limit) and the maximum is not below the minimum", at: start)
        }
        return (min, max)
    }

    /// A group at `(`; nil for a flag setting `(?i)`, which changes `flags` in place.
    mutating func group(_ flags: inout RegexFlags) throws(RegexError) -> RegexNode? {
        let open = i
        i += 1
        var inner = flags
        if peek == "?" {
            i += 1
            switch peek {
            case ":":
                i += 1
            case "P" where peek(1) == "<", "<":
                // A named group: captures are not needed, only the name's syntax.
                i += peek == "P" ? 2 : 1
                let nameStart = i
                while let c = peek, c != ">" {
                    guard c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil else {
                        throw error(.invalidGroup, "invalid named capture", at: open)
                    }
                    i += 1
                }
                guard peek == ">", i > nameStart else { throw error(.invalidGroup, "invalid named capture", at: open) }
                i += 1
            default:
                var negate = false
                var sawFlag = false
                while true {
                    guard let c = peek else { throw error(.missingParenthesis, "missing closing )", at: open) }
                    i += 1
                    switch c {
                    case "i": inner.foldCase = !negate
                    case "s": inner.dotAll = !negate
                    case "m": inner.multiLine = !negate
                    case "U": break  // ungreedy: the same for match or no match
                    case "-" where !negate:
                        negate = true
                        sawFlag = false
                        continue
                    case ")", ":":
                        guard sawFlag || !negate else { throw error(.invalidFlags, "invalid or unsupported Perl syntax: flags", at: open) }
                        if c == ")" {
                            flags = inner
                            return nil
                        }
                        return try groupBody(&inner, open: open)
                    default:
                        throw error(.invalidFlags, "invalid or unsupported Perl syntax \(String(String.UnicodeScalarView(scalars[open..<i])))", at: open)
                    }
                    sawFlag = true
                }
            }
        }
        return try groupBody(&inner, open: open)
    }

    mutating func groupBody(_ flags: inout RegexFlags, open: Int) throws(RegexError) -> RegexNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw error(.tooDeep, "expression nests too deeply: at most \(Self.maximumDepth) groups", at: open)
        }
        let node = try alternation(&flags)
        guard peek == ")" else { throw error(.missingParenthesis, "missing closing )", at: open) }
        i += 1
        return node
    }
}
