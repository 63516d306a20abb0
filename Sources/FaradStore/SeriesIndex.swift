import FaradCore
import GRDB

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
}

/// The series index, kept in SQLite and read on demand (nothing is loaded at open).
///
/// - `series(id, metric, tags, namespace, types)`, unique by `(metric, namespace, tags)`: a key's id.
/// - `series_tags(metric, tag_key, tag_value, series_id)`: posting lists, one row per tag of
///   each series, so a tag filter reads the ids of its values and intersects them.
/// - `tag_values(metric, tag_key, tag_value, namespace)`: the values of each tag, so a regex
///   filter and `SHOW TAG KEYS/VALUES` scan values, not series.
/// - `metrics(name, namespace, types)`: metric names and the kinds of value they hold.
///
/// Rows are written in the commit transaction that creates a series, and removed with it.
enum SeriesIndex {
    static let schema = """
        CREATE TABLE IF NOT EXISTS series_tags(
            metric TEXT NOT NULL,
            tag_key TEXT NOT NULL,
            tag_value TEXT NOT NULL,
            series_id INTEGER NOT NULL,
            PRIMARY KEY(metric, tag_key, tag_value, series_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS tag_values(
            metric TEXT NOT NULL,
            tag_key TEXT NOT NULL,
            tag_value TEXT NOT NULL,
            namespace TEXT NOT NULL,
            PRIMARY KEY(metric, tag_key, tag_value, namespace)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS metrics(
            name TEXT NOT NULL,
            namespace TEXT NOT NULL,
            types INTEGER NOT NULL,
            PRIMARY KEY(name, namespace)) WITHOUT ROWID;
        """

    // MARK: Writer side (inside the writer's transactions)

    /// The id and value kinds of `key`, if it is stored.
    static func find(_ db: Database, _ key: SeriesKey, tagText: String) throws -> SeriesIDCache.Entry? {
        let s = try db.cachedStatement(sql: "SELECT id, types FROM series WHERE metric = ? AND namespace = ? AND tags = ?")
        guard let row = try Row.fetchOne(s, arguments: [key.metric, key.namespace, tagText]) else { return nil }
        return SeriesIDCache.Entry(id: row[0], types: ValueTypes(rawValue: row[1]))
    }

    /// The `tag_values` and `metrics` rows one transaction has written already: a batch of new
    /// series of one metric (one host each, a few regions) writes each row once, not per series.
    struct Written {
        struct TagValue: Hashable {
            var metric, key, value, namespace: String
        }
        struct Metric: Hashable {
            var name, namespace: String
        }
        var tagValues: Set<TagValue> = []
        var metrics: [Metric: ValueTypes] = [:]
    }

    /// Stores a new series and its index rows; returns its id.
    static func create(_ db: Database, _ key: SeriesKey, tagText: String, types: ValueTypes, written: inout Written) throws -> Int64 {
        try db.cachedStatement(sql: "INSERT INTO series(metric, tags, namespace, types) VALUES (?, ?, ?, ?)")
            .execute(arguments: [key.metric, tagText, key.namespace, types.rawValue])
        let id = db.lastInsertedRowID
        let posting = try db.cachedStatement(sql: "INSERT INTO series_tags(metric, tag_key, tag_value, series_id) VALUES (?, ?, ?, ?)")
        let value = try db.cachedStatement(sql: "INSERT OR IGNORE INTO tag_values(metric, tag_key, tag_value, namespace) VALUES (?, ?, ?, ?)")
        for t in key.tags {
            try posting.execute(arguments: [key.metric, t.key, t.value, id])
            if written.tagValues.insert(.init(metric: key.metric, key: t.key, value: t.value, namespace: key.namespace)).inserted {
                try value.execute(arguments: [key.metric, t.key, t.value, key.namespace])
            }
        }
        let metric = Written.Metric(name: key.metric, namespace: key.namespace)
        if !(written.metrics[metric]?.isSuperset(of: types) ?? false) {
            try db.cachedStatement(sql: """
                INSERT INTO metrics(name, namespace, types) VALUES (?, ?, ?)
                ON CONFLICT(name, namespace) DO UPDATE SET types = types | excluded.types
                """).execute(arguments: [key.metric, key.namespace, types.rawValue])
            written.metrics[metric, default: []].formUnion(types)
        }
        return id
    }

    /// Records that series `id` now also holds values of `types`.
    static func addTypes(_ db: Database, id: Int64, _ key: SeriesKey, _ types: ValueTypes) throws {
        try db.cachedStatement(sql: "UPDATE series SET types = types | ? WHERE id = ?").execute(arguments: [types.rawValue, id])
        try db.cachedStatement(sql: "UPDATE metrics SET types = types | ? WHERE name = ? AND namespace = ?")
            .execute(arguments: [types.rawValue, key.metric, key.namespace])
    }

    /// Removes series `entry` and the index rows only it needed.
    static func remove(_ db: Database, _ entry: SeriesEntry) throws {
        let key = entry.key
        try db.cachedStatement(sql: "DELETE FROM series WHERE id = ?").execute(arguments: [entry.id])
        let posting = try db.cachedStatement(sql: "DELETE FROM series_tags WHERE metric = ? AND tag_key = ? AND tag_value = ? AND series_id = ?")
        let value = try db.cachedStatement(sql: """
            DELETE FROM tag_values WHERE metric = ?1 AND tag_key = ?2 AND tag_value = ?3 AND namespace = ?4
            AND NOT EXISTS (SELECT 1 FROM series_tags t JOIN series s ON s.id = t.series_id
                            WHERE t.metric = ?1 AND t.tag_key = ?2 AND t.tag_value = ?3 AND s.namespace = ?4)
            """)
        for t in key.tags {
            try posting.execute(arguments: [key.metric, t.key, t.value, entry.id])
            try value.execute(arguments: [key.metric, t.key, t.value, key.namespace])
        }
        try db.cachedStatement(sql: """
            DELETE FROM metrics WHERE name = ?1 AND namespace = ?2
            AND NOT EXISTS (SELECT 1 FROM series WHERE metric = ?1 AND namespace = ?2)
            """).execute(arguments: [key.metric, key.namespace])
    }

