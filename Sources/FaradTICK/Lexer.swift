/// Splits a TICKscript into tokens, following Kapacitor's lexer.
///
/// Rules worth knowing: `TRUE`, `FALSE`, `AND`, `OR` are upper case only (`true` is an
/// identifier); strings use single quotes (`'…'`, or `'''…'''` without escapes), double quotes
/// make a reference; a number with a leading `0` is octal (`010` is 8); durations are an integer
/// and a unit (`u µ ms s m h d w`), never fractional; `/` starts a regex where an operand is
/// expected and divides elsewhere; `//` comments run to the end of the line.
public struct Lexer {
    private let characters: [Character]
    private var i = 0
    private var line = 1
    private var column = 1
    private(set) public var tokens: [Token] = []
    /// Warnings found while lexing (e.g. octal numbers).
    private(set) public var warnings: [TICKDiagnostic] = []

    /// Tokenizes `source`.
    /// - Throws: ``TICKDiagnostic`` at the first character that starts no token.
    public static func tokenize(_ source: String) throws(TICKDiagnostic) -> (tokens: [Token], warnings: [TICKDiagnostic]) {
        var lexer = Lexer(characters: Array(source))
        try lexer.run()
        return (lexer.tokens, lexer.warnings)
    }

    private init(characters: [Character]) {
        self.characters = characters
    }

    private var position: Position { Position(line: line, column: column, offset: i) }
    private var peek: Character? { i < characters.count ? characters[i] : nil }
    private func peek(_ ahead: Int) -> Character? { i + ahead < characters.count ? characters[i + ahead] : nil }

    private mutating func advance() {
        if characters[i] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        i += 1
    }

    private mutating func emit(_ kind: TokenKind, from start: Position, value: String? = nil) {
        let text = String(characters[start.offset..<i])
        tokens.append(Token(kind: kind, text: text, value: value ?? text, position: start))
    }

    /// Whether a `/` here starts a regex: only where an operand is expected.
    private var expectsOperand: Bool {
        guard let last = tokens.last else { return true }
        switch last.kind {
        case .operator: return true
        case .punctuation: return ["(", "[", ",", "=", ":"].contains(last.text)
        case .keyword: return ["AND", "OR"].contains(last.text)
        default: return false
        }
    }

    private mutating func run() throws(TICKDiagnostic) {
        while let c = peek {
            let start = position
            if c.isWhitespace {
                advance()
            } else if c == "/" && peek(1) == "/" {
                while let d = peek, d != "\n" { advance() }
            } else if c.isLetter || c == "_" {
                while let d = peek, d.isLetter || d.isNumber || d == "_" { advance() }
                let word = String(characters[start.offset..<i])
                let keywords: Set<String> = ["var", "dbrp", "TRUE", "FALSE", "AND", "OR"]
                if keywords.contains(word) || (word == "lambda" && peek == ":") {
                    emit(.keyword, from: start)
                } else {
                    emit(.identifier, from: start)
                }
            } else if c.isASCII && c.isNumber {
                try number(from: start)
            } else if c == "'" {
                try string(from: start)
            } else if c == "\"" {
                try delimited(from: start, by: "\"", as: .reference, unterminated: "unterminated reference: add a closing \"")
            } else if c == "/" && expectsOperand {
                try delimited(from: start, by: "/", as: .regex, unterminated: "unterminated regex: add a closing /")
            } else {
                try punctuationOrOperator(c, from: start)
            }
        }
        tokens.append(Token(kind: .endOfInput, text: "", value: "", position: position))
    }

    private mutating func number(from start: Position) throws(TICKDiagnostic) {
        while let d = peek, d.isASCII && d.isNumber { advance() }
        var isFloat = false
        if peek == ".", let next = peek(1), next.isASCII && next.isNumber {
            isFloat = true
            advance()
            while let d = peek, d.isASCII && d.isNumber { advance() }
        }
        // A unit right after the digits makes a duration.
        let unitStart = i
        while let d = peek, d.isLetter { advance() }
        let unit = String(characters[unitStart..<i])
        let digits = String(characters[start.offset..<unitStart])
        if !unit.isEmpty {
            guard ["u", "µ", "ms", "s", "m", "h", "d", "w"].contains(unit) else {
                throw TICKDiagnostic(at: start, "invalid duration \(digits)\(unit): unit must be one of u, µ, ms, s, m, h, d, w")
            }
            if isFloat {
                throw TICKDiagnostic(at: start, "invalid duration \(digits)\(unit): durations must be whole numbers (write 1500ms, not 1.5s)")
            }
            emit(.duration, from: start)
            return
        }
        if isFloat {
            emit(.float, from: start)
            return
        }
        if digits.count > 1 && digits.hasPrefix("0") {
            guard digits.allSatisfy({ $0 < "8" }) else {
                throw TICKDiagnostic(at: start, "invalid octal number \(digits): a leading 0 makes a number octal")
            }
            guard let value = Int64(digits, radix: 8) else {
                throw TICKDiagnostic(at: start, "octal number \(digits) is out of range: integers are 64-bit, at most 0777777777777777777777")
            }
            warnings.append(TICKDiagnostic(.warning, at: start, "\(digits) is octal (\(value)) because of its leading 0"))
        }
        emit(.integer, from: start)
    }

    private mutating func string(from start: Position) throws(TICKDiagnostic) {
        if peek(1) == "'" && peek(2) == "'" {
            advance(); advance(); advance()
            let bodyStart = i
            while i < characters.count {
                if peek == "'" && peek(1) == "'" && peek(2) == "'" {
                    let body = String(characters[bodyStart..<i])
                    advance(); advance(); advance()
                    emit(.string, from: start, value: body)
                    return
                }
                advance()
            }
            throw TICKDiagnostic(at: start, "unterminated string: ''' is never closed")
        }
        try delimited(from: start, by: "'", as: .string,
                      unterminated: "unterminated string: add a closing ' (use ''' for strings over several lines)")
    }

    /// A single-line token between two `delimiter`s, where only `\` + delimiter is an escape:
    /// strings `'…'`, references `"…"` and regexes `/…/` all lex this way.
    private mutating func delimited(
        from start: Position, by delimiter: Character, as kind: TokenKind, unterminated: String
    ) throws(TICKDiagnostic) {
        advance()
        var value = ""
        while let c = peek {
            if c == "\\" && peek(1) == delimiter {
                value.append(delimiter)
                advance(); advance()
                continue
            }
            if c == delimiter {
                advance()
                emit(kind, from: start, value: value)
                return
            }
            if c == "\n" { break }
            value.append(c)
            advance()
        }
        throw TICKDiagnostic(at: start, unterminated)
    }

    private mutating func punctuationOrOperator(_ c: Character, from start: Position) throws(TICKDiagnostic) {
        let two = peek(1).map { String([c, $0]) } ?? ""
        if ["==", "!=", "<=", ">=", "=~", "!~"].contains(two) {
            advance(); advance()
            emit(.operator, from: start)
            return
        }
        advance()
        switch c {
        case "(", ")", "[", "]", ",", "=", "|", ".", "@", ":": emit(.punctuation, from: start)
        case "+", "-", "*", "/", "%", "<", ">", "!": emit(.operator, from: start)
        default:
            throw TICKDiagnostic(at: start, "unexpected character \(String(c).debugDescription)")
        }
    }
}
