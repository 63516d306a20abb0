/// The parsed form of a Go template: what ``GoTemplate`` runs.
enum GoTemplateNode: Sendable {
    case text(String)
    /// `{{ pipeline }}`: prints the pipeline's value (a declaration prints nothing).
    case action(GoPipeline)
    case ifNode(GoPipeline, [GoTemplateNode], otherwise: [GoTemplateNode])
    case range(GoPipeline, [GoTemplateNode], otherwise: [GoTemplateNode])
    case with(GoPipeline, [GoTemplateNode], otherwise: [GoTemplateNode])
}

/// `$x := cmd | cmd …`.
struct GoPipeline: Sendable {
    /// Variables declared (`$v` or `$k, $v` in a range), or assigned with `=`.
    var variables: [String] = []
    var assigns = false
    var commands: [[GoOperand]] = []
    /// The line of the action, for errors.
    var line = 1
}

indirect enum GoOperand: Sendable {
    /// `.A.B` (empty: `.` itself).
    case field([String])
    /// `$x.A.B` (`$` is the root).
    case variable(String, [String])
    case function(String)
    case literal(GoValue)
    /// `(pipeline).A.B`.
    case group(GoPipeline, [String])
}

/// The error of a template that does not parse or cannot run, with Go's wording:
/// `template: message:1: unexpected "}" in operand`.
public struct GoTemplateError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    init(_ template: String, line: Int, _ text: String) {
        message = "template: \(template):\(line): \(text)"
    }
}

/// Parses Go's `text/template` syntax: text, `{{ }}` actions with `{{-`/`-}}` trimming and
/// comments, pipelines, variables, and `if`/`else if`/`else`, `range`, `with`, `end`.
struct GoTemplateParser {
    /// How deeply `if`/`range`/`with` and parentheses may nest.
    static let maximumDepth = 100

    private let name: String
    private let text: [UInt8]
    private var at = 0
    private var line = 1
    private var depth = 0

    init(name: String, source: String) {
        self.name = name
        text = Array(source.utf8)
    }

    /// The whole template.
    mutating func parse() throws(GoTemplateError) -> [GoTemplateNode] {
        let (nodes, end) = try list(trimFirst: false)
        if let end { throw error("unexpected {{\(end)}}") }
        return nodes
    }

    private func error(_ message: String) -> GoTemplateError {
        GoTemplateError(name, line: line, message)
    }

    /// Nodes up to `{{end}}`, `{{else …}}` or the end of input; returns which keyword ended it.
    private mutating func list(trimFirst: Bool) throws(GoTemplateError) -> ([GoTemplateNode], String?) {
        var nodes: [GoTemplateNode] = []
        var pendingTrim = trimFirst
        while at < text.count {
            let open = find("{{")
            var literal = Array(text[at..<(open ?? text.count)])
            if pendingTrim { literal = Array(literal.drop { Self.isSpace($0) }) }
            pendingTrim = false
            let trimLeft = open.map { $0 + 3 < text.count && text[$0 + 2] == UInt8(ascii: "-") && Self.isSpace(text[$0 + 3]) } ?? false
            if trimLeft { while let last = literal.last, Self.isSpace(last) { literal.removeLast() } }
            if !literal.isEmpty { nodes.append(.text(String(decoding: literal, as: UTF8.self))) }
            line += text[at..<(open ?? text.count)].count { $0 == 0x0A }
            guard let open else {
                at = text.count
                break
            }
            at = open + (trimLeft ? 3 : 2)
            skipSpaces()
            if starts("/*") {
                guard let close = find("*/") else { throw error("unclosed comment") }
                line += text[at..<close].count { $0 == 0x0A }
                at = close + 2
                skipSpaces()
                pendingTrim = try closeAction()
                continue
            }
            let word = peekWord()
            switch word {
            case "end":
                at += 3
                return (nodes, try endOfKeyword("end"))
            case "else":
                at += 4
                skipSpaces()
                if peekWord() == "if" {
                    at += 2
                    return (nodes, "else if")
                }
                return (nodes, try endOfKeyword("else"))
            case "if", "range", "with":
                at += word.utf8.count
                depth += 1
                guard depth <= Self.maximumDepth else { throw error("template nests more than \(Self.maximumDepth) levels") }
                nodes.append(try control(word))
                depth -= 1
                pendingTrim = lastTrim
            case "define", "template", "block", "break", "continue":
                throw error("{{\(word)}} is not supported in alert templates")
            default:
                let p = try pipeline(allowDeclaration: true)
                nodes.append(.action(p))
                pendingTrim = try closeAction()
            }
        }
        return (nodes, nil)
    }

