import FaradCore

/// Renders statement results as InfluxDB 1.x's `/query` does: JSON (`{"results":[…]}`, times as
/// RFC 3339 or as integers of the `epoch` unit, floats as Go's encoder writes them, optionally
/// indented as Go's `MarshalIndent`) or CSV (`name,tags,time,…`, times as integers).
public struct InfluxQLResponseWriter: Sendable {
    /// Nanoseconds per unit of the request's `epoch` (`nil`: RFC 3339 strings).
    public var epochDivisor: Int64?
    public var pretty = false

    public init(epoch: String? = nil, pretty: Bool = false) {
        // An epoch InfluxDB does not know gives nanoseconds; none (or empty) gives RFC 3339.
        epochDivisor = epoch.flatMap { $0.isEmpty ? nil : Self.divisor(forEpoch: $0) ?? 1 }
        self.pretty = pretty
    }

    /// Nanoseconds per `epoch` unit (`ns n u µ ms s m h`); `nil` for anything else.
    public static func divisor(forEpoch epoch: String) -> Int64? {
        switch epoch {
        case "ns", "n": 1
        case "u", "µ": 1_000
        case "ms": 1_000_000
        case "s": 1_000_000_000
        case "m": 60_000_000_000
        case "h": 3_600_000_000_000
        default: nil
        }
    }

    // MARK: JSON

    /// `{"results":[…]}` of `results`.
    public func json(_ results: [InfluxQLStatementResult]) -> [UInt8] {
        var w = JSONWriter(capacity: 1024)
        w.raw("{\"results\":[")
        for (i, r) in results.enumerated() {
            if i > 0 { w.raw(",") }
            write(r, to: &w)
        }
        w.raw("]}")
        return pretty ? Self.indent(w.bytes) : w.bytes
    }

