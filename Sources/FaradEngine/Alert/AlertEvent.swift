/// One alert event, as Kapacitor hands it to its post, tcp, log and exec handlers.
struct AlertEvent: Sendable {
    var id: String
    var message: String
    var details: String
    /// Nanoseconds since the epoch.
    var time: Int64
    /// Nanoseconds.
    var duration: Int64
    var level: AlertLevel
    /// The last level sent for this id (OK before the first).
    var previousLevel: AlertLevel
    var recoverable: Bool
    /// The points that made the event, as a Kapacitor `Result` row.
    var row: ResultRow

    /// Kapacitor's event JSON (Go's `json.Encoder`: one line, ending in a newline):
    /// `{"id","message","details","time","duration","level","data":{"series":[…]},"previousLevel","recoverable"}`.
    var json: [UInt8] {
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
        raw(ResultRow.result([row]))
        raw(",\"previousLevel\":\"\(previousLevel)\",\"recoverable\":\(recoverable)}\n")
        return out
    }
}
