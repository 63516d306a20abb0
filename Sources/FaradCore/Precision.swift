/// Timestamp precision of line protocol, as InfluxDB 1.x's `precision` parameter names it.
public enum Precision: String, Sendable, CaseIterable {
    case nanoseconds = "n"
    case microseconds = "u"
    case milliseconds = "ms"
    case seconds = "s"
    case minutes = "m"
    case hours = "h"

    /// Nanoseconds per unit.
    public var nanoseconds: Int64 {
        switch self {
        case .nanoseconds: 1
        case .microseconds: 1_000
        case .milliseconds: 1_000_000
        case .seconds: 1_000_000_000
        case .minutes: 60_000_000_000
        case .hours: 3_600_000_000_000
        }
    }

    /// Parses a precision name; InfluxDB also accepts `ns` and `us`/`µ`.
    public init?(name: String) {
        switch name {
        case "n", "ns", "": self = .nanoseconds
        case "u", "us", "µ": self = .microseconds
        case "ms": self = .milliseconds
        case "s": self = .seconds
        case "m": self = .minutes
        case "h": self = .hours
        default: return nil
        }
    }
}
