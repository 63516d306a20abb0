import FaradCore

/// What `join` fills in for a parent that has nothing at a set's time (`.fill()`).
enum JoinFill: Sendable, Equatable {
    /// An inner join: a set that misses a parent is dropped (Kapacitor's default).
    case none
    /// An outer join whose missing fields are null: Farad leaves them out of the point.
    case null
    /// An outer join whose missing fields take this value.
    case value(FieldValue)
}

/// How `join` names the fields of what it joins.
struct JoinNaming: Sendable {
    /// One prefix per parent, in the order of the parents (`.as()`).
    let prefixes: [String]
    let delimiter: String
    /// `.streamName()`: the joined data's measurement (else the first parent's).
    let streamName: String?
    let fill: JoinFill
    /// `.tolerance()`: times are rounded to a multiple of it before they are matched.
    let tolerance: Int64

    /// `t` rounded to the nearest multiple of the tolerance, halves up (Go's `Time.Round`).
    func round(_ t: Int64) -> Int64 { Self.round(t, tolerance: tolerance) }

    /// `t` rounded to the nearest multiple of `tolerance` (unchanged when it is 0), halves up, as
    /// `join`, `combine` and `flatten` match times.
    static func round(_ t: Int64, tolerance: Int64) -> Int64 {
        guard tolerance > 0 else { return t }
        var r = t % tolerance
        if r < 0 { r += tolerance }
        return r < tolerance - r ? t.clampedSubtracting(r) : t.clampedAdding(tolerance - r)
    }
}

/// The points or batches of one group that one time rounds to, one per parent.
struct JoinSet {
    let time: Int64
    var values: [Message?]
    var size = 0
    /// The lowest parent that has a value.
    var first: Int

    init(time: Int64, parents: Int) {
        self.time = time
        values = Array(repeating: nil, count: parents)
        first = parents
    }

    var isReady: Bool { size == values.count }

    func has(_ source: Int) -> Bool { values[source] != nil }

    mutating func set(_ source: Int, _ message: Message) {
        if source < first { first = source }
        values[source] = message
        size += 1
    }

    /// The set as one point, fields named `prefix<delimiter>field`; nil when a parent is
    /// missing and there is no fill.
    func joinedPoint(_ naming: JoinNaming) -> StreamPoint? {
        guard first < values.count, case .point(let head)? = values[first] else { return nil }
        let firstFields = head.point.fields.map(\.key)
        var fields: [String: FieldValue] = [:]
        for (i, value) in values.enumerated() {
            let prefix = naming.prefixes[i] + naming.delimiter
            guard case .point(let p)? = value else {
                switch naming.fill {
                case .none: return nil
                case .null: continue
                case .value(let v): for k in firstFields { fields[prefix + k] = v }
                }
                continue
            }
            for (k, v) in p.point.fields { fields[prefix + k] = v }
        }
        let name = naming.streamName ?? head.point.measurement
        let tags = head.dimensions.tags(of: head.point)
        let point = Point(measurement: name, sortedTags: tags, fields: fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, time: time)
        return StreamPoint(point, database: head.database, retentionPolicy: head.retentionPolicy,
                           group: GroupID(name: name, sortedTags: tags, head.dimensions), dimensions: head.dimensions)
    }

    /// The set's batches as one batch: their points matched by rounded time, in time order,
    /// fields named as ``joinedPoint(_:)`` names them. Nil when the first value is no batch.
    func joinedBatch(_ naming: JoinNaming) -> Batch? {
        guard first < values.count, case .batch(let head)? = values[first] else { return nil }
        let name = naming.streamName ?? head.name
        let batches: [Batch?] = values.map { if case .batch(let b)? = $0 { b } else { nil } }
        let n = batches.count
        var points: [Point] = []
        var indexes = Array(repeating: 0, count: n)
        var empty = Array(repeating: false, count: n)
        var emptyCount = 0
        var fieldNames: [String]?
        // Each round takes the earliest rounded time left across the batches and the point of
        // every batch at that time; every round uses up a point or a batch, so it ends.
        nextPoint: while emptyCount < n {
            var set = [Point?](repeating: nil, count: n)
            var setTime: Int64?
            var count = 0
            for i in 0..<n where !empty[i] {
                guard let b = batches[i], indexes[i] < b.points.count else {
                    empty[i] = true
                    emptyCount += 1
                    continue
                }
                let p = b.points[indexes[i]]
                let t = naming.round(p.time)
                if let current = setTime, t < current {
                    // An earlier time: the points taken for the later one go back.
                    for j in 0..<n where set[j] != nil {
                        indexes[j] -= 1
                        set[j] = nil
                    }
                    setTime = t
                    set[i] = p
                    indexes[i] += 1
                    count = 1
                } else if setTime == nil || t == setTime {
                    setTime = t
                    if fieldNames == nil { fieldNames = p.fields.map(\.key) }
                    set[i] = p
                    indexes[i] += 1
                    count += 1
                }
            }
            guard count > 0, let setTime else { continue }
            var fields: [String: FieldValue] = [:]
            for (i, p) in set.enumerated() {
                let prefix = naming.prefixes[i] + naming.delimiter
                guard let p else {
                    switch naming.fill {
                    case .none: continue nextPoint
                    case .null: continue
                    case .value(let v): for k in fieldNames ?? [] { fields[prefix + k] = v }
                    }
                    continue
                }
                for (k, v) in p.fields { fields[prefix + k] = v }
            }
            points.append(Point(measurement: name, sortedTags: head.tags, fields: fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, time: setTime))
        }
        return Batch(name: name, database: head.database, retentionPolicy: head.retentionPolicy,
                     group: GroupID(name: name, sortedTags: head.tags, head.dimensions), dimensions: head.dimensions,
                     tags: head.tags, tmax: time, points: points)
    }
}
