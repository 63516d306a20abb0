/// A token bucket for log lines: up to `burst` lines at once, then `perSecond` on average; what
/// is over is counted, and the count is handed to the next line let through (or to ``flush()``)
/// so that one "suppressed" message stands for them all.
///
/// Pure: the caller passes the time, so it is tested without a clock.
struct LogRateLimiter: Sendable, Equatable {
    /// What to do with one line.
    enum Decision: Sendable, Equatable {
        /// Log it, after a message saying that `suppressedBefore` lines were left out (if > 0).
        case log(suppressedBefore: Int)
        /// Leave it out (it is counted).
        case suppress
    }

    let burst: Int
    let perSecond: Int
    private var tokens: Double
    private var last: Duration?
    /// Lines left out since the last one let through.
    private(set) var suppressed = 0

    /// - Parameters:
    ///   - burst: lines let through at once after a quiet time (at least 1).
    ///   - perSecond: lines let through per second on average (at least 1).
    init(burst: Int = 50, perSecond: Int = 10) {
        self.burst = max(1, burst)
        self.perSecond = max(1, perSecond)
        tokens = Double(self.burst)
    }

    /// Decides about a line that came at `now` (time since any fixed origin, never decreasing).
    mutating func admit(at now: Duration) -> Decision {
        if let last, now > last {
            let elapsed = now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(Double(burst), tokens + seconds * Double(perSecond))
        }
        last = max(last ?? now, now)
        guard tokens >= 1 else {
            if suppressed < Int.max { suppressed += 1 }
            return .suppress
        }
        tokens -= 1
        defer { suppressed = 0 }
        return .log(suppressedBefore: suppressed)
    }

    /// The lines left out and not reported yet (at the end of the stream); resets the count.
    mutating func flush() -> Int {
        defer { suppressed = 0 }
        return suppressed
    }
}
