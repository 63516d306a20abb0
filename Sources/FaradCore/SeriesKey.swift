/// One series in the store: a metric name, its tags (sorted by key) and a namespace.
///
/// KairosDB writes use the empty namespace. Line-protocol writes use `db/rp`, so that the same
/// measurement written to two databases stays two series; KairosDB queries read every namespace.
public struct SeriesKey: Sendable, Hashable {
    public var metric: String
    /// Tags sorted by key, keys unique.
    public private(set) var tags: [Tag]
    public var namespace: String

    public struct Tag: Sendable, Hashable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Sorts `tags` by key; a repeated key keeps its last value.
    public init(metric: String, tags: [Tag], namespace: String = "") {
        self.metric = metric
        self.namespace = namespace
        var sorted = tags
        sorted.sort { $0.key < $1.key }
        var unique: [Tag] = []
        unique.reserveCapacity(sorted.count)
        for t in sorted {
            if let last = unique.last, last.key == t.key { unique[unique.count - 1] = t } else { unique.append(t) }
        }
        self.tags = unique
    }

    /// `tags` must already be sorted by key with unique keys.
    public init(metric: String, sortedTags: [Tag], namespace: String = "") {
        self.metric = metric
        self.tags = sortedTags
        self.namespace = namespace
    }

    public func tag(_ key: String) -> String? {
        tags.first(where: { $0.key == key })?.value
    }
}

/// Points of one series to append, with their time to live.
public struct SeriesWrite: Sendable {
    public var key: SeriesKey
    /// Seconds to keep the points; 0 keeps them forever.
    public var ttl: Int64
    /// Milliseconds since the epoch, in arrival order (not necessarily sorted).
    public var times: [Int64]
    public var values: [MetricValue]

    public init(key: SeriesKey, ttl: Int64 = 0, times: [Int64] = [], values: [MetricValue] = []) {
        self.key = key
        self.ttl = ttl
        self.times = times
        self.values = values
    }

    public mutating func append(_ time: Int64, _ value: MetricValue) {
        times.append(time)
        values.append(value)
    }

    public var count: Int { times.count }
}
