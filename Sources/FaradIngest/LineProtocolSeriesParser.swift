import FaradCore

/// Parses a line-protocol body straight into series writes for the store (``PointSeries``'s
/// mapping), without building a ``Point`` per line.
///
/// The first line of each series goes through ``LineProtocolParser`` (which validates it and
/// names errors as InfluxDB does) and its series text is remembered; later lines whose series
/// text is byte-for-byte known, with plain numbers, booleans and timestamps, take a fast path
/// that only reads the values. Anything unusual (escapes, string fields, odd numbers) falls back
/// to the full parser, so both paths accept and reject exactly the same lines.
public struct LineProtocolSeriesParser {
    public let parser: LineProtocolParser
    public let namespace: String
    /// Series texts seen before, shared across requests (collectors send each series once per
    /// batch, so a per-request memory would rarely help).
    public let cache: SeriesTextCache

    public init(parser: LineProtocolParser, namespace: String, cache: SeriesTextCache = SeriesTextCache()) {
        self.parser = parser
        self.namespace = namespace
        self.cache = cache
    }

    /// The writes, the number of points (lines) accepted, and the errors of refused lines.
    public func parse(_ body: [UInt8]) -> (writes: [SeriesWrite], points: Int, errors: [LineProtocolError]) {
        var state = State()
        state.seed = cache.seed(namespace)
        state.fields.reserveCapacity(8)
        state.targets.reserveCapacity(8)
        var points = 0
        var errors: [LineProtocolError] = []
        body.withUnsafeBufferPointer { all in
            var start = 0
            var lineNumber = 0
            while start < all.count {
                lineNumber += 1
                var end = start
                while end < all.count && all[end] != 0x0A { end += 1 }
                var lineEnd = end
                if lineEnd > start && all[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeBufferPointer(rebasing: all[start..<lineEnd])
                if fastLine(line, &state) {
                    points += 1
                } else {
                    do throws(LineProtocolError) {
                        if let p = try parser.parseLine(line, lineNumber: lineNumber) {
                            slowLine(p, line, &state)
                            points += 1
                        }
                    } catch {
                        errors.append(error)
                    }
                }
                start = end + 1
            }
        }
        return (state.writes, points, errors)
    }

    // MARK: - State

    private struct State {
        var writes: [SeriesWrite] = []
        var index: [SeriesKey: Int] = [:]
        /// Cache slot → index in `writes`.
        var slots: [Int: Int] = [:]
        /// The namespace's hash seed, and scratch reused from line to line.
        var seed: UInt64 = 0
        var fields: [(key: Int, keyEnd: Int, value: MetricValue)] = []
        var targets: [Int] = []

        mutating func write(for key: SeriesKey, slot: Int?) -> Int {
            if let slot, let w = slots[slot] { return w }
            let w: Int
            if let known = index[key] {
                w = known
            } else {
                w = writes.count
                index[key] = w
                writes.append(SeriesWrite(key: key))
            }
            if let slot { slots[slot] = w }
            return w
        }
    }

    // MARK: - Fast path

    /// Lines with more fields than this take the full parser.
    static let fastFieldLimit = 64

    private static let pow10: [Double] = (0...22).map { var p = 1.0; for _ in 0..<$0 { p *= 10 }; return p }

    private func fastLine(_ line: UnsafeBufferPointer<UInt8>, _ state: inout State) -> Bool {
        guard !line.isEmpty, line[0] != 0x20, line[0] != 0x09, line[0] != UInt8(ascii: "#") else { return false }
        // The series text ends at the first space; escapes send the line to the full parser.
        var i = 0
        while i < line.count {
            let b = line[i]
            if b == 0x20 { break }
            if b == UInt8(ascii: "\\") || b == UInt8(ascii: "\"") { return false }
            i += 1
        }
        let seriesEnd = i
        guard seriesEnd > 0, seriesEnd < line.count else { return false }
        let seriesHash = Self.hash(line, 0, seriesEnd, seed: state.seed)
        i += 1
        // Fields: key=value[,key=value…], then an optional timestamp.
        var fieldStarts = state.fields
        fieldStarts.removeAll(keepingCapacity: true)
        defer { state.fields = fieldStarts }
        while true {
            let keyStart = i
            while i < line.count, line[i] != UInt8(ascii: "="), line[i] != UInt8(ascii: ","), line[i] != 0x20 {
                if line[i] == UInt8(ascii: "\\") || line[i] == UInt8(ascii: "\"") { return false }
                i += 1
            }
            guard i > keyStart, i < line.count, line[i] == UInt8(ascii: "=") else { return false }
            let keyEnd = i
            i += 1
            let valueStart = i
            while i < line.count, line[i] != UInt8(ascii: ","), line[i] != 0x20 { i += 1 }
            guard let value = Self.value(line, valueStart, i) else { return false }
            // A repeated key (the later value wins) and long lines are left to the full parser
            // (whose duplicate check is linear; this scan is not).
            guard fieldStarts.count < Self.fastFieldLimit else { return false }
            for f in fieldStarts where f.keyEnd - f.key == keyEnd - keyStart {
                var same = true
                for k in 0..<(keyEnd - keyStart) where line[f.key + k] != line[keyStart + k] { same = false; break }
                if same { return false }
            }
            fieldStarts.append((keyStart, keyEnd, value))
            if i < line.count, line[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            break
        }
        var time = parser.defaultTime
        if i < line.count {
            i += 1  // the space
            var negative = false
            if i < line.count, line[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            let digitsStart = i
            var raw: Int64 = 0
            while i < line.count, line[i] >= UInt8(ascii: "0"), line[i] <= UInt8(ascii: "9") {
                let (m, o1) = raw.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(line[i] - UInt8(ascii: "0")))
                if o1 || o2 { return false }
                raw = s
                i += 1
            }
            guard i == line.count, i > digitsStart else { return false }
            let (scaled, overflow) = (negative ? -raw : raw).multipliedReportingOverflow(by: parser.precision.nanoseconds)
            guard !overflow, scaled >= LineProtocolParser.minTime, scaled <= LineProtocolParser.maxTime else { return false }
            time = scaled
        }
        // Every field's series must be known already; otherwise the full parser handles the line.
        var targets = state.targets
        targets.removeAll(keepingCapacity: true)
        defer { state.targets = targets }
        for f in fieldStarts {
            let h = Self.hash(line, f.key, f.keyEnd, seed: seriesHash ^ 0x9E37_79B9_7F4A_7C15)
            guard let (slot, key) = cache.lookup(h, namespace: namespace, line: line, seriesEnd: seriesEnd, field: f.key..<f.keyEnd) else {
                return false
            }
            targets.append(state.write(for: key, slot: slot))
        }
        let ms = PointSeries.milliseconds(time)
        for (k, f) in fieldStarts.enumerated() {
            state.writes[targets[k]].append(ms, f.value)
        }
        return true
    }

    private func slowLine(_ point: Point, _ line: UnsafeBufferPointer<UInt8>, _ state: inout State) {
        let tags = point.tags.map { SeriesKey.Tag($0.key, $0.value) }
        let ms = PointSeries.milliseconds(point.time)
        let plain = !line.contains(UInt8(ascii: "\\"))
        var seriesEnd = 0
        while seriesEnd < line.count, line[seriesEnd] != 0x20 { seriesEnd += 1 }
        let seriesHash = Self.hash(line, 0, seriesEnd, seed: state.seed)
        for (field, value) in point.fields {
            let key = SeriesKey(
                metric: PointSeries.metric(measurement: point.measurement, field: field), sortedTags: tags, namespace: namespace,
                origin: PointSeries.origin(measurement: point.measurement, value: value))
            let write = state.write(for: key, slot: nil)
            state.writes[write].append(ms, PointSeries.metricValue(value))
            if plain {
                let fieldBytes = Array(field.utf8)
                let h = fieldBytes.withUnsafeBufferPointer { Self.hash($0, 0, $0.count, seed: seriesHash ^ 0x9E37_79B9_7F4A_7C15) }
                cache.insert(h, namespace: namespace, series: Array(line[0..<seriesEnd]), field: fieldBytes, key: key)
            }
        }
    }

    // MARK: - Helpers

    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, seed: UInt64) -> UInt64 {
        var h = seed
        for i in start..<end {
            h ^= UInt64(b[i])
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    @inline(__always)
    static func equal(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard a.count == end - start else { return false }
        for k in 0..<a.count where a[k] != b[start + k] { return false }
        return true
    }

    /// Plain numbers and booleans; `nil` sends the line to the full parser.
    private static func value(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> MetricValue? {
        guard end > start else { return nil }
        let first = b[start]
        if first == UInt8(ascii: "t") || first == UInt8(ascii: "T") || first == UInt8(ascii: "f") || first == UInt8(ascii: "F") {
            let word = String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
            switch word {
            case "t", "T", "true", "True", "TRUE": return .string("true")
            case "f", "F", "false", "False", "FALSE": return .string("false")
            default: return nil
            }
        }
        var i = start
        var negative = false
        if b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var mantissa: Int64 = 0
        var digits = 0
        while i < end, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
            mantissa = mantissa &* 10 &+ Int64(b[i] - UInt8(ascii: "0"))
            digits += 1
            i += 1
        }
        guard digits > 0, digits <= 15 else { return nil }
        if i == end - 1, b[i] == UInt8(ascii: "i") {
            return .long(negative ? -mantissa : mantissa)
        }
        if i == end {
            // Negated as a double, so "-0" keeps its sign (-0.0), as the full parser reads it.
            let v = Double(mantissa)
            return .double(negative ? -v : v)
        }
        guard b[i] == UInt8(ascii: ".") else { return nil }
        i += 1
        var fraction = 0
        while i < end, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
            mantissa = mantissa &* 10 &+ Int64(b[i] - UInt8(ascii: "0"))
            fraction += 1
            digits += 1
            i += 1
        }
        // Both operands exact, so the IEEE division is correctly rounded.
        guard i == end, fraction > 0, digits <= 15 else { return nil }
        let v = Double(mantissa) / pow10[fraction]
        return .double(negative ? -v : v)
    }
}
