import FaradCore
import Synchronization

/// A series known to the store.
public struct SeriesEntry: Sendable, Hashable {
    public var id: Int64
    public var key: SeriesKey
}

/// The in-memory series index: every series by key and by metric name. The store keeps it in
/// step with the `series` table inside its write transactions.
struct SeriesCatalog: Sendable {
    private(set) var ids: [SeriesKey: Int64] = [:]
    private(set) var byMetric: [String: [SeriesEntry]] = [:]

    func id(of key: SeriesKey) -> Int64? { ids[key] }

    mutating func insert(_ entry: SeriesEntry) {
        guard ids[entry.key] == nil else { return }
        ids[entry.key] = entry.id
        byMetric[entry.key.metric, default: []].append(entry)
    }

    mutating func remove(_ entry: SeriesEntry) {
        ids[entry.key] = nil
        byMetric[entry.key.metric]?.removeAll { $0.id == entry.id }
        if byMetric[entry.key.metric]?.isEmpty == true { byMetric[entry.key.metric] = nil }
    }

    func series(metric: String, matching filter: TagFilter) -> [SeriesEntry] {
        guard let all = byMetric[metric] else { return [] }
        if filter.isEmpty { return all }
        return all.filter { filter.matches($0.key) }
    }

    var metricNames: [String] { byMetric.keys.sorted() }
}

/// KairosDB's tag filter: values OR'd within a tag, tags AND'ed; a `regex:` value must match
/// the whole tag value.
public struct TagFilter: Sendable {
    public enum Pattern: Sendable {
        case equals(String)
        /// Matched in linear time (RE2 syntax), so no pattern can hold a query for long.
        case regex(LinearRegex)

        func matches(_ value: String) -> Bool {
            switch self {
            case .equals(let v): v == value
            case .regex(let r): r.wholeMatch(value)
            }
        }
    }

    public var tags: [(key: String, patterns: [Pattern])]

    public init(_ tags: [(key: String, patterns: [Pattern])] = []) {
        self.tags = tags.filter { !$0.patterns.isEmpty }
    }

    public var isEmpty: Bool { tags.isEmpty }

    public func matches(_ key: SeriesKey) -> Bool {
        for (tag, patterns) in tags {
            guard let value = key.tag(tag), patterns.contains(where: { $0.matches(value) }) else { return false }
        }
        return true
    }
}

/// The catalog shared by the store's readers and its writer thread.
final class SharedCatalog: Sendable {
    private let state = Mutex(SeriesCatalog())

    func withLock<R>(_ body: (inout SeriesCatalog) -> R) -> R {
        state.withLock { body(&$0) }
    }
}
