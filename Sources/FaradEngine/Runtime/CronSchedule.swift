import FaradCore

/// A batch query's `.cron('…')` schedule, read as Kapacitor's cron library reads one (UTC):
/// five fields `minute hour day-of-month month day-of-week`, six (a year after them) or seven
/// (seconds first, year last), or `@yearly @annually @monthly @weekly @daily @hourly`. A field
/// is `*`, `?`, a value, a range `a-b`, a step `*/n` or `a-b/n`, or a list of them; months and
/// weekdays may be named (`JAN`, `MON`), Sunday is 0 or 7. When both day fields are restricted
/// a day matching either runs, as in Vixie cron.
public struct CronSchedule: Sendable, Hashable {
    let seconds: [Int]
    let minutes: [Int]
    let hours: [Int]
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let years: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool
    /// The expression as written.
    public let text: String

    /// The error for a bad expression, naming the field.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    public init(_ text: String) throws(ParseError) {
        self.text = text
        let macros = ["@yearly": "0 0 0 1 1 * *", "@annually": "0 0 0 1 1 * *", "@monthly": "0 0 0 1 * * *",
                      "@weekly": "0 0 0 * * 0 *", "@daily": "0 0 0 * * * *", "@hourly": "0 0 * * * * *"]
        var fields = (macros[text.trimmingSpaces.lowercased()] ?? text).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch fields.count {
        case 5: fields = ["0"] + fields + ["*"]
        case 6: fields = ["0"] + fields
        case 7: break
        default: throw ParseError(description: "invalid cron expression \(text.debugDescription): it needs 5, 6 or 7 fields (minute hour day month weekday [year]), got \(fields.count)")
        }
        func field(_ i: Int, _ name: String, _ range: ClosedRange<Int>, names: [String] = [], nameBase: Int = 0) throws(ParseError) -> (Set<Int>, Bool) {
            try Self.parse(fields[i], name: name, range: range, names: names, nameBase: nameBase, expression: text)
        }
        seconds = try field(0, "seconds", 0...59).0.sorted()
        minutes = try field(1, "minutes", 0...59).0.sorted()
        hours = try field(2, "hours", 0...23).0.sorted()
        (days, daysRestricted) = try field(3, "day of month", 1...31)
        (months, _) = try field(4, "month", 1...12, names: Self.monthNames, nameBase: 1)
        var (weekdays, weekdaysRestricted) = try field(5, "day of week", 0...7, names: Self.dayNames)
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        (self.weekdays, self.weekdaysRestricted) = (weekdays, weekdaysRestricted)
        (years, _) = try field(6, "year", 1970...2099)
    }

    private static func parse(_ text: String, name: String, range: ClosedRange<Int>, names: [String], nameBase: Int, expression: String) throws(ParseError) -> (Set<Int>, Bool) {
        func fail(_ why: String) -> ParseError {
            ParseError(description: "invalid cron expression \(expression.debugDescription): \(name) field \(text.debugDescription) \(why)")
        }
        func value(_ s: Substring) throws(ParseError) -> Int {
            if let i = names.firstIndex(of: s.uppercased()) { return i + nameBase }
            guard let n = Int(s), range.contains(n) else { throw fail("has \(s.debugDescription), outside \(range.lowerBound)-\(range.upperBound)") }
            return n
        }
        if text == "*" || text == "?" { return (Set(range), false) }
        var set = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else { throw fail("is not a value, range or step") }
            var step = 1
            if pieces.count == 2 {
                guard let n = Int(pieces[1]), n > 0, n <= range.upperBound + 1 else { throw fail("has a bad step \(pieces[1].debugDescription)") }
                step = n
            }
            var low: Int, high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash])
                high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw fail("has a range that goes backwards") }
            } else {
                low = try value(base)
                high = pieces.count == 2 ? range.upperBound : low
            }
            for v in stride(from: low, through: high, by: step) { set.insert(v) }
        }
        return (set, true)
    }

    /// The first time the schedule names after `time` (ns), whole seconds; `Int64.max` if none
    /// before 2100.
    public func next(after time: Int64) -> Int64 {
        let seconds = time >= 0 ? time / 1_000_000_000 : (time + 1) / 1_000_000_000 - 1
        var s = seconds + 1
        // Each pass moves to a later day at least, and 2100 is at most 47,500 days away.
        while true {
            let day = s >= 0 ? s / 86_400 : (s + 1) / 86_400 - 1
            let (year, month, date) = CivilDate.civil(fromDays: day)
            guard year <= 2099 else { return .max }
            if !years.contains(Int(year)) {
                s = CivilDate.days(year: year + 1, month: 1, day: 1) * 86_400
                continue
            }
            if !months.contains(Int(month)) {
                s = (month == 12 ? CivilDate.days(year: year + 1, month: 1, day: 1) : CivilDate.days(year: year, month: month + 1, day: 1)) * 86_400
                continue
            }
            let weekday = Int(((day % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
            let dayOK = days.contains(Int(date)), weekdayOK = weekdays.contains(weekday)
            let matches = daysRestricted && weekdaysRestricted ? (dayOK || weekdayOK) : (dayOK && weekdayOK)
            if matches, let t = firstTime(inDay: day, from: Int(s - day * 86_400)) {
                return t.multipliedClamped(by: 1_000_000_000)
            }
            s = (day + 1) * 86_400
        }
    }

    /// The first scheduled second of `day` at or after `second` of that day.
    private func firstTime(inDay day: Int64, from second: Int) -> Int64? {
        let (h0, m0, s0) = (second / 3600, second / 60 % 60, second % 60)
        for h in hours where h >= h0 {
            for m in minutes where h > h0 || m >= m0 {
                for s in seconds where h > h0 || m > m0 || s >= s0 {
                    return day * 86_400 + Int64(h * 3600 + m * 60 + s)
                }
            }
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
