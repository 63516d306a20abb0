/// A Go template (`text/template`, or `html/template`'s escaping of what actions print),
/// parsed once and rendered per alert: what Kapacitor's `.id()`, `.message()` and `.details()`
/// take.
///
/// It covers what Kapacitor users write: fields, `$` variables, pipelines, `if`/`else if`/`else`,
/// `range` (maps by sorted key), `with`, `{{-`/`-}}` trimming, comments, and the functions
/// `and or not len index print printf println eq ne lt le gt ge json`, with Go's output
/// (floats as `%v`: `1e+06`; times as `2016-10-27 17:00:00 +0000 UTC`).
///
/// ```swift
/// let t = try GoTemplate("{{ .ID }} is {{ .Level }}", name: "message")
/// let text = try t.render(.object([("ID", .string("cpu:nil")), ("Level", .string("CRITICAL"))]))
/// // "cpu:nil is CRITICAL"
/// ```
public struct GoTemplate: Sendable {
    let name: String
    let nodes: [GoTemplateNode]
    /// `html/template`: what actions print is HTML-escaped (text context).
    let escapesHTML: Bool
    /// The most bytes one rendering may produce.
    static let maximumOutput = 1 << 20

    static let functionNames: Set<String> = [
        "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge", "json",
    ]

    /// Parses `source`.
    /// - Throws: ``GoTemplateError`` with Go's wording and the line.
    public init(_ source: String, name: String, html: Bool = false) throws(GoTemplateError) {
        self.name = name
        escapesHTML = html
        var parser = GoTemplateParser(name: name, source: source)
        nodes = try parser.parse()
    }

    /// Renders the template with `data` as `.` and `$`.
    /// - Throws: ``GoTemplateError`` when a function fails (`incompatible types for comparison`, …).
    func render(_ data: GoValue) throws(GoTemplateError) -> String {
        var run = Execution(template: self, root: data)
        try run.walk(nodes, dot: data)
        return String(decoding: run.output, as: UTF8.self)
    }

    struct Execution {
        let template: GoTemplate
        let root: GoValue
        var output: [UInt8] = []
        var scopes: [[String: GoValue]]
        var line = 1

        init(template: GoTemplate, root: GoValue) {
            self.template = template
            self.root = root
            scopes = [["$": root]]
        }

        func error(_ text: String) -> GoTemplateError {
            GoTemplateError(template.name, line: line, text)
        }

        mutating func emit(_ s: String) throws(GoTemplateError) {
            if template.escapesHTML { Self.appendEscapingHTML(s, to: &output) } else { output.append(contentsOf: s.utf8) }
            guard output.count <= GoTemplate.maximumOutput else {
                throw error("output longer than \(GoTemplate.maximumOutput) bytes")
            }
        }

        mutating func walk(_ nodes: [GoTemplateNode], dot: GoValue) throws(GoTemplateError) {
            for node in nodes {
                switch node {
                case .text(let t):
                    output.append(contentsOf: t.utf8)
                    guard output.count <= GoTemplate.maximumOutput else { throw error("output longer than \(GoTemplate.maximumOutput) bytes") }
                case .action(let p):
                    let v = try evaluate(p, dot: dot)
                    if p.variables.isEmpty { try emit(v.printed) }
                case .ifNode(let p, let body, let otherwise):
                    scopes.append([:])
                    let v = try evaluate(p, dot: dot)
                    try walk(v.isTrue ? body : otherwise, dot: dot)
                    scopes.removeLast()
                case .with(let p, let body, let otherwise):
                    scopes.append([:])
                    let v = try evaluate(p, dot: dot)
                    try walk(v.isTrue ? body : otherwise, dot: v.isTrue ? v : dot)
                    scopes.removeLast()
                case .range(var p, let body, let otherwise):
                    let names = p.variables
                    p.variables = []
                    scopes.append([:])
                    let v = try evaluate(p, dot: dot)
                    var items: [(GoValue, GoValue)] = []
                    switch v {
                    case .map(let m, _): items = m.keys.sorted().map { (.string($0), m[$0]!) }
                    case .list(let l): items = l.enumerated().map { (.int(Int64($0.offset)), $0.element) }
                    case .int(let n) where n >= 0: items = (0..<min(n, 1_000_000)).map { (.int($0), .int($0)) }
                    case .null, .missing: break
                    default: throw error("range can't iterate over \(v.printed)")
                    }
                    if items.isEmpty {
                        try walk(otherwise, dot: dot)
                    }
                    for (key, element) in items {
                        if names.count == 1 { scopes[scopes.count - 1][names[0]] = element }
                        if names.count == 2 {
                            scopes[scopes.count - 1][names[0]] = key
                            scopes[scopes.count - 1][names[1]] = element
                        }
                        try walk(body, dot: element)
                    }
                    scopes.removeLast()
                }
            }
        }

