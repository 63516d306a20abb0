import FaradCore
import FaradTICK

/// The InfluxQL nodes: aggregates and selectors (one point per batch), `top`/`bottom`/`distinct`
/// (a batch per batch) and the transformations `difference`, `movingAverage`, `cumulativeSum`
/// (the input's edge type).
///
/// On a batch edge an aggregate's point has the batch's name, group tags and time (`tmax`), or,
/// for a selector with `.usePointTimes()`, the selected point's time. On a stream edge points
/// that share a timestamp form the batch, emitted when a later time arrives. The output field
/// is named after the method unless `.as()` names it.
final class InfluxQLNode: EngineNode {
    enum Operation: Sendable {
        case reduce(InfluxQLFunction)
        case percentile(Double)
        case top(count: Int, extra: [String], bottom: Bool)
        case distinct
        case difference
        case movingAverage(Int)
        case cumulativeSum
    }

    let operation: Operation
    let field: String
    let outputName: String
    let usePointTimes: Bool
    /// Stream edge, for batch-wise operations: the points sharing the current time, per group.
    // Unchecked: see EngineNode.children.
    @exclusivity(unchecked) private var pending = GroupStates<Batch>()
    /// Stream edge, for transformations: each group's running state.
    // Unchecked: see EngineNode.children.
    @exclusivity(unchecked) private var running = GroupStates<RunningState>()

    struct RunningState {
        var previous: FieldValue?
        var window: [Double] = []
        var sum: FieldValue?
    }

    init(name: String, type: String, wants: EdgeType, operation: Operation, field: String, as outputName: String, usePointTimes: Bool) {
        self.operation = operation
        self.field = field
        self.outputName = outputName
        self.usePointTimes = usePointTimes
        let provides: EdgeType = switch operation {
        case .reduce, .percentile: .stream
        case .top, .distinct: .batch
        case .difference, .movingAverage, .cumulativeSum: wants
        }
        super.init(name: name, type: type, provides: provides)
    }

    var isTransformation: Bool {
        switch operation {
        case .difference, .movingAverage, .cumulativeSum: true
        default: false
        }
    }

    override var cardinality: Int { pending.count + running.count }

    override func process(_ message: consuming Message) {
        switch message {
        case .batch(let b):
            if isTransformation { transform(b) } else { apply(b) }
        case .point(let sp):
            if isTransformation { return transform(sp) }
            // Points with the same time form a batch; a later time completes it.
            let completed = pending.update(sp.group, at: clock.now, make: {
                Batch(name: sp.point.measurement, database: sp.database, retentionPolicy: sp.retentionPolicy, group: sp.group,
                      dimensions: sp.dimensions, tags: sp.dimensions.tags(of: sp.point), tmax: sp.point.time, points: [])
            }) { b -> Batch? in
                var done: Batch?
                if b.tmax != sp.point.time && !b.points.isEmpty {
                    done = b
                    b.points.removeAll()
                }
                b.tmax = sp.point.time
                b.points.append(sp.point)
                return done
            }
            if let completed { apply(completed) }
        }
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        for (_, b) in pending.removeIdle(before: time) { apply(b) }
        _ = running.removeIdle(before: time)
    }

    // MARK: Batch-wise

    private func point(of b: Batch, time: Int64, value: FieldValue, extra: [(key: String, value: FieldValue)] = []) -> Point {
        var fields = [(key: outputName, value: value)]
        if !extra.isEmpty { fields += extra }
        return Point(measurement: b.name, sortedTags: b.tags, fields: fields, time: time)
    }

    private func apply(_ b: Batch) {
        do throws(LambdaError) {
            switch operation {
            case .reduce(let f):
                if b.points.isEmpty && (f == .count || f == .sum) {
                    return emitPoint(point(of: b, time: b.tmax, value: .int(0)), of: b)
                }
                guard let (value, time, selected) = try f.apply(field: field, to: b.points) else { return }
                if f.isSelector, let t = time, let selected {
                    emitPoint(selection(b.points[selected], value: value, time: usePointTimes ? t : b.tmax), of: b)
                } else {
                    emitPoint(point(of: b, time: b.tmax, value: value), of: b)
                }
            case .percentile(let p):
                var values: [(value: FieldValue, number: Double, time: Int64)] = []
                for x in b.points {
                    guard let v = x.field(field) else { continue }
                    guard let d = v.doubleValue else { throw LambdaError("percentile() needs a numeric field, \"\(field)\" is \(v)") }
                    values.append((v, d, x.time))
                }
                values.sort { $0.number < $1.number }
                let i = Int((Double(values.count) * p / 100 + 0.5).rounded(.down)) - 1
                guard i >= 0, i < values.count else { return }
                let chosen = b.points.first { $0.time == values[i].time && $0.field(field) == values[i].value }
                let time = usePointTimes ? values[i].time : b.tmax
                emitPoint(chosen.map { selection($0, value: values[i].value, time: time) } ?? point(of: b, time: time, value: values[i].value),
                          of: b)
            case .top(let n, let extra, let bottom):
                var values: [(value: FieldValue, number: Double, point: Point)] = []
                for x in b.points {
                    guard let v = x.field(field) else { continue }
                    guard let d = v.doubleValue else { throw LambdaError("\(bottom ? "bottom" : "top")() needs a numeric field, \"\(field)\" is \(v)") }
                    values.append((v, d, x))
                }
                // Highest (lowest) first; ties keep the earlier point.
                let ranked = values.enumerated().sorted { a, c in
                    a.element.number != c.element.number ? (bottom ? a.element.number < c.element.number : a.element.number > c.element.number)
                        : a.element.point.time != c.element.point.time ? a.element.point.time < c.element.point.time : a.offset < c.offset
                }.prefix(n).map(\.element).sorted { $0.point.time < $1.point.time }
                var result = b
                result.points = ranked.map { r in
                    let fields = extra.compactMap { name -> (key: String, value: FieldValue)? in
                        if let t = r.point.tag(name) { return (name, .string(t)) }
                        return r.point.field(name).map { (name, $0) }
                    }
                    var p = point(of: b, time: usePointTimes ? r.point.time : b.tmax, value: r.value, extra: fields)
                    p.setSortedTags(r.point.tags)
                    return p
                }
                emit(.batch(result))
            case .distinct:
                var seen = Set<FieldValue>()
                var result = b
                result.points = []
                for x in b.points {
                    guard let v = x.field(field), seen.insert(v).inserted else { continue }
                    result.points.append(point(of: b, time: b.tmax, value: v))
                }
                emit(.batch(result))
            default:
                break
            }
        } catch {
            fail("\(type)('\(field)'): \(error.message)")
        }
    }

