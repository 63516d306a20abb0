/// InfluxQL's scanner: the query text as tokens with their positions, as InfluxDB 1.x reads it —
/// whitespace and comments (`-- …`, `/* … */`) skipped, keywords upper-cased, `"quoted"`
/// identifiers and `'strings'` unescaped (`\\ \" \' \n`), integers, floats and duration literals
/// (`10s`, `1h30m`; units `ns u µ ms s m h d w`), `$params`, and operators. Regexes (`/…/`) are
/// read only where the parser expects one (``scanRegex()``): elsewhere `/` divides.
///
/// ```swift
/// var s = InfluxQLScanner("SELECT mean(v) FROM cpu")
/// while case let (token, _) = try s.next(), token != .eof { print(token) }
/// ```
public struct InfluxQLScanner: Sendable {
    /// The longest query text scanned (InfluxDB has none; a bound keeps memory and time linear).
    public static let maximumLength = 1 << 20

    private let text: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var char = 1

    public init(_ query: String) {
        text = Array(query.unicodeScalars)
    }

    /// Where the next token would start.
    public var position: InfluxQLPosition { InfluxQLPosition(line: line, char: char) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < text.count ? text[index + offset] : nil
    }

    private mutating func advance() {
        if text[index] == "\n" {
            line += 1
            char = 1
        } else {
            char += 1
        }
        index += 1
    }

    /// The next token and where it starts.
    public mutating func next() throws(InfluxQLError) -> (token: InfluxQLToken, position: InfluxQLPosition) {
        guard text.count <= Self.maximumLength else {
            throw InfluxQLError(.tooLong, "query too long: at most \(Self.maximumLength) characters", at: InfluxQLPosition(line: 1, char: 1))
        }
        try skipSpaceAndComments()
        let start = position
        // InfluxDB places EOF one char past the end (its reader counts the read that found it).
        guard let c = peek() else { return (.eof, InfluxQLPosition(line: start.line, char: start.char + 1)) }
        if isLetter(c) || c == "_" { return (word(), start) }
        if isDigit(c) || (c == "." && peek(1).map(isDigit) == true) { return (try number(start), start) }
        switch c {
        case "\"":
            return (.identifier(try quoted("\"", start), quoted: true), start)
        case "'":
            return (.string(try quoted("'", start)), start)
        case "$":
            advance()
            var name = ""
            while let d = peek(), isLetter(d) || isDigit(d) || d == "_" {
                name.unicodeScalars.append(d)
                advance()
            }
            return (.boundParameter(name), start)
        default:
            return (.symbol(try symbol(start)), start)
        }
    }

    /// A regex literal `/…/` (with `\/` for a slash), as the parser reads one after `=~`.
    public mutating func scanRegex() throws(InfluxQLError) -> (pattern: String, position: InfluxQLPosition) {
        try skipSpaceAndComments()
        let start = position
        guard peek() == "/" else { throw InfluxQLError(.syntax, "found \(peekDescription()), expected regex", at: start) }
        advance()
        var pattern = ""
        while let c = peek() {
            if c == "/" {
                advance()
                return (pattern, start)
            }
            if c == "\\", peek(1) == "/" {
                advance()
                advance()
                pattern.unicodeScalars.append("/")
                continue
            }
            if c == "\n" { break }
            pattern.unicodeScalars.append(c)
            advance()
        }
        throw InfluxQLError(.badString, "unterminated regex", at: start)
    }

    /// Whether the next token starts a regex (`/` after spaces and comments).
    public mutating func atRegex() -> Bool {
        let saved = self
        guard (try? skipSpaceAndComments()) != nil else {
            self = saved
            return false
        }
        return peek() == "/"
    }

    private func peekDescription() -> String {
        var copy = self
        return (try? copy.next().token.description) ?? "?"
    }

