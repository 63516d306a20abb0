import FaradCore
import FaradTICK

/// `|derivative('f')`: the rate of change of a field per `.unit()` (default 1s), per group,
/// set on the current point as `.as()` (default: the field itself). The first point of a group
/// (or of a batch) has no derivative and is dropped, as are points without the field (the
/// previous one stays), points at the previous one's time, and with `.nonNegative()` negative results.
final class DerivativeNode: EngineNode {
    let field: String
    let unit: Int64
    let nonNegative: Bool
    let outputName: String
    private var previous = GroupStates<(time: Int64, value: Double)?>()

    init(name: String, provides: EdgeType, field: String, unit: Int64, nonNegative: Bool, as outputName: String) {
        self.field = field
        self.unit = unit
        self.nonNegative = nonNegative
        self.outputName = outputName
        super.init(name: name, type: "derivative", provides: provides)
    }

    override var cardinality: Int { previous.count }

    override func process(_ message: consuming Message) {
        switch message {
        case .point(var sp):
            guard let value = numeric(sp.point) else { return }
            let prior = previous.update(sp.group, at: clock.now, make: { nil }) { state -> (time: Int64, value: Double)? in
                defer { state = (sp.point.time, value) }
                return state
            }
            guard let prior, let d = derivative(from: prior, to: (sp.point.time, value)) else { return }
            sp.point.setField(outputName, .double(d))
            emit(.point(sp))
        case .batch(var b):
            var prior: (time: Int64, value: Double)?
            var points: [Point] = []
            for var p in b.points {
                guard let value = numeric(p) else { continue }
                defer { prior = (p.time, value) }
                guard let prior, let d = derivative(from: prior, to: (p.time, value)) else { continue }
                p.setField(outputName, .double(d))
                points.append(p)
            }
            b.points = points
            emit(.batch(b))
        }
    }

    private func numeric(_ p: Point) -> Double? {
        guard let v = p.field(field) else {
            fail("derivative: no field \"\(field)\" in the point")
            return nil
        }
        guard let d = v.doubleValue else {
            fail("derivative: field \"\(field)\" is not numeric: \(v)")
            return nil
        }
        return d
    }

    private func derivative(from a: (time: Int64, value: Double), to b: (time: Int64, value: Double)) -> Double? {
        // Exact when it fits (it always does for times a few centuries apart), else in floats.
        let (difference, overflow) = b.time.subtractingReportingOverflow(a.time)
        let elapsed = overflow ? Double(b.time) - Double(a.time) : Double(difference)
        guard elapsed != 0 else { return nil }
        let d = (b.value - a.value) / (elapsed / Double(unit))
        if nonNegative && d < 0 { return nil }
        return d
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        _ = previous.removeIdle(before: time)
    }
}

extension DerivativeNode: NodeKind {
    static let methods = [NodeMethod("derivative")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        try spec.expectArguments(1...1, "derivative('value')")
        let field = try spec.stringArgument(0, "the field")
        return DerivativeNode(name: b.name, provides: try b.requireEdge(), field: field,
                              unit: try b.positive(b.props.duration("unit"), "unit", default: 1_000_000_000),
                              nonNegative: try b.props.flag("nonNegative"), as: try b.props.string("as") ?? field)
    }
}
