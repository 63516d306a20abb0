import FaradCore
import Synchronization

/// One alert event, as Kapacitor hands it to its post, tcp, log and exec handlers.
///
/// The node decides the event on the task's thread (level, id, times) and keeps what made it;
/// the message, the details and the JSON are rendered once, on first use, which is a handler's
/// thread unless the node needs the message for `.messageField()`. So the templates' cost is not
/// the task's, and several handlers share one rendering.
final class AlertEvent: Sendable {
    /// What the templates see of the event (Kapacitor's `idInfo` and the rest).
    struct Source: Sendable {
        var name: String
        var taskName: String
        /// The group as templates show it (`nil` for no group).
        var group: String
        var tags: [(key: String, value: String)]
        var fields: [(key: String, value: FieldValue)]
        var serverInfo: GoValue

        /// Kapacitor's `idInfo`: what `.id()` sees, and the start of what `.message()` sees.
        var idInfo: [(String, GoValue)] {
            [
                ("Name", .string(name)), ("TaskName", .string(taskName)), ("Group", .string(group)),
                ("Tags", .map(Dictionary(tags.map { ($0.key, GoValue.string($0.value)) }, uniquingKeysWith: { a, _ in a }), zero: .string(""))),
                ("ServerInfo", serverInfo),
            ]
        }
    }

    /// The rendered parts.
    struct Rendered: Sendable {
        var message: String
        var details: String
        /// Kapacitor's event JSON, newline-terminated.
        var json: [UInt8]
        /// A template failed: the event carries its error instead (counted by handlers).
        var error: String?
    }

    let id: String
    /// Nanoseconds since the epoch.
    let time: Int64
    /// Nanoseconds.
    let duration: Int64
    let level: AlertLevel
    /// The last level sent for this id (OK before the first).
    let previousLevel: AlertLevel
    let recoverable: Bool
    let source: Source
    /// The points that made the event, for the event's `data`.
    let data: Message
    /// `nil`: Kapacitor's default (`{{ .ID }} is {{ .Level }}`, `{{ json . }}`), written directly.
    private let templates: (message: GoTemplate?, details: GoTemplate?)
    private let rendered = Mutex<Rendered?>(nil)

    init(id: String, time: Int64, duration: Int64, level: AlertLevel, previousLevel: AlertLevel, recoverable: Bool,
         source: Source, data: Message, message: GoTemplate?, details: GoTemplate?) {
        self.id = id
        self.time = time
        self.duration = duration
        self.level = level
        self.previousLevel = previousLevel
        self.recoverable = recoverable
        self.source = source
        self.data = data
        templates = (message, details)
    }

    /// The message, details and JSON, rendered on the first call.
    var parts: Rendered {
        if let r = rendered.withLock({ $0 }) { return r }
        let r = render()
        rendered.withLock { $0 = r }
        return r
    }

    /// Kapacitor's `messageInfo` (with `Message` for `detailsInfo`).
    private func templateData(message: String?) -> GoValue {
        var members = source.idInfo + [
            ("ID", .string(id)),
            ("Fields", .map(Dictionary(source.fields.map { ($0.key, GoValue($0.value)) }, uniquingKeysWith: { a, _ in a }), zero: .null)),
            ("Level", .string("\(level)")), ("Time", .time(time)), ("Duration", .duration(duration)),
        ]
        if let message { members.append(("Message", .string(message))) }
        return .object(members)
    }

