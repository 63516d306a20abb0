import FaradCore
import FaradSystem
import Foundation

/// HTTP calls to a server's task API (Kapacitor's `/kapacitor/v1`), shared by the `farad` task
/// commands and the `kapacitor` command line.
struct TaskAPIClient {
    var url: String

    /// Sends a request; returns the JSON answer (`nil` for an empty one, or a 404 when allowed),
    /// or fails with the server's error text.
    func call(_ method: String, _ path: String, body: JSONValue? = nil, allow404: Bool = false) throws -> JSONValue? {
        guard let endpoint = HTTPPost.Endpoint(url: url) else {
            throw TaskCommandError(description: "invalid URL \(url.debugDescription): Farad's client speaks http://host:port")
        }
        let bytes = body.map { Array(JSONWriter.text(of: $0).utf8) } ?? []
        let status: Int
        let response: [UInt8]
        do {
            (status, response) = try HTTPPost.send(method, to: endpoint, path: path, body: bytes, contentType: "application/json")
        } catch {
            throw TaskCommandError(description: "\(method) \(url)\(path): \(error)")
        }
        if status == 404 && allow404 { return nil }
        let json = response.isEmpty ? nil : try? JSONValue.parse(response)
        guard (200..<300).contains(status) else {
            throw TaskCommandError(description: json?["error"]?.stringValue ?? "invalid response: code \(status): body: \(String(decoding: response, as: UTF8.self))")
        }
        return json
    }

    /// Every task, sorted by ID.
    func tasks() throws -> [JSONValue] {
        let all = try call("GET", "/kapacitor/v1/tasks")?["tasks"]?.arrayValue ?? []
        return all.sorted { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
    }

    /// Creates task `id`, or updates it (reloading it when it is enabled, unless `noReload`),
    /// as `kapacitor define` does.
    func define(id: String, tickPath: String?, dbrps: [String], type: String?, groupIdle: String?, noReload: Bool) throws {
        var fields: [(String, JSONValue)] = [("id", .string(id))]
        if let tickPath {
            guard let data = FileManager.default.contents(atPath: tickPath) else {
                throw TaskCommandError(description: "open \(tickPath): no such file or directory")
            }
            fields.append(("script", .string(String(decoding: data, as: UTF8.self))))
        }
        if let type { fields.append(("type", .string(type))) }
        if !dbrps.isEmpty {
            fields.append(("dbrps", .array(try dbrps.map { text in
                let (db, rp) = try Self.parseDBRP(text)
                return .object([("db", .string(db)), ("rp", .string(rp))])
            })))
        }
        if let groupIdle { fields.append(("group-idle", .string(groupIdle))) }
        let existing = try call("GET", "/kapacitor/v1/tasks/\(id)", allow404: true)
        if let existing {
            _ = try call("PATCH", "/kapacitor/v1/tasks/\(id)", body: .object(fields))
            if existing["status"]?.stringValue == "enabled" && !noReload {
                _ = try call("PATCH", "/kapacitor/v1/tasks/\(id)", body: .object([("status", .string("disabled"))]))
                _ = try call("PATCH", "/kapacitor/v1/tasks/\(id)", body: .object([("status", .string("enabled"))]))
            }
        } else {
            _ = try call("POST", "/kapacitor/v1/tasks", body: .object(fields + [("status", .string("disabled"))]))
        }
    }

    /// Sets the status of task `id`; `enabling task x: …` on failure, as Kapacitor words it.
    func setStatus(_ id: String, _ status: String) throws {
        do {
            _ = try call("PATCH", "/kapacitor/v1/tasks/\(id)", body: .object([("status", .string(status))]))
        } catch {
            throw TaskCommandError(description: "\(status == "enabled" ? "enabling" : "disabling") task \(id): \(error)")
        }
    }

    /// `"db"."rp"`, the quotes optional (Kapacitor's `-dbrp`).
    static func parseDBRP(_ text: String) throws -> (String, String) {
        let parts = text.replacingOccurrences(of: "\"", with: "").split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw TaskCommandError(description: "invalid value \(text.debugDescription) for flag -dbrp: it must be in the form \"dbname\".\"rpname\" where the quotes are optional")
        }
        return (parts[0], parts[1])
    }
}

/// A failure message printed as is, exit status 3 (as the kapacitor CLI).
struct TaskCommandError: Error, CustomStringConvertible {
    var description: String
}

/// Kapacitor's text for tasks: `kapacitor show` and `kapacitor list tasks`.
enum TaskText {
    static func show(_ t: JSONValue) -> String {
        func s(_ k: String) -> String { t[k]?.stringValue ?? "" }
        return """
            ID: \(s("id"))
            Error: \(s("error"))
            Template: \(s("template-id"))
            Type: \(s("type"))
            Status: \(s("status"))
            Executing: \(t["executing"]?.boolValue ?? false)
            Created: \(rfc822(s("created")))
            Modified: \(rfc822(s("modified")))
            LastEnabled: \(rfc822(s("last-enabled")))
            Databases Retention Policies: \(dbrps(t))
            TICKscript:
            \(s("script"))
            DOT:
            \(s("dot"))

            """
    }

    /// The task table: IDs padded to the longest plus one, then Type, Status, Executing (10 wide).
    static func list(_ tasks: [JSONValue]) -> String {
        let width = max(2, tasks.map { ($0["id"]?.stringValue ?? "").count }.max() ?? 0) + 1
        var out = pad("ID", width) + pad("Type", 10) + pad("Status", 10) + pad("Executing", 10) + "Databases and Retention Policies\n"
        for t in tasks {
            out += pad(t["id"]?.stringValue ?? "", width) + pad(t["type"]?.stringValue ?? "", 10) + pad(t["status"]?.stringValue ?? "", 10)
                + pad("\(t["executing"]?.boolValue ?? false)", 10) + dbrps(t) + "\n"
        }
        return out
    }

    /// `["db"."rp" "db2"."rp"]`, as kapacitor prints them.
    static func dbrps(_ task: JSONValue) -> String {
        let items = (task["dbrps"]?.arrayValue ?? []).map { "\(($0["db"]?.stringValue ?? "").debugDescription).\(($0["rp"]?.stringValue ?? "").debugDescription)" }
        return "[" + items.joined(separator: " ") + "]"
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }

    /// An RFC 3339 time as Go's `time.RFC822` in local time (`02 Jan 06 15:04 UTC`); Go's zero
    /// time for an empty or zero one, as Kapacitor prints a task never enabled.
    static func rfc822(_ text: String) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) ?? plain.date(from: text), date.timeIntervalSince1970 > 0 else {
            return "01 Jan 01 00:00 UTC"
        }
        var seconds = time_t(date.timeIntervalSince1970)
        var t = tm()
        localtime_r(&seconds, &t)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%d %b %y %H:%M %Z", &t)
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
