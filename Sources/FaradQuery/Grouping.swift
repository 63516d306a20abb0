import FaradCore
import FaradStore

/// Splits a metric's points into KairosDB groups: by tag (per series), time, value and bin (per
/// point), and always by data type. Points of a group are merged by time across series.
enum Grouping {
    struct Key: Hashable, Comparable {
        var tagValues: [String?] = []
        var time: Int64?
        var value: Int64?
        var bin: Int?
        var type: String = "number"

        static func < (a: Key, b: Key) -> Bool {
            let at = a.tagValues.map { $0 ?? "" }
            let bt = b.tagValues.map { $0 ?? "" }
            if at != bt { return at.lexicographicallyPrecedes(bt) }
            if a.time != b.time { return (a.time ?? -1) < (b.time ?? -1) }
            if a.value != b.value { return (a.value ?? .min) < (b.value ?? .min) }
            if a.bin != b.bin { return (a.bin ?? -1) < (b.bin ?? -1) }
            return a.type < b.type
        }
    }

    struct Group {
        var key: Key
        var points: [DataPoint] = []
        var tags: [String: Set<String>] = [:]
        var type: String { key.type }
    }

    static func group(_ data: [SeriesData], by groupers: [Grouper], request: QueryRequest) -> [Group] {
        var groups: [Key: Group] = [:]
        let tagNames = groupers.flatMap { g -> [String] in if case .tag(let t) = g { t } else { [] } }
        let hasPointGroupers = groupers.contains { if case .tag = $0 { false } else { true } }
        for series in data {
            var base = Key()
            base.tagValues = tagNames.map { series.series.key.tag($0) }
            var touched: Set<Key> = []
            if !hasPointGroupers {
                // Only the data type varies from point to point: split the series by type and
                // append each part to its group in one go.
                var byType: [String: [DataPoint]] = [:]
                let firstType = series.values.first?.groupType ?? "number"
                if series.values.allSatisfy({ $0.groupType == firstType }) {
                    var points: [DataPoint] = []
                    points.reserveCapacity(series.times.count)
                    for i in series.times.indices { points.append(DataPoint(time: series.times[i], value: series.values[i])) }
                    byType[firstType] = points
                } else {
                    for i in series.times.indices {
                        byType[series.values[i].groupType, default: []].append(DataPoint(time: series.times[i], value: series.values[i]))
                    }
                }
                for (type, points) in byType {
                    var key = base
                    key.type = type
                    if groups[key] == nil {
                        var group = Group(key: key)
                        group.points = points
                        groups[key] = group
                    } else {
                        groups[key]!.points.append(contentsOf: points)
                    }
                    for tag in series.series.key.tags { groups[key]!.tags[tag.key, default: []].insert(tag.value) }
                }
                continue
            }
            for i in series.times.indices {
                let t = series.times[i]
                let v = series.values[i]
                var key = base
                key.type = v.groupType
                if hasPointGroupers {
                    for g in groupers {
                        switch g {
                        case .tag: break
                        case .time(let range, let count):
                            let k: Int64
                            if range.unit.isCalendar {
                                let months = monthsBetween(request.start, t) / (range.value * (range.unit == .years ? 12 : 1))
                                k = months
                            } else {
                                k = Calendar.floorDiv(t - request.start, range.value * range.unit.milliseconds)
                            }
                            key.time = ((k % count) + count) % count
                        case .value(let size):
                            if let n = v.number { key.value = Self.javaLong(n) / size }
                        case .bin(let bins):
                            if let n = v.number { key.bin = bins.filter { $0 <= n }.count }
                        }
                    }
                }
                if groups[key] == nil { groups[key] = Group(key: key) }
                groups[key]!.points.append(DataPoint(time: t, value: v))
                if touched.insert(key).inserted {
                    for tag in series.series.key.tags { groups[key]!.tags[tag.key, default: []].insert(tag.value) }
                }
            }
        }
        var result = groups.values.sorted { $0.key < $1.key }
        for g in result.indices where data.count > 1 {
            // Interleave the series by time; a stable sort keeps equal times in series order.
            result[g].points = stableSortedByTime(result[g].points)
        }
        return result
    }

    static func stableSortedByTime(_ points: [DataPoint]) -> [DataPoint] {
        var sorted = true
        for i in points.indices.dropFirst() where points[i].time < points[i - 1].time {
            sorted = false
            break
        }
        if sorted { return points }
        return points.enumerated().sorted { a, b in
            a.element.time < b.element.time || (a.element.time == b.element.time && a.offset < b.offset)
        }.map(\.element)
    }

    /// Java's `(long) d`: truncated, saturated at the ends, NaN as 0 (a stored value of 1e300
    /// must not trap the conversion).
    static func javaLong(_ d: Double) -> Int64 {
        guard d.isFinite else { return d.isNaN ? 0 : (d < 0 ? .min : .max) }
        return Int64(exactly: d.rounded(.towardZero)) ?? (d < 0 ? .min : .max)
    }

    static func monthsBetween(_ a: Int64, _ b: Int64) -> Int64 {
        let (ya, ma, _) = Calendar.civil(fromDays: Calendar.floorDiv(a, Calendar.dayMs))
        let (yb, mb, _) = Calendar.civil(fromDays: Calendar.floorDiv(b, Calendar.dayMs))
        return (yb * 12 + mb) - (ya * 12 + ma)
    }

    /// The `group_by` array of one result: grouper entries, then the type entry.
    static func writeGroupBy(_ group: Group, groupers: [Grouper], into w: inout JSONWriter) {
        var first = true
        func comma() {
            if !first { w.raw(",") }
            first = false
        }
        var tagIndex = 0
        for g in groupers {
            switch g {
            case .tag(let names):
                comma()
                w.raw("{\"name\":\"tag\",\"tags\":")
                w.strings(names)
                w.raw(",\"group\":{")
                var firstMember = true
                for n in names {
                    let value = group.key.tagValues[tagIndex]
                    tagIndex += 1
                    guard let value else { continue }
                    if !firstMember { w.raw(",") }
                    firstMember = false
                    w.string(n)
                    w.raw(":")
                    w.string(value)
                }
                w.raw("}}")
            case .time(let range, let count):
                comma()
                w.raw("{\"name\":\"time\",\"range_size\":{\"value\":")
                w.int(range.value)
                w.raw(",\"unit\":")
                w.string(range.unit.rawValue.uppercased())
                w.raw("},\"group_count\":")
                w.int(count)
                w.raw(",\"group\":{\"group_number\":")
                w.int(group.key.time ?? 0)
                w.raw("}}")
            case .value(let size):
                guard let n = group.key.value else { continue }
                comma()
                w.raw("{\"name\":\"value\",\"range_size\":")
                w.int(size)
                w.raw(",\"group\":{\"group_number\":")
                w.int(n)
                w.raw("}}")
            case .bin(let bins):
                guard let n = group.key.bin else { continue }
                comma()
                w.raw("{\"name\":\"bin\",\"bins\":[")
                for (i, b) in bins.enumerated() {
                    if i > 0 { w.raw(",") }
                    w.double(b)
                }
                w.raw("],\"group\":{\"bin_number\":")
                w.int(Int64(n))
                w.raw("}}")
            }
        }
        comma()
        w.raw("{\"name\":\"type\",\"type\":")
        w.string(group.type)
        w.raw("}")
    }
}
