import FaradCore
import Synchronization

/// A series known to the store.
public struct SeriesEntry: Sendable, Hashable {
    public var id: Int64
    public var key: SeriesKey
    /// The kinds of value the series holds, as committed when it was found (empty: unknown).
    public var types: ValueTypes

    public init(id: Int64, key: SeriesKey, types: ValueTypes = []) {
        self.id = id
        self.key = key
        self.types = types
    }

    /// One series is one entry, whatever types were known when each copy was found.
    public static func == (a: SeriesEntry, b: SeriesEntry) -> Bool { a.id == b.id && a.key == b.key }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
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
