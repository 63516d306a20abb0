import FaradCore

/// Parses InfluxDB 1.x line protocol:
/// `measurement[,tag=value…] field=value[,field=value…] [timestamp]`.
///
/// Rules: `,` and space are escaped with `\` in measurements; `,`, `=` and space in tag keys,
/// tag values and field keys; string field values are double-quoted with `\"` and `\\` escapes;
/// integers end in `i`; booleans are `t`, `T`, `true`, `True`, `TRUE` and the `f` forms; other
/// numbers are floats. Blank lines and lines starting with `#` are skipped. A point without a
/// timestamp gets `defaultTime`.
public struct LineProtocolParser: Sendable {
    public var precision: Precision
    /// The time of points written without a timestamp, in nanoseconds.
    public var defaultTime: Int64
    /// The most fields one line may have (InfluxDB has no bound; a line over it is refused with
    /// `too many fields`). Default 65,535.
    public var maxFieldsPerLine = 65_535
    /// The most tags one line may have; default 65,535.
    public var maxTagsPerLine = 65_535

    /// The earliest time InfluxDB accepts, in nanoseconds (`models.MinNanoTime`).
    public static let minTime: Int64 = .min + 2
    /// The latest time InfluxDB accepts, in nanoseconds (`models.MaxNanoTime`).
    public static let maxTime: Int64 = .max - 1
    /// InfluxDB's text for a time outside ``minTime``…``maxTime``.
    static let timeOutsideRange = "time outside range \(minTime) - \(maxTime)"

    public init(precision: Precision = .nanoseconds, defaultTime: Int64) {
        self.precision = precision
        self.defaultTime = defaultTime
    }

    /// Parses a whole body. Stops at the first bad line unless `collectErrors`, in which case
    /// good lines are returned with every bad line's error (InfluxDB stores the good ones).
    public func parse(_ body: [UInt8]) -> (points: [Point], errors: [LineProtocolError]) {
        var points: [Point] = []
        var errors: [LineProtocolError] = []
        var start = 0
        var lineNumber = 0
        body.withUnsafeBufferPointer { all in
            while start < all.count {
                lineNumber += 1
                var end = start
                while end < all.count && all[end] != 0x0A { end += 1 }
                var lineEnd = end
                if lineEnd > start && all[lineEnd - 1] == 0x0D { lineEnd -= 1 }  // CRLF
                let line = UnsafeBufferPointer(rebasing: all[start..<lineEnd])
                do throws(LineProtocolError) {
                    if let p = try parseLine(line, lineNumber: lineNumber) { points.append(p) }
                } catch {
                    errors.append(error)
                }
                start = end + 1
            }
        }
        return (points, errors)
    }

    /// Parses one line (without its newline); `nil` for a blank or comment line.
    public func parseLine(_ text: String, lineNumber: Int = 1) throws(LineProtocolError) -> Point? {
        var text = text
        var result: Result<Point?, LineProtocolError> = .success(nil)
        text.withUTF8 { buffer in
            do throws(LineProtocolError) {
                result = .success(try parseLine(buffer, lineNumber: lineNumber))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    func parseLine(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) throws(LineProtocolError) -> Point? {
        var i = 0
        while i < line.count && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        if i == line.count || line[i] == UInt8(ascii: "#") { return nil }
        var cursor = Cursor(bytes: line, index: i, lineNumber: lineNumber)
        // Names are stored as bytes: a line that is not UTF-8 is refused, never mangled, and a
        // NUL byte (which SQLite would cut a name at) is refused in every name.
        let hasNUL = try Self.checkBytes(line, &cursor)

        let measurement = try cursor.name(stopAt: [0x2C, 0x20], escapable: [0x2C, 0x20], hasNUL: hasNUL, what: "measurement")
        guard !measurement.isEmpty else { throw cursor.error("missing measurement") }

        var tags: [(key: String, value: String)] = []
        while cursor.peek == 0x2C {  // ','
            cursor.index += 1
            guard tags.count < maxTagsPerLine else { throw cursor.error("too many tags (more than \(maxTagsPerLine))") }
            let key = try cursor.name(stopAt: [0x3D, 0x2C, 0x20], escapable: [0x2C, 0x3D, 0x20], hasNUL: hasNUL, what: "tag key")
            guard !key.isEmpty else { throw cursor.error("missing tag key") }
            guard cursor.peek == 0x3D else { throw cursor.error("missing tag value") }
            cursor.index += 1
            let value = try cursor.name(stopAt: [0x2C, 0x20], escapable: [0x2C, 0x3D, 0x20], hasNUL: hasNUL, what: "tag value")
            guard !value.isEmpty else { throw cursor.error("missing tag value") }
            tags.append((key, value))
        }
        guard cursor.peek == 0x20 else { throw cursor.error("missing fields") }
        cursor.skipSpaces()
        guard !cursor.atEnd else { throw cursor.error("missing fields") }

        var fields: [(key: String, value: FieldValue)] = []
        // Where each key is, once there are enough fields that a scan per field would be slow:
        // the duplicate check stays linear in the line.
        var index: [String: Int] = [:]
        var pairs = 0
        repeat {
            if pairs > 0 { cursor.index += 1 }  // the ',' between fields
            pairs += 1
            guard pairs <= maxFieldsPerLine else { throw cursor.error("too many fields (more than \(maxFieldsPerLine))") }
            let key = try cursor.name(stopAt: [0x3D, 0x2C, 0x20], escapable: [0x2C, 0x3D, 0x20], hasNUL: hasNUL, what: "field key")
            guard !key.isEmpty else { throw cursor.error("missing field key") }
            guard cursor.peek == 0x3D else { throw cursor.error("missing field value") }
            cursor.index += 1
            let value = try cursor.fieldValue()
            let existing: Int?
            if fields.count < Self.scanLimit {
                existing = fields.firstIndex { $0.key == key }
                if existing == nil && fields.count + 1 == Self.scanLimit {
                    for (k, f) in fields.enumerated() { index[f.key] = k }
                    index[key] = fields.count
                }
            } else {
                existing = index[key]
                if existing == nil { index[key] = fields.count }
            }
            if let existing {
                fields[existing].value = value  // a later value for the same key wins
            } else {
                fields.append((key, value))
            }
        } while cursor.peek == 0x2C

        var time = defaultTime
        if cursor.peek == 0x20 {
            cursor.skipSpaces()
            if !cursor.atEnd {
                let timeStart = cursor.index
                let raw = try cursor.integer()
                let (scaled, overflow) = raw.multipliedReportingOverflow(by: precision.nanoseconds)
                guard !overflow, scaled >= Self.minTime, scaled <= Self.maxTime else {
                    cursor.index = timeStart
                    throw cursor.error(Self.timeOutsideRange)
                }
                time = scaled
                cursor.skipSpaces()
            }
        }
        guard cursor.atEnd else { throw cursor.error("invalid field format") }

        tags.sort { $0.key < $1.key }
        var unique: [(key: String, value: String)] = []
        unique.reserveCapacity(tags.count)
        for t in tags {
            if let last = unique.last, last.key == t.key { unique[unique.count - 1] = t } else { unique.append(t) }
        }
        return Point(measurement: measurement, sortedTags: unique, fields: fields, time: time)
    }

    /// Fields up to this many are checked for a repeated key by a scan; more, by a table.
    static let scanLimit = 16

    /// Refuses a line that is not UTF-8; tells whether it has a NUL byte (names are checked
    /// for one as they are read).
    private static func checkBytes(_ line: UnsafeBufferPointer<UInt8>, _ cursor: inout Cursor) throws(LineProtocolError) -> Bool {
        var hasNUL = false
        var ascii = true
        for b in line {
            if b == 0 { hasNUL = true }
            if b >= 0x80 { ascii = false }
        }
        if ascii { return hasNUL }
        var decoder = UTF8()
        var iterator = line.makeIterator()
        var position = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): position += UTF8.width(scalar)
            case .emptyInput: return hasNUL
            case .error:
                cursor.index = position
                throw cursor.error("invalid UTF-8")
            }
        }
    }
}

