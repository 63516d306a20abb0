import FaradCore
import FaradEngine

/// A task as stored and as the API shows it (Kapacitor's fields).
struct TaskRecord: Codable, Sendable {
    var id: String
    var type: String
    var dbrps: [DBRP]
    var script: String
    var status: String
    /// Wall-clock times, ns since the epoch; `lastEnabled` 0 = never.
    var created: Int64
    var modified: Int64
    var lastEnabled: Int64
    /// Why the task is not executing although enabled (a start or UDF failure), or "".
    var error: String
    /// Farad's bounded-memory option: forget groups idle this long (data clock), e.g. "10m".
    var groupIdle: String?

    var enabled: Bool { status == "enabled" }

    /// The task's JSON, in Kapacitor's key order.
    func json(execution: TaskExecution?, dot: String, into w: inout JSONWriter) {
        w.raw("{\"link\":{\"rel\":\"self\",\"href\":")
        w.string("/kapacitor/v1/tasks/\(id)")
        w.raw("},\"id\":")
        w.string(id)
        w.raw(",\"template-id\":\"\",\"type\":")
        w.string(type)
        w.raw(",\"dbrps\":[")
        for (i, d) in dbrps.enumerated() {
            w.raw(i == 0 ? "{\"db\":" : ",{\"db\":")
            w.string(d.db)
            w.raw(",\"rp\":")
            w.string(d.rp)
            w.raw("}")
        }
        w.raw("],\"script\":")
        w.string(script)
        w.raw(",\"vars\":{},\"dot\":")
        w.string(dot)
        w.raw(",\"status\":")
        w.string(status)
        w.raw(",\"executing\":")
        w.bool(execution != nil)
        w.raw(",\"error\":")
        // While it executes: the last failure of one of its UDFs (restarted, so not yet `error`).
        w.string(error.isEmpty ? execution?.lastUDFError ?? "" : error)
        w.raw(",\"stats\":")
        if let execution {
            w.raw("{\"task-stats\":{\"throughput\":0},\"node-stats\":{")
            for (i, node) in execution.statistics().enumerated() {
                if i > 0 { w.raw(",") }
                w.string(node.name)
                w.raw(":{")
                for (j, (k, v)) in node.values.enumerated() {
                    if j > 0 { w.raw(",") }
                    w.string(k)
                    w.raw(":")
                    w.int(Int64(v))
                }
                w.raw("}")
            }
            w.raw("}}")
        } else {
            w.raw("{\"task-stats\":null,\"node-stats\":null}")
        }
        if let groupIdle {
            w.raw(",\"group-idle\":")
            w.string(groupIdle)
        }
        w.raw(",\"created\":")
        w.string(CivilDate.rfc3339Nano(created))
        w.raw(",\"modified\":")
        w.string(CivilDate.rfc3339Nano(modified))
        w.raw(",\"last-enabled\":")
        w.string(lastEnabled == 0 ? "0001-01-01T00:00:00Z" : CivilDate.rfc3339Nano(lastEnabled))
        w.raw("}")
    }
}

/// A task API failure: Kapacitor's status and text.
struct TaskAPIError: Error, Sendable {
    var status: Int
    var message: String

    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}
