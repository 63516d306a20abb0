/// A place in a TICKscript: 1-based line and column (in characters), and the character offset.
public struct Position: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public var description: String { "\(line):\(column)" }
}

/// What a token is.
public enum TokenKind: Sendable, Hashable {
    case identifier
    /// `var`, `dbrp`, `lambda` (only when `:` follows), `TRUE`, `FALSE`, `AND`, `OR`.
    case keyword
    /// `'…'` or `'''…'''`; the token's value is the unescaped text.
    case string
    /// `"…"`: a field, tag or db/rp name; the value is the unescaped name.
    case reference
    case integer
    case float
    case duration
    /// `/…/`; the value is the pattern with `\/` unescaped.
    case regex
    /// `(`, `)`, `[`, `]`, `,`, `=`, `|`, `.`, `@`, `:`.
    case punctuation
    /// `+ - * / % == != < <= > >= =~ !~ !` (`*` is also the star of `groupBy(*)`).
    case `operator`
    case endOfInput
}

/// One token of a TICKscript.
public struct Token: Sendable, Hashable, CustomStringConvertible {
    public var kind: TokenKind
    /// The token as written (for errors), e.g. `'cpu'` or `10s`.
    public var text: String
    /// The token's meaning: unescaped string, reference name, regex pattern; else `text`.
    public var value: String
    public var position: Position

    public var description: String {
        kind == .endOfInput ? "end of input" : text
    }

    func `is`(_ kind: TokenKind, _ text: String) -> Bool {
        self.kind == kind && self.text == text
    }
}
