/// A TOML 1.0 parser for configuration files such as `kapacitor.conf`.
///
/// ```swift
/// let root = try TOMLParser.parse(text)
/// let functions = root["udf", "functions"]?.table ?? [:]
/// ```
public struct TOMLParser {
    private let bytes: [UInt8]
    private var i = 0
    private var root: [String: TOMLValue] = [:]
    /// The path of the table that `key = value` lines go into.
    private var current: [PathStep] = []
    /// How many arrays and inline tables enclose the value being read.
    private var depth = 0

    /// The deepest nesting of arrays and inline tables read (the stack is not unbounded).
    public static let maxDepth = 512

    /// A step into the document: a table key, or the last element of an array of tables.
    private enum PathStep { case key(String), lastElement(String) }

    /// Parses a whole document into its root table.
    /// - Throws: ``TOMLError`` naming the line and column.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLValue {
        var parser = TOMLParser(bytes: Array(text.utf8))
        try parser.document()
        return .table(parser.root)
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private func error(_ reason: String, at position: Int? = nil) -> TOMLError {
        let p = min(position ?? i, bytes.count)
        var line = 1
        var column = 1
        for b in bytes[..<p] {
            if b == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return TOMLError(line: line, column: column, reason: reason)
    }

    private mutating func skipBlank() {
        while let b = peek, b == 0x20 || b == 0x09 { i += 1 }
    }

    /// Skips spaces, newlines and comments (inside arrays).
    private mutating func skipBlankLines() {
        while let b = peek {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 } else if b == 0x23 { skipComment() } else { break }
        }
    }

    private mutating func skipComment() {
        while let b = peek, b != 0x0A { i += 1 }
    }

    /// After a value or header: only a comment may follow on the line.
    private mutating func endOfLine() throws(TOMLError) {
        skipBlank()
        if peek == 0x23 { skipComment() }
        if peek == 0x0D { i += 1 }
        guard peek == nil || peek == 0x0A else { throw error("expected the end of the line") }
        if peek == 0x0A { i += 1 }
    }

    private mutating func document() throws(TOMLError) {
        while true {
            skipBlankLines()
            guard let b = peek else { return }
            if b == 0x5B {  // '['
                try header()
            } else {
                let keyStart = i
                let key = try dottedKey()
                skipBlank()
                guard peek == 0x3D else { throw error("expected = after key \(key.joined(separator: "."))") }
                i += 1
                skipBlank()
                let value = try self.value()
                try insert(value, at: key, keyStart: keyStart)
                try endOfLine()
            }
        }
    }

    private mutating func header() throws(TOMLError) {
        let start = i
        let isArray = i + 1 < bytes.count && bytes[i + 1] == 0x5B
        i += isArray ? 2 : 1
        skipBlank()
        let key = try dottedKey()
        skipBlank()
        guard peek == 0x5D else { throw error("expected ] to close the table header") }
        i += 1
        if isArray {
            guard peek == 0x5D else { throw error("expected ]] to close the array-of-tables header") }
            i += 1
        }
        try endOfLine()
        // Walk to the parent, creating tables; the last key is a table or a new array element.
        var steps: [PathStep] = []
        for (n, k) in key.enumerated() {
            let last = n == key.count - 1
            let existing = lookup(steps + [.key(k)])
            if last && isArray {
                switch existing {
                case nil: set(.array([.table([:])]), at: steps + [.key(k)])
                case .array(var elements)?:
                    elements.append(.table([:]))
                    set(.array(elements), at: steps + [.key(k)])
                default: throw error("\(key.joined(separator: ".")) is already defined and is not an array of tables", at: start)
                }
                steps.append(.lastElement(k))
            } else {
                switch existing {
                case nil: set(.table([:]), at: steps + [.key(k)]); steps.append(.key(k))
                case .table?: steps.append(.key(k))
                case .array(let elements)? where elements.last?.table != nil: steps.append(.lastElement(k))
                default: throw error("\(key.prefix(n + 1).joined(separator: ".")) is already defined and is not a table", at: start)
                }
            }
        }
        current = steps
    }

    private mutating func insert(_ value: TOMLValue, at key: [String], keyStart: Int) throws(TOMLError) {
        var steps = current
        for k in key.dropLast() {
            switch lookup(steps + [.key(k)]) {
            case nil: set(.table([:]), at: steps + [.key(k)])
            case .table?: break
            default: throw error("\(k) is already defined and is not a table", at: keyStart)
            }
            steps.append(.key(k))
        }
        let target = steps + [.key(key.last!)]
        guard lookup(target) == nil else { throw error("duplicate key \(key.joined(separator: "."))", at: keyStart) }
        set(value, at: target)
    }

