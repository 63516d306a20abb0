/// Durations written the way Kapacitor and Go write them: `10s`, `1m30s`, `500ms`, `1h`, `2d`, `1w`.
public enum DurationText {
    /// Parses a Go/Kapacitor duration into nanoseconds: a sequence of number+unit pairs with
    /// units `ns`, `us`, `µs`, `u`, `µ`, `ms`, `s`, `m`, `h`, `d`, `w`, and an optional sign.
    /// A bare `0` is zero. Returns `nil` for anything else.
    public static func parse(_ text: String) -> Int64? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        if s == "0" { return 0 }
        guard !s.isEmpty else { return nil }
        var total: Double = 0
        while !s.isEmpty {
            let number = s.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            s = s.dropFirst(number.count)
            let unit = s.prefix { !$0.isNumber && $0 != "." }
            s = s.dropFirst(unit.count)
            guard let scale = unitNanoseconds(unit) else { return nil }
            total += value * scale
        }
        guard total.magnitude < 9.2e18 else { return nil }
        return Int64(negative ? -total : total)
    }

    static func unitNanoseconds(_ unit: Substring) -> Double? {
        switch unit {
        case "ns": 1
        case "us", "µs", "u", "µ": 1e3
        case "ms": 1e6
        case "s": 1e9
        case "m": 60e9
        case "h": 3600e9
        case "d": 86400e9
        case "w": 604800e9
        default: nil
        }
    }

    /// Formats nanoseconds the way Go's `time.Duration.String` does: `10s`, `1m30s`, `1.5s`, `250ms`.
    public static func format(_ nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let ns = nanoseconds.magnitude
        if ns < 1_000 { return "\(sign)\(ns)ns" }
        if ns < 1_000_000 { return sign + trim(Double(ns) / 1e3) + "µs" }
        if ns < 1_000_000_000 { return sign + trim(Double(ns) / 1e6) + "ms" }
        var rest = ns
        let hours = rest / 3_600_000_000_000
        rest %= 3_600_000_000_000
        let minutes = rest / 60_000_000_000
        rest %= 60_000_000_000
        var out = sign
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        return out + trim(Double(rest) / 1e9) + "s"
    }

    private static func trim(_ value: Double) -> String {
        var text = "\(value)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
