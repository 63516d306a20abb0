/// A pull parser over UTF-8 JSON bytes that keeps each number's text, as KairosDB needs it
/// (`42` is a long, `42.0` a double).
///
/// Callers walk the document: ``peek()``, ``beginObject()``/``nextKey()``,
/// ``beginArray()``/``hasNextElement()``, ``readString()``, ``readNumberText()``, ``skipValue()``,
/// or ``readValue()`` for a whole subtree. Errors carry line and column. Lenient like Gson's
/// lenient mode only where KairosDB relies on it: the bare words `NaN`, `Infinity` and
/// `-Infinity` read as ``Token/word``.
public struct JSONReader: ~Copyable {
    /// The kind of the next value.
    public enum Token: Equatable, Sendable {
        case objectStart, arrayStart, string, number, `true`, `false`, null, word, end
    }

    private let bytes: [UInt8]
    /// The offset of the next unread byte.
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// Whether only whitespace is left.
    public mutating func atEnd() -> Bool {
        skipWhitespace()
        return offset >= bytes.count
    }

    /// The kind of the next value, without consuming it.
    public mutating func peek() throws(JSONError) -> Token {
        skipWhitespace()
        guard offset < bytes.count else { return .end }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .objectStart
        case UInt8(ascii: "["): return .arrayStart
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if bytes[offset] == UInt8(ascii: "-"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "I") {
                return .word
            }
            return .number
        case UInt8(ascii: "t"): return .true
        case UInt8(ascii: "f"): return .false
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "N"), UInt8(ascii: "I"): return .word
        default: throw error("unexpected character '\(printable(bytes[offset]))'")
        }
    }

    /// Consumes `{`.
    public mutating func beginObject() throws(JSONError) {
        try expect(UInt8(ascii: "{"), "'{'")
        needsComma = false
    }

    /// The next key of the current object, or `nil` after consuming its `}`.
    public mutating func nextKey() throws(JSONError) -> String? {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unterminated object") }
        if bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            needsComma = true
            return nil
        }
        if needsComma {
            try expect(UInt8(ascii: ","), "',' or '}'")
            skipWhitespace()
        }
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a name") }
        let key = try readString()
        try expect(UInt8(ascii: ":"), "':'")
        needsComma = false
        return key
    }

    /// Consumes `[`.
    public mutating func beginArray() throws(JSONError) {
        try expect(UInt8(ascii: "["), "'['")
        needsComma = false
    }

    /// Whether the current array has another element; consumes `]` when it has not.
    public mutating func hasNextElement() throws(JSONError) -> Bool {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unterminated array") }
        if bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            needsComma = true
            return false
        }
        if needsComma {
            try expect(UInt8(ascii: ","), "',' or ']'")
        }
        needsComma = false
        return true
    }

    /// Reads a string value (with escapes resolved).
    public mutating func readString() throws(JSONError) -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = offset
        // Fast path: no escapes.
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                let s = bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[start..<offset]), as: UTF8.self) }
                guard let s else { throw invalidUTF8(from: start) }
                offset += 1
                needsComma = true
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            offset += 1
        }
        var out = Array(bytes[start..<offset])
        while offset < bytes.count {
            let b = bytes[offset]
            offset += 1
            switch b {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else { throw invalidUTF8(from: start) }
                needsComma = true
                return s
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { break }
                let e = bytes[offset]
                offset += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let escapeStart = offset - 2
                    var scalar = try readHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one.
                        guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                            offset = escapeStart
                            throw error("invalid \\u escape: unpaired high surrogate")
                        }
                        offset += 2
                        let low = try readHex4()
                        guard (0xDC00..<0xE000).contains(low) else {
                            offset = escapeStart
                            throw error("invalid \\u escape: high surrogate not followed by a low surrogate")
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        offset = escapeStart
                        throw error("invalid \\u escape: unpaired low surrogate")
                    }
                    guard let ch = Unicode.Scalar(scalar) else {
                        offset = escapeStart
                        throw error("invalid \\u escape")
                    }
                    appendUTF8(ch, to: &out)
                default:
                    offset -= 1
                    throw error("invalid escape sequence")
                }
            default:
                if b < 0x20 {
                    offset -= 1
                    throw error("unescaped control character in string")
                }
                out.append(b)
            }
        }
        throw error("unterminated string")
    }

    /// Reads a number (or a bare `NaN`/`Infinity` word) and returns its text.
    public mutating func readNumberText() throws(JSONError) -> String {
        skipWhitespace()
        let start = offset
        while offset < bytes.count, Self.isNumberByte(bytes[offset]) { offset += 1 }
        guard offset > start else { throw error("expected a number") }
        let text = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<offset]), as: UTF8.self) }
        guard Self.isValidNumberOrWord(text) else {
            offset = start
            throw error("malformed number '\(text)'")
        }
        needsComma = true
        return text
    }

    /// Reads an integer number without allocating; `nil` (nothing consumed) if the next number is
    /// not a plain integer that fits in 64 bits.
    public mutating func readPlainInteger() -> Int64? {
        skipWhitespace()
        var i = offset
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let digitsStart = i
        var value: Int64 = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(bytes[i] - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = s
            i += 1
        }
        guard i > digitsStart else { return nil }
        if i < bytes.count, Self.isNumberByte(bytes[i]) { return nil }  // '.', 'e': not plain
        offset = i
        needsComma = true
        return negative ? -value : value
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws(JSONError) -> Bool {
        if try consumeLiteral("true") { return true }
        if try consumeLiteral("false") { return false }
        throw error("expected a boolean")
    }

    /// Reads `null`.
    public mutating func readNull() throws(JSONError) {
        guard try consumeLiteral("null") else { throw error("expected null") }
    }

    /// Skips the next value, whatever it is.
    public mutating func skipValue() throws(JSONError) {
        _ = try readValue()
    }

    /// The deepest nesting of arrays and objects that ``readValue(depth:)`` reads (Jackson's
    /// default is 1,000; Gson has none and overflows its stack).
    public static let maxDepth = 512

    /// Reads the next value as a tree.
    /// - Parameter depth: how deep the value already is (callers that walk an outer object
    ///   themselves pass theirs), so the limit counts the whole document.
    /// - Throws: ``JSONError`` for bad syntax, or nesting deeper than ``maxDepth``.
    public mutating func readValue(depth: Int = 0) throws(JSONError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        switch try peek() {
        case .objectStart:
            try beginObject()
            var members: [(String, JSONValue)] = []
            while let key = try nextKey() {
                members.append((key, try readValue(depth: depth + 1)))
            }
            return .object(members)
        case .arrayStart:
            try beginArray()
            var elements: [JSONValue] = []
            while try hasNextElement() {
                elements.append(try readValue(depth: depth + 1))
            }
            return .array(elements)
        case .string: return .string(try readString())
        case .number, .word: return .number(try readNumberText())
        case .true, .false: return .bool(try readBool())
        case .null:
            try readNull()
            return .null
        case .end: throw error("no content due to end of input")
        }
    }

    /// An error at the current position.
    public func error(_ message: String) -> JSONError {
        var line = 1
        var column = 1
        for b in bytes[0..<min(offset, bytes.count)] {
            if b == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return JSONError(message: message, line: line, column: column, atEnd: offset >= bytes.count)
    }

    // MARK: - Private

    private var needsComma = false

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
        skipWhitespace()
        guard offset < bytes.count else { throw error("expected \(what) but reached the end of input") }
        guard bytes[offset] == byte else { throw error("expected \(what) but found '\(printable(bytes[offset]))'") }
        offset += 1
    }

    private mutating func consumeLiteral(_ word: StaticString) throws(JSONError) -> Bool {
        skipWhitespace()
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { w in
            var i = 0
            while i < count, bytes[offset + i] == w[i] { i += 1 }
            return i == count
        }
        guard matches else { return false }
        if offset + count < bytes.count, Self.isNumberByte(bytes[offset + count]) {
            throw error("unexpected characters after '\(word)'")
        }
        offset += count
        needsComma = true
        return true
    }

    private mutating func readHex4() throws(JSONError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[offset]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            offset += 1
        }
        return v
    }

    /// The UTF-8 of one scalar.
    private func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        UTF8.encode(scalar) { out.append($0) }
    }

    /// An error at the first byte from `start` that is not valid UTF-8 (a string's bytes must
    /// be UTF-8: they are names and values stored as given, never silently replaced).
    private mutating func invalidUTF8(from start: Int) -> JSONError {
        var decoder = UTF8()
        var iterator = bytes[start...].makeIterator()
        var position = start
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
            position += UTF8.width(scalar)
        }
        offset = position
        return error("invalid UTF-8 in string")
    }

    private func printable(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\u{\(String(b, radix: 16))}"
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default: false
        }
    }

    /// JSON's number grammar, plus the bare words of Gson's lenient mode.
    public static func isValidNumberOrWord(_ text: String) -> Bool {
        if text == "NaN" || text == "Infinity" || text == "-Infinity" { return true }
        var it = Array(text.utf8)[...]
        if it.first == UInt8(ascii: "-") { it = it.dropFirst() }
        func digits(_ s: inout ArraySlice<UInt8>) -> Int {
            var n = 0
            while let c = s.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { s = s.dropFirst(); n += 1 }
            return n
        }
        guard digits(&it) > 0 else { return false }
        if it.first == UInt8(ascii: ".") {
            it = it.dropFirst()
            guard digits(&it) > 0 else { return false }
        }
        if it.first == UInt8(ascii: "e") || it.first == UInt8(ascii: "E") {
            it = it.dropFirst()
            if it.first == UInt8(ascii: "+") || it.first == UInt8(ascii: "-") { it = it.dropFirst() }
            guard digits(&it) > 0 else { return false }
        }
        return it.isEmpty
    }
}

/// A JSON syntax error with its position.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    /// Whether the input ended before the document did.
    public var atEnd: Bool

    public var description: String { "\(message) at line \(line) column \(column)" }
}
