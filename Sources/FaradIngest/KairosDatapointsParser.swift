import FaradCore

/// Parses the body of KairosDB's `POST /api/v1/datapoints` with KairosDB 1.3's rules and texts.
///
/// The body is one metric object or an array of them; each may carry a single point
/// (`timestamp`/`time` + `value`), a `datapoints` list of `[ts, value]` / `[ts, value, "type"]`,
/// or both. Values without a `type` are typed by their text: a number without a `.` is a long,
/// with a `.` a double; a numeric string likewise; anything else is a string.
///
/// Like KairosDB the parse is not atomic: a bad metric drops only that metric, a bad element of
/// `datapoints` only that point, and everything parsed before a syntax error is kept.
public struct KairosDatapointsParser: Sendable {
    /// The outcome of one body.
    public struct Result: Sendable {
        /// What to store (also when there are errors).
        public var writes: [SeriesWrite] = []
        /// Validation errors, KairosDB's texts (answer 400 when not empty).
        public var errors: [String] = []
        /// An error KairosDB answers with 500 (parsing stopped there; earlier metrics are kept).
        public var internalError: String?
        public var pointCount: Int { writes.reduce(0) { $0 + $1.count } }
    }

    /// The longest TTL, in seconds (KairosDB's is a Java `int`; the store adds it, in
    /// milliseconds, to the current time).
    public static let maxTTL = Int64(Int32.max)

    /// Whether the `complex` type is registered (stock KairosDB does not register it).
    public var acceptsComplex: Bool

    public init(acceptsComplex: Bool = false) {
        self.acceptsComplex = acceptsComplex
    }

    public func parse(_ body: [UInt8]) -> Result {
        var result = Result()
        var reader = JSONReader(body)
        do throws(JSONError) {
            switch try reader.peek() {
            case .end:
                result.errors.append("Invalid json. No content due to end of input.")
            case .objectStart:
                try parseMetric(&reader, index: 0, into: &result)
                if !reader.atEnd() { throw reader.error("unexpected data after the document") }
            case .arrayStart:
                try reader.beginArray()
                var index = 0
                while try reader.hasNextElement() {
                    guard try reader.peek() == .objectStart else {
                        throw reader.error("expected a metric object")
                    }
                    try parseMetric(&reader, index: index, into: &result)
                    if result.internalError != nil { return result }
                    index += 1
                }
                if !reader.atEnd() { throw reader.error("unexpected data after the document") }
            default:
                result.errors.append("Invalid start of json.")
            }
        } catch {
            if error.atEnd {
                result.errors.append("Invalid json. No content due to end of input.")
            } else {
                result.errors.append("Malformed JSON: \(error)")
            }
        }
        return result
    }

    // MARK: - One metric object

    /// A value as read, before typing (typing needs `type`, which may come later in the object).
    enum RawValue {
        case integer(Int64)  // a plain integer, read without allocating
        case number(String)
        case string(String)
        case bool(Bool)
        case null
        case tree(JSONValue)
    }

    private struct RawPoint {
        /// Why the timestamp is unusable: a 400 text, or KairosDB's 500 (parsing stops).
        enum TimeError {
            case invalid(String)
            case serverError(String)
        }

        var time: Int64?
        var timeError: TimeError?
        var value: RawValue?
        var type: String?
    }

