import FaradCore

/// Formats points as InfluxDB 1.x line protocol, escaping as the parser expects.
public enum LineProtocolWriter {
    /// One line (without a newline), timestamp in nanoseconds.
    public static func line(_ point: Point) -> String {
        var out = escape(point.measurement, [",", " "])
        for (k, v) in point.tags {
            out += "," + escape(k, [",", "=", " "]) + "=" + escape(v, [",", "=", " "])
        }
        out += " "
        out += point.fields.map { key, value in escape(key, [",", "=", " "]) + "=" + format(value) }.joined(separator: ",")
        out += " \(point.time)"
        return out
    }

    static func format(_ value: FieldValue) -> String {
        switch value {
        case .double(let v):
            var text = "\(v)"
            if text.hasSuffix(".0") { text.removeLast(2) }
            return text
        case .int(let v): return "\(v)i"
        case .bool(let v): return v ? "true" : "false"
        case .string(let v):
            var out = "\""
            for c in v {
                if c == "\"" || c == "\\" { out.append("\\") }
                out.append(c)
            }
            return out + "\""
        }
    }

    static func escape(_ text: String, _ special: Set<Character>) -> String {
        guard text.contains(where: { special.contains($0) }) else { return text }
        var out = ""
        for c in text {
            if special.contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
