import FaradCore

/// A topic handler file as `kapacitor define-topic-handler` takes it: JSON, or the YAML that
/// Kapacitor's documentation writes — block mappings and sequences, flow lists `[a, b]`, quoted
/// and plain scalars, `#` comments (`0644` is octal, as YAML 1.1 reads it).
///
/// ```yaml
/// topic: cpu
/// id: log-cpu
/// kind: log
/// options:
///   path: /var/log/cpu.log
/// ```
enum HandlerFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The file's document as JSON.
    static func parse(_ text: String) throws(Failure) -> JSONValue {
        if text.first(where: { !$0.isWhitespace }) == "{" {
            do { return try JSONValue.parse(Array(text.utf8)) } catch { throw Failure(description: "invalid JSON: \(error)") }
        }
        var lines: [(indent: Int, text: String, number: Int)] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(String(raw))
            guard !line.allSatisfy({ $0 == " " || $0 == "\r" }) else { continue }
            guard !line.contains("\t") else { throw Failure(description: "line \(i + 1): YAML does not allow tabs for indentation") }
            let indent = line.prefix { $0 == " " }.count
            lines.append((indent, String(line.dropFirst(indent)).trimmingTrailingSpace(), i + 1))
        }
        var index = 0
        let value = try block(&lines, &index, indent: lines.first?.indent ?? 0, depth: 0)
        guard index == lines.count else { throw Failure(description: "line \(lines[index].number): unexpected indentation") }
        return value
    }

    private static func block(_ lines: inout [(indent: Int, text: String, number: Int)], _ i: inout Int, indent: Int, depth: Int) throws(Failure) -> JSONValue {
        guard depth < 32 else { throw Failure(description: "nested too deeply") }
        guard i < lines.count else { return .null }
        if lines[i].text.hasPrefix("- ") || lines[i].text == "-" {
            var items: [JSONValue] = []
            while i < lines.count, lines[i].indent == indent, lines[i].text.hasPrefix("-") {
                let rest = String(lines[i].text.dropFirst()).trimmingLeadingSpace()
                i += 1
                if rest.isEmpty {
                    items.append(i < lines.count && lines[i].indent > indent ? try block(&lines, &i, indent: lines[i].indent, depth: depth + 1) : .null)
                } else {
                    items.append(try scalar(rest, line: lines[i - 1].number))
                }
            }
            return .array(items)
        }
        var members: [(String, JSONValue)] = []
        while i < lines.count, lines[i].indent == indent {
            let (text, number) = (lines[i].text, lines[i].number)
            guard let colon = keyEnd(text) else { throw Failure(description: "line \(number): expected key: value") }
            let key = unquote(String(text[..<colon]).trimmingTrailingSpace())
            let rest = String(text[text.index(after: colon)...]).trimmingLeadingSpace()
            i += 1
            if rest.isEmpty {
                members.append((key, i < lines.count && lines[i].indent > indent ? try block(&lines, &i, indent: lines[i].indent, depth: depth + 1) : .null))
            } else {
                members.append((key, try scalar(rest, line: number)))
            }
        }
        return .object(members)
    }

    /// Where a mapping key ends: the first `:` followed by a space or the end, outside quotes.
    private static func keyEnd(_ text: String) -> String.Index? {
        var quote: Character?
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == ":" {
                let next = text.index(after: i)
                if next == text.endIndex || text[next] == " " { return i }
            }
            i = text.index(after: i)
        }
        return nil
    }

    private static func scalar(_ text: String, line: Int) throws(Failure) -> JSONValue {
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw Failure(description: "line \(line): a flow list must end on its line with ]") }
            let inner = text.dropFirst().dropLast().trimmingLeadingSpace().trimmingTrailingSpace()
            guard !inner.isEmpty else { return .array([]) }
            var items: [JSONValue] = []
            for part in inner.split(separator: ",") { items.append(try scalar(String(part).trimmingLeadingSpace().trimmingTrailingSpace(), line: line)) }
            return .array(items)
        }
        if text.hasPrefix("{") { throw Failure(description: "line \(line): flow mappings { } are not supported: write the keys on their own lines") }
        if text.hasPrefix("\"") || text.hasPrefix("'") {
            guard text.count >= 2, text.last == text.first else { throw Failure(description: "line \(line): unterminated quoted string") }
            return .string(unquote(text))
        }
        switch text {
        case "true", "True", "TRUE", "yes": return .bool(true)
        case "false", "False", "FALSE", "no": return .bool(false)
        case "null", "~": return .null
        default: break
        }
        if text.count > 1, text.hasPrefix("0"), text.allSatisfy({ ("0"..."7").contains($0) }), let n = Int64(text, radix: 8) { return .number("\(n)") }
        // Written back as JSON numbers: `08` and `.5` are YAML's, not JSON's.
        if let n = Int64(text) { return .number("\(n)") }
        if text.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }), let x = Double(text), x.isFinite { return .number("\(x)") }
        return .string(text)
    }

    private static func unquote(_ text: String) -> String {
        guard text.count >= 2, let q = text.first, q == "'" || q == "\"", text.last == q else { return text }
        var inner = String(text.dropFirst().dropLast())
        if q == "'" {
            inner = inner.split(separator: "''", omittingEmptySubsequences: false).joined(separator: "'")
        } else {
            var out = ""
            var escaped = false
            for c in inner {
                if escaped {
                    switch c {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: out.append(c)
                    }
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else {
                    out.append(c)
                }
            }
            inner = out
        }
        return inner
    }

    /// The line without a `#` comment (one that starts the line or follows a space, outside quotes).
    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, c) in line.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "#" && previous == " " {
                return String(line.prefix(offset))
            }
            previous = c
        }
        return line
    }
}

extension StringProtocol {
    func trimmingLeadingSpace() -> String { String(drop { $0 == " " }) }
    func trimmingTrailingSpace() -> String {
        var s = String(self)
        while let last = s.last, last == " " || last == "\r" { s.removeLast() }
        return s
    }
}
