import FaradCore
import FaradStore

/// A KairosDB query body (`/api/v1/datapoints/query`, `/query/tags`, `/datapoints/delete`).
public struct QueryRequest: Sendable {
    /// The latest (and, negated, the earliest) time a query may name or reach, in milliseconds:
    /// ±100,000,000 days (ECMAScript's date range, about 273,790 years either side of 1970).
    /// Every time and duration of a query is checked against it when parsed, so the bucket and
    /// calendar arithmetic after it cannot overflow.
    public static let timeBound: Int64 = 8_640_000_000_000_000

    public var start: Int64
    public var end: Int64
    /// Milliseconds east of UTC of `time_zone`, for bucket alignment and calendar units.
    public var zoneOffset: Int64 = 0
    public var metrics: [MetricQuery]
}

/// One entry of `metrics`.
public struct MetricQuery: Sendable {
    public var name: String
    public var tags: TagFilter
    public var groupBy: [Grouper] = []
    public var aggregators: [Aggregator] = []
    public var limit: Int?
    public var descending = false
    public var excludeTags = false
    public var alias: String?
}

/// How a metric's points are grouped.
public enum Grouper: Sendable {
    case tag([String])
    case time(range: RelativeTime, count: Int64)
    case value(rangeSize: Int64)
    case bin([Double])
}

/// A query that does not validate: KairosDB's error texts, answered with 400.
public struct QueryError: Error, Sendable, Equatable {
    public var errors: [String]
    public init(_ errors: [String]) { self.errors = errors }
}

