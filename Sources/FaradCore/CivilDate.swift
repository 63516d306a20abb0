/// Proleptic Gregorian civil dates (Howard Hinnant's algorithms) and RFC 3339 timestamps,
/// without Foundation's calendar.
public enum CivilDate {
    /// The date of day `z0` since 1970-01-01.
    public static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// The day number (since 1970-01-01) of a date.
    public static func days(year y0: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `ns` since the epoch as Go's RFC3339Nano in UTC, as Kapacitor renders times:
    /// `1971-01-01T00:00:10Z`, `2024-05-01T12:00:00.5Z` (no trailing zeros in the fraction).
    public static func rfc3339Nano(_ ns: Int64) -> String {
        let day: Int64 = 86_400_000_000_000
        var days = ns / day
        var rest = ns % day
        if rest < 0 {
            days -= 1
            rest += day
        }
        let (y, mo, d) = civil(fromDays: days)
        let seconds = rest / 1_000_000_000
        var fraction = rest % 1_000_000_000
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var text = "\(y < 1000 ? String(repeating: "0", count: 4 - "\(y)".count) : "")\(y)-\(two(mo))-\(two(d))T"
        text += "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
        if fraction > 0 {
            var digits = 9
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            let f = "\(fraction)"
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text + "Z"
    }
}