        mutating func evaluate(_ p: GoPipeline, dot: GoValue) throws(GoTemplateError) -> GoValue {
            line = p.line
            var value: GoValue?
            for command in p.commands {
                value = try run(command, dot: dot, piped: value)
            }
            let result = value ?? .missing
            for name in p.variables {
                if p.assigns {
                    guard let i = scopes.lastIndex(where: { $0[name] != nil }) else { throw error("undefined variable: \(name)") }
                    scopes[i][name] = result
                } else {
                    scopes[scopes.count - 1][name] = result
                }
            }
            return result
        }

        mutating func run(_ command: [GoOperand], dot: GoValue, piped: GoValue?) throws(GoTemplateError) -> GoValue {
            if case .function(let f) = command[0] {
                var args: [GoValue] = []
                for a in command.dropFirst() { args.append(try operand(a, dot: dot)) }
                if let piped { args.append(piped) }
                return try call(f, args)
            }
            guard command.count == 1, piped == nil else {
                throw error("can't give argument to non-function \(Self.describe(command[0]))")
            }
            return try operand(command[0], dot: dot)
        }

        mutating func operand(_ o: GoOperand, dot: GoValue) throws(GoTemplateError) -> GoValue {
            switch o {
            case .field(let names): return try fields(names, of: dot)
            case .variable(let name, let names):
                guard let v = scopes.last(where: { $0[name] != nil })?[name] else { throw error("undefined variable: \(name)") }
                return try fields(names, of: v)
            case .function(let f): return try call(f, [])
            case .literal(let v): return v
            case .group(let p, let names): return try fields(names, of: evaluate(p, dot: dot))
            }
        }

        func fields(_ names: [String], of value: GoValue) throws(GoTemplateError) -> GoValue {
            var v = value
            for name in names {
                switch v {
                case .object(let members):
                    guard let m = members.first(where: { $0.0 == name }) else { throw error("can't evaluate field \(name) in type \(v.typeName)") }
                    v = m.1
                case .map(let m, _): v = m[name] ?? .missing
                case .null, .missing: throw error("nil pointer evaluating \(v.typeName).\(name)")
                default: throw error("can't evaluate field \(name) in type \(v.typeName)")
                }
            }
            return v
        }

        static func describe(_ o: GoOperand) -> String {
            switch o {
            case .field(let n): n.isEmpty ? "." : "." + n.joined(separator: ".")
            case .variable(let v, let n): ([v] + n).joined(separator: ".")
            case .function(let f): f
            case .literal(let v): v.printed
            case .group: "(…)"
            }
        }

        /// `html/template`'s escaping of text: `& < > " ' +` and NUL; runs without any are
        /// copied whole.
        static func appendEscapingHTML(_ s: String, to out: inout [UInt8]) {
            var s = s
            s.withUTF8 { bytes in
                var start = 0
                for i in bytes.indices {
                    let replacement: StaticString
                    switch bytes[i] {
                    case UInt8(ascii: "&"): replacement = "&amp;"
                    case UInt8(ascii: "<"): replacement = "&lt;"
                    case UInt8(ascii: ">"): replacement = "&gt;"
                    case UInt8(ascii: "\""): replacement = "&#34;"
                    case UInt8(ascii: "'"): replacement = "&#39;"
                    case UInt8(ascii: "+"): replacement = "&#43;"
                    case 0: replacement = "\u{FFFD}"
                    default: continue
                    }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                    out.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                    start = i + 1
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
            }
        }
    }
}
