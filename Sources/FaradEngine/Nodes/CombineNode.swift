import FaradCore
import FaradTICK

/// `|combine(λ1, λ2, …).as('a', 'b', …)`, as Kapacitor's `combine.go`: per group, the points
/// whose times round to one multiple of `.tolerance()` are combined with each other — every
/// set of distinct points (in their order) in which the i-th lambda matches the i-th point, one
/// combination of each choice of points — into a point with fields and non-group tags named
/// `<as><delimiter><name>` (`.delimiter()`, default `.`), at the set's rounded time. A group's
/// points go out combined when its next time arrives; on batches, their points by time when the
/// group's next batch does. Past `.max(n)` combinations (default 1,000,000) a time's points are
/// dropped with an error, as Kapacitor refuses them. The output is a stream.
final class CombineNode: EngineNode {
    let names: [String]
    let delimiter: String
    let tolerance: Int64
    let maxCombinations: Int64
    @exclusivity(unchecked) private var lambdas: [GroupLambda]

    private struct Buffer {
        var time: Int64
        var lastSeen: Int64
        var head: Message
        var points: [Int64: [Point]] = [:]
    }

    @exclusivity(unchecked) private var buffers: [GroupID: Buffer] = [:]

    /// The points one group may buffer.
    static let maximumBuffered = 100_000

    init(name: String, lambdas: [CompiledLambda], names: [String], delimiter: String, tolerance: Int64, max: Int64) {
        self.lambdas = lambdas.map(GroupLambda.init)
        self.names = names
        self.delimiter = delimiter
        self.tolerance = tolerance
        maxCombinations = max
        super.init(name: name, type: "combine", provides: .stream)
    }

    override var cardinality: Int { buffers.count }

    private func round(_ t: Int64) -> Int64 {
        JoinNaming.round(t, tolerance: tolerance)
    }

    override func process(_ message: consuming Message) {
        let group = message.group
        let t = round(message.time)
        let (incoming, isBatch): ([Point], Bool)
        switch message {
        case .point(let p): (incoming, isBatch) = ([p.point], false)
        case .batch(let b): (incoming, isBatch) = (b.points, true)
        }
        if let old = buffers[group], old.time != t {
            buffers[group] = nil
            combine(old)
        }
        if buffers[group] == nil { buffers[group] = Buffer(time: t, lastSeen: clock.now, head: message) }
        var count = buffers[group]!.points.values.reduce(0) { $0 + $1.count }
        for p in incoming {
            guard count < Self.maximumBuffered else {
                fail("combine: more than \(Self.maximumBuffered) points at one time in group \(group)")
                break
            }
            buffers[group]!.points[isBatch ? round(p.time) : t, default: []].append(p)
            count += 1
        }
        buffers[group]!.lastSeen = clock.now
    }

    /// The number of ways to choose `k` of `n`, or nil past `limit`.
    static func choose(_ n: Int, _ k: Int, limit: Int64) -> Int64? {
        guard n >= k else { return 0 }
        var count: Int64 = 1
        for i in 0..<k {
            // count × (n − i) / (i + 1) is exact at each step; past the limit it stops.
            let (product, overflow) = count.multipliedReportingOverflow(by: Int64(n - i))
            guard !overflow else { return nil }
            count = product / Int64(i + 1)
            if count > limit { return nil }
        }
        return count
    }

