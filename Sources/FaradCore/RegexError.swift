/// Why a pattern is not a valid ``LinearRegex``, and where.
///
/// ``description`` reads `missing closing ) at column 1 of "(a"`: the column counts Unicode
/// scalars of the pattern from 1.
public struct RegexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, stable for tests and clients.
    public enum Code: String, Sendable, Hashable {
        case missingParenthesis = "missing-paren"
        case unexpectedParenthesis = "unexpected-paren"
        case missingBracket = "missing-bracket"
        case invalidClassRange = "invalid-class-range"
        case invalidEscape = "invalid-escape"
        case invalidRepeat = "invalid-repeat"
        case missingRepeatArgument = "missing-repeat-argument"
        case nestedRepeat = "nested-repeat"
        case invalidGroup = "invalid-group"
        case invalidFlags = "invalid-flags"
        case tooDeep = "too-deep"
        case tooLarge = "too-large"
        case unsupported = "unsupported"
    }

    public var code: Code
    public var message: String
    /// The pattern as given.
    public var pattern: String
    /// 0-based offset, in Unicode scalars, of the part of the pattern at fault.
    public var offset: Int

    public init(_ code: Code, _ message: String, pattern: String, offset: Int) {
        self.code = code
        self.message = message
        self.pattern = pattern
        self.offset = offset
    }

    public var description: String {
        "\(message) at column \(offset + 1) of \(pattern.debugDescription)"
    }
}
