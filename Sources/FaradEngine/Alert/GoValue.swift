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
    func writeJSON(to out: inout String) {
        switch self {
        case .string(let s): Self.jsonString(s, into: &out)
        case .int(let n): out += String(n)
        case .float(let x): out += GoFormat.json(x)
        case .bool(let b): out += b ? "true" : "false"
        case .time(let t): out += "\"" + CivilDate.rfc3339Nano(t) + "\""
        case .duration(let d): out += String(d)
        case .map(let m, _):
            out += "{"
            for (i, k) in m.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                Self.jsonString(k, into: &out)
                out += ":"
                m[k]!.writeJSON(to: &out)
            }
            out += "}"
        case .object(let fields):
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                Self.jsonString(k, into: &out)
                out += ":"
                v.writeJSON(to: &out)
            }
            out += "}"
        case .list(let l):
            out += "["
            for (i, v) in l.enumerated() {
                if i > 0 { out += "," }
                v.writeJSON(to: &out)
            }
            out += "]"
        case .null, .missing: out += "null"
        }
    }

    /// A JSON string as Go's `encoding/json` writes it (HTML-safe).
    static func jsonString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
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
