import FaradCore

extension Message {
    /// Applies `transform` to the point, or to every point of the batch, dropping the points
    /// for which it returns false. A batch stays (possibly empty); a dropped point returns nil.
    consuming func mapPoints(_ transform: (inout Point) -> Bool) -> Message? {
        switch consume self {
        case .point(var p):
            return transform(&p.point) ? .point(p) : nil
        case .batch(var b):
            var kept = 0
            for i in b.points.indices where transform(&b.points[i]) {
                if kept != i { b.points.swapAt(kept, i) }
                kept += 1
            }
            b.points.removeLast(b.points.count - kept)
            return .batch(b)
        }
    }
}

/// `|where(lambda)`: keeps the points for which the lambda is true; an error drops the point.
final class WhereNode: EngineNode {
    let lambda: CompiledLambda

    init(name: String, provides: EdgeType, lambda: CompiledLambda) {
        self.lambda = lambda
        super.init(name: name, type: "where", provides: provides)
    }

    override func process(_ message: consuming Message) {
        let result = message.mapPoints { p in
            do throws(LambdaError) {
                return try lambda.evaluateBool(p)
            } catch {
                fail("where \(lambda.source): \(error.message)")
                return false
            }
        }
        if let result { emit(result) }
    }
}

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

/// `|default().field(name, value).tag(name, value)`: sets fields and tags that are missing.
final class DefaultNode: EngineNode {
    let fields: [(String, FieldValue)]
    let tags: [(String, String)]
    private(set) var fieldsDefaulted = 0
    private(set) var tagsDefaulted = 0

    init(name: String, provides: EdgeType, fields: [(String, FieldValue)], tags: [(String, String)]) {
        self.fields = fields
        self.tags = tags
        super.init(name: name, type: "default", provides: provides)
    }

    override var extraStatistics: [(String, Int)] { [("fields_defaulted", fieldsDefaulted), ("tags_defaulted", tagsDefaulted)] }

    override func process(_ message: consuming Message) {
        var result = message.mapPoints { p in
            for (k, v) in fields where p.field(k) == nil {
                p.setField(k, v)
                fieldsDefaulted += 1
            }
            for (k, v) in tags where p.tag(k) == nil {
                p.setTag(k, v)
                tagsDefaulted += 1
            }
            return true
        }
        if case .batch(var b)? = result {
            for (k, v) in tags where !b.tags.contains(where: { $0.key == k }) {
                b.tags.append((k, v))
                b.tags.sort { $0.key < $1.key }
            }
            result = .batch(b)
        }
        if let result { emit(result) }
    }
}

/// `|delete().field(name).tag(name)`: removes fields and tags.
final class DeleteNode: EngineNode {
    let fields: [String]
    let tags: Set<String>
    private(set) var fieldsDeleted = 0
    private(set) var tagsDeleted = 0

    init(name: String, provides: EdgeType, fields: [String], tags: [String]) {
        self.fields = fields
        self.tags = Set(tags)
        super.init(name: name, type: "delete", provides: provides)
    }

    override var extraStatistics: [(String, Int)] { [("fields_deleted", fieldsDeleted), ("tags_deleted", tagsDeleted)] }

    override func process(_ message: consuming Message) {
        let result = message.mapPoints { p in
            for f in fields where p.field(f) != nil {
                p.removeField(f)
                fieldsDeleted += 1
            }
            for t in tags where p.tag(t) != nil {
                p.removeTag(t)
                tagsDeleted += 1
            }
            return true
        }
        switch result {
        case .point(var sp)? where sp.dimensions.tagNames.contains(where: tags.contains):
            sp.dimensions.tagNames.removeAll(where: tags.contains)
            sp.group = sp.dimensions.group(of: sp.point)
            emit(.point(sp))
        case .batch(var b)?:
            b.tags.removeAll { tags.contains($0.key) }
            b.dimensions.tagNames.removeAll(where: tags.contains)
            emit(.batch(b))
        case let other?:
            emit(other)
        case nil:
            break
        }
    }
}

/// `|union(other…)`: merges its parents' data; `.rename('n')` renames it.
final class UnionNode: EngineNode {
    let rename: String?

    init(name: String, provides: EdgeType, rename: String?) {
        self.rename = rename
        super.init(name: name, type: "union", provides: provides)
    }

    override func process(_ message: consuming Message) {
        guard let rename, !rename.isEmpty else { return emit(message) }
        switch message {
        case .point(var p):
            p.point.measurement = rename
            emit(.point(p))
        case .batch(var b):
            b.name = rename
            for i in b.points.indices { b.points[i].measurement = rename }
            emit(.batch(b))
        }
    }
}