    private func combine(_ buffer: Buffer) {
        let group = buffer.head.group
        let dimensions: Dimensions
        let measurement: String
        var database = "", retentionPolicy = ""
        switch buffer.head {
        case .point(let p): (dimensions, measurement, database, retentionPolicy) = (p.dimensions, p.point.measurement, p.database, p.retentionPolicy)
        case .batch(let b): (dimensions, measurement, database, retentionPolicy) = (b.dimensions, b.name, b.database, b.retentionPolicy)
        }
        let k = lambdas.count
        for time in buffer.points.keys.sorted() {
            let points = buffer.points[time] ?? []
            guard points.count >= k else { continue }
            guard Self.choose(points.count, k, limit: maxCombinations) != nil else {
                fail("refusing to perform combination as total combinations exceeds max combinations \(maxCombinations)")
                continue
            }
            // Which lambda matches which point (an error is no match, and counts).
            var matches = Array(repeating: Array(repeating: false, count: points.count), count: k)
            for (i, p) in points.enumerated() {
                for s in 0..<k {
                    let lambda = lambdas[s](group)
                    do throws(LambdaError) { matches[s][i] = try lambda.evaluateBool(p) } catch { fail("combine \(lambda.source): \(error.message)") }
                }
            }
            var indices = Array(0..<k)
            while true {
                var remaining = indices
                var set: [Int] = []
                for s in 0..<k {
                    guard let j = remaining.firstIndex(where: { matches[s][$0] }) else { break }
                    set.append(remaining.remove(at: j))
                }
                if set.count == k { emitCombined(set.map { points[$0] }, time: time, measurement: measurement, group: group,
                                                 dimensions: dimensions, database: database, retentionPolicy: retentionPolicy) }
                // The next choice of k indices, in lexicographic order.
                var i = k - 1
                while i >= 0 && indices[i] == i + points.count - k { i -= 1 }
                if i < 0 { break }
                indices[i] += 1
                for j in (i + 1)..<k { indices[j] = indices[j - 1] + 1 }
            }
        }
    }

    private func emitCombined(_ set: [Point], time: Int64, measurement: String, group: GroupID, dimensions: Dimensions, database: String, retentionPolicy: String) {
        var fields: [String: FieldValue] = [:]
        var tags: [String: String] = [:]
        let groupTags = Set(dimensions.tagNames)
        for (i, p) in set.enumerated() {
            let prefix = names[i] + delimiter
            for (k, v) in p.fields { fields[prefix + k] = v }
            for (k, v) in p.tags { tags[groupTags.contains(k) ? k : prefix + k] = v }
        }
        let point = Point(measurement: measurement, sortedTags: tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                          fields: fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, time: time)
        emit(.point(StreamPoint(point, database: database, retentionPolicy: retentionPolicy, group: group, dimensions: dimensions)))
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        for (group, buffer) in buffers where buffer.lastSeen < time {
            buffers[group] = nil
            combine(buffer)
        }
    }
}

extension CombineNode: NodeKind {
    static let methods = [NodeMethod("combine")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        _ = try b.requireEdge()
        guard spec.arguments.count >= 2 else { throw spec.argumentError("combine() takes at least two lambdas, e.g. combine(lambda: \"service\" == 'auth', lambda: TRUE)") }
        var lambdas: [CompiledLambda] = []
        for (i, a) in spec.arguments.enumerated() {
            guard case .lambda(let body, let source) = a.value else { throw spec.argumentError("combine() takes lambdas, got a \(a.value.typeName)", at: i) }
            lambdas.append(try CompiledLambda(body, source: source))
        }
        let names = try b.props.strings("as") ?? []
        let delimiter = try b.props.string("delimiter") ?? "."
        guard names.count == lambdas.count else {
            throw TICKDiagnostic(at: spec.position, "combine() needs one name per lambda in .as(): \(lambdas.count) lambdas, \(names.count) names")
        }
        for n in names where n.isEmpty || (!delimiter.isEmpty && n.contains(delimiter)) {
            throw TICKDiagnostic(at: spec.position, "combine: name \"\(n)\" is empty or contains the delimiter \"\(delimiter)\"")
        }
        guard Set(names).count == names.count else { throw TICKDiagnostic(at: spec.position, "combine: the names of .as() must differ") }
        let tolerance = try b.props.duration("tolerance") ?? 0
        guard tolerance >= 0 else { throw TICKDiagnostic(at: spec.position, ".tolerance() must not be negative") }
        let max = try b.props.int("max") ?? 1_000_000
        guard max > 0 else { throw TICKDiagnostic(at: spec.position, ".max() must be positive") }
        return CombineNode(name: b.name, lambdas: lambdas, names: names, delimiter: delimiter, tolerance: tolerance, max: max)
    }
}