    /// What `{{ json . }}` in `html/template` prints: the JSON of ``templateData(message:)``
    /// (maps by sorted key), a newline, HTML-escaped; written without building the values.
    private func defaultDetails(message: String) -> String {
        var j: [UInt8] = []
        j.reserveCapacity(512)
        func raw(_ s: StaticString) { j.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        func string(_ s: String) { GoValue.jsonString(s, into: &j) }
        raw("{\"Name\":")
        string(source.name)
        raw(",\"TaskName\":")
        string(source.taskName)
        raw(",\"Group\":")
        string(source.group)
        raw(",\"Tags\":{")
        for (i, t) in source.tags.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if i > 0 { raw(",") }
            string(t.key)
            raw(":")
            string(t.value)
        }
        raw("},\"ServerInfo\":")
        source.serverInfo.writeJSON(to: &j)
        raw(",\"ID\":")
        string(id)
        raw(",\"Fields\":{")
        for (i, f) in source.fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if i > 0 { raw(",") }
            string(f.key)
            raw(":")
            GoValue(f.value).writeJSON(to: &j)
        }
        raw("},\"Level\":\"")
        j.append(contentsOf: "\(level)".utf8)
        raw("\",\"Time\":")
        GoValue.time(time).writeJSON(to: &j)
        raw(",\"Duration\":")
        j.append(contentsOf: String(duration).utf8)
        raw(",\"Message\":")
        string(message)
        raw("}\n")
        var escaped: [UInt8] = []
        escaped.reserveCapacity(j.count + j.count / 4)
        GoTemplate.Execution.appendEscapingHTML(String(decoding: j, as: UTF8.self), to: &escaped)
        return String(decoding: escaped, as: UTF8.self)
    }

    private func render() -> Rendered {
        let message: String, details: String
        do throws(GoTemplateError) {
            message = try templates.message?.render(templateData(message: nil)) ?? "\(id) is \(level)"
            details = try templates.details?.render(templateData(message: message)) ?? defaultDetails(message: message)
        } catch {
            return Rendered(message: "", details: "", json: [], error: error.message)
        }
        var out: [UInt8] = []
        out.reserveCapacity(256 + message.utf8.count + details.utf8.count)
        func raw(_ s: String) { out.append(contentsOf: s.utf8) }
        raw("{\"id\":")
        GoValue.jsonString(id, into: &out)
        raw(",\"message\":")
        GoValue.jsonString(message, into: &out)
        raw(",\"details\":")
        GoValue.jsonString(details, into: &out)
        raw(",\"time\":")
        GoValue.time(time).writeJSON(to: &out)
        raw(",\"duration\":\(duration),\"level\":\"\(level)\",\"data\":")
        switch data {
        case .point(let p): raw(ResultRow.result([ResultRow(p.point)]))
        case .batch(let b): raw(ResultRow.result([ResultRow(b)]))
        }
        raw(",\"previousLevel\":\"\(previousLevel)\",\"recoverable\":\(recoverable)}\n")
        return Rendered(message: message, details: details, json: out, error: nil)
    }
}

extension AlertEvent {
    /// Kapacitor's `alert.Data`, what an `[[httppost]]` `alert-template` sees: `.ID .Message
    /// .Details .Time .Duration .Level .Data .PreviousLevel .Recoverable` (`.Data.Series` the rows).
    func alertData(_ parts: Rendered) -> GoValue {
        let row: ResultRow
        switch data {
        case .point(let p): row = ResultRow(p.point)
        case .batch(let b): row = ResultRow(b)
        }
        let values: [GoValue] = row.values.map { line in
            .list(line.map { v in
                switch v {
                case .time(let t): .time(t)
                case .field(let f): GoValue(f)
                case .null: .null
                }
            })
        }
        let series: GoValue = .object([
            ("Name", .string(row.name)),
            ("Tags", .map(Dictionary(row.tags.map { ($0.key, GoValue.string($0.value)) }, uniquingKeysWith: { a, _ in a }), zero: .string(""))),
            ("Columns", .list(row.columns.map { .string($0) })), ("Values", .list(values)),
        ])
        return .object([
            ("ID", .string(id)), ("Message", .string(parts.message)), ("Details", .string(parts.details)), ("Time", .time(time)),
            ("Duration", .duration(duration)), ("Level", .string("\(level)")), ("Data", .object([("Series", .list([series]))])),
            ("PreviousLevel", .string("\(previousLevel)")), ("Recoverable", .bool(recoverable)),
        ])
    }
}