    /// `{"error":"…"}`, the answer to a request that runs no statement.
    public func jsonError(_ message: String) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"error\":")
        w.string(message)
        w.raw("}")
        return pretty ? Self.indent(w.bytes) : w.bytes
    }

    private func write(_ r: InfluxQLStatementResult, to w: inout JSONWriter) {
        w.raw("{\"statement_id\":")
        w.int(Int64(r.statementID))
        if !r.series.isEmpty {
            w.raw(",\"series\":[")
            for (i, s) in r.series.enumerated() {
                if i > 0 { w.raw(",") }
                write(s, to: &w)
            }
            w.raw("]")
        }
        if !r.messages.isEmpty {
            w.raw(",\"messages\":[")
            for (i, m) in r.messages.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{\"level\":")
                w.string(m.level)
                w.raw(",\"text\":")
                w.string(m.text)
                w.raw("}")
            }
            w.raw("]")
        }
        if r.partial { w.raw(",\"partial\":true") }
        if let e = r.error {
            w.raw(",\"error\":")
            w.string(e)
        }
        w.raw("}")
    }

    private func write(_ s: InfluxQLResultSeries, to w: inout JSONWriter) {
        var first = true
        w.raw("{")
        if let name = s.name {
            w.raw("\"name\":")
            w.string(name)
            first = false
        }
        if let tags = s.tags, !tags.isEmpty {
            w.raw(first ? "\"tags\":{" : ",\"tags\":{")
            for (i, t) in tags.enumerated() {
                if i > 0 { w.raw(",") }
                w.string(t.key)
                w.raw(":")
                w.string(t.value)
            }
            w.raw("}")
            first = false
        }
        w.raw(first ? "\"columns\":" : ",\"columns\":")
        w.strings(s.columns)
        if !s.values.isEmpty {
            w.raw(",\"values\":[")
            for (i, row) in s.values.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("[")
                for (j, cell) in row.enumerated() {
                    if j > 0 { w.raw(",") }
                    write(cell, to: &w)
                }
                w.raw("]")
            }
            w.raw("]")
        }
        if s.partial { w.raw(",\"partial\":true") }
        w.raw("}")
    }

    private func write(_ cell: InfluxQLCell, to w: inout JSONWriter) {
        switch cell {
        case .null: w.null()
        case .time(let ns):
            if let d = epochDivisor { w.int(ns / d) } else { w.string(CivilDate.rfc3339Nano(ns)) }
        case .value(let v):
            switch v {
            case .float(let d): d.isFinite ? w.raw(Self.goFloat(d)) : w.null()
            case .integer(let i): w.int(i)
            case .string(let s): w.string(s)
            case .boolean(let b): w.bool(b)
            }
        }
    }

    /// A float as Go's `encoding/json` writes it: the shortest text that reads back the same,
    /// without exponent for magnitudes in [1e-6, 1e21), else `1e+21`, `1e-7`.
    public static func goFloat(_ d: Double) -> String {
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let magnitude = abs(d)
        let text = "\(d)"
        if magnitude >= 1e-6 && magnitude < 1e21 {
            // Swift writes an exponent from 2^53 up and below 1e-4; Go does not in this range.
            if text.contains("e") { return Self.plain(d) }
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
        // Exponent form: Go writes `1e+21`, `1.5e-07` → `1.5e-7`.
        var mantissa = Substring(text)
        var exponent = "0"
        if let e = text.firstIndex(of: "e") {
            mantissa = text[..<e]
            exponent = String(text[text.index(after: e)...])
        }
        if mantissa.hasSuffix(".0") { mantissa = mantissa.dropLast(2) }
        var sign = "+"
        if exponent.hasPrefix("-") {
            sign = "-"
            exponent.removeFirst()
        } else if exponent.hasPrefix("+") {
            exponent.removeFirst()
        }
        while exponent.count > 1 && exponent.hasPrefix("0") { exponent.removeFirst() }
        return "\(mantissa)e\(sign)\(exponent)"
    }

    /// `d` (with Swift's shortest digits) written without an exponent.
    private static func plain(_ d: Double) -> String {
        let text = "\(d)"
        guard let e = text.firstIndex(of: "e"), let exp = Int(text[text.index(after: e)...]) else { return text }
        var mantissa = Substring(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        var digits = ""
        var point = 0
        for c in mantissa {
            if c == "." { point = digits.count } else { digits.append(c) }
        }
        if !mantissa.contains(".") { point = digits.count }
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        point += exp
        let out: String
        if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out = digits + String(repeating: "0", count: point - digits.count)
        } else {
            out = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        return (negative ? "-" : "") + out
    }

    /// Go's `json.MarshalIndent(v, "", "    ")` of compact JSON `bytes`.
    static func indent(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        func newline() {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: depth * 4))
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                i += 1
                continue
            }
            switch b {
            case 0x22:
                inString = true
                out.append(b)
            case 0x7B, 0x5B:
                out.append(b)
                // An empty object or array stays `{}` / `[]`.
                if i + 1 < bytes.count, bytes[i + 1] == (b == 0x7B ? 0x7D : 0x5D) {
                    out.append(bytes[i + 1])
                    i += 1
                } else {
                    depth += 1
                    newline()
                }
            case 0x7D, 0x5D:
                depth -= 1
                newline()
                out.append(b)
            case 0x2C:
                out.append(b)
                newline()
            case 0x3A:
                out.append(contentsOf: [0x3A, 0x20])
            default:
                out.append(b)
            }
            i += 1
        }
        return out
    }

    // MARK: CSV

    /// InfluxDB's CSV: a header `name,tags,<columns>` for each series whose columns differ from
    /// the one before (a blank line between statements), then one line per row.
    public func csv(_ results: [InfluxQLStatementResult]) -> [UInt8] {
        var out = ""
        var previousColumns: [String]?
        for (i, r) in results.enumerated() {
            if i > 0 && !out.isEmpty {
                out += "\n"
                previousColumns = nil
            }
            if let e = r.error {
                out += "error\n" + Self.csvField(e) + "\n"
                continue
            }
            for s in r.series {
                if previousColumns != s.columns {
                    out += (["name", "tags"] + s.columns).map(Self.csvField).joined(separator: ",") + "\n"
                    previousColumns = s.columns
                }
                let tags = (s.tags ?? []).map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                for row in s.values {
                    var fields = [s.name ?? "", tags]
                    for cell in row { fields.append(csvText(cell)) }
                    out += fields.map(Self.csvField).joined(separator: ",") + "\n"
                }
            }
        }
        return Array(out.utf8)
    }

    /// `{"error":"…"}` as CSV.
    public func csvError(_ message: String) -> [UInt8] {
        Array(("error\n" + Self.csvField(message) + "\n").utf8)
    }

    private func csvText(_ cell: InfluxQLCell) -> String {
        switch cell {
        case .null: ""
        case .time(let ns): "\(ns / (epochDivisor ?? 1))"
        case .value(.float(let d)): Self.goFloat(d)
        case .value(.integer(let i)): "\(i)"
        case .value(.string(let s)): s
        case .value(.boolean(let b)): b ? "true" : "false"
        }
    }

    /// Go's `encoding/csv` quoting: a field with a comma, quote, newline or leading space is quoted.
    static func csvField(_ s: String) -> String {
        let special = s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.hasPrefix(" ")
        guard special else { return s }
        var quoted = "\""
        for c in s {
            if c == "\"" { quoted += "\"\"" } else { quoted.append(c) }
        }
        return quoted + "\""
    }
}
