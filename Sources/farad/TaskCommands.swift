import ArgumentParser
import FaradCore
import Foundation

/// `--url` of the server the task commands talk to.
struct ServerURL: ParsableArguments {
    @Option(name: [.customLong("url"), .customLong("url", withSingleDash: true)], help: "The farad serve to talk to. [FARAD_URL]")
    var url: String = ProcessInfo.processInfo.environment["FARAD_URL"] ?? "http://127.0.0.1:9092"

    var client: TaskAPIClient { TaskAPIClient(url: url) }
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
    @Option(name: [.customLong("type"), .customLong("type", withSingleDash: true)], help: "stream or batch (the script decides when left out).")
    var type: String?
    @Option(name: [.customLong("group-idle"), .customLong("group-idle", withSingleDash: true)], help: "Forget groups idle this long by the data clock, e.g. 1h.")
    var groupIdle: String?
    @Flag(name: [.customLong("no-reload"), .customLong("no-reload", withSingleDash: true)], help: "Do not reload an enabled task.")
    var noReload = false

    func run() throws {
        if tick == nil, try server.client.call("GET", "/kapacitor/v1/tasks/\(id)", allow404: true) == nil {
            throw ValidationError("a new task needs -tick")
        }
        try server.client.define(id: id, tickPath: tick, dbrps: dbrps, type: type, groupIdle: groupIdle, noReload: noReload)
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
            for s in statuses { try server.client.setStatus(id, s) }
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
        guard let t = try server.client.call("GET", "/kapacitor/v1/tasks/\(id)") else { return }
        print(TaskText.show(t), terminator: "")
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tasks: farad list tasks.")
    @OptionGroup var server: ServerURL
    @Argument(help: "What to list: tasks.") var kind: String
    @Argument(help: "Only IDs matching these glob patterns (a*, task?).") var patterns: [String] = []

    func run() throws {
        guard kind == "tasks" else { throw ValidationError("cannot list '\(kind)': Farad lists tasks") }
        let tasks = try server.client.tasks().filter { t in
            patterns.isEmpty || patterns.contains { Glob.matches($0, t["id"]?.stringValue ?? "") }
        }
        print(TaskText.list(tasks), terminator: "")
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
        for id in ids { _ = try server.client.call("DELETE", "/kapacitor/v1/tasks/\(id)") }
    }
}
