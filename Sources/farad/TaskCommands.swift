import ArgumentParser
import FaradCore
import FaradSystem
import Foundation

/// `--url` of the server the task commands talk to.
struct ServerURL: ParsableArguments {
    @Option(name: [.customLong("url"), .customLong("url", withSingleDash: true)], help: "The farad serve to talk to. [FARAD_URL]")
    var url: String = ProcessInfo.processInfo.environment["FARAD_URL"] ?? "http://127.0.0.1:9092"

    /// Sends a request to the task API; returns the JSON answer, or fails with the server's error text.
    func call(_ method: String, _ path: String, body: JSONValue? = nil, allow404: Bool = false) throws -> JSONValue? {
        guard let endpoint = HTTPPost.Endpoint(url: url) else { throw ValidationError("--url must be http://host:port, not '\(url)'") }
        let bytes = body.map { Array(JSONWriter.text(of: $0).utf8) } ?? []
        let (status, response) = try HTTPPost.send(method, to: endpoint, path: path, body: bytes, contentType: "application/json")
        if status == 404 && allow404 { return nil }
        let json = response.isEmpty ? nil : try? JSONValue.parse(response)
        guard (200..<300).contains(status) else {
            throw TaskCommandError(description: json?["error"]?.stringValue ?? "invalid response: code \(status): body: \(String(decoding: response, as: UTF8.self))")
        }
        return json
    }
}

/// A failure message printed as is, exit status 3 (as the kapacitor CLI).
struct TaskCommandError: Error, CustomStringConvertible {
    var description: String
}

struct DefineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "define",
        abstract: "Create or update a task from a TICKscript (reloads it if it is enabled).",
        discussion: """
            Example:
              farad define cpu -tick cpu.tick -dbrp telegraf.autogen
              farad enable cpu
            """)

    @OptionGroup var server: ServerURL
    @Argument(help: "The task ID.") var id: String
    @Option(name: [.customLong("tick"), .customLong("tick", withSingleDash: true)], help: "The TICKscript file.") var tick: String?
    @Option(name: [.customLong("dbrp"), .customLong("dbrp", withSingleDash: true)], help: "db.rp the task reads (repeat for several); or dbrp statements in the script.")
    var dbrps: [String] = []
    @Option(name: [.customLong("group-idle"), .customLong("group-idle", withSingleDash: true)], help: "Forget groups idle this long by the data clock, e.g. 1h.")
    var groupIdle: String?
    @Flag(name: [.customLong("no-reload"), .customLong("no-reload", withSingleDash: true)], help: "Do not reload an enabled task.")
    var noReload = false

    func run() throws {
        var fields: [(String, JSONValue)] = [("id", .string(id))]
        if let tick {
            guard let data = FileManager.default.contents(atPath: tick) else { throw ValidationError("cannot read \(tick)") }
            fields.append(("script", .string(String(decoding: data, as: UTF8.self))))
        }
        if !dbrps.isEmpty {
            fields.append(("dbrps", .array(try dbrps.map { text in
                let parts = text.replacingOccurrences(of: "\"", with: "").split(separator: ".", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ValidationError("dbrp \(text.debugDescription) must be in the form \"dbname\".\"rpname\" where the quotes are optional")
                }
                return .object([("db", .string(parts[0])), ("rp", .string(parts[1]))])
            })))
        }
        if let groupIdle { fields.append(("group-idle", .string(groupIdle))) }
        let existing = try server.call("GET", "/kapacitor/v1/tasks/\(id)", allow404: true)
        if let existing {
            _ = try server.call("PATCH", "/kapacitor/v1/tasks/\(id)", body: .object(fields))
            if existing["status"]?.stringValue == "enabled" && !noReload {
                _ = try server.call("PATCH", "/kapacitor/v1/tasks/\(id)", body: .object([("status", .string("disabled"))]))
                _ = try server.call("PATCH", "/kapacitor/v1/tasks/\(id)", body: .object([("status", .string("enabled"))]))
            }
        } else {
            guard tick != nil else { throw ValidationError("a new task needs -tick") }
            _ = try server.call("POST", "/kapacitor/v1/tasks", body: .object(fields + [("status", .string("disabled"))]))
        }
    }
}

