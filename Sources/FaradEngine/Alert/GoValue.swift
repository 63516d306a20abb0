import FaradCore

/// A value as a Go template sees it: the Go types Kapacitor's template data is made of.
indirect enum GoValue: Sendable {
    case string(String)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    /// `time.Time` (UTC), in nanoseconds since the epoch.
    case time(Int64)
    /// `time.Duration`, in nanoseconds.
    case duration(Int64)
    /// A Go map with string keys; `zero` is its element type's zero value, what `index` answers
    /// for a missing key (`""` for `map[string]string`, `nil` for `map[string]interface{}`).
    case map([String: GoValue], zero: GoValue)
    /// A struct: its exported fields in declaration order (the order `json` writes them).
    case object([(String, GoValue)])
    case list([GoValue])
    /// A nil interface (`index .Fields "missing"`).
    case null
    /// No value at all (`.Tags.missing`): prints as `<no value>`.
    case missing

    /// Go's name of the value's type, for error texts.
    var typeName: String {
        switch self {
        case .string: "string"
        case .int: "int64"
        case .float: "float64"
        case .bool: "bool"
        case .time: "time.Time"
        case .duration: "time.Duration"
        case .map(_, let zero): if case .string = zero { "map[string]string" } else { "map[string]interface {}" }
        case .object: "struct"
        case .list: "[]interface {}"
        case .null, .missing: "<nil>"
        }
    }

    /// Go templates' truth: false, 0, "", nil and empty collections are false.
    var isTrue: Bool {
        switch self {
        case .string(let s): !s.isEmpty
        case .int(let n): n != 0
        case .float(let x): x != 0
        case .bool(let b): b
        case .time: true
        case .duration(let d): d != 0
        case .map(let m, _): !m.isEmpty
        case .object: true
        case .list(let l): !l.isEmpty
        case .null, .missing: false
        }
    }

    /// `fmt`'s `%v`, as `{{ . }}` prints a value.
    var printed: String {
        switch self {
        case .missing: "<no value>"
        default: formatted(top: true)
        }
    }

    private func formatted(top: Bool) -> String {
        switch self {
        case .string(let s): return s
        case .int(let n): return String(n)
        case .float(let x): return GoFormat.general(x)
        case .bool(let b): return b ? "true" : "false"
        case .time(let t): return GoFormat.time(t)
        case .duration(let d): return GoFormat.duration(d)
        case .map(let m, _):
            return "map[" + m.keys.sorted().map { "\($0):\(m[$0]!.formatted(top: false))" }.joined(separator: " ") + "]"
        case .object(let fields): return "{" + fields.map { $0.1.formatted(top: false) }.joined(separator: " ") + "}"
        case .list(let l): return "[" + l.map { $0.formatted(top: false) }.joined(separator: " ") + "]"
        case .null, .missing: return top ? "<no value>" : "<nil>"
        }
    }

    /// `encoding/json`'s encoding (maps by sorted key, `<`, `>` and `&` escaped as Go does).
    func writeJSON(to out: inout [UInt8]) {
        func raw(_ s: String) { out.append(contentsOf: s.utf8) }
        switch self {
        case .string(let s): Self.jsonString(s, into: &out)
        case .int(let n): raw(String(n))
        case .float(let x): raw(GoFormat.json(x))
        case .bool(let b): raw(b ? "true" : "false")
        case .time(let t): raw("\"" + CivilDate.rfc3339Nano(t) + "\"")
        case .duration(let d): raw(String(d))
        case .map(let m, _):
            out.append(UInt8(ascii: "{"))
            for (i, k) in m.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.jsonString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                m[k]!.writeJSON(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.jsonString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                v.writeJSON(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .list(let l):
            out.append(UInt8(ascii: "["))
            for (i, v) in l.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                v.writeJSON(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .null, .missing: raw("null")
        }
    }

    /// A JSON string as Go's `encoding/json` writes it (HTML-safe: `<`, `>`, `&`, U+2028 and
    /// U+2029 escaped); a string with nothing to escape is copied whole.
    static func jsonString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            var i = 0
            func flush() {
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
            }
            while i < bytes.count {
                let b = bytes[i]
                var escape: StaticString?
                var width = 1
                switch b {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case UInt8(ascii: "<"): escape = "\\u003c"
                case UInt8(ascii: ">"): escape = "\\u003e"
                case UInt8(ascii: "&"): escape = "\\u0026"
                case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                    escape = bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    width = 3
                case 0..<0x20:
                    flush()
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 0xF)])
                    i += 1
                    start = i
                    continue
                default: break
                }
                if let escape {
                    flush()
                    out.append(contentsOf: UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
                    i += width
                    start = i
                } else {
                    i += 1
                }
            }
            flush()
        }
        out.append(UInt8(ascii: "\""))
    }

    /// ``jsonString(_:into:)`` as text.
    static func jsonString(_ s: String, into out: inout String) {
        var bytes: [UInt8] = []
        jsonString(s, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// A field value of a point.
    init(_ field: FieldValue) {
        switch field {
        case .double(let x): self = .float(x)
        case .int(let n): self = .int(n)
        case .string(let s): self = .string(s)
        case .bool(let b): self = .bool(b)
        }
    }
}
