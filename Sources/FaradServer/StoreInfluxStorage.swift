import FaradCore
import FaradInfluxQL
import FaradIngest
import FaradStore

/// InfluxQL's view of Farad's store: a database is every namespace `<db>/<rp>` (plus those made
/// by `CREATE DATABASE`, kept as documents), a measurement's fields are its metrics
/// `<measurement>.<field>`, split where the line-protocol point split them (``FieldOrigin``;
/// a series written before origins were kept splits at its first dot), and a field column is one
/// series, read through the store's index and chunks.
///
/// The store keeps milliseconds: a nanosecond bound reads the milliseconds inside it.
public struct StoreInfluxStorage: InfluxStorage {
    public let store: FaradStore

    /// InfluxQL over `store`.
    public init(store: FaradStore) {
        self.store = store
    }

    /// Documents of this kind name the databases `CREATE DATABASE` made.
    static let databaseKind = "influx-database"
    static let defaultPolicy = "autogen"

    private func storage<T>(_ body: () throws(StoreError) -> T) throws(InfluxQLQueryError) -> T {
        do {
            return try body()
        } catch {
            throw InfluxQLQueryError(.storage, error.message)
        }
    }

    private static func namespace(of ref: InfluxMeasurementRef) -> String {
        PointSeries.namespace(database: ref.database, retentionPolicy: ref.retentionPolicy)
    }

    /// The measurement and field of a line-protocol metric.
    static func split(_ info: MetricInfo) -> (measurement: String, field: String)? {
        if let origin = info.origin, let parts = origin.split(info.name) { return parts }
        guard let dot = info.name.firstIndex(of: ".") else { return nil }
        return (String(info.name[..<dot]), String(info.name[info.name.index(after: dot)...]))
    }

    private func namespaces() throws(InfluxQLQueryError) -> [(database: String, retentionPolicy: String)] {
        var seen = Set<String>()
        var out: [(String, String)] = []
        for m in try storage({ () throws(StoreError) in try store.metrics() }) where seen.insert(m.namespace).inserted {
            if let parts = PointSeries.split(namespace: m.namespace) { out.append(parts) }
        }
        return out
    }

    private func createdDatabases() throws(InfluxQLQueryError) -> [String] {
        try storage { () throws(StoreError) in try store.documents(kind: Self.databaseKind).map(\.id) }
    }

    public func databases() throws(InfluxQLQueryError) -> [String] {
        var names = Set(try createdDatabases())
        for n in try namespaces() { names.insert(n.database) }
        return names.sorted()
    }

    public func retentionPolicies(database: String) throws(InfluxQLQueryError) -> [InfluxRetentionPolicy]? {
        let policies = Set(try namespaces().filter { $0.database == database }.map(\.retentionPolicy))
        if policies.isEmpty {
            guard try createdDatabases().contains(database) else { return nil }
        }
        var out = [InfluxRetentionPolicy(name: Self.defaultPolicy, isDefault: true)]
        for p in policies.sorted() where p != Self.defaultPolicy { out.append(InfluxRetentionPolicy(name: p, isDefault: false)) }
        return out
    }

    private func metrics(database: String, policy: String?, prefix: String = "") throws(InfluxQLQueryError) -> [MetricInfo] {
        if let policy {
            let ns = PointSeries.namespace(database: database, retentionPolicy: policy)
            return try storage { () throws(StoreError) in try store.metrics(namespace: ns, prefix: prefix) }
        }
        return try storage { () throws(StoreError) in try store.metrics(prefix: prefix) }.filter {
            PointSeries.split(namespace: $0.namespace)?.database == database
        }
    }

    public func measurements(database: String, retentionPolicy: String?) throws(InfluxQLQueryError) -> [String] {
        var names = Set<String>()
        for m in try metrics(database: database, policy: retentionPolicy) {
            if let parts = Self.split(m) { names.insert(parts.measurement) }
        }
        return names.sorted()
    }

    /// The field metrics of a measurement: field name → metric.
    private func fieldMetrics(_ ref: InfluxMeasurementRef) throws(InfluxQLQueryError) -> [(field: String, info: MetricInfo)] {
        try metrics(database: ref.database, policy: ref.retentionPolicy, prefix: ref.name + ".").compactMap { info in
            guard let parts = Self.split(info), parts.measurement == ref.name else { return nil }
            return (parts.field, info)
        }
    }

    public func fields(of measurement: InfluxMeasurementRef) throws(InfluxQLQueryError) -> [(name: String, type: InfluxFieldType)] {
        try fieldMetrics(measurement).map { f in
            let t = f.info.types
            let type: InfluxFieldType =
                t.contains(.double) ? .float
                : t.contains(.long) ? .integer
                : f.info.origin?.isBoolean == true ? .boolean : .string
            return (f.field, type)
        }.sorted { $0.name < $1.name }
    }