extension QueryRequest {
    /// Parses and validates a query body.
    /// - Parameters:
    ///   - now: milliseconds since the epoch, for relative times and the default end.
    ///   - limits: the bounds on buckets and groups (``QueryLimits``).
    /// - Throws: ``QueryError`` with KairosDB's texts, and for a time, duration or bucket count
    ///   out of bounds a text in KairosDB's style naming the property.
    public static func parse(_ body: [UInt8], now: Int64, limits: QueryLimits = QueryLimits()) throws(QueryError) -> QueryRequest {
        guard !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            throw QueryError(["query json must not be null or empty"])
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw QueryError(["Malformed JSON: \(error)"])
        }
        return try parse(json, now: now, limits: limits)
    }

    /// Validates a parsed query body (see ``parse(_:now:limits:)-(_,_,_)``).
    public static func parse(_ json: JSONValue, now: Int64, limits: QueryLimits = QueryLimits()) throws(QueryError) -> QueryRequest {
        var errors: [String] = []
        var offset: Int64 = 0
        if let zone = json["time_zone"]?.stringValue {
            if let o = ZoneOffsets.offset(of: zone, at: now) {
                offset = o
            } else {
                throw QueryError(["query.\(zone) is not a valid time zone"])
            }
        }
        guard now >= -timeBound, now <= timeBound else { throw QueryError(["query: the clock is outside the supported time range"]) }
        var start: Int64?
        if let abs = json["start_absolute"], abs != .null {
            start = abs.int64Value
            if let t = start { try checkTime(t, "query.start_absolute") }
        } else if let rel = json["start_relative"], rel != .null {
            // Calendar arithmetic backwards from now (a month ago is the same day last month).
            start = try relativeTime(rel, context: "query.start_relative").map { $0.add(-1, to: now, offset: offset) }
            if let t = start { try checkTime(t, "query.start_relative") }
        }
        guard let start else {
            throw QueryError(["query.metric[0].start_time relative or absolute time must be set"])
        }
        var end = now
        if let abs = json["end_absolute"], abs != .null, let v = abs.int64Value {
            try checkTime(v, "query.end_absolute")
            end = v
        } else if let rel = json["end_relative"], rel != .null, let r = try relativeTime(rel, context: "query.end_relative") {
            end = r.add(-1, to: now, offset: offset)
            try checkTime(end, "query.end_relative")
        }
        if end < start {
            throw QueryError(["query.metric[0].end_time must be greater than the start time"])
        }
        guard let metricsJSON = json["metrics"]?.arrayValue, !metricsJSON.isEmpty else {
            throw QueryError(["query.metric[] must have a size of at least 1"])
        }
        var metrics: [MetricQuery] = []
        for (i, m) in metricsJSON.enumerated() {
            do throws(QueryError) {
                metrics.append(try metricQuery(m, context: "query.metric[\(i)]", limits: limits))
            } catch {
                errors.append(contentsOf: error.errors)
            }
        }
        if !errors.isEmpty { throw QueryError(errors) }
        let request = QueryRequest(start: start, end: end, zoneOffset: offset, metrics: metrics)
        try limits.check(request, now: now)
        return request
    }

    /// Refuses a time outside ±``timeBound``.
    static func checkTime(_ t: Int64, _ context: String) throws(QueryError) {
        guard t >= -timeBound, t <= timeBound else {
            throw QueryError(["\(context) must be between \(-timeBound) and \(timeBound) milliseconds (it is \(t))"])
        }
    }

    /// A `{value, unit}` object. The value must be at least `minimum` (KairosDB's `@Min(1)`) and
    /// at most ``timeBound`` milliseconds long.
    static func relativeTime(_ json: JSONValue, context: String, minimum: Int64 = 1) throws(QueryError) -> RelativeTime? {
        guard let value = json["value"]?.int64Value, value >= minimum else {
            throw QueryError(["\(context).value must be greater than or equal to \(minimum)"])
        }
        let unitName = json["unit"]?.stringValue ?? ""
        guard let unit = TimeUnit(name: unitName) else {
            throw QueryError(["\(context).\(unitName) is not a valid time unit, must be one of \(TimeUnit.validNames)"])
        }
        let most = timeBound / unit.milliseconds
        guard value <= most else {
            throw QueryError(["\(context).value must be less than or equal to \(most) for \(unit.rawValue.uppercased()) (it is \(value))"])
        }
        return RelativeTime(value: value, unit: unit)
    }

    static func metricQuery(_ json: JSONValue, context: String, limits: QueryLimits) throws(QueryError) -> MetricQuery {
        guard let nameValue = json["name"], nameValue != .null else { throw QueryError(["\(context).name may not be null"]) }
        guard let name = nameValue.stringValue, !name.isEmpty else { throw QueryError(["\(context).name may not be empty"]) }
        guard !name.utf8.contains(0) else { throw QueryError(["\(context).name may not contain a NUL character"]) }
        var query = MetricQuery(name: name, tags: TagFilter())
        if let tags = json["tags"]?.objectValue {
            var filter: [(key: String, patterns: [TagFilter.Pattern])] = []
            for (i, (tag, values)) in tags.enumerated() {
                guard !tag.isEmpty else { throw QueryError(["\(context).tags[\(i)] name must not be empty"]) }
                let list: [JSONValue] = values.arrayValue ?? [values]
                var patterns: [TagFilter.Pattern] = []
                for v in list {
                    guard let s = v.stringValue ?? (v == .null ? nil : JSONWriter.text(of: v)), !s.isEmpty else {
                        throw QueryError(["\(context).tags[\(i)].\(tag) value must not be null or empty"])
                    }
                    if s.hasPrefix("regex:") {
                        do throws(RegexError) {
                            patterns.append(.regex(try LinearRegex(String(s.dropFirst(6)))))
                        } catch {
                            throw QueryError(["\(context).tags[\(i)].\(tag) invalid regex: \(s.dropFirst(6)): \(error.message) at column \(error.offset + 1)"])
                        }
                    } else {
                        patterns.append(.equals(s))
                    }
                }
                filter.append((tag, patterns))
            }
            query.tags = TagFilter(filter)
        }
        if let limit = json["limit"], limit != .null { query.limit = limit.int64Value.map { Int(max(0, $0)) } }
        if let order = json["order"]?.stringValue {
            switch order.lowercased() {
            case "asc": query.descending = false
            case "desc": query.descending = true
            default: throw QueryError(["\(context).order must be either 'asc' or 'desc'"])
            }
        }
        query.excludeTags = json["exclude_tags"]?.boolValue ?? false
        query.alias = json["alias"]?.stringValue
        for (i, g) in (json["group_by"]?.arrayValue ?? []).enumerated() {
            query.groupBy.append(try grouper(g, context: "\(context).group_by[\(i)]", limits: limits))
        }
        for (i, a) in (json["aggregators"]?.arrayValue ?? []).enumerated() {
            query.aggregators.append(try aggregator(a, context: "\(context).aggregators[\(i)]"))
        }
        return query
    }

    static func grouper(_ json: JSONValue, context: String, limits: QueryLimits) throws(QueryError) -> Grouper {
        guard let name = json["name"]?.stringValue, !name.isEmpty else { throw QueryError(["\(context) must have a name"]) }
        switch name {
        case "tag":
            let tags = (json["tags"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard !tags.isEmpty else { throw QueryError(["\(context).tags may not be empty"]) }
            return .tag(tags)
        case "time":
            guard let rangeJSON = json["range_size"], let range = try relativeTime(rangeJSON, context: "\(context).range_size") else {
                throw QueryError(["\(context).rangeSize may not be null"])
            }
            let count = json["group_count"]?.int64Value ?? 0
            guard count >= 1 else { throw QueryError(["\(context).groupCount must be greater than or equal to 1"]) }
            guard count <= limits.maxBuckets else {
                throw QueryError(["\(context).groupCount must be less than or equal to \(limits.maxBuckets) (it is \(count))"])
            }
            return .time(range: range, count: count)
        case "value":
            let size = json["range_size"]?.int64Value ?? 0
            guard size >= 1 else { throw QueryError(["\(context).rangeSize must be greater than or equal to 1"]) }
            return .value(rangeSize: size)
        case "bin":
            let bins = (json["bins"]?.arrayValue ?? []).compactMap(\.doubleValue)
            guard !bins.isEmpty else { throw QueryError(["\(context).bins may not be empty"]) }
            return .bin(bins)
        default:
            throw QueryError(["\(context).\(name) invalid group_by name"])
        }
    }

    static func aggregator(_ json: JSONValue, context: String) throws(QueryError) -> Aggregator {
        guard let name = json["name"]?.stringValue, !name.isEmpty else { throw QueryError(["\(context) must have a name"]) }
        guard let kind = Aggregator.Kind(rawValue: name) else { throw QueryError(["\(context).\(name) invalid aggregators name"]) }
        var a = Aggregator(kind: kind)
        let allowed = Aggregator.properties(of: kind)
        for (key, _) in json.objectValue ?? [] where !allowed.contains(key) {
            throw QueryError(["Property '\(key)' was specified for object '\(name)' but no matching setter was found on '\(Aggregator.javaClass(of: kind))'"])
        }
        if let s = json["sampling"], s != .null {
            guard let value = s["value"]?.int64Value, value >= 0 else {
                throw QueryError(["\(context).sampling.value must be greater than or equal to 0"])
            }
            let unitName = s["unit"]?.stringValue ?? "milliseconds"
            guard let unit = TimeUnit(name: unitName) else {
                throw QueryError(["\(context).\(unitName) is not a valid time unit, must be one of \(TimeUnit.validNames)"])
            }
            let most = timeBound / unit.milliseconds
            guard value <= most else {
                throw QueryError(["\(context).sampling.value must be less than or equal to \(most) for \(unit.rawValue.uppercased()) (it is \(value))"])
            }
            a.sampling = RelativeTime(value: max(value, 1), unit: unit)
            a.rateUnit = unit
        }
        if let u = json["unit"]?.stringValue {
            guard let unit = TimeUnit(name: u) else {
                throw QueryError(["\(context).\(u) is not a valid time unit, must be one of \(TimeUnit.validNames)"])
            }
            a.rateUnit = unit
        }
        a.alignSampling = json["align_sampling"]?.boolValue ?? true
        a.alignStartTime = json["align_start_time"]?.boolValue ?? false
        a.alignEndTime = json["align_end_time"]?.boolValue ?? false
        if let r = json["return_type"]?.stringValue { a.returnType = r }
        if let c = json["dev_count"]?.doubleValue { a.devCount = c }
        if kind == .percentile {
            a.percentile = json["percentile"]?.doubleValue ?? 0
            guard a.percentile != 0 else { throw QueryError(["\(context).percentile may not be zero"]) }
            guard a.percentile.isFinite else { throw QueryError(["\(context).percentile must be a finite number"]) }
        }
        if kind == .div {
            a.divisor = json["divisor"]?.doubleValue ?? 0
            guard a.divisor != 0 else { throw QueryError(["\(context).m_divisor may not be zero"]) }
        }
        if let f = json["factor"]?.doubleValue { a.factor = f }
        if let s = json["size"]?.int64Value { a.size = Int(max(1, s)) }
        if let op = json["filter_op"]?.stringValue {
            a.filterOp = op.lowercased()
            guard ["lte", "lt", "gte", "gt", "equal", "ne"].contains(a.filterOp) else {
                throw QueryError(["\(context).filter_op must be one of lte,lt,gte,gt,equal,ne"])
            }
        }
        if let t = json["threshold"] { a.threshold = t }
        if let t = json["trim"]?.stringValue {
            a.trim = t.lowercased()
            if kind == .trim && !["first", "last", "both"].contains(a.trim) {
                throw QueryError(["\(context).trim must be one of first,last,both"])
            }
        }
        if kind == .saveAs {
            guard let metric = json["metric_name"]?.stringValue, !metric.isEmpty else {
                throw QueryError(["\(context).metric_name may not be empty"])
            }
            guard !metric.utf8.contains(0) else { throw QueryError(["\(context).metric_name may not contain a NUL character"]) }
            let tags = (json["tags"]?.objectValue ?? []).compactMap { k, v in v.stringValue.map { SeriesKey.Tag(k, $0) } }
            for tag in tags where tag.key.utf8.contains(0) || tag.value.utf8.contains(0) {
                throw QueryError(["\(context).tags[\(tag.key)] may not contain a NUL character"])
            }
            // The store adds the TTL, in milliseconds, to the current time: KairosDB's is an int.
            let ttl = json["ttl"]?.int64Value ?? 0
            guard ttl <= Int64(Int32.max) else {
                throw QueryError(["\(context).ttl must be less than or equal to \(Int32.max) (it is \(ttl))"])
            }
            a.saveAs = .init(metricName: metric, tags: tags, ttl: max(0, ttl),
                             addSavedFrom: json["add_saved_from"]?.boolValue ?? true)
        }
        return a
    }
}
