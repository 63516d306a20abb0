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

extension AlertState {
    /// The state as bytes for an ``AlertStateStore``: a version, the flags, the ring's index, the
    /// run's two times, then the ring of levels.
    var encoded: [UInt8] {
        var out: [UInt8] = [1, (flapping ? 1 : 0) | (changed ? 2 : 0) | (expired ? 4 : 0)]
        withUnsafeBytes(of: UInt16(index).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: firstTriggered.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: lastTriggered.littleEndian) { out.append(contentsOf: $0) }
        out += history.map { UInt8($0.rawValue) }
        return out
    }

    /// A state read back from ``encoded``; nil for bytes that are not one. With another
    /// `.history()` than the saved one, only the current level and the run's times are kept.
    init?(encoded bytes: [UInt8], history: Int) {
        guard bytes.count >= 20, bytes[0] == 1 else { return nil }
        func int64(_ at: Int) -> Int64 { bytes[at..<(at + 8)].enumerated().reduce(Int64(0)) { $0 | Int64($1.element) << (8 * Int64($1.offset)) } }
        let index = Int(bytes[2]) | Int(bytes[3]) << 8
        let levels = bytes[20...].compactMap { AlertLevel(rawValue: Int($0)) }
        guard levels.count == bytes.count - 20, index < levels.count else { return nil }
        self.init(history: history)
        if levels.count == self.history.count {
            self.history = levels
            self.index = index
            flapping = bytes[1] & 1 != 0
        } else {
            self.history[0] = levels[index]
        }
        changed = bytes[1] & 2 != 0
        expired = bytes[1] & 4 != 0
        firstTriggered = int64(4)
        lastTriggered = int64(12)
    }
}
