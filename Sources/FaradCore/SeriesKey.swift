/// One series in the store: a metric name, its tags (sorted by key) and a namespace.
///
/// KairosDB writes use the empty namespace. Line-protocol writes use `db/rp`, so that the same
/// measurement written to two databases stays two series; KairosDB queries read every namespace.
public struct SeriesKey: Sendable, Hashable {
    public let metric: String
    /// Tags sorted by key, keys unique.
    public let tags: [Tag]
    public let namespace: String
    /// How a line-protocol point named the series, when one did (see ``FieldOrigin``). Not part
    /// of the key's identity: two keys of one metric, tags and namespace are one series.
    public var origin: FieldOrigin?
    /// A 64-bit FNV-1a digest of the key, computed once: dictionaries keyed by series (the
    /// store's catalog, group commit, the parsers) hash this instead of every string again.
    private let fingerprint: UInt64

    public struct Tag: Sendable, Hashable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Sorts `tags` by key; a repeated key keeps its last value.
    public init(metric: String, tags: [Tag], namespace: String = "", origin: FieldOrigin? = nil) {
        var sorted = tags
        sorted.sort { $0.key < $1.key }
        var unique: [Tag] = []
        unique.reserveCapacity(sorted.count)
        for t in sorted {
            if let last = unique.last, last.key == t.key { unique[unique.count - 1] = t } else { unique.append(t) }
        }
        self.init(metric: metric, sortedTags: unique, namespace: namespace, origin: origin)
    }

    /// `tags` must already be sorted by key with unique keys.
    public init(metric: String, sortedTags: [Tag], namespace: String = "", origin: FieldOrigin? = nil) {
        self.metric = metric
        self.origin = origin
        self.tags = sortedTags
        self.namespace = namespace
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
            h ^= 0xFF  // a separator no UTF-8 byte sequence ends with
            h = h &* 0x100_0000_01b3
        }
        mix(metric)
        mix(namespace)
        for t in sortedTags {
            mix(t.key)
            mix(t.value)
        }
        fingerprint = h
    }

    public static func == (a: SeriesKey, b: SeriesKey) -> Bool {
        a.fingerprint == b.fingerprint && a.metric == b.metric && a.namespace == b.namespace && a.tags == b.tags
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fingerprint)
    }

    public func tag(_ key: String) -> String? {
        tags.first(where: { $0.key == key })?.value
    }
}

/// How a line-protocol field became a series: the metric `<measurement>.<field>` splits after
/// `measurementLength` UTF-8 bytes (a measurement may hold dots itself), and `isBoolean` says its
/// `"true"`/`"false"` strings were booleans. InfluxQL reads a series back as the measurement's
/// typed field through it.
public struct FieldOrigin: Sendable, Hashable {
    public var measurementLength: Int
    public var isBoolean: Bool

    public init(measurementLength: Int, isBoolean: Bool = false) {
        self.measurementLength = measurementLength
        self.isBoolean = isBoolean
    }

    /// The measurement and field of `metric`; `nil` when the length does not split it after a dot.
    public func split(_ metric: String) -> (measurement: String, field: String)? {
        let bytes = metric.utf8
        guard measurementLength >= 0, measurementLength < bytes.count else { return nil }
        let dot = bytes.index(bytes.startIndex, offsetBy: measurementLength)
        guard bytes[dot] == UInt8(ascii: "."),
              let m = String(bytes[..<dot]), let f = String(bytes[bytes.index(after: dot)...]) else { return nil }
        return (m, f)
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