    private mutating func skipSpaceAndComments() throws(InfluxQLError) {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                advance()
            } else if c == "-", peek(1) == "-" {
                while let d = peek(), d != "\n" { advance() }
            } else if c == "/", peek(1) == "*" {
                let start = position
                advance()
                advance()
                while true {
                    guard let d = peek() else { throw InfluxQLError(.syntax, "unterminated comment", at: start) }
                    if d == "*", peek(1) == "/" {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    private mutating func word() -> InfluxQLToken {
        var s = ""
        while let c = peek(), isLetter(c) || isDigit(c) || c == "_" {
            s.unicodeScalars.append(c)
            advance()
        }
        let upper = s.uppercased()
        return InfluxQLToken.keywords.contains(upper) ? .keyword(upper) : .identifier(s, quoted: false)
    }

    private mutating func number(_ start: InfluxQLPosition) throws(InfluxQLError) -> InfluxQLToken {
        var digits = ""
        while let c = peek(), isDigit(c) {
            digits.unicodeScalars.append(c)
            advance()
        }
        if peek() == ".", peek(1).map(isDigit) == true || !digits.isEmpty {
            var text = digits + "."
            advance()
            while let c = peek(), isDigit(c) {
                text.unicodeScalars.append(c)
                advance()
            }
            guard let x = Double(text.hasSuffix(".") ? text + "0" : text) else { throw InfluxQLError(.badNumber, "invalid number \(text)", at: start) }
            return .number(x)
        }
        // A duration: digits followed by a unit, possibly several (1h30m).
        if let unit = durationUnit() {
            return try duration(first: digits, unit: unit, start)
        }
        guard let n = Int64(digits) else {
            guard let x = Double(digits) else { throw InfluxQLError(.badNumber, "invalid number \(digits)", at: start) }
            return .number(x)
        }
        return .integer(n)
    }

    /// The unit at the cursor (not consumed), if one follows and no identifier letter runs on.
    private func durationUnit() -> String? {
        guard let first = peek() else { return nil }
        let unit: String
        switch first {
        case "n" where peek(1) == "s": unit = "ns"
        case "m" where peek(1) == "s": unit = "ms"
        case "u", "µ", "s", "m", "h", "d", "w": unit = String(first)
        default: return nil
        }
        if let after = peek(unit.unicodeScalars.count), isLetter(after) || after == "_" { return nil }
        return unit
    }

    private mutating func duration(first: String, unit: String, _ start: InfluxQLPosition) throws(InfluxQLError) -> InfluxQLToken {
        var total: Int64 = 0
        var text = ""
        var digits = first
        var unit: String? = unit
        while let u = unit {
            for _ in u.unicodeScalars { advance() }
            text += digits + u
            let scale: Int64 = switch u {
            case "ns": 1
            case "u", "µ": 1_000
            case "ms": 1_000_000
            case "s": 1_000_000_000
            case "m": 60_000_000_000
            case "h": 3_600_000_000_000
            case "d": 86_400_000_000_000
            default: 604_800_000_000_000
            }
            guard let n = Int64(digits) else { throw InfluxQLError(.badDuration, "overflowed duration \(text)", at: start) }
            let (product, o1) = n.multipliedReportingOverflow(by: scale)
            let (sum, o2) = total.addingReportingOverflow(product)
            guard !o1, !o2 else { throw InfluxQLError(.badDuration, "overflowed duration \(text)", at: start) }
            total = sum
            digits = ""
            var lookahead = index
            while lookahead < self.text.count, isDigit(self.text[lookahead]) { lookahead += 1 }
            guard lookahead > index else { break }
            let saved = self
            while index < lookahead {
                digits.unicodeScalars.append(self.text[index])
                advance()
            }
            unit = durationUnit()
            if unit == nil { self = saved }
        }
        return .duration(total, text: text)
    }

    private mutating func quoted(_ quote: Unicode.Scalar, _ start: InfluxQLPosition) throws(InfluxQLError) -> String {
        advance()
        var s = ""
        while let c = peek() {
            if c == quote {
                advance()
                return s
            }
            if c == "\n" { break }
            if c == "\\" {
                let escapePosition = position
                advance()
                switch peek() {
                case "n"?: s.unicodeScalars.append("\n")
                case "\\"?: s.unicodeScalars.append("\\")
                case "\""?: s.unicodeScalars.append("\"")
                case "'"?: s.unicodeScalars.append("'")
                default:
                    throw InfluxQLError(.badEscape, "bad escape", at: escapePosition)
                }
                advance()
                continue
            }
            s.unicodeScalars.append(c)
            advance()
        }
        throw InfluxQLError(.badString, quote == "'" ? "unterminated string" : "unterminated quoted identifier", at: start)
    }

    private mutating func symbol(_ start: InfluxQLPosition) throws(InfluxQLError) -> String {
        let c = text[index]
        if let n = peek(1) {
            let pair: Bool = switch (c, n) {
            case ("!", "="), ("!", "~"), ("<", "="), ("<", ">"), (">", "="), ("=", "~"), (":", ":"): true
            default: false
            }
            if pair {
                advance()
                advance()
                return String(c) + String(n)
            }
        }
        guard "+-*/%&|^=<>,;.():".unicodeScalars.contains(c) else {
            throw InfluxQLError(.syntax, "found \(c), expected a statement", at: start)
        }
        advance()
        return String(c)
    }

    private func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A }
        return c.properties.isAlphabetic && c != "µ"
    }
    private func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
}
