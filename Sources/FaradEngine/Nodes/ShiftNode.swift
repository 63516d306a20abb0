import FaradCore
import FaradTICK

/// `|shift(d)`: moves point and batch times by `d` (which may be negative).
final class ShiftNode: EngineNode {
    let shift: Int64

    init(name: String, provides: EdgeType, shift: Int64) {
        self.shift = shift
        super.init(name: name, type: "shift", provides: provides)
    }

    override func process(_ message: consuming Message) {
        // A time the shift takes out of 64 bits drops its point, with an error.
        var shifted = message.mapPoints { p in
            let (t, overflow) = p.time.addingReportingOverflow(shift)
            guard !overflow else {
                fail("shift: \(p.time) shifted by \(DurationText.format(shift)) is out of range")
                return false
            }
            p.time = t
            return true
        }
        if case .batch(var b)? = shifted {
            b.tmax = b.tmax.clampedAdding(shift)
            shifted = .batch(b)
        }
        if let shifted { emit(shifted) }
    }
}

extension ShiftNode: NodeKind {
    static let methods = [NodeMethod("shift")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        try spec.expectArguments(1...1, "shift(10s) or shift(-5m)")
        guard case .duration(let d) = spec.arguments[0].value else { throw spec.argumentError("shift() takes a duration, e.g. shift(10s)", at: 0) }
        return ShiftNode(name: b.name, provides: try b.requireEdge(), shift: d)
    }
}
