import FaradCore

/// One step of a metric's aggregator pipeline, as KairosDB 1.3 defines it.
public struct Aggregator: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case avg, sum, min, max, count, dev, first, last, percentile
        case leastSquares = "least_squares"
        case gaps, rate, sampler, diff, div, scale, sma, filter, trim
        case saveAs = "save_as"
    }

    public var kind: Kind
    /// Range aggregators: the bucket width.
    public var sampling = RelativeTime(value: 1, unit: .milliseconds)
    public var alignSampling = true
    public var alignStartTime = false
    public var alignEndTime = false
    /// `dev`: `value`, `pos_sd` or `neg_sd`; `dev_count`.
    public var returnType = "value"
    public var devCount = 1.0
    public var percentile = 0.5
    /// `rate`/`sampler`: the unit per which the rate is expressed.
    public var rateUnit: TimeUnit = .milliseconds
    public var divisor = 1.0
    public var factor = 1.0
    public var size = 10
    public var filterOp = "equal"
    public var threshold: JSONValue = .number("0")
    public var trim = "both"
    public var saveAs: SaveAs?

    /// `save_as`: where to write the stream.
    public struct SaveAs: Sendable {
        public var metricName: String
        public var tags: [SeriesKey.Tag]
        public var ttl: Int64
        public var addSavedFrom: Bool
    }

    init(kind: Kind) {
        self.kind = kind
    }

    /// Whether the aggregator buckets by `sampling`.
    var isRange: Bool {
        switch kind {
        case .avg, .sum, .min, .max, .count, .dev, .first, .last, .percentile, .leastSquares, .gaps: true
        default: false
        }
    }

    /// Whether it only works on numbers (KairosDB skips it silently on other data).
    var needsNumbers: Bool {
        switch kind {
        case .count, .first, .last, .gaps, .filter, .trim, .saveAs: false
        default: true
        }
    }

    /// The properties each aggregator accepts (others are KairosDB's "no matching setter" error).
    static func properties(of kind: Kind) -> Set<String> {
        let range: Set<String> = ["name", "sampling", "align_sampling", "align_start_time", "align_end_time", "start_time", "time_zone", "trim"]
        switch kind {
        case .avg, .sum, .min, .max, .count, .first, .last, .leastSquares, .gaps: return range
        case .dev: return range.union(["return_type", "dev_count"])
        case .percentile: return range.union(["percentile"])
        case .rate, .sampler: return ["name", "sampling", "unit", "time_zone"]
        case .diff: return ["name"]
        case .div: return ["name", "divisor"]
        case .scale: return ["name", "factor"]
        case .sma: return ["name", "size"]
        case .filter: return ["name", "filter_op", "threshold"]
        case .trim: return ["name", "trim"]
        case .saveAs: return ["name", "metric_name", "tags", "ttl", "add_saved_from"]
        }
    }

    /// KairosDB's Java class, named in its unknown-property error.
    static func javaClass(of kind: Kind) -> String {
        let simple: String = switch kind {
        case .avg: "AvgAggregator"
        case .sum: "SumAggregator"
        case .min: "MinAggregator"
        case .max: "MaxAggregator"
        case .count: "CountAggregator"
        case .dev: "StdAggregator"
        case .first: "FirstAggregator"
        case .last: "LastAggregator"
        case .percentile: "PercentileAggregator"
        case .leastSquares: "LeastSquaresAggregator"
        case .gaps: "DataGapsMarkingAggregator"
        case .rate: "RateAggregator"
        case .sampler: "SamplerAggregator"
        case .diff: "DiffAggregator"
        case .div: "DivideAggregator"
        case .scale: "ScaleAggregator"
        case .sma: "SmaAggregator"
        case .filter: "FilterAggregator"
        case .trim: "TrimAggregator"
        case .saveAs: "SaveAsAggregator"
        }
        return "org.kairosdb.core.aggregator." + simple
    }
}
