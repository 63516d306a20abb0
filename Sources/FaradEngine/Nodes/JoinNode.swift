import FaradCore
import FaradTICK

/// `left|join(right, …)`: joins its parents' points (or batches) of the same group whose times
/// round to the same multiple of `.tolerance()`, into one with fields `prefix.field` (`.as()`,
/// `.delimiter()`), as Kapacitor's `join.go` does: a set goes out once every parent gave its
/// value, or — when every parent has moved past its time — as it is, filled (`.fill()`) or
/// dropped. With `.on(tags…)` a parent grouped by fewer tags is matched with each more specific
/// group of the others.
///
/// Beyond Kapacitor, what a join holds is bounded: `.maxWait(d)` sends a set once a parent of
/// its group is `d` past it, even if another parent has said nothing, and each group holds at
/// most ``maximumPending`` sets and buffered points (the oldest go first), so a parent that
/// goes quiet never makes the node grow without end. Sets sent early count as `sets_evicted`.
final class JoinNode: EngineNode {
    let naming: JoinNaming
    /// `.on()`: the tags parents are matched on, sorted (empty: each parent's own group).
    let on: [String]
    let maxWait: Int64
    /// The sets and buffered points one group may hold.
    let maximumPending: Int
    /// The parents, in the order of ``JoinNaming/prefixes``.
    var parents: [ObjectIdentifier] = []

    /// A message and the parent it came from.
    struct Sourced {
        var source: Int
        var message: Message
    }

    private struct SourceGroup: Hashable {
        let source: Int
        let group: GroupID
    }

    /// One group's pending sets by rounded time, and how far each parent has gone.
    private final class Group {
        var sets: [Int64: [JoinSet]] = [:]
        var pending = 0
        var heads: [Int64]
        var oldest: Int64?
        var lastSeen: Int64

        init(parents: Int, seen: Int64) {
            heads = Array(repeating: .min, count: parents)
            lastSeen = seen
        }

        /// Whether some parent has not passed the oldest set: then only complete sets go out.
        var onlyReady: Bool {
            guard let oldest else { return true }
            return heads.contains { $0 <= oldest }
        }
    }

    private var groups: [GroupID: Group] = [:]
    /// Per parent and `.on()` group, the rounded time of its last message.
    private var lowMarks: [SourceGroup: Int64] = [:]
    /// Less specific messages kept for the more specific ones still to come, per `.on()` group.
    private var matchBuffer: [GroupID: [Sourced]] = [:]
    /// More specific messages kept until their match comes, per `.on()` group.
    private var specificBuffer: [GroupID: [Sourced]] = [:]
    private var reported: Set<Int> = []
    private var allReported = false
    private var evicted = 0

    init(name: String, provides: EdgeType, naming: JoinNaming, on: [String], maxWait: Int64, maximumPending: Int = 10_000) {
        self.naming = naming
        self.on = on.sorted()
        self.maxWait = maxWait
        self.maximumPending = max(1, maximumPending)
        super.init(name: name, type: "join", provides: provides)
    }

    override var cardinality: Int { groups.count }

    override var extraStatistics: [(String, Int)] { [("sets_evicted", evicted)] }

    override func process(_ message: consuming Message, from parent: EngineNode?) {
        let id = parent.map(ObjectIdentifier.init)
        guard let source = parents.firstIndex(where: { $0 == id }) else { return fail("join: a message from a node that is not a parent") }
        let m = Sourced(source: source, message: message)
        if on.isEmpty { collect(m, into: m.message.group) } else { match(m) }
    }

    // MARK: Matching on fewer tags (Kapacitor's matchPoints)

    private func onGroup(of message: Message) -> GroupID {
        switch message {
        case .point(let p):
            GroupID(name: p.point.measurement, sortedTags: p.dimensions.tags(of: p.point), Dimensions(tagNames: on, byName: p.dimensions.byName))
        case .batch(let b):
            GroupID(name: b.name, sortedTags: b.tags, Dimensions(tagNames: on, byName: b.dimensions.byName))
        }
    }

    private static func dimensions(of message: Message) -> Dimensions {
        switch message {
        case .point(let p): p.dimensions
        case .batch(let b): b.dimensions
        }
    }