    private func lookup(_ steps: [PathStep]) -> TOMLValue? {
        var node: TOMLValue = .table(root)
        for step in steps {
            switch step {
            case .key(let k):
                guard case .table(let t) = node, let next = t[k] else { return nil }
                node = next
            case .lastElement(let k):
                guard case .table(let t) = node, case .array(let a)? = t[k], let last = a.last else { return nil }
                node = last
            }
        }
        return node
    }

    private mutating func set(_ value: TOMLValue, at steps: [PathStep]) {
        func update(_ node: inout TOMLValue, _ rest: ArraySlice<PathStep>) {
            guard let step = rest.first else {
                node = value
                return
            }
            guard case .table(var t) = node else { return }
            switch step {
            case .key(let k):
                var child = t[k] ?? .table([:])
                update(&child, rest.dropFirst())
                t[k] = child
            case .lastElement(let k):
                guard case .array(var a)? = t[k], !a.isEmpty else { return }
                update(&a[a.count - 1], rest.dropFirst())
                t[k] = .array(a)
            }
            node = .table(t)
        }
        var node = TOMLValue.table(root)
        update(&node, steps[...])
        if case .table(let t) = node { root = t }
    }

    private mutating func dottedKey() throws(TOMLError) -> [String] {
        var parts = [try simpleKey()]
        while true {
            skipBlank()
            guard peek == 0x2E else { return parts }
            i += 1
            skipBlank()
            guard parts.count < Self.maxDepth else { throw error("a dotted key of more than \(Self.maxDepth) parts") }
            parts.append(try simpleKey())
        }
    }

    private mutating func simpleKey() throws(TOMLError) -> String {
        if peek == 0x22 { return try basicString() }
        if peek == 0x27 { return try literalString() }
        let start = i
        while let b = peek, isBareKeyByte(b) { i += 1 }
        guard i > start else { throw error("expected a key") }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private func isBareKeyByte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
    }

    private mutating func value() throws(TOMLError) -> TOMLValue {
        guard let b = peek else { throw error("expected a value") }
        switch b {
        case 0x22: return .string(try basicString())
        case 0x27: return .string(try literalString())
        case 0x5B, 0x7B:
            guard depth < Self.maxDepth else { throw error("arrays and inline tables nested deeper than \(Self.maxDepth) levels") }
            depth += 1
            defer { depth -= 1 }
            return b == 0x5B ? try array() : try inlineTable()
        case 0x74, 0x66:  // t, f
            if matches("true") { i += 4; return .bool(true) }
            if matches("false") { i += 5; return .bool(false) }
            throw error("expected a value")
        default: return try numberOrDate()
        }
    }

