import FaradCore

/// KairosDB's time units (plural names, case-insensitive), with calendar arithmetic in UTC.
public enum TimeUnit: String, Sendable, CaseIterable {
    case milliseconds, seconds, minutes, hours, days, weeks, months, years

    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The unit's length in milliseconds (30 days for a month, 365 for a year, when a fixed
    /// length is needed, as for `rate`).
    public var milliseconds: Int64 {
        switch self {
        case .milliseconds: 1
        case .seconds: 1_000
        case .minutes: 60_000
        case .hours: 3_600_000
        case .days: 86_400_000
        case .weeks: 604_800_000
        case .months: 2_592_000_000
        case .years: 31_536_000_000
        }
    }

    var isCalendar: Bool { self == .months || self == .years }

    /// The text of the error for an unknown unit.
    static let validNames = "MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS"
}

/// A `{value, unit}` duration.
public struct RelativeTime: Sendable, Equatable {
    public var value: Int64
    public var unit: TimeUnit

    public init(value: Int64, unit: TimeUnit) {
        self.value = value
        self.unit = unit
    }

    /// `time + k × self`, with real month and year lengths. `offset` shifts to local time
    /// (milliseconds east of UTC) for calendar units.
    ///
    /// Queries bound their times and durations (``QueryRequest/timeBound``), so this does not
    /// overflow for them; for any other input the result saturates at `Int64.min`/`max`
    /// rather than trapping.
    public func add(_ k: Int64, to time: Int64, offset: Int64 = 0) -> Int64 {
        switch unit {
        case .months, .years:
            let perStep = unit == .years ? value.multipliedClamped(by: 12) : value
            let months = k.multipliedClamped(by: perStep)
            // ±10^14 months is far past any bounded time, and keeps the date arithmetic exact.
            guard months.magnitude <= Calendar.maxMonths else { return months < 0 ? .min : .max }
            return Calendar.addMonths(time, months, offset: offset)
        default:
            return time.addingClamped(k.multipliedClamped(by: value).multipliedClamped(by: unit.milliseconds))
        }
    }
}

extension Int64 {
    /// `self × other`, saturating instead of trapping.
    func multipliedClamped(by other: Int64) -> Int64 {
        let (v, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return v }
        return (self < 0) != (other < 0) ? .min : .max
    }

    /// `self + other`, saturating instead of trapping.
    func addingClamped(_ other: Int64) -> Int64 {
        let (v, overflow) = addingReportingOverflow(other)
        guard overflow else { return v }
        return other < 0 ? .min : .max
    }
}

/// Proleptic Gregorian civil dates (Howard Hinnant's algorithms), enough for month arithmetic
/// and alignment without Foundation's calendar.
enum Calendar {
    static let dayMs: Int64 = 86_400_000

    static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        CivilDate.civil(fromDays: z0)
    }

    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        CivilDate.days(year: year, month: month, day: day)
    }

    /// `a / b` rounded toward −∞ (`b > 0`); never overflows.
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? q - 1 : q
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        let next = month == 12 ? days(year: year + 1, month: 1, day: 1) : days(year: year, month: month + 1, day: 1)
        return next - days(year: year, month: month, day: 1)
    }

    /// The most months ``RelativeTime/add(_:to:offset:)`` steps by: far past any time a query
    /// may name, small enough that the date arithmetic below stays exact.
    static let maxMonths: UInt64 = 100_000_000_000_000

    /// `time` moved by `months` calendar months (the day clamped to the month's length), in
    /// local time at `offset`. Saturates instead of trapping for times past ±2^62.
    static func addMonths(_ time: Int64, _ months: Int64, offset: Int64) -> Int64 {
        let local = time.addingClamped(offset)
        let dayNumber = floorDiv(local, dayMs)
        let msOfDay = local - dayNumber * dayMs
        let (y, m, d) = civil(fromDays: dayNumber)
        let total = y * 12 + (m - 1) + months
        let ny = floorDiv(total, 12)
        let nm = total - ny * 12 + 1
        let nd = min(d, daysInMonth(year: ny, month: nm))
        return days(year: ny, month: nm, day: nd).multipliedClamped(by: dayMs).addingClamped(msOfDay - offset)
    }

    /// Whole calendar months from the month of `a` to the month of `b`, in local time at
    /// `offset` (for times within ±``QueryRequest/timeBound``).
    static func monthsBetween(_ a: Int64, _ b: Int64, offset: Int64) -> Int64 {
        let (ya, ma, _) = civil(fromDays: floorDiv(a.addingClamped(offset), dayMs))
        let (yb, mb, _) = civil(fromDays: floorDiv(b.addingClamped(offset), dayMs))
        return (yb * 12 + mb) - (ya * 12 + ma)
    }

    /// KairosDB's alignment of a query start for `align_sampling`: the start of the second for
    /// milliseconds, midnight for seconds to days, Monday for weeks, the 1st for months, Jan 1st
    /// for years (in local time at `offset`).
    static func align(_ time: Int64, unit: TimeUnit, offset: Int64) -> Int64 {
        let local = time.addingClamped(offset)
        let dayNumber = floorDiv(local, dayMs)
        let aligned: Int64
        switch unit {
        case .milliseconds: aligned = floorDiv(local, 1000) * 1000
        case .seconds, .minutes, .hours, .days: aligned = dayNumber * dayMs
        case .weeks:
            // 1970-01-01 was a Thursday: Monday-based weekday = (days + 3) mod 7.
            let weekday = ((dayNumber + 3) % 7 + 7) % 7
            aligned = (dayNumber - weekday) * dayMs
        case .months:
            let (y, m, _) = civil(fromDays: dayNumber)
            aligned = days(year: y, month: m, day: 1) * dayMs
        case .years:
            let (y, _, _) = civil(fromDays: dayNumber)
            aligned = days(year: y, month: 1, day: 1) * dayMs
        }
        return aligned.addingClamped(-offset)
    }
}