/// A position in one line.
private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    let lineNumber: Int

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func error(_ reason: String) -> LineProtocolError {
        LineProtocolError(
            line: String(decoding: bytes, as: UTF8.self), lineNumber: lineNumber, column: index + 1, reason: reason)
    }

    mutating func skipSpaces() {
        while index < bytes.count && bytes[index] == 0x20 { index += 1 }
    }

    /// Reads up to an unescaped byte in `stopAt`; `\` before a byte in `escapable` is dropped.
    mutating func token(stopAt: [UInt8], escapable: [UInt8]) -> String {
        let start = index
        var escaped = false
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x5C, index + 1 < bytes.count, escapable.contains(bytes[index + 1]) {
                escaped = true
                index += 2
                continue
            }
            if stopAt.contains(b) { break }
            index += 1
        }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var j = 0
        while j < raw.count {
            if raw[j] == 0x5C, j + 1 < raw.count, escapable.contains(raw[j + 1]) { j += 1 }
            out.append(raw[j])
            j += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A measurement, tag key, tag value or field key: refused if it holds a NUL byte.
    mutating func name(stopAt: [UInt8], escapable: [UInt8], hasNUL: Bool, what: String) throws(LineProtocolError) -> String {
        let start = index
        let text = token(stopAt: stopAt, escapable: escapable)
        if hasNUL, let nul = bytes[start..<index].firstIndex(of: 0) {
            index = nul
            throw error("invalid NUL byte in \(what)")
        }
        return text
    }

    mutating func fieldValue() throws(LineProtocolError) -> FieldValue {
        guard let first = peek, first != 0x2C, first != 0x20 else { throw error("missing field value") }
        if first == 0x22 {  // '"'
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let b = bytes[index]
                if b == 0x5C, index + 1 < bytes.count, bytes[index + 1] == 0x22 || bytes[index + 1] == 0x5C {
                    out.append(bytes[index + 1])
                    index += 2
                    continue
                }
                if b == 0x22 {
                    index += 1
                    return .string(String(decoding: out, as: UTF8.self))
                }
                out.append(b)
                index += 1
            }
            throw error("unbalanced quotes")
        }
        let start = index
        while index < bytes.count && bytes[index] != 0x2C && bytes[index] != 0x20 { index += 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        switch text {
        case "t", "T", "true", "True", "TRUE": return .bool(true)
        case "f", "F", "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let last = text.last, last == "i" || last == "u" {
            guard let v = Int64(text.dropLast()) else {
                index = start
                throw error(last == "u" ? "invalid unsigned integer (or out of range)" : "invalid integer (or out of range)")
            }
            return .int(v)
        }
        guard let first = text.first, first.isNumber || first == "-" || first == "+" || first == ".",
              let v = Double(text), v.isFinite else {
            index = start
            throw error(text.first == "'" ? "invalid field format: strings need double quotes" : "invalid number")
        }
        return .double(v)
    }

    mutating func integer() throws(LineProtocolError) -> Int64 {
        let start = index
        while index < bytes.count && bytes[index] != 0x20 { index += 1 }
        guard index > start, let v = Int64(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) else {
            index = start
            throw error("bad timestamp")
        }
        return v
    }
}
