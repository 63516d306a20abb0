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
            // By scalar, not Character: a combining mark after `"` or `\` makes one Character.
            var out = "\""
            for c in v.unicodeScalars {
                if c == "\"" || c == "\\" { out.unicodeScalars.append("\\") }
                out.unicodeScalars.append(c)
            }
            return out + "\""
        }
    }

    /// `text` with a backslash before each of `special`, scalar by scalar: a combining mark
    /// after a `,` makes one Character of the two, which a Character loop would not escape.
    static func escape(_ text: String, _ special: Set<Unicode.Scalar>) -> String {
        guard text.unicodeScalars.contains(where: { special.contains($0) }) else { return text }
        var out = ""
        for c in text.unicodeScalars {
            if special.contains(c) { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out
    }
}
