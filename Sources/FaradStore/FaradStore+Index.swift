import FaradCore

/// Reads of the series index (held in memory, kept durable in the series file), for queries and
/// for InfluxQL's `SHOW` statements. They do not fail today; they are `throws` so that an index
/// on disk can report a read error without changing callers.
extension FaradStore {
    /// The series of `metric` that match `filter`, in the order they were created.
    ///
    /// A tag's values are OR'd (the union of their posting lists), tags are AND'ed (the lists
    /// intersected, smallest first); a `regex:` value is matched against the tag's values, not
    /// against every series. `namespace` limits the series to one (`<db>/<rp>` for line protocol);
    /// `nil` reads them all, as KairosDB queries do.
    ///
    /// ```swift
    /// let one = try store.findSeries(metric: "cpu.usage", filter: TagFilter([(key: "host", patterns: [.equals("a")])]))
    /// ```
    public func findSeries(metric: String, filter: TagFilter, namespace: String? = nil) throws(StoreError) -> [SeriesEntry] {
        index.series(metric: metric, filter: filter, namespace: namespace)
    }

    /// The tag keys of `metric`'s series (in `namespace`, or in all), sorted: `SHOW TAG KEYS`.
    public func tagKeys(metric: String, namespace: String? = nil) throws(StoreError) -> [String] {
        index.keys(metric: metric, namespace: namespace)
    }

    /// The values of tag `key` of `metric`'s series (in `namespace`, or in all), sorted and
    /// unique: `SHOW TAG VALUES WITH KEY = key`.
    public func tagValues(metric: String, key: String, namespace: String? = nil) throws(StoreError) -> [String] {
        index.values(metric: metric, key: key, namespace: namespace)
    }

    /// Metrics (of `namespace`, or of all) whose names start with `prefix`, sorted by name, with
    /// the kinds of value stored under each.
    ///
    /// For line protocol a metric is `<measurement>.<field>` in namespace `<db>/<rp>`, so
    /// `SHOW FIELD KEYS FROM cpu` is `metrics(namespace: "db/rp", prefix: "cpu.")` with the prefix
    /// cut off each name, and a field's type from ``MetricInfo/types``. (A measurement whose name
    /// continues with a dot, `cpu.x`, shares that prefix; the store does not know where a
    /// measurement name ends.)
    public func metrics(namespace: String? = nil, prefix: String = "") throws(StoreError) -> [MetricInfo] {
        index.metrics(namespace: namespace, prefix: prefix)
    }

    /// The series of `ids` (`nil` for an id no longer indexed), under one lookup.
    public func series(ids: [Int64]) -> [SeriesEntry?] {
        index.entries(ids)
    }
}