    /// Whether the last closed action had `-}}`.
    private var lastTrim = false

    /// After `end`/`else`: the action's close (``closeAction()`` records its trim in `lastTrim`).
    private mutating func endOfKeyword(_ keyword: String) throws(GoTemplateError) -> String {
        skipSpaces()
        _ = try closeAction()
        return keyword
    }

    /// `if`/`range`/`with` after its keyword, through its `{{end}}`.
    private mutating func control(_ keyword: String) throws(GoTemplateError) -> GoTemplateNode {
        let p = try pipeline(allowDeclaration: true, rangeVariables: keyword == "range")
        let (body, end) = try list(trimFirst: try closeAction())
        var otherwise: [GoTemplateNode] = []
        switch end {
        case "end": break
        case "else":
            let (e, end2) = try list(trimFirst: lastTrim)
            guard end2 == "end" else { throw error("expected end; found \(end2.map { "{{\($0)}}" } ?? "EOF")") }
            otherwise = e
        case "else if":
            guard keyword == "if" else { throw error("else if after \(keyword)") }
            otherwise = [try control("if")]
            // The nested if consumed the shared {{end}}.
        default: throw error("unexpected EOF")
        }
        switch keyword {
        case "if": return .ifNode(p, body, otherwise: otherwise)
        case "range": return .range(p, body, otherwise: otherwise)
        default: return .with(p, body, otherwise: otherwise)
        }
    }

    /// `}}` or ` -}}`; returns whether it trims the text after it.
    private mutating func closeAction() throws(GoTemplateError) -> Bool {
        skipSpaces()
        if starts("-}}") {
            at += 3
            lastTrim = true
            return true
        }
        guard starts("}}") else {
            throw error(at < text.count ? "unexpected \"\(String(decoding: text[at...].prefix(1), as: UTF8.self))\" in command" : "unclosed action")
        }
        at += 2
        lastTrim = false
        return false
    }

    private mutating func pipeline(allowDeclaration: Bool, rangeVariables: Bool = false) throws(GoTemplateError) -> GoPipeline {
        skipSpaces()
        var p = GoPipeline(line: line)
        if allowDeclaration {
            let save = at
            var names: [String] = []
            while at < text.count, text[at] == UInt8(ascii: "$") {
                names.append(readVariable())
                skipSpaces()
                if rangeVariables, names.count == 1, at < text.count, text[at] == UInt8(ascii: ",") {
                    at += 1
                    skipSpaces()
                    continue
                }
                break
            }
            if !names.isEmpty, starts(":=") || (starts("=") && !starts("==")) {
                p.assigns = !starts(":=")
                at += p.assigns ? 1 : 2
                p.variables = names
            } else {
                at = save
            }
        }
        while true {
            skipSpaces()
            var command: [GoOperand] = []
            while true {
                skipSpaces()
                guard at < text.count, !starts("}}"), !starts("-}}"), text[at] != UInt8(ascii: "|"), text[at] != UInt8(ascii: ")") else { break }
                command.append(try operand())
            }
            guard !command.isEmpty else { throw error("missing value for command") }
            p.commands.append(command)
            skipSpaces()
            if at < text.count, text[at] == UInt8(ascii: "|") {
                at += 1
                continue
            }
            return p
        }
    }