/// `enable`, `disable` and `reload` of task IDs.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable tasks.")
    @OptionGroup var server: ServerURL
    @Argument(help: "Task IDs.") var ids: [String] = []

    static func set(_ ids: [String], _ statuses: [String], _ server: ServerURL) throws {
        guard !ids.isEmpty else { throw ValidationError("Must pass at least one task ID") }
        for id in ids {
            for s in statuses {
                do {
                    _ = try server.call("PATCH", "/kapacitor/v1/tasks/\(id)", body: .object([("status", .string(s))]))
                } catch {
                    throw TaskCommandError(description: "\(s == "enabled" ? "enabling" : "disabling") task \(id): \(error)")
                }
            }
        }
    }

    func run() throws { try Self.set(ids, ["enabled"], server) }
}

struct DisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable tasks.")
    @OptionGroup var server: ServerURL
    @Argument(help: "Task IDs.") var ids: [String] = []
    func run() throws { try StatusCommand.set(ids, ["disabled"], server) }
}

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Disable then enable tasks.")
    @OptionGroup var server: ServerURL
    @Argument(help: "Task IDs.") var ids: [String] = []
    func run() throws { try StatusCommand.set(ids, ["disabled", "enabled"], server) }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a task as kapacitor show does, with its DOT graph.")
    @OptionGroup var server: ServerURL
    @Argument(help: "The task ID.") var id: String

    func run() throws {
        guard let t = try server.call("GET", "/kapacitor/v1/tasks/\(id)") else { return }
        func s(_ k: String) -> String { t[k]?.stringValue ?? "" }
        print("ID:", s("id"))
        print("Error:", s("error"))
        print("Template:", s("template-id"))
        print("Type:", s("type"))
        print("Status:", s("status"))
        print("Executing:", t["executing"]?.boolValue ?? false)
        print("Created:", s("created"))
        print("Modified:", s("modified"))
        print("LastEnabled:", s("last-enabled"))
        print("Databases Retention Policies:", dbrpText(t))
        print("TICKscript:\n\(s("script"))")
        print("DOT:\n\(s("dot"))")
    }
}

/// `["db"."rp" "db2"."rp"]`, as kapacitor prints them.
func dbrpText(_ task: JSONValue) -> String {
    let items = (task["dbrps"]?.arrayValue ?? []).map { "\(($0["db"]?.stringValue ?? "").debugDescription).\(($0["rp"]?.stringValue ?? "").debugDescription)" }
    return "[" + items.joined(separator: " ") + "]"
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tasks: farad list tasks.")
    @OptionGroup var server: ServerURL
    @Argument(help: "What to list: tasks.") var kind: String
    @Argument(help: "Only IDs starting with these.") var patterns: [String] = []

    func run() throws {
        guard kind == "tasks" else { throw ValidationError("cannot list '\(kind)': Farad lists tasks") }
        let tasks = (try server.call("GET", "/kapacitor/v1/tasks")?["tasks"]?.arrayValue ?? []).filter { t in
            patterns.isEmpty || patterns.contains { (t["id"]?.stringValue ?? "").hasPrefix($0.replacingOccurrences(of: "*", with: "")) }
        }
        let width = max(2, tasks.map { ($0["id"]?.stringValue ?? "").count }.max() ?? 0) + 1
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        print(pad("ID", width) + pad("Type", 10) + pad("Status", 10) + pad("Executing", 10) + "Databases and Retention Policies")
        for t in tasks {
            print(pad(t["id"]?.stringValue ?? "", width) + pad(t["type"]?.stringValue ?? "", 10) + pad(t["status"]?.stringValue ?? "", 10)
                + pad("\(t["executing"]?.boolValue ?? false)", 10) + dbrpText(t))
        }
    }
}

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete tasks: farad delete tasks <id>…")
    @OptionGroup var server: ServerURL
    @Argument(help: "What to delete: tasks.") var kind: String
    @Argument(help: "Task IDs.") var ids: [String] = []

    func run() throws {
        guard kind == "tasks" else { throw ValidationError("cannot delete '\(kind)': Farad deletes tasks") }
        guard !ids.isEmpty else { throw ValidationError("Must pass at least one ID") }
        for id in ids { _ = try server.call("DELETE", "/kapacitor/v1/tasks/\(id)") }
    }
}