    private func parseMetric(_ reader: inout JSONReader, index: Int, into result: inout Result) throws(JSONError) {
        var name: String?
        var tags: [SeriesKey.Tag]?
        var tagsError: String?
        var timestamp: RawValue?
        var timestampFatal: String?
        var value: RawValue?
        var points: [RawPoint] = []
        var type: String?
        var ttl: Int64 = 0
        var skipValidate = false

        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "name":
                switch try reader.peek() {
                case .string: name = try reader.readString()
                case .null: try reader.readNull()
                default:
                    name = jsonText(try reader.readValue())
                }
            case "tags":
                if try reader.peek() == .objectStart {
                    try reader.beginObject()
                    var list: [SeriesKey.Tag] = []
                    while let tagName = try reader.nextKey() {
                        let v = try reader.readValue()
                        switch v {
                        case .string(let s): list.append(.init(tagName, s))
                        case .null: list.append(.init(tagName, ""))
                        default: list.append(.init(tagName, jsonText(v)))
                        }
                    }
                    tags = list
                } else if try reader.peek() == .null {
                    try reader.readNull()
                } else {
                    _ = try reader.readValue()
                    tagsError = "tags must be an object"
                }
            case "timestamp", "time":
                let raw = try readRaw(&reader)
                if case .null = raw { timestamp = nil; continue }
                timestamp = raw
                if toLong(raw, fractionAllowed: false) == nil {
                    timestampFatal = "java.lang.NumberFormatException: Expected a long but was \(rawText(raw))"
                }
            case "value":
                value = try readRaw(&reader)
            case "datapoints":
                if try reader.peek() == .null { try reader.readNull(); continue }
                try reader.beginArray()
                while try reader.hasNextElement() {
                    points.append(try readPoint(&reader))
                }
            case "type":
                if try reader.peek() == .null { try reader.readNull() } else { type = jsonText(try reader.readValue()) }
            case "ttl":
                // Past Int64 (or not a number) reads as the largest, which is refused below.
                let v = try reader.readValue()
                ttl = v.int64Value ?? (v.doubleValue.map { $0 > 0 ? .max : 0 } ?? 0)
            case "skip_validate":
                skipValidate = try reader.readValue().boolValue ?? false
            default:
                try reader.skipValue()
            }
        }

        if let timestampFatal {
            // Gson fails while binding the metric: KairosDB answers 400 with the exception text.
            result.errors.append(timestampFatal)
            return
        }
        var context = "metric[\(index)]"
        if !skipValidate {
            guard let metricName = name else {
                result.errors.append("\(context).name may not be null.")
                return
            }
            guard !metricName.isEmpty else {
                result.errors.append("\(context).name may not be empty.")
                return
            }
        }
        // Names are stored as given, so a NUL (which SQLite would cut at) is refused, with or
        // without skip_validate.
        if let name, name.utf8.contains(0) {
            result.errors.append("\(context).name may not contain a NUL character.")
            return
        }
        context += "(name=\(name ?? ""))"
        var metricErrors: [String] = []
        for tag in tags ?? [] where tag.key.utf8.contains(0) || tag.value.utf8.contains(0) {
            let part = tag.key.utf8.contains(0) ? "name" : "value"
            metricErrors.append("\(context).tag[\(tag.key)].\(part) may not contain a NUL character.")
        }
        if ttl > Self.maxTTL {
            metricErrors.append("\(context).ttl must be less than or equal to \(Self.maxTTL).")
        }
        if !skipValidate {
            if let tagsError { metricErrors.append("\(context).\(tagsError)") }
            let list = tags ?? []
            if list.isEmpty && tagsError == nil {
                metricErrors.append("\(context).tags count must be greater than or equal to 1.")
            }
            for (i, tag) in list.enumerated() {
                if tag.key.isEmpty {
                    metricErrors.append("\(context).tag[\(i)].name may not be empty.")
                } else if tag.value.isEmpty {
                    metricErrors.append("\(context).tag[\(tag.key)].value may not be empty.")
                }
            }
        }
        if let type, !isRegistered(type) {
            metricErrors.append("Unregistered data point type '\(type)'")
        }
        var single: (Int64, MetricValue)?
        if metricErrors.isEmpty && (timestamp != nil || value != nil) {
            if let value, timestamp == nil {
                if isEmptyValue(value) {
                    metricErrors.append("\(context).value may not be empty.")
                } else {
                    metricErrors.append("\(context).timestamp may not be null.")
                }
            } else if let timestamp, value == nil {
                _ = timestamp
                metricErrors.append("\(context).value may not be null.")
            } else if let timestamp, let value {
                if isEmptyValue(value) && !(type == "string" && isEmptyString(value)) {
                    metricErrors.append("\(context).value may not be empty.")
                } else {
                    switch typed(value, type: type) {
                    case .success(let v): single = (toLong(timestamp, fractionAllowed: false) ?? 0, v)
                    case .failure(let failure):
                        if failure.isInternal {
                            result.internalError = failure.message
                            return
                        }
                        metricErrors.append("\(context) \(failure.message)")
                    }
                }
            }
        }
        if !metricErrors.isEmpty {
            result.errors.append(contentsOf: metricErrors)
            return
        }

        var write = SeriesWrite(key: SeriesKey(metric: name ?? "", tags: tags ?? []), ttl: max(ttl, 0))
        write.times.reserveCapacity(points.count + 1)
        write.values.reserveCapacity(points.count + 1)
        if let single { write.append(single.0, single.1) }
        for (i, p) in points.enumerated() {
            // Built only for an error: this loop runs once per stored point.
            func pc() -> String { "\(context).datapoints[\(i)]" }
            switch p.timeError {
            case .serverError(let message)?:
                result.writes.append(write)
                result.internalError = message
                return
            case .invalid(let text)?:
                result.errors.append("\(pc()).\(text)")
                continue
            case nil: break
            }
            guard let time = p.time else {
                result.errors.append("\(pc()).timestamp cannot be null or empty.")
                continue
            }
            guard let raw = p.value else {
                result.errors.append("\(pc()).value cannot be null or empty.")
                continue
            }
            let pointType = p.type ?? type
            if let pointType, !isRegistered(pointType) {
                result.errors.append("Unregistered data point type '\(pointType)'")
                continue
            }
            if isEmptyValue(raw) && !(pointType == "string" && isEmptyString(raw)) {
                result.errors.append("\(pc()).value may not be empty.")
                continue
            }
            switch typed(raw, type: pointType) {
            case .success(let v): write.append(time, v)
            case .failure(let failure):
                if failure.isInternal {
                    result.writes.append(write)
                    result.internalError = failure.message
                    return
                }
                result.errors.append("\(context) \(failure.message)")
            }
        }
        if write.count > 0 { result.writes.append(write) }
    }

    private func readPoint(_ reader: inout JSONReader) throws(JSONError) -> RawPoint {
        var point = RawPoint()
        guard try reader.peek() == .arrayStart else {
            _ = try reader.readValue()
            point.timeError = .invalid("timestamp cannot be null or empty.")
            return point
        }
        try reader.beginArray()
        var position = 0
        while try reader.hasNextElement() {
            switch position {
            case 0:
                let raw = try readRaw(&reader)
                switch raw {
                case .null: point.timeError = .invalid("timestamp may not be null.")
                default:
                    if let t = toLong(raw, fractionAllowed: true) {
                        point.time = t
                    } else {
                        point.timeError = .serverError("java.lang.NumberFormatException: For input string: \"\(rawText(raw))\"")
                    }
                }
            case 1: point.value = try readRaw(&reader)
            case 2:
                let v = try reader.readValue()
                if case .null = v {} else { point.type = jsonText(v) }
            default: try reader.skipValue()
            }
            position += 1
        }
        return point
    }

    private func readRaw(_ reader: inout JSONReader) throws(JSONError) -> RawValue {
        switch try reader.peek() {
        case .number:
            if let v = reader.readPlainInteger() { return .integer(v) }
            return .number(try reader.readNumberText())
        case .word: return .number(try reader.readNumberText())
        case .string: return .string(try reader.readString())
        case .true, .false: return .bool(try reader.readBool())
        case .null:
            try reader.readNull()
            return .null
        default: return .tree(try reader.readValue())
        }
    }

    // MARK: - Typing

    private struct TypingFailure: Error {
        var message: String
        var isInternal: Bool
    }

    private func isRegistered(_ type: String) -> Bool {
        type == "long" || type == "double" || type == "string" || (acceptsComplex && type == "complex")
    }

    private func isEmptyValue(_ v: RawValue) -> Bool {
        switch v {
        case .null: true
        case .string(let s): s.isEmpty
        default: false
        }
    }

    private func isEmptyString(_ v: RawValue) -> Bool {
        if case .string(let s) = v { return s.isEmpty }
        return false
    }

    private func typed(_ raw: RawValue, type: String?) -> Swift.Result<MetricValue, TypingFailure> {
        switch type {
        case nil:
            switch raw {
            case .integer(let v): return .success(.long(v))
            case .number(let text):
                return .success(Self.numericText(text, exponentAllowed: true) ?? .string(text))
            case .string(let s): return .success(Self.numericText(s, exponentAllowed: false) ?? .string(s))
            case .bool(let b): return .success(.string(b ? "true" : "false"))
            case .null: return .failure(TypingFailure(message: "value may not be empty.", isInternal: false))
            case .tree: return .failure(TypingFailure(message: "value is an invalid type", isInternal: false))
            }
        case "string":
            return .success(.string(rawText(raw)))
        case "long":
            if let v = toLong(raw, fractionAllowed: true) { return .success(.long(v)) }
            if case .tree = raw { return .failure(TypingFailure(message: "value is an invalid type", isInternal: false)) }
            return .failure(TypingFailure(message: "java.lang.NumberFormatException: For input string: \"\(rawText(raw))\"", isInternal: true))
        case "double":
            switch raw {
            case .integer(let v): return .success(.double(Double(v)))
            case .number(let t), .string(let t):
                if let d = Self.javaDouble(t) { return .success(.double(d)) }
            default: break
            }
            if case .tree = raw { return .failure(TypingFailure(message: "value is an invalid type", isInternal: false)) }
            return .failure(TypingFailure(message: "java.lang.NumberFormatException: For input string: \"\(rawText(raw))\"", isInternal: true))
        case "complex":
            if case .tree(let tree) = raw, let r = tree["real"]?.doubleValue, let i = tree["imaginary"]?.doubleValue {
                return .success(.complex(real: r, imaginary: i))
            }
            return .failure(TypingFailure(message: "value is an invalid type", isInternal: false))
        default:
            return .failure(TypingFailure(message: "Unregistered data point type '\(type ?? "")'", isInternal: false))
        }
    }

    /// KairosDB's rule for numeric text: digits with an optional leading sign or `.` and at most
    /// one more `.` (JSON numbers may also carry an exponent). No `.` → long, else double.
    static func numericText(_ text: String, exponentAllowed: Bool) -> MetricValue? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var dots = 0
        var digits = 0
        var exponent = false
        for (i, b) in bytes.enumerated() {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                if i != 0 && !(exponent && (bytes[i - 1] == UInt8(ascii: "e") || bytes[i - 1] == UInt8(ascii: "E"))) { return nil }
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                // JSON numbers may have an exponent; numeric strings may not.
                if !exponentAllowed || exponent || digits == 0 || !JSONReader.isValidNumberOrWord(text) { return nil }
                exponent = true
            default: return nil
            }
        }
        guard digits > 0, dots <= 2 else { return nil }
        if dots == 0 {
            return .long(Self.wrappingLong(text))
        }
        guard let d = Double(text) else { return nil }
        return .double(d)
    }

    /// The long of an integer text (possibly with an exponent), wrapping on overflow like Java's
    /// `BigDecimal.longValue()`; a negative exponent truncates toward zero.
    static func wrappingLong(_ text: String) -> Int64 {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let f = bytes.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
            negative = f == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var mantissa: [UInt8] = []
        var exp = 0
        var inExp = false
        var expNegative = false
        for b in bytes {
            if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { inExp = true; continue }
            if inExp {
                if b == UInt8(ascii: "-") { expNegative = true; continue }
                if b == UInt8(ascii: "+") { continue }
                exp = min(exp * 10 + Int(b - UInt8(ascii: "0")), 10_000)
            } else {
                mantissa.append(b - UInt8(ascii: "0"))
            }
        }
        if expNegative {
            mantissa.removeLast(min(exp, mantissa.count))
        } else {
            mantissa.append(contentsOf: repeatElement(0, count: min(exp, 400)))
        }
        var v: UInt64 = 0
        for d in mantissa { v = v &* 10 &+ UInt64(d) }
        let signed = Int64(bitPattern: v)
        return negative ? 0 &- signed : signed
    }

    /// Java's `Double.parseDouble`: also `NaN`, `Infinity` and `-Infinity`.
    static func javaDouble(_ text: String) -> Double? {
        switch text {
        case "Infinity", "+Infinity": .infinity
        case "-Infinity": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    private func toLong(_ raw: RawValue, fractionAllowed: Bool) -> Int64? {
        switch raw {
        case .integer(let v): return v
        case .number(let t), .string(let t):
            if let v = Int64(t) { return v }
            guard fractionAllowed || !t.contains(".") else { return nil }
            if let d = Double(t), d.isFinite { return Int64(exactly: d.rounded(.towardZero)) ?? (d < 0 ? .min : .max) }
            return nil
        default: return nil
        }
    }

    private func rawText(_ raw: RawValue) -> String {
        switch raw {
        case .integer(let v): String(v)
        case .number(let t), .string(let t): t
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .tree(let tree): jsonText(tree)
        }
    }

    private func jsonText(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .number(let t): return t
        default: return JSONWriter.text(of: value)
        }
    }
}