    /// A selector's output: the selected point, all its tags and fields, the field renamed by `.as()`.
    private func selection(_ p: Point, value: FieldValue, time: Int64) -> Point {
        var result = p
        if outputName != field { result.removeField(field) }
        result.setField(outputName, value)
        result.time = time
        return result
    }

    private func emitPoint(_ p: Point, of b: Batch) {
        emit(.point(StreamPoint(p, database: b.database, retentionPolicy: b.retentionPolicy, group: b.group, dimensions: b.dimensions)))
    }

    // MARK: Transformations

    private func transform(_ b: Batch) {
        var state = RunningState()
        var result = b
        result.points = []
        for x in b.points {
            if let v = step(x, &state) { result.points.append(Point(measurement: b.name, sortedTags: b.tags, fields: [(outputName, v)], time: x.time)) }
        }
        emit(.batch(result))
    }

    private func transform(_ sp: StreamPoint) {
        let value = running.update(sp.group, at: clock.now, make: { RunningState() }) { state in step(sp.point, &state) }
        guard let value else { return }
        var result = sp
        result.point.fields = [(outputName, value)]
        emit(.point(result))
    }

    /// One point through a transformation: its output value, if it has one.
    private func step(_ p: Point, _ state: inout RunningState) -> FieldValue? {
        guard let v = p.field(field) else { return nil }
        switch (operation, v) {
        case (.difference, .int(let x)):
            defer { state.previous = v }
            guard case .int(let prior)? = state.previous else { return nil }
            return .int(x &- prior)
        case (.difference, .double(let x)):
            defer { state.previous = v }
            guard case .double(let prior)? = state.previous else { return nil }
            return .double(x - prior)
        case (.cumulativeSum, .int(let x)):
            if case .int(let s)? = state.sum { state.sum = .int(s &+ x) } else { state.sum = v }
            return state.sum
        case (.cumulativeSum, .double(let x)):
            if case .double(let s)? = state.sum { state.sum = .double(s + x) } else { state.sum = v }
            return state.sum
        case (.movingAverage(let n), _):
            guard let d = v.doubleValue else { break }
            state.window.append(d)
            if state.window.count > n { state.window.removeFirst() }
            guard state.window.count == n else { return nil }
            return .double(state.window.reduce(0, +) / Double(n))
        default:
            break
        }
        fail("\(type)('\(field)') needs a numeric field, \"\(field)\" is \(v)")
        return nil
    }
}

extension InfluxQLNode: NodeKind {
    static let methods = [
        "count", "sum", "mean", "median", "mode", "min", "max", "first", "last", "spread", "stddev", "percentile",
        "top", "bottom", "distinct", "difference", "movingAverage", "cumulativeSum",
    // An alert's .log().mode(0644) and combine's .max(n) are properties of those names.
    ].sorted().map { NodeMethod($0, isAlsoProperty: $0 == "mode" || $0 == "max") }

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        let input = try b.requireEdge()
        let method = spec.method
        let operation: Operation
        let field: String
        switch method {
        case "percentile":
            try spec.expectArguments(2...2, "percentile('value', 95.0)")
            field = try spec.stringArgument(0, "the field")
            let p = try spec.numberArgument(1, "the percentile")
            guard (0...100).contains(p) else { throw spec.argumentError("percentile must be between 0 and 100, got \(p)", at: 1) }
            operation = .percentile(p)
        case "top", "bottom":
            guard spec.arguments.count >= 2 else { throw spec.argumentError("\(method)() takes a count and a field, e.g. \(method)(3, 'value', 'host')") }
            let n = try spec.intArgument(0, "the count")
            field = try spec.stringArgument(1, "the field")
            var extra: [String] = []
            for i in spec.arguments.indices.dropFirst(2) { extra.append(try spec.stringArgument(i, "extra tags or fields")) }
            operation = .top(count: n, extra: extra, bottom: method == "bottom")
        case "movingAverage":
            try spec.expectArguments(2...2, "movingAverage('value', 10)")
            field = try spec.stringArgument(0, "the field")
            operation = .movingAverage(try spec.intArgument(1, "the window size"))
        default:
            try spec.expectArguments(1...1, "\(method)('value')")
            field = try spec.stringArgument(0, "the field")
            switch method {
            case "distinct": operation = .distinct
            case "difference": operation = .difference
            case "cumulativeSum": operation = .cumulativeSum
            default: operation = .reduce(InfluxQLFunction(rawValue: method)!)
            }
        }
        return InfluxQLNode(name: b.name, type: method, wants: input, operation: operation, field: field,
                            as: try b.props.string("as") ?? method, usePointTimes: try b.props.flag("usePointTimes"))
    }
}
