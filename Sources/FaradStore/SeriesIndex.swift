import FaradCore
import Foundation
import Synchronization

/// The kinds of value a series or a metric has held (for InfluxQL's `SHOW FIELD KEYS`, a line
/// protocol field's type: `long` is an integer field, `double` a float, `string` a string or a
/// boolean).
public struct ValueTypes: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let long = ValueTypes(rawValue: 1)
    public static let double = ValueTypes(rawValue: 2)
    public static let string = ValueTypes(rawValue: 4)
    public static let complex = ValueTypes(rawValue: 8)

    /// The kinds among `values`.
    init(_ values: [MetricValue]) {
        var raw = 0
        for v in values {
            switch v {
            case .long: raw |= 1
            case .double: raw |= 2
            case .string: raw |= 4
            case .complex: raw |= 8
            }
            if raw == 15 { break }
        }
        rawValue = raw
    }
}

/// A metric of one namespace, and the kinds of value its series have held.
public struct MetricInfo: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var types: ValueTypes
    /// How the first of its series still stored was written by line protocol, if it was.
    public var origin: FieldOrigin?
}

/// The series index, in memory: every series by the digest of its key and by id, and per metric
/// the posting lists of each tag value (ascending ids), so a tag filter unites the lists of its
/// values and intersects those of its tags, and a regex is matched against values, not series.
///
/// Its durable form is the ``SeriesFile``, read once at open (about a second per million series);
/// it costs a few hundred bytes per series. The writer thread adds series (after their records
/// are durable) and deletes remove them; readers take the lock for the length of one lookup.
final class SeriesIndex: Sendable {
    /// A 128-bit digest of a key's bytes (two SipHash-1-3 runs with the process's random seed):
    /// the ingest path finds a series by it without comparing strings. Two keys sharing a digest
    /// (about n²/2¹²⁹ for n series) would share a series.
    struct Digest: Hashable {
        var a: UInt64
        var b: UInt64
    }

    /// A series' id and the kinds of value it holds.
    struct Entry {
        var id: Int64
        var types: ValueTypes
    }

    private struct Metric {
        /// Every series of the metric, ascending.
        var series: [Int64] = []
        /// Tag key → value → series with it, ascending.
        var tags: [String: [String: [Int64]]] = [:]
        /// Namespace → its series of this metric, and the kinds of value they have held.
        var namespaces: [String: (count: Int, types: ValueTypes)] = [:]
        /// The line-protocol origin of its first series that had one.
        var origin: FieldOrigin?
        /// Tag key → its values in byte order, kept once asked for (`SHOW TAG VALUES` asks
        /// again and again) until a value comes or goes.
        var sortedValues: [String: [String]] = [:]
    }

    private struct State {
        /// Digest → id and kinds of value (the ingest path's one lookup).
        var ids: [Digest: Entry] = [:]
        var series: [Int64: SeriesEntry] = [:]
        var metrics: [String: Metric] = [:]
        var nextID: Int64 = 1
    }

    private let state = Mutex(State())

    var count: Int { state.withLock { $0.series.count } }

    /// The id the next new series gets (ids are never reused while the series file has them).
    var nextID: Int64 { state.withLock { $0.nextID } }

    /// Every series, by id.
    func all() -> [SeriesEntry] {
        state.withLock { s in s.series.values.sorted { $0.id < $1.id } }
    }

    /// The series of `ids`, under one lock.
    func entries(_ ids: [Int64]) -> [SeriesEntry?] {
        state.withLock { s in ids.map { s.series[$0] } }
    }

    // MARK: Writer side

    /// The stored entries of `digests`, under one lock.
    func lookup(_ digests: [[Digest]]) -> [[Entry?]] {
        state.withLock { s in
            digests.map { row in
                row.map { s.ids[$0] }
            }
        }
    }

    /// The series `id`, if indexed.
    func entry(_ id: Int64) -> SeriesEntry? {
        state.withLock { $0.series[id] }
    }

    /// Applies operations that are durable in the series file (or being read from it).
    /// `digests`, when given, is each operation's series digest (the ingest path has them from
    /// its callers' threads); otherwise the keys are hashed here, before the lock is taken.
    func apply(_ ops: [SeriesFile.Op], digests given: [Digest]? = nil) {
        let digests = given ?? ops.map { op in
            if case .create(let e) = op { Self.digest(e.key) } else { Digest(a: 0, b: 0) }
        }
        state.withLock { s in
            var removed: [Int64] = []
            for (i, op) in ops.enumerated() {
                switch op {
                case .create(let entry):
                    if !removed.isEmpty { Self.remove(removed, from: &s); removed = [] }
                    Self.add(entry, digest: digests[i], to: &s)
                case .types(let id, let types):
                    guard var e = s.series[id], !e.types.isSuperset(of: types) else { continue }
                    e.types.formUnion(types)
                    s.series[id] = e
                    s.ids[given != nil ? digests[i] : Self.digest(e.key)]?.types = e.types
                    s.metrics[e.key.metric]?.namespaces[e.key.namespace]?.types.formUnion(types)
                case .remove(let id):
                    removed.append(id)
                case .nextID(let id):
                    s.nextID = max(s.nextID, id)
                }
            }
            if !removed.isEmpty { Self.remove(removed, from: &s) }
        }
    }

