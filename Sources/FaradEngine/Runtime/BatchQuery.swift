import FaradCore
import FaradInfluxQL

/// What a batch task's `query` node runs and when: the statement (with the node's GROUP BY and
/// fill in place of the text's), the schedule, and the window each tick covers.
///
/// As in Kapacitor, a tick at `t` queries `[t − offset − period, t − offset)`: the bounds are
/// ANDed onto the statement's own condition. With ``every`` the first tick is one `every`
/// after the task starts (or, with ``align``, the first multiple of `every` after it); with a
/// ``cron`` schedule, the times it names.
public struct BatchQuery: Sendable {
    /// The statement as the script wrote it, with the node's dimensions and fill.
    public var statement: InfluxQLSelect
    /// The length of time each query covers (ns).
    public var period: Int64
    /// How often it runs (ns); 0 with a ``cron`` schedule.
    public var every: Int64
    public var cron: CronSchedule?
    /// How far before the tick each query's window ends (ns).
    public var offset: Int64
    /// Ticks on multiples of ``every``.
    public var align: Bool
    /// `.alignGroup()`: the GROUP BY time offset follows each query's start.
    public var alignGroup: Bool
    /// The `time(length, offset)` dimension of `.groupBy()`, if any.
    public var groupByTime: (length: Int64, offset: Int64)?
    /// `.groupByMeasurement()`: batches are grouped by measurement too.
    public var byMeasurement: Bool
    /// `.cluster('name')`: the `[[influxdb]]` cluster to ask (`""`: the default one).
    public var cluster: String

    /// The statement for the window `[start, stop)`.
    public func statement(start: Int64, stop: Int64) -> InfluxQLSelect {
        var s = statement
        let window: InfluxQLExpr = .binary(
            .and, .binary(.greaterOrEqual, .reference("time", type: nil), .string(CivilDate.rfc3339Nano(start))),
            .binary(.less, .reference("time", type: nil), .string(CivilDate.rfc3339Nano(stop))))
        s.condition = s.condition.map { .binary(.and, .parenthesized($0), window) } ?? window
        if alignGroup, let time = groupByTime {
            let offset = ((start % time.length) + time.length) % time.length
            s.dimensions = s.dimensions.map { d in
                guard case .call("time", let args) = d, let length = args.first else { return d }
                return .call("time", [length, .duration(offset)])
            }
        }
        return s
    }

    /// The window a tick at `tick` queries: `stop = tick − offset`, `start = stop − period`.
    public func window(at tick: Int64) -> (start: Int64, stop: Int64) {
        let stop = tick.clampedSubtracting(offset)
        return (stop.clampedSubtracting(period), stop)
    }

    /// The first tick of a task started at `now`.
    public func firstTick(after now: Int64) -> Int64 {
        if let cron { return cron.next(after: now) }
        return align ? Self.truncate(now, every).clampedAdding(every) : now.clampedAdding(every)
    }

    /// The tick after `tick`.
    public func tick(after tick: Int64) -> Int64 {
        if let cron { return cron.next(after: tick) }
        return tick.clampedAdding(every)
    }

    /// Ticks in `(from, to]` whose window has ended by `to`: what a replay from `from` to `to`
    /// runs. At most `limit` of them.
    public func ticks(from: Int64, to: Int64, limit: Int) -> [Int64] {
        var ticks: [Int64] = []
        var t = firstTick(after: from)
        while t <= to, t != .max, ticks.count < limit {
            ticks.append(t)
            let next = tick(after: t)
            guard next > t else { break }
            t = next
        }
        return ticks
    }

    static func truncate(_ t: Int64, _ unit: Int64) -> Int64 {
        let r = t % unit
        return r < 0 ? t - r - unit : t - r
    }

    /// The databases and retention policies the statement reads (`rp` empty: the default one).
    public var dbrps: [(db: String, rp: String)] {
        statement.sources.compactMap { source in
            guard case .measurement(let db, let rp, _, _) = source else { return nil }
            return (db ?? "", rp ?? "")
        }
    }
}
