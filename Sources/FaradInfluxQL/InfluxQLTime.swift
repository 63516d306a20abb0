import FaradCore

/// InfluxQL's time literals and bounds.
public enum InfluxQLTime {
    /// InfluxDB's smallest and largest point times (`influxql.MinTime`, `MaxTime`).
    public static let minTime: Int64 = Int64.min + 2
    public static let maxTime: Int64 = Int64.max - 1

    /// Nanoseconds of a time string as InfluxQL reads one in `WHERE time …`: RFC 3339 with an
    /// optional fraction and zone (`2020-09-13T12:26:40.5Z`, `…+02:00`), or
    /// `2020-09-13 12:26:40[.5]`, or a date `2020-09-13` (midnight UTC).
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in i..<(i + n) {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[k] - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        // Times beyond 2262 do not fit in nanoseconds.
        let (midnight, tooLate) = CivilDate.days(year: year, month: month, day: day).multipliedReportingOverflow(by: 86_400_000_000_000)
        guard !tooLate else { return nil }
        if i == b.count { return midnight }
        guard expect(0x54) || expect(0x20), let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A),
              let second = digits(2), hour < 24, minute < 60, second < 60 else { return nil }
        var fraction: Int64 = 0
        if expect(0x2E) {
            var n = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                if n < 9 { fraction = fraction * 10 + Int64(b[i] - 0x30) }
                n += 1
                i += 1
            }
            guard n > 0 else { return nil }
            for _ in n..<max(n, 9) { fraction *= 10 }
        }
        var zone: Int64 = 0
        // No zone (`2020-09-13 12:00:00`) is UTC, as `Z` is.
        if !expect(0x5A), i < b.count, b[i] == 0x2B || b[i] == 0x2D {
            let sign: Int64 = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let zh = digits(2), expect(0x3A), let zm = digits(2), zh < 24, zm < 60 else { return nil }
            zone = sign * (zh * 3600 + zm * 60) * 1_000_000_000
        }
        guard i == b.count else { return nil }
        let (local, late) = midnight.addingReportingOverflow(((hour * 60 + minute) * 60 + second) * 1_000_000_000 + fraction)
        let (t, overflow) = local.subtractingReportingOverflow(zone)
        return late || overflow ? nil : t
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A duration as Go's `time.Duration.String()` writes it (`0s`, `168h0m0s`, `1m30s`, `1.5s`).
    public static func goDuration(_ ns: Int64) -> String {
        if ns == 0 { return "0s" }
        let negative = ns < 0
        let u = ns.magnitude
        var out: String
        if u < 1_000_000_000 {
            // Sub-second: ns, µs or ms with a fraction.
            let (unit, scale): (String, UInt64) = u < 1_000 ? ("ns", 1) : u < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            out = fractional(u, scale) + unit
        } else {
            let hours = u / 3_600_000_000_000
            let minutes = u / 60_000_000_000 % 60
            let seconds = u % 60_000_000_000
            out = fractional(seconds, 1_000_000_000) + "s"
            if hours > 0 || minutes > 0 { out = "\(minutes)m" + out }
            if hours > 0 { out = "\(hours)h" + out }
        }
        return negative ? "-" + out : out
    }

    private static func fractional(_ v: UInt64, _ scale: UInt64) -> String {
        let whole = v / scale
        var fraction = v % scale
        guard fraction > 0 else { return "\(whole)" }
        var digits = String(scale).count - 1
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let f = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - f.count) + f
    }
}
