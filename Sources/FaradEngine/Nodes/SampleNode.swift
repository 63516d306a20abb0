import FaradCore
import FaradTICK

/// `|sample(N)` keeps every Nth point or batch of each group (the first included);
/// `|sample(d)` keeps those whose time is a multiple of `d`.
final class SampleNode: EngineNode {
    enum Rule { case count(Int), duration(Int64) }
    let rule: Rule
    private var counters = GroupStates<Int>()

    init(name: String, provides: EdgeType, rule: Rule) {
        self.rule = rule
        super.init(name: name, type: "sample", provides: provides)
    }

    override var cardinality: Int { counters.count }

    override func process(_ message: consuming Message) {
        switch rule {
        case .count(let n):
            let keep = counters.update(message.group, at: clock.now, make: { 0 }) { c -> Bool in
                defer { c += 1 }
                return c % n == 0
            }
            if keep { emit(message) }
        case .duration(let d):
            if message.time % d == 0 { emit(message) }
        }
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        _ = counters.removeIdle(before: time)
    }
}

extension SampleNode: NodeKind {
    static let methods = [NodeMethod("sample")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        try spec.expectArguments(1...1, "sample(10) or sample(10s)")
        let rule: Rule
        switch spec.arguments[0].value {
        case .int(let n) where n > 0: rule = .count(Int(n))
        case .duration(let d) where d > 0: rule = .duration(d)
        default: throw spec.argumentError("sample() takes a positive count or duration, e.g. sample(10) or sample(10s)", at: 0)
        }
        return SampleNode(name: b.name, provides: try b.requireEdge(), rule: rule)
    }
}