    public func series(of measurement: InfluxMeasurementRef, tagsEqual: [(key: String, value: String)]) throws(InfluxQLQueryError) -> [InfluxSeries] {
        let ns = Self.namespace(of: measurement)
        let filter = TagFilter(tagsEqual.map { (key: $0.key, patterns: [TagFilter.Pattern.equals($0.value)]) })
        var byTags: [[SeriesKey.Tag]: Int] = [:]
        var out: [InfluxSeries] = []
        for f in try fieldMetrics(measurement) {
            let entries = try storage { () throws(StoreError) in try store.findSeries(metric: f.info.name, filter: filter, namespace: ns) }
            for e in entries {
                if let i = byTags[e.key.tags] {
                    out[i].fields[f.field] = e.id
                } else {
                    byTags[e.key.tags] = out.count
                    out.append(InfluxSeries(tags: e.key.tags.map { ($0.key, $0.value) }, fields: [f.field: e.id]))
                }
            }
        }
        return out
    }

    public func read(_ handles: [Int64], of measurement: InfluxMeasurementRef, start: Int64, end: Int64) throws(InfluxQLQueryError) -> [InfluxColumn] {
        // Milliseconds within [start, end] ns: the first at or after start, the last at or before end.
        let (startQ, startR) = start.quotientAndRemainder(dividingBy: 1_000_000)
        let first = startR > 0 ? startQ + 1 : startQ
        let last = PointSeries.milliseconds(end)
        var columns = [InfluxColumn](repeating: InfluxColumn(), count: handles.count)
        guard first <= last else { return columns }
        let entries = store.series(ids: handles)
        var present: [SeriesEntry] = []
        var slots: [Int64: [Int]] = [:]
        for (i, e) in entries.enumerated() {
            guard let e else { continue }
            if slots[e.id] == nil { present.append(e) }
            slots[e.id, default: []].append(i)
        }
        let data = try storage { () throws(StoreError) in try store.read(series: present, start: first, end: last) }
        for d in data {
            let column = Self.column(d)
            for slot in slots[d.series.id] ?? [] { columns[slot] = column }
        }
        return columns
    }

    private static func column(_ d: SeriesData) -> InfluxColumn {
        let booleans = d.series.key.origin?.isBoolean == true
        var column = InfluxColumn()
        column.times.reserveCapacity(d.times.count)
        column.values.reserveCapacity(d.times.count)
        for (t, v) in zip(d.times, d.values) {
            // Stored milliseconds are within ±2^63 ns only inside years 1677–2262 (all line protocol allows).
            let (ns, overflow) = t.multipliedReportingOverflow(by: 1_000_000)
            guard !overflow else { continue }
            let value: InfluxQLValue
            switch v {
            case .double(let x): value = .float(x)
            case .long(let x): value = .integer(x)
            case .string(let s):
                if booleans && (s == "true" || s == "false") { value = .boolean(s == "true") } else { value = .string(s) }
            case .complex: continue
            }
            column.times.append(ns)
            column.values.append(value)
        }
        return column
    }

    public func tagKeys(of measurement: InfluxMeasurementRef) throws(InfluxQLQueryError) -> [String] {
        let ns = Self.namespace(of: measurement)
        var keys = Set<String>()
        for f in try fieldMetrics(measurement) {
            keys.formUnion(try storage { () throws(StoreError) in try store.tagKeys(metric: f.info.name, namespace: ns) })
        }
        return Array(keys)
    }

    public func tagValues(of measurement: InfluxMeasurementRef, key: String) throws(InfluxQLQueryError) -> [String] {
        let ns = Self.namespace(of: measurement)
        let metrics = try fieldMetrics(measurement)
        // One field's values are usually all of them: a set only when fields differ.
        if metrics.count == 1 {
            return try storage { () throws(StoreError) in try store.tagValues(metric: metrics[0].info.name, key: key, namespace: ns) }
        }
        var values = Set<String>()
        for f in metrics {
            values.formUnion(try storage { () throws(StoreError) in try store.tagValues(metric: f.info.name, key: key, namespace: ns) })
        }
        return Array(values)
    }

    public func createDatabase(_ database: String, retention: InfluxRetentionPolicy?) throws(InfluxQLQueryError) {
        try storage { () throws(StoreError) in try store.putDocument(kind: Self.databaseKind, id: database, body: []) }
    }

    public func dropDatabase(_ database: String) throws(InfluxQLQueryError) {
        try delete(metrics(database: database, policy: nil))
        _ = try storage { () throws(StoreError) in try store.deleteDocument(kind: Self.databaseKind, id: database) }
    }

    public func dropMeasurement(_ name: String, database: String) throws(InfluxQLQueryError) {
        try delete(metrics(database: database, policy: nil, prefix: name + ".").filter { Self.split($0)?.measurement == name })
    }

    private func delete(_ metrics: [MetricInfo]) throws(InfluxQLQueryError) {
        var series: [SeriesEntry] = []
        for m in metrics {
            series += try storage { () throws(StoreError) in try store.findSeries(metric: m.name, filter: TagFilter(), namespace: m.namespace) }
        }
        guard !series.isEmpty else { return }
        _ = try storage { () throws(StoreError) in try store.delete(series: series, start: Int64.min, end: Int64.max) }
    }
}