    private func matches(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return false }
        if i + w.count < bytes.count, isBareKeyByte(bytes[i + w.count]) { return false }
        return true
    }

    private mutating func array() throws(TOMLError) -> TOMLValue {
        i += 1
        var elements: [TOMLValue] = []
        while true {
            skipBlankLines()
            if peek == 0x5D { i += 1; return .array(elements) }
            elements.append(try value())
            skipBlankLines()
            if peek == 0x2C { i += 1; continue }
            guard peek == 0x5D else { throw error("expected , or ] in array") }
        }
    }

    private mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        i += 1
        var table: [String: TOMLValue] = [:]
        skipBlank()
        if peek == 0x7D { i += 1; return .table(table) }
        while true {
            skipBlank()
            let key = try dottedKey()
            skipBlank()
            guard peek == 0x3D else { throw error("expected = in inline table") }
            i += 1
            skipBlank()
            let v = try value()
            var node = TOMLValue.table(table)
            try Self.insertInline(v, at: key[...], into: &node) { (reason) throws(TOMLError) in throw self.error(reason) }
            table = node.table ?? table
            skipBlank()
            if peek == 0x2C { i += 1; continue }
            guard peek == 0x7D else { throw error("expected , or } in inline table") }
            i += 1
            return .table(table)
        }
    }

    private static func insertInline(
        _ value: TOMLValue, at key: ArraySlice<String>, into node: inout TOMLValue,
        fail: (String) throws(TOMLError) -> Never
    ) throws(TOMLError) {
        guard case .table(var t) = node else { try fail("\(key.first!) is not a table") }
        if key.count == 1 {
            if t[key.first!] != nil { try fail("duplicate key \(key.first!)") }
            t[key.first!] = value
        } else {
            var child = t[key.first!] ?? .table([:])
            try insertInline(value, at: key.dropFirst(), into: &child, fail: fail)
            t[key.first!] = child
        }
        node = .table(t)
    }

    private mutating func basicString() throws(TOMLError) -> String {
        let multiline = i + 2 < bytes.count && bytes[i + 1] == 0x22 && bytes[i + 2] == 0x22
        i += multiline ? 3 : 1
        if multiline && peek == 0x0A { i += 1 }
        if multiline && peek == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 2 }
        var out: [UInt8] = []
        while let b = peek {
            if b == 0x22 {
                if !multiline { i += 1; return String(decoding: out, as: UTF8.self) }
                if i + 2 < bytes.count && bytes[i + 1] == 0x22 && bytes[i + 2] == 0x22 {
                    i += 3
                    // Up to two quotes right before the closing delimiter belong to the string.
                    while peek == 0x22 && out.count >= 0 { out.append(0x22); i += 1 }
                    return String(decoding: out, as: UTF8.self)
                }
            }
            if b == 0x0A && !multiline { throw error("newline in a string: use \"\"\" for multi-line strings") }
            if b == 0x5C {
                i += 1
                guard let e = peek else { break }
                switch e {
                case 0x62: out.append(0x08)
                case 0x74: out.append(0x09)
                case 0x6E: out.append(0x0A)
                case 0x66: out.append(0x0C)
                case 0x72: out.append(0x0D)
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x75, 0x55:
                    let n = e == 0x75 ? 4 : 8
                    guard i + n < bytes.count,
                          let code = UInt32(String(decoding: bytes[(i + 1)...(i + n)], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else { throw error("invalid unicode escape") }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i += n
                case 0x20 where multiline, 0x09 where multiline, 0x0A where multiline, 0x0D where multiline:
                    // Line-ending backslash: trim the newline and following whitespace.
                    while let w = peek, w == 0x20 || w == 0x09 || w == 0x0A || w == 0x0D { i += 1 }
                    continue
                default: throw error("invalid escape \\\(Character(Unicode.Scalar(e)))")
                }
                i += 1
                continue
            }
            out.append(b)
            i += 1
        }
        throw error("unterminated string")
    }

    private mutating func literalString() throws(TOMLError) -> String {
        let multiline = i + 2 < bytes.count && bytes[i + 1] == 0x27 && bytes[i + 2] == 0x27
        i += multiline ? 3 : 1
        if multiline && peek == 0x0A { i += 1 }
        let start = i
        while let b = peek {
            if b == 0x27 && (!multiline || (i + 2 < bytes.count && bytes[i + 1] == 0x27 && bytes[i + 2] == 0x27)) {
                let text = String(decoding: bytes[start..<i], as: UTF8.self)
                i += multiline ? 3 : 1
                return text
            }
            if b == 0x0A && !multiline { throw error("newline in a literal string") }
            i += 1
        }
        throw error("unterminated string")
    }

    private mutating func numberOrDate() throws(TOMLError) -> TOMLValue {
        let start = i
        while let b = peek, b != 0x2C, b != 0x5D, b != 0x7D, b != 0x0A, b != 0x0D, b != 0x23 {
            // A space ends a number, but a date may hold one between date and time.
            if b == 0x20 || b == 0x09 {
                let next = i + 1 < bytes.count ? bytes[i + 1] : 0
                let isDateTime = i - start == 10 && next >= 0x30 && next <= 0x39
                if !isDateTime { break }
            }
            i += 1
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        let plain = text.replacingUnderscores()
        switch plain {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where plain.hasPrefix(prefix) {
            guard let v = Int64(plain.dropFirst(2), radix: radix) else { throw error("invalid integer \(text)", at: start) }
            return .integer(v)
        }
        if let v = Int64(plain) { return .integer(v) }
        if let v = Double(plain), plain.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .float(v) }
        if text.count >= 8, text.contains(":") || text.contains("-") { return .datetime(text) }
        throw error(text.isEmpty ? "expected a value" : "invalid value \(text)", at: start)
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        contains("_") ? String(filter { $0 != "_" }) : self
    }
}