    private static func add(_ entry: SeriesEntry, digest: Digest, to s: inout State) {
        let key = entry.key
        s.nextID = max(s.nextID, entry.id &+ 1)
        if let old = s.ids[digest] {
            // The file read again after a crash during a rewrite: the same series twice.
            guard old.id != entry.id else {
                s.series[entry.id]?.types.formUnion(entry.types)
                s.ids[digest]?.types.formUnion(entry.types)
                s.metrics[key.metric]?.namespaces[key.namespace]?.types.formUnion(entry.types)
                return
            }
            remove([old.id], from: &s)
        }
        s.ids[digest] = Entry(id: entry.id, types: entry.types)
        s.series[entry.id] = entry
        // In place, through one lookup of the metric.
        Self.index(entry, in: &s.metrics[key.metric, default: Metric()])
    }

    private static func index(_ entry: SeriesEntry, in m: inout Metric) {
        insert(entry.id, into: &m.series)
        if m.origin == nil { m.origin = entry.key.origin }
        for t in entry.key.tags {
            if m.tags[t.key]?[t.value] == nil { m.sortedValues[t.key] = nil }
            insert(entry.id, into: &m.tags[t.key, default: [:]][t.value, default: []])
        }
        count(entry, in: &m.namespaces[entry.key.namespace, default: (0, [])])
    }

    private static func count(_ entry: SeriesEntry, in namespace: inout (count: Int, types: ValueTypes)) {
        namespace.count += 1
        namespace.types.formUnion(entry.types)
    }

    /// Appends `id` to an ascending list (ids grow, so this is an append but for a file rewritten
    /// out of order).
    private static func insert(_ id: Int64, into list: inout [Int64]) {
        if let last = list.last, last >= id {
            let at = lowerBound(list, id)
            if at < list.count && list[at] == id { return }
            list.insert(id, at: at)
        } else {
            list.append(id)
        }
    }

    /// Removes series in one pass over each list they were in (a delete of many series is not
    /// quadratic).
    private static func remove(_ ids: [Int64], from s: inout State) {
        var byMetric: [String: [SeriesEntry]] = [:]
        for id in ids {
            guard let e = s.series.removeValue(forKey: id) else { continue }
            s.ids[digest(e.key)] = nil
            byMetric[e.key.metric, default: []].append(e)
        }
        for (name, entries) in byMetric {
            guard var m = s.metrics.removeValue(forKey: name) else { continue }
            let gone = Set(entries.map(\.id))
            m.series.removeAll { gone.contains($0) }
            guard !m.series.isEmpty else { continue }
            var pairs: [String: Set<String>] = [:]
            for e in entries {
                for t in e.key.tags { pairs[t.key, default: []].insert(t.value) }
                if let n = m.namespaces[e.key.namespace]?.count, n > 1 {
                    m.namespaces[e.key.namespace]!.count = n - 1
                } else {
                    m.namespaces[e.key.namespace] = nil
                }
            }
            for (key, values) in pairs {
                for v in values {
                    m.tags[key]?[v]?.removeAll { gone.contains($0) }
                    if m.tags[key]?[v]?.isEmpty == true {
                        m.tags[key]![v] = nil
                        m.sortedValues[key] = nil
                    }
                }
                if m.tags[key]?.isEmpty == true { m.tags[key] = nil }
            }
            s.metrics[name] = m
        }
    }

    static func digest(_ key: SeriesKey) -> Digest {
        var h1 = Hasher()
        var h2 = Hasher()
        h1.combine(UInt8(0x5A))
        h2.combine(UInt8(0xA5))
        func mix(_ s: String) {
            // Bytes, not the string's canonical form: names are stored as the bytes they are.
            var s = s
            s.withUTF8 { bytes in
                h1.combine(bytes.count)
                h1.combine(bytes: UnsafeRawBufferPointer(bytes))
                h2.combine(bytes.count)
                h2.combine(bytes: UnsafeRawBufferPointer(bytes))
            }
        }
        mix(key.metric)
        mix(key.namespace)
        h1.combine(key.tags.count)
        h2.combine(key.tags.count)
        for t in key.tags {
            mix(t.key)
            mix(t.value)
        }
        return Digest(a: UInt64(bitPattern: Int64(h1.finalize())), b: UInt64(bitPattern: Int64(h2.finalize())))
    }

    // MARK: Reader side

