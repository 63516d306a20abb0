/// An alert's level, as Kapacitor orders and names them.
public enum AlertLevel: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case ok, info, warning, critical

    public var description: String {
        switch self {
        case .ok: "OK"
        case .info: "INFO"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        }
    }

    public static func < (a: AlertLevel, b: AlertLevel) -> Bool { a.rawValue < b.rawValue }
}

/// One group's alert state, Kapacitor's `alertState`: a ring of the last `history` levels (for
/// flapping and for "the level before"), whether the last level changed, and the times of the
/// first and last event of the current non-OK run (an alert's duration).
struct AlertState: Sendable {
    private(set) var history: [AlertLevel]
    private(set) var index = 0
    private(set) var flapping = false
    private(set) var changed = false
    /// With `stateChangesOnly(d)`: the unchanged level is due to be sent again.
    private(set) var expired = false
    private(set) var firstTriggered: Int64 = 0
    private(set) var lastTriggered: Int64 = 0

    /// The newest state change weighs `weightDiff` times the oldest; at most `maxWeight`.
    static let weightDiff = 1.5
    static let maxWeight = 1.2

    init(history: Int) {
        self.history = Array(repeating: .ok, count: max(history, 2))
    }

    var currentLevel: AlertLevel { history[index] }

    /// Records `level` at `time`: `changed`, flapping and expiry as Kapacitor computes them.
    mutating func add(_ level: AlertLevel, at time: Int64, flapping thresholds: (low: Double, high: Double)?, stateChangesOnly: Int64) {
        changed = history[index] != level
        index = (index + 1) % history.count
        history[index] = level
        if let thresholds {
            let p = percentChange
            if flapping && p < thresholds.low {
                flapping = false
            } else if !flapping && p > thresholds.high {
                flapping = true
            }
        }
        expired = !changed && stateChangesOnly != 0 && time.clampedSubtracting(lastTriggered) >= stateChangesOnly
    }

    /// Records that an event was triggered at `time`: a run starts when the level before was OK.
    mutating func triggered(at time: Int64) {
        lastTriggered = time
        let previous = index == 0 ? history.count - 1 : index - 1
        if history[previous] == .ok { firstTriggered = time }
    }

    /// How long the current run has lasted, in nanoseconds.
    var duration: Int64 { lastTriggered.clampedSubtracting(firstTriggered) }

    /// Kapacitor's weighted share of level changes in the history (newer changes weigh more).
    var percentChange: Double {
        let l = history.count
        var changes = 0.0
        var weight = Self.maxWeight / Self.weightDiff
        let step = (Self.maxWeight - weight) / Double(l - 1)
        for i in 0..<(l - 1) {
            let c = (i + index) % l
            let p = c - 1 < 0 ? l - 1 : c - 1
            if history[c] != history[p] { changes += weight }
            weight += step
        }
        return changes / Double(l - 1)
    }
}