    // MARK: Reader side

    /// The series of `metric` (in `namespace`, or in all) matching `filter`, by id.
    static func series(_ db: Database, metric: String, filter: TagFilter, namespace: String?) throws -> [SeriesEntry] {
        if filter.isEmpty {
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT id, tags, namespace, types FROM series WHERE metric = ? ORDER BY id"), arguments: [metric])
            var out: [SeriesEntry] = []
            while let row = try rows.next() {
                let ns: String = row[2]
                if let namespace, ns != namespace { continue }
                out.append(SeriesEntry(id: row[0], key: SeriesKey(metric: metric, sortedTags: TagText.decode(row[1]), namespace: ns),
                                       types: ValueTypes(rawValue: row[3])))
            }
            return out
        }
        // One id set per filtered tag (the union of its values' posting lists), intersected.
        var sets: [Set<Int64>] = []
        for (tag, patterns) in filter.tags {
            var ids = Set<Int64>()
            var equal: [String] = []
            var matching = false
            for p in patterns {
                if case .equals(let v) = p { equal.append(v) } else { matching = true }
            }
            if matching {
                // A regex reads the tag's values (not its series), then the postings of those that match.
                for v in try values(db, metric: metric, key: tag, namespace: nil) where patterns.contains(where: { $0.matches(v) }) {
                    equal.append(v)
                }
            }
            let posting = try db.cachedStatement(sql: "SELECT series_id FROM series_tags WHERE metric = ? AND tag_key = ? AND tag_value = ?")
            for v in Set(equal) {
                let rows = try Int64.fetchCursor(posting, arguments: [metric, tag, v])
                while let id = try rows.next() { ids.insert(id) }
            }
            if ids.isEmpty { return [] }
            sets.append(ids)
        }
        sets.sort { $0.count < $1.count }
        var result = sets[0]
        for s in sets.dropFirst() {
            result.formIntersection(s)
            if result.isEmpty { return [] }
        }
        let fetch = try db.cachedStatement(sql: "SELECT tags, namespace, types FROM series WHERE id = ?")
        var out: [SeriesEntry] = []
        out.reserveCapacity(result.count)
        for id in result.sorted() {
            guard let row = try Row.fetchOne(fetch, arguments: [id]) else { continue }
            let ns: String = row[1]
            if let namespace, ns != namespace { continue }
            out.append(SeriesEntry(id: id, key: SeriesKey(metric: metric, sortedTags: TagText.decode(row[0]), namespace: ns),
                                   types: ValueTypes(rawValue: row[2])))
        }
        return out
    }

    /// The tag keys of `metric`, sorted: one index seek per key, however many values each has.
    static func keys(_ db: Database, metric: String, namespace: String?) throws -> [String] {
        let first = try db.cachedStatement(sql: "SELECT tag_key FROM tag_values WHERE metric = ? ORDER BY tag_key LIMIT 1")
        let next = try db.cachedStatement(sql: "SELECT tag_key FROM tag_values WHERE metric = ? AND tag_key > ? ORDER BY tag_key LIMIT 1")
        let inNamespace = try db.cachedStatement(sql: "SELECT 1 FROM tag_values WHERE metric = ? AND tag_key = ? AND namespace = ? LIMIT 1")
        var out: [String] = []
        var key = try String.fetchOne(first, arguments: [metric])
        // Bounded by the number of keys: each step moves strictly forward in the index.
        while let k = key {
            if let namespace, try Int.fetchOne(inNamespace, arguments: [metric, k, namespace]) == nil {
            } else {
                out.append(k)
            }
            key = try String.fetchOne(next, arguments: [metric, k])
        }
        return out
    }

    /// The values of tag `key` of `metric`, sorted and unique.
    static func values(_ db: Database, metric: String, key: String, namespace: String?) throws -> [String] {
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT tag_value, namespace FROM tag_values WHERE metric = ? AND tag_key = ? ORDER BY tag_value"),
            arguments: [metric, key])
        var out: [String] = []
        while let row = try rows.next() {
            let value: String = row[0]
            if let namespace, row[1] != namespace { continue }
            if out.last != value { out.append(value) }
        }
        return out
    }

    /// Metrics (of `namespace`, or all) whose name starts with `prefix`, by name then namespace.
    static func metrics(_ db: Database, namespace: String?, prefix: String) throws -> [MetricInfo] {
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT name, namespace, types FROM metrics WHERE name >= ? ORDER BY name, namespace"), arguments: [prefix])
        var out: [MetricInfo] = []
        while let row = try rows.next() {
            let name: String = row[0]
            guard name.utf8.starts(with: prefix.utf8) else { break }
            let ns: String = row[1]
            if let namespace, ns != namespace { continue }
            out.append(MetricInfo(name: name, namespace: ns, types: ValueTypes(rawValue: row[2])))
        }
        return out
    }
}