    /// The series of `metric` (in `namespace`, or in all) matching `filter`, by id.
    func series(metric: String, filter: TagFilter, namespace: String?) -> [SeriesEntry] {
        state.withLock { s in
            guard let m = s.metrics[metric] else { return [] }
            if let namespace, m.namespaces[namespace] == nil { return [] }
            var lists: [[Int64]] = []
            if filter.isEmpty {
                lists = [m.series]
            } else {
                // One list per filtered tag (the union of its values' lists), intersected smallest first.
                for (tag, patterns) in filter.tags {
                    guard let values = m.tags[tag] else { return [] }
                    var equal: [String] = []
                    var matching = false
                    for p in patterns {
                        if case .equals(let v) = p { equal.append(v) } else { matching = true }
                    }
                    var union: [Int64]
                    if matching {
                        union = []
                        for (v, ids) in values where patterns.contains(where: { $0.matches(v) }) { union += ids }
                        union.sort()
                        union = Self.unique(union)
                    } else if equal.count == 1 {
                        union = values[equal[0]] ?? []
                    } else {
                        union = Self.unique(Set(equal).flatMap { values[$0] ?? [] }.sorted())
                    }
                    if union.isEmpty { return [] }
                    lists.append(union)
                }
            }
            lists.sort { $0.count < $1.count }
            var ids = lists[0]
            for other in lists.dropFirst() {
                // Each id of the shorter list is looked up in the longer (sorted) one.
                ids.removeAll { !Self.contains(other, $0) }
                if ids.isEmpty { return [] }
            }
            var out: [SeriesEntry] = []
            out.reserveCapacity(ids.count)
            for id in ids {
                guard let e = s.series[id] else { continue }
                if let namespace, e.key.namespace != namespace { continue }
                out.append(e)
            }
            return out
        }
    }

    /// Binary search in an ascending list.
    private static func contains(_ list: [Int64], _ id: Int64) -> Bool {
        let at = lowerBound(list, id)
        return at < list.count && list[at] == id
    }

    /// The first position in an ascending list whose id is not below `id`.
    private static func lowerBound(_ list: [Int64], _ id: Int64) -> Int {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if list[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private static func unique(_ sorted: [Int64]) -> [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(sorted.count)
        for id in sorted where out.last != id { out.append(id) }
        return out
    }

    /// Whether one of `ids` is a series of `namespace` (`nil`: any).
    private static func any(_ ids: [Int64], in namespace: String?, _ s: State) -> Bool {
        guard let namespace else { return !ids.isEmpty }
        return ids.contains { s.series[$0]?.key.namespace == namespace }
    }

    /// The tag keys of `metric` (of its series in `namespace`, or in all), in byte order.
    func keys(metric: String, namespace: String?) -> [String] {
        state.withLock { s in
            guard let m = s.metrics[metric] else { return [] }
            let only = namespace.map { m.namespaces.count == 1 && m.namespaces[$0] != nil } ?? true
            return m.tags.compactMap { key, values in
                only || values.values.contains { Self.any($0, in: namespace, s) } ? key : nil
            }.sorted(by: Self.byteOrder)
        }
    }

    /// The values of tag `key` of `metric` (of its series in `namespace`, or in all), in byte order.
    func values(metric: String, key: String, namespace: String?) -> [String] {
        state.withLock { s in
            guard let m = s.metrics[metric], let values = m.tags[key] else { return [] }
            let only = namespace.map { m.namespaces.count == 1 && m.namespaces[$0] != nil } ?? true
            guard only else {
                return values.compactMap { value, ids in Self.any(ids, in: namespace, s) ? value : nil }.sorted(by: Self.byteOrder)
            }
            if let sorted = m.sortedValues[key] { return sorted }
            let sorted = values.keys.sorted(by: Self.byteOrder)
            s.metrics[metric]?.sortedValues[key] = sorted
            return sorted
        }
    }

    /// Metrics (of `namespace`, or all) whose name starts with `prefix`, by name then namespace.
    func metrics(namespace: String?, prefix: String) -> [MetricInfo] {
        state.withLock { s in
            var out: [MetricInfo] = []
            for (name, m) in s.metrics where name.utf8.starts(with: prefix.utf8) {
                for (ns, info) in m.namespaces where namespace == nil || ns == namespace {
                    out.append(MetricInfo(name: name, namespace: ns, types: info.types, origin: m.origin))
                }
            }
            return out.sorted { a, b in a.name == b.name ? Self.byteOrder(a.namespace, b.namespace) : Self.byteOrder(a.name, b.name) }
        }
    }

    /// Names sort by their bytes (as SQLite's BINARY collation did), not by Unicode's rules.
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        // Contiguous UTF-8 (native strings are), compared with memcmp: a generic walk over
        // the UTF-8 views costs most of a `SHOW TAG VALUES`.
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let n = min(x.count, y.count)
                let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return c != 0 ? c < 0 : x.count < y.count
            }
        }
    }
}