    private mutating func operand() throws(GoTemplateError) -> GoOperand {
        let c = text[at]
        switch c {
        case UInt8(ascii: "."):
            if at + 1 < text.count, Self.isDigit(text[at + 1]) { return .literal(try number()) }
            return .field(try fieldChain())
        case UInt8(ascii: "$"):
            let v = readVariable()
            return .variable(v, try fieldChain())
        case UInt8(ascii: "\""), UInt8(ascii: "`"):
            return .literal(.string(try stringLiteral()))
        case UInt8(ascii: "("):
            at += 1
            depth += 1
            guard depth <= Self.maximumDepth else { throw error("template nests more than \(Self.maximumDepth) levels") }
            let inner = try pipeline(allowDeclaration: false)
            depth -= 1
            skipSpaces()
            guard at < text.count, text[at] == UInt8(ascii: ")") else { throw error("unclosed left paren") }
            at += 1
            return .group(inner, try fieldChain())
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .literal(try number())
        default:
            guard Self.isLetter(c) else { throw error("unexpected \"\(String(decoding: [c], as: UTF8.self))\" in operand") }
            let word = peekWord()
            at += word.utf8.count
            switch word {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "nil": return .literal(.null)
            default:
                guard GoTemplate.functionNames.contains(word) else { throw error("function \"\(word)\" not defined") }
                return .function(word)
            }
        }
    }

    /// `.A.B` (a lone `.` is the empty chain).
    private mutating func fieldChain() throws(GoTemplateError) -> [String] {
        var names: [String] = []
        while at < text.count, text[at] == UInt8(ascii: ".") {
            at += 1
            let start = at
            while at < text.count, Self.isLetter(text[at]) || Self.isDigit(text[at]) { at += 1 }
            if at == start {
                guard names.isEmpty else { throw error("unexpected . after term") }
                break
            }
            names.append(String(decoding: text[start..<at], as: UTF8.self))
        }
        return names
    }

    private mutating func readVariable() -> String {
        let start = at
        at += 1
        while at < text.count, Self.isLetter(text[at]) || Self.isDigit(text[at]) { at += 1 }
        return String(decoding: text[start..<at], as: UTF8.self)
    }

    private mutating func number() throws(GoTemplateError) -> GoValue {
        let start = at
        while at < text.count, Self.isDigit(text[at]) || "+-.eExX_abcdefABCDEF".utf8.contains(text[at]) { at += 1 }
        let word = String(decoding: text[start..<at].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if let n = Int64(word) { return .int(n) }
        if word.hasPrefix("0x") || word.hasPrefix("0X"), let n = Int64(word.dropFirst(2), radix: 16) { return .int(n) }
        if let x = Double(word), x.isFinite { return .float(x) }
        throw error("bad number syntax: \"\(word)\"")
    }

    private mutating func stringLiteral() throws(GoTemplateError) -> String {
        let quote = text[at]
        at += 1
        var bytes: [UInt8] = []
        while at < text.count {
            let c = text[at]
            at += 1
            if c == quote { return String(decoding: bytes, as: UTF8.self) }
            if quote == UInt8(ascii: "\""), c == UInt8(ascii: "\\"), at < text.count {
                let e = text[at]
                at += 1
                switch e {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): bytes.append(e)
                default: throw error("invalid syntax: unknown escape \\\(String(decoding: [e], as: UTF8.self))")
                }
                continue
            }
            if quote == UInt8(ascii: "\""), c == 0x0A { break }
            bytes.append(c)
        }
        throw error("unterminated quoted string")
    }

    private func peekWord() -> String {
        var end = at
        while end < text.count, Self.isLetter(text[end]) || (end > at && Self.isDigit(text[end])) { end += 1 }
        return String(decoding: text[at..<end], as: UTF8.self)
    }

    /// The first position from `at` where `s` (two bytes) starts.
    private func find(_ s: StaticString) -> Int? {
        let a = s.utf8Start[0], b = s.utf8Start[1]
        var i = at
        while i + 1 < text.count {
            if text[i] == a, text[i + 1] == b { return i }
            i += 1
        }
        return nil
    }

    private func starts(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard at + n <= text.count else { return false }
        for k in 0..<n where text[at + k] != s.utf8Start[k] { return false }
        return true
    }

    private mutating func skipSpaces() {
        while at < text.count, Self.isSpace(text[at]) {
            if text[at] == 0x0A { line += 1 }
            at += 1
        }
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c >= 0x80 }
}