    private func match(_ m: Sourced) {
        if !allReported {
            reported.insert(m.source)
            allReported = reported.count == parents.count
        }
        let t = naming.round(m.message.time)
        let id = onGroup(of: m.message)
        lowMarks[SourceGroup(source: m.source, group: id)] = t
        // The oldest time any parent is at for this group (Go's zero time when one has none,
        // replaced by the next parent's, as Kapacitor computes it).
        var lowMark = Int64.min
        if allReported {
            for s in parents.indices {
                let mark = lowMarks[SourceGroup(source: s, group: id)] ?? .min
                if lowMark == .min || mark < lowMark { lowMark = mark }
            }
            // Specific messages no match can come for any more go on alone.
            if var buffer = specificBuffer[id] {
                let stale = buffer.prefix { naming.round($0.message.time) < lowMark }.count
                for s in buffer.prefix(stale) { collect(s, into: s.message.group) }
                buffer.removeFirst(stale)
                specificBuffer[id] = buffer
            }
        }
        if Self.dimensions(of: m.message).tagNames.count > on.count {
            var matched = false
            if var matches = matchBuffer[id] {
                var i = 0
                while i < matches.count {
                    let mt = naming.round(matches[i].message.time)
                    if mt == t {
                        collectMatched(specific: m, general: matches[i])
                        matched = true
                    }
                    if mt >= lowMark { break }
                    i += 1
                }
                if allReported {
                    matches.removeFirst(i)
                    matchBuffer[id] = matches
                }
            }
            if !matched {
                if allReported && t < lowMark {
                    collect(m, into: m.message.group)
                } else {
                    buffer(m, in: &specificBuffer, id, alone: true)
                }
            }
        } else {
            buffer(m, in: &matchBuffer, id, alone: false)
            if var buffer = specificBuffer[id] {
                let same = buffer.prefix { naming.round($0.message.time) == t }.count
                for s in buffer.prefix(same) { collectMatched(specific: s, general: m) }
                buffer.removeFirst(same)
                specificBuffer[id] = buffer
            }
        }
    }

    /// Appends to a bounded buffer; past the bound the oldest goes: a specific message on
    /// alone (`alone`), a general one is forgotten.
    private func buffer(_ m: Sourced, in buffers: inout [GroupID: [Sourced]], _ id: GroupID, alone: Bool) {
        var list = buffers[id] ?? []
        if list.count >= maximumPending {
            let oldest = list.removeFirst()
            evicted += 1
            if alone { collect(oldest, into: oldest.message.group) }
        }
        list.append(m)
        buffers[id] = list
    }

    /// A specific message and the general one it matches, into the specific one's group; the
    /// general one takes the specific one's tags.
    private func collectMatched(specific: Sourced, general: Sourced) {
        var copy = general
        switch (specific.message, general.message) {
        case (.point(let s), .point(var g)):
            let tags = s.dimensions.tags(of: s.point)
            g.point = Point(measurement: g.point.measurement, sortedTags: tags, fields: g.point.fields, time: g.point.time)
            g.dimensions = s.dimensions
            g.group = GroupID(name: g.point.measurement, sortedTags: tags, s.dimensions)
            copy.message = .point(g)
        case (.batch(let s), .batch(var g)):
            g.tags = s.tags
            copy.message = .batch(g)
        default:
            break
        }
        collect(specific, into: specific.message.group)
        collect(copy, into: specific.message.group)
    }

    // MARK: Sets per group (Kapacitor's joinGroup)

    private func collect(_ m: Sourced, into id: GroupID) {
        let now = clock.now
        let group: Group
        if let g = groups[id] {
            group = g
            if now > g.lastSeen { g.lastSeen = now }
        } else {
            group = Group(parents: parents.count, seen: now)
            groups[id] = group
        }
        let t = naming.round(m.message.time)
        if group.oldest.map({ t < $0 }) ?? true { group.oldest = t }
        var list = group.sets[t] ?? []
        if let i = list.firstIndex(where: { !$0.has(m.source) }) {
            list[i].set(m.source, m.message)
        } else {
            var set = JoinSet(time: t, parents: parents.count)
            set.set(m.source, m.message)
            list.append(set)
            group.pending += 1
        }
        group.sets[t] = list
        group.heads[m.source] = t
        emitSets(group)
        // The bounds: a set `maxWait` behind the newest head, or past the count, goes now.
        let newest = group.heads.max() ?? .min
        while let oldest = group.oldest,
              group.pending > maximumPending || (maxWait > 0 && oldest < newest.clampedSubtracting(maxWait)) {
            evicted += group.sets[oldest]?.count ?? 0
            emitOldest(group, onlyReady: false)
        }
    }

