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
        var out = "{\"id\":"
        GoValue.jsonString(id, into: &out)
        out += ",\"message\":"
        GoValue.jsonString(message, into: &out)
        out += ",\"details\":"
        GoValue.jsonString(details, into: &out)
        out += ",\"time\":"
        GoValue.time(time).writeJSON(to: &out)
        out += ",\"duration\":\(duration),\"level\":\"\(level)\",\"data\":"
        out += ResultRow.result([row])
        out += ",\"previousLevel\":\"\(previousLevel)\",\"recoverable\":\(recoverable)}\n"
        return Array(out.utf8)
    }
}
