import FaradCore
import FaradInfluxQL

/// A Kapacitor batch recording (`.brpl`): one JSON batch a line, `{"name", "tags", "byname",
/// "tmax", "points": [{"fields", "tags", "time"}]}`, as Kapacitor's tests and `kapacitor
/// record batch` write them. As Kapacitor's replay does, the first point of the file moves to
/// 1971-01-01T00:00:00Z and every other time keeps its distance to it; a batch's time is its
/// last point's (or its `tmax`, if later); batches without points are skipped. A batch's
/// tags are its group; numbers are floats.
public struct BatchRecording: Sendable {
    public private(set) var batches: [Batch] = []

    /// An error naming the line of the recording.
    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public let line: Int
        public let message: String
        public var description: String { "\(line): \(message)" }
    }

    /// The most batches and points one recording may hold.
    public static let maximumPoints = 10_000_000

    public init(brpl bytes: [UInt8]) throws(Error) {
        var shift: Int64?
        var points = 0
        for (line, text) in try Self.values(bytes) {
            let n = line - 1
            let json: JSONValue
            do { json = try JSONValue.parse(text) } catch { throw Error(line: n + 1, message: "not JSON: \(error)") }
            guard case .object = json else { throw Error(line: n + 1, message: "a batch must be a JSON object") }
            let name = json["name"]?.stringValue ?? ""
            let tags = Self.tags(json["tags"])
            let byName = json["byname"]?.boolValue ?? false
            var out: [Point] = []
            for p in json["points"]?.arrayValue ?? [] {
                guard let text = p["time"]?.stringValue, let t = InfluxQLTime.parse(text) else {
                    throw Error(line: n + 1, message: "a point needs an RFC 3339 \"time\"")
                }
                let offset = shift ?? ReplayRecording.srplEpoch.clampedSubtracting(t)
                shift = offset
                var fields: [(key: String, value: FieldValue)] = []
                for (key, value) in p["fields"]?.objectValue ?? [] {
                    switch value {
                    case .number(let x): if let d = Double(x) { fields.append((key, .double(d))) }
                    case .string(let s): fields.append((key, .string(s)))
                    case .bool(let b): fields.append((key, .bool(b)))
                    default: continue
                    }
                }
                fields.sort { $0.key < $1.key }
                let pointTags = p["tags"].map(Self.tags) ?? []
                out.append(Point(measurement: name, sortedTags: pointTags.isEmpty ? tags : pointTags, fields: fields, time: t.clampedAdding(offset)))
            }
            guard let last = out.last else { continue }
            points += out.count
            guard points <= Self.maximumPoints else { throw Error(line: n + 1, message: "more than \(Self.maximumPoints) points") }
            var tmax = last.time
            if let text = json["tmax"]?.stringValue, let t = InfluxQLTime.parse(text), let offset = shift { tmax = max(tmax, t.clampedAdding(offset)) }
            let dimensions = Dimensions(tagNames: tags.map(\.key), byName: byName)
            batches.append(Batch(name: name, group: GroupID(name: name, sortedTags: tags, dimensions), dimensions: dimensions,
                                 tags: tags, tmax: tmax, points: out))
        }
    }

    /// Runs batch task `task` over recordings, the i-th feeding its i-th `query` node (Kapacitor's
    /// `<test>.<i>.brpl`): all batches in order of their times (a recording's own order on
    /// ties), then ends the input and waits for its UDFs. The queries themselves never run.
    public static func replay(_ recordings: [BatchRecording], into task: TaskExecution) async throws {
        var all: [(time: Int64, source: Int, order: Int, batch: Batch)] = []
        for (source, r) in recordings.enumerated() {
            for (order, b) in r.batches.enumerated() { all.append((b.tmax, source, order, b)) }
        }
        all.sort { ($0.time, $0.order, $0.source) < ($1.time, $1.order, $1.source) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await task.run() }
            for item in all { await task.deliverRecorded([item.batch], query: item.source) }
            task.stop()
            try await group.waitForAll()
        }
    }

    /// The top-level JSON values of `bytes` (one a line, or spread over lines), each with the
    /// line it starts on: brackets are counted outside strings.
    static func values(_ bytes: [UInt8]) throws(Error) -> [(line: Int, bytes: [UInt8])] {
        var out: [(line: Int, bytes: [UInt8])] = []
        var depth = 0, start = 0, startLine = 1, line = 1
        var inString = false, escaped = false
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0 { start = i; startLine = line }
                depth += 1
                guard depth <= 64 else { throw Error(line: line, message: "JSON nested deeper than 64") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                guard depth >= 0 else { throw Error(line: line, message: "unbalanced \(Character(Unicode.Scalar(b)))") }
                if depth == 0 { out.append((startLine, Array(bytes[start...i]))) }
            case 32, 9, 10, 13:
                break
            default:
                guard depth > 0 else { throw Error(line: line, message: "text between batches") }
            }
        }
        guard depth == 0, !inString else { throw Error(line: startLine, message: "a batch is not closed") }
        return out
    }

    private static func tags(_ value: JSONValue?) -> [(key: String, value: String)] {
        (value?.objectValue ?? []).compactMap { k, v in v.stringValue.map { (k, $0) } }.sorted { $0.key < $1.key }
    }
}