    /// Sends the oldest sets that may go, as Kapacitor's `emit`: complete ones while a parent
    /// lags, every one once all parents passed them.
    private func emitSets(_ group: Group) {
        var onlyReady = group.onlyReady
        while group.oldest != nil {
            emitOldest(group, onlyReady: onlyReady)
            if onlyReady { return }
            onlyReady = group.onlyReady
        }
    }

    private func emitOldest(_ group: Group, onlyReady: Bool) {
        guard let oldest = group.oldest, var list = group.sets[oldest] else {
            group.oldest = nil
            return
        }
        var i = 0
        while i < list.count, list[i].isReady || !onlyReady {
            emitJoined(list[i])
            i += 1
        }
        if i == list.count {
            group.sets[oldest] = nil
        } else {
            list.removeFirst(i)
            group.sets[oldest] = list
        }
        group.pending -= i
        group.oldest = group.sets.keys.min()
    }

    private func emitJoined(_ set: JoinSet) {
        switch provides {
        case .batch?: if let b = set.joinedBatch(naming) { emit(.batch(b)) }
        default: if let p = set.joinedPoint(naming) { emit(.point(p)) }
        }
    }

    override func expire(idleBefore time: Int64, now: Int64) {
        // An idle group's sets go out as they are (filled or dropped), then it is forgotten.
        for (id, group) in groups where group.lastSeen < time {
            while group.oldest != nil { emitOldest(group, onlyReady: false) }
            groups[id] = nil
        }
        // The `.on()` matching state of groups not heard of since: buffered specific messages
        // go on alone (their sets were just sent, or form new ones), the rest is forgotten.
        lowMarks = lowMarks.filter { $0.value >= time }
        for (id, list) in specificBuffer where (list.last.map { $0.message.time < time } ?? true) {
            specificBuffer[id] = nil
            for s in list { collect(s, into: s.message.group) }
        }
        for (id, list) in matchBuffer where (list.last.map { $0.message.time < time } ?? true) { matchBuffer[id] = nil }
    }
}

extension JoinNode: NodeKind {
    static let methods = [NodeMethod("join")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        guard !spec.arguments.isEmpty else { throw spec.argumentError("join() takes the nodes to join with, e.g. errors|join(views).as('errors', 'views')") }
        for (i, a) in spec.arguments.enumerated() {
            guard case .node = a.value else { throw spec.argumentError("join() takes nodes, got a \(a.value.typeName)", at: i) }
        }
        let prefixes = try b.props.strings("as") ?? []
        let delimiter = try b.props.string("delimiter") ?? "."
        guard !prefixes.isEmpty else {
            throw TICKDiagnostic(at: spec.position, "a call to join.as() is required to specify the output stream prefixes.")
        }
        guard prefixes.count == spec.parents.count else {
            throw TICKDiagnostic(at: spec.position, "number of prefixes specified by join.as() must match the number of joined streams (\(prefixes.count) prefixes, \(spec.parents.count) streams)")
        }
        for prefix in prefixes {
            guard !prefix.isEmpty else { throw TICKDiagnostic(at: spec.position, "must provide a prefix name for the join node, see .as() property method") }
            if !delimiter.isEmpty && prefix.contains(delimiter) {
                throw TICKDiagnostic(at: spec.position, "cannot use name \(prefix) as field prefix, it contains the delimiter \"\(delimiter)\"")
            }
        }
        guard Set(prefixes).count == prefixes.count else { throw TICKDiagnostic(at: spec.position, "cannot use the same prefix name see .as() property method") }
        guard Set(spec.parents.map(\.index)).count == spec.parents.count else {
            throw TICKDiagnostic(at: spec.position, "join() cannot join a node with itself")
        }
        let fill: JoinFill
        switch try b.props.single("fill")?.value {
        case nil: fill = .none
        case .string("null")?: fill = .null
        case .string("none")?: fill = .none
        case .float(let x)?: fill = .value(.double(x))
        case .int(let n)?: fill = .value(.int(n))
        case let other?: throw TICKDiagnostic(at: spec.position, "unexpected fill option \(other.typeName): join.fill() takes 'null', 'none' or a number")
        }
        let tolerance = try b.props.duration("tolerance") ?? 0
        guard tolerance >= 0 else { throw TICKDiagnostic(at: spec.position, ".tolerance() must not be negative") }
        let naming = JoinNaming(prefixes: prefixes, delimiter: delimiter, streamName: try b.props.string("streamName"), fill: fill, tolerance: tolerance)
        return JoinNode(name: b.name, provides: try b.requireEdge(), naming: naming, on: try b.props.strings("on") ?? [],
                        maxWait: try b.positive(b.props.duration("maxWait"), "maxWait"))
    }
}
