import FaradCore

/// InfluxQL text of a `SELECT`, which InfluxDB 1.x (and Farad's parser) read back as the same
/// statement: what a batch task sends to an `[[influxdb]]` cluster and logs.
///
/// Identifiers are always double-quoted, strings single-quoted, regexes between slashes and
/// numbers written without exponents (InfluxQL has none); operators nest as the tree does, with
/// parentheses wherever precedence would otherwise regroup them.
extension InfluxQLSelect: CustomStringConvertible {
    public var description: String {
        var s = "SELECT " + fields.map { f in f.alias.map { "\(f.expr) AS \(InfluxQLFormatter.identifier($0))" } ?? "\(f.expr)" }.joined(separator: ", ")
        s += " FROM " + sources.map(InfluxQLFormatter.source).joined(separator: ", ")
        if let condition { s += " WHERE \(condition)" }
        if !dimensions.isEmpty { s += " GROUP BY " + dimensions.map(\.description).joined(separator: ", ") }
        switch fill {
        case .null: break
        case .none: s += " fill(none)"
        case .previous: s += " fill(previous)"
        case .linear: s += " fill(linear)"
        case .integer(let n): s += " fill(\(n))"
        case .number(let x): s += " fill(\(InfluxQLFormatter.number(x)))"
        }
        if descending { s += " ORDER BY time DESC" }
        if let limit { s += " LIMIT \(limit)" }
        if let offset { s += " OFFSET \(offset)" }
        if let seriesLimit { s += " SLIMIT \(seriesLimit)" }
        if let seriesOffset { s += " SOFFSET \(seriesOffset)" }
        if let timeZone { s += " tz(\(InfluxQLFormatter.string(timeZone)))" }
        return s
    }
}

extension InfluxQLExpr: CustomStringConvertible {
    public var description: String {
        switch self {
        case .reference(let name, let type): InfluxQLFormatter.identifier(name) + (type.map { "::\($0.rawValue)" } ?? "")
        case .wildcard(let type): "*" + (type.map { "::\($0.rawValue)" } ?? "")
        case .call(let name, let arguments): "\(name)(" + arguments.map(\.description).joined(separator: ", ") + ")"
        case .integer(let n): "\(n)"
        case .number(let x): InfluxQLFormatter.number(x)
        case .string(let s): InfluxQLFormatter.string(s)
        case .bool(let b): b ? "true" : "false"
        case .duration(let ns): InfluxQLFormatter.duration(ns)
        case .regex(let r): "/" + r.replacing("/", with: "\\/") + "/"
        case .boundParameter(let name): "$" + InfluxQLFormatter.identifier(name)
        case .parenthesized(let e): "(\(e))"
        case .binary(let op, let l, let r):
            "\(InfluxQLFormatter.operand(l, of: op, right: false)) \(op.rawValue) \(InfluxQLFormatter.operand(r, of: op, right: true))"
        }
    }
}

enum InfluxQLFormatter {
    static func identifier(_ name: String) -> String {
        "\"" + name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    static func string(_ s: String) -> String {
        "'" + s.replacing("\\", with: "\\\\").replacing("'", with: "\\'").replacing("\n", with: "\\n") + "'"
    }

    static func source(_ source: InfluxQLSource) -> String {
        switch source {
        case .subquery(let select): return "(\(select))"
        case .measurement(let db, let rp, let name, let regex):
            var parts: [String] = []
            if let db { parts.append(identifier(db)) }
            if db != nil || rp != nil { parts.append(rp.map(identifier) ?? "") }
            parts.append(regex.map { "/" + $0.replacing("/", with: "\\/") + "/" } ?? identifier(name ?? ""))
            return parts.joined(separator: ".")
        }
    }

    /// A binary operand, parenthesized when the tree groups it differently from how the text
    /// would parse (a looser operator below, or an equal one on the right of a left-associative one).
    static func operand(_ e: InfluxQLExpr, of op: InfluxQLExpr.Operator, right: Bool) -> String {
        guard case .binary(let inner, _, _) = e else { return e.description }
        let needs = inner.precedence < op.precedence || (right && inner.precedence == op.precedence)
        return needs ? "(\(e))" : e.description
    }

    /// The largest unit that divides `ns` exactly: `90s` is `90s`, `1h30m` is `90m`.
    static func duration(_ ns: Int64) -> String {
        let units: [(Int64, String)] = [
            (604_800_000_000_000, "w"), (86_400_000_000_000, "d"), (3_600_000_000_000, "h"), (60_000_000_000, "m"),
            (1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "u"),
        ]
        guard ns != 0 else { return "0s" }
        for (size, unit) in units where ns % size == 0 { return "\(ns / size)\(unit)" }
        return "\(ns)ns"
    }

    /// `x` in decimal notation, exact as Swift's shortest round-trip form, without an exponent.
    static func number(_ x: Double) -> String {
        // A parsed statement holds finite numbers only; `inf` and `nan` stay unreadable, as they are.
        let text = "\(x)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...]) else {
            return text
        }
        var mantissa = text[..<e]
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa = mantissa.dropFirst() }
        let dot = mantissa.firstIndex(of: ".")
        let intDigits = dot.map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        let digits = Array(mantissa.filter { $0 != "." })
        let point = intDigits + exponent
        var out: String
        if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + String(digits)
        } else if point >= digits.count {
            out = String(digits) + String(repeating: "0", count: point - digits.count) + ".0"
        } else {
            out = String(digits[..<point]) + "." + String(digits[point...])
        }
        return (negative ? "-" : "") + out
    }
}
