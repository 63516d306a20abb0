import FaradCore
import Foundation

/// The binary under the name `kapacitor` (a symlink) or as `farad kapacitor …`: Kapacitor's
/// command line over the task API, with its flags (`-url`, `-skipVerify`, Go style), its output
/// formats and its exit statuses (1 usage, 2 bad flags, 3 a failed command).
///
/// ```sh
/// kapacitor -url http://localhost:9092 define cpu -tick cpu.tick
/// kapacitor enable cpu
/// kapacitor list tasks
/// ```
struct KapacitorCLI {
    static let kapacitorVersion = "1.7.6"
    static let faradVersion = "0.4.0"

    let client: TaskAPIClient

    static let mainFlags = GoFlags(known: [
        ("url", true, "The URL http(s)://host:port of the kapacitord server. Defaults to the KAPACITOR_URL environment variable or http://localhost:9092 if not set."),
        ("skipVerify", false, "Disable SSL verification (note, this is insecure). Defaults to the KAPACITOR_UNSAFE_SSL environment variable or false if not set."),
    ], usage: usage)

    static let usage = """

        Usage: kapacitor [options] [command] [args]

        Commands:

        \tdefine                Create/update a task.
        \tdefine-topic-handler  Create/update an alert handler for a topic.
        \tenable                Enable and start running a task with live data.
        \tdisable               Stop running a task.
        \treload                Reload a running task with an updated task definition.
        \tdelete                Delete tasks, topics or topic handlers.
        \tlist                  List information about tasks, topics or topic handlers.
        \tshow                  Display detailed information about a task.
        \tshow-topic            Display detailed information about an alert topic.
        \tshow-topic-handler    Display detailed information about an alert handler for a topic.
        \tstats                 Display various stats about Kapacitor.
        \tversion               Displays the Kapacitor version info.
        \tvars                  Print debug vars in JSON format.
        \thelp                  Prints help for a command.

        Options:
        """

    static let defineFlags = GoFlags(known: [
        ("tick", true, "Path to the TICKscript"),
        ("type", true, "The task type (stream|batch)"),
        ("template", true, "Optional template ID"),
        ("vars", true, "Optional path to a JSON vars file"),
        ("file", true, "Optional path to a YAML or JSON template task file."),
        ("no-reload", false, "Do not reload the task even if it is enabled"),
        ("dbrp", true, "A database and retention policy pair of the form \"db\".\"rp\" the quotes are optional. The flag can be specified multiple times."),
    ], usage: """
        Usage: kapacitor define <task ID> [-tick <path>] [-type <stream|batch>] [-dbrp <db.rp>] [-no-reload]

        \tCreate or update a task.

        \tA task is defined via a TICKscript that defines the data processing pipeline of the task.

        Options:
        """)

    /// Runs `arguments` (without the program name); returns the exit status.
    static func main(_ arguments: [String]) -> Int32 {
        let env = ProcessInfo.processInfo.environment
        let flags: GoFlags.Parsed
        do {
            flags = try mainFlags.parse(arguments)
        } catch {
            return fail(error.isHelp ? 0 : 2, error.isHelp ? mainFlags.help : error.message + "\n" + mainFlags.help)
        }
        var url = env["KAPACITOR_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://localhost:9092"
        if let flag = flags.last("url"), !flag.isEmpty { url = flag }
        if url.hasPrefix("https://") {
            return fail(4, "\(url): Farad's kapacitor client speaks http only (kapacitord under Farad serves plain HTTP)")
        }
        guard let command = flags.rest.first else { return fail(1, "Error: Must pass a command.\n" + mainFlags.help) }
        let cli = KapacitorCLI(client: TaskAPIClient(url: url))
        do {
            try cli.run(command, Array(flags.rest.dropFirst()))
            return 0
        } catch let exit as KapacitorExit {
            return fail(exit.status, exit.message, toStandardError: exit.toStandardError)
        } catch {
            return fail(3, "\(error)")
        }
    }

    private static func fail(_ status: Int32, _ message: String, toStandardError: Bool = true) -> Int32 {
        if !message.isEmpty {
            FileHandle(fileDescriptor: toStandardError ? 2 : 1).write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
        }
        return status
    }

    func run(_ command: String, _ args: [String]) throws {
        switch command {
        case "define": try define(args)
        case "enable": try forEachTask(args, usage: "enable") { try client.setStatus($0, "enabled") }
        case "disable": try forEachTask(args, usage: "disable") { try client.setStatus($0, "disabled") }
        case "reload":
            try forEachTask(args, usage: "reload") { try client.setStatus($0, "disabled") }
            try forEachTask(args, usage: "reload") { try client.setStatus($0, "enabled") }
        case "delete": try delete(args)
        case "list": try list(args)
        case "show":
            guard args.count == 1 else { throw KapacitorExit(2, "Must specify one task ID\nUsage: kapacitor show [task ID]") }
            guard let t = try client.call("GET", "/kapacitor/v1/tasks/\(args[0])") else { return }
            print(TaskText.show(t), terminator: "")
        case "stats": try stats(args)
        case "show-topic": try showTopic(args)
        case "define-topic-handler": try defineTopicHandler(args)
        case "show-topic-handler": try showTopicHandler(args)
        case "vars":
            guard let vars = try client.call("GET", "/kapacitor/v1/debug/vars") else { return }
            print(JSONWriter.text(of: vars))
        case "version":
            print("Kapacitor OSS \(Self.kapacitorVersion) (git: farad \(Self.faradVersion))")
        case "help":
            if let topic = args.first, topic == "define" {
                throw KapacitorExit(0, Self.defineFlags.help)
            }
            throw KapacitorExit(1, Self.mainFlags.help)
        case "record", "replay", "replay-live", "define-template", "show-template", "backup", "level", "watch", "logs", "push", "service-tests":
            throw TaskCommandError(description: "kapacitor \(command) is not supported by Farad yet (Farad has: define, define-topic-handler, enable, disable, reload, delete tasks|topics|topic-handlers, list tasks|topics|topic-handlers, show, show-topic, show-topic-handler, stats general, vars, version)")
        default:
            throw KapacitorExit(1, "Unknown command \(command)\n" + Self.mainFlags.help)
        }
    }

    private func define(_ args: [String]) throws {
        guard let id = args.first, !id.hasPrefix("-") else {
            throw KapacitorExit(2, "Must provide a task ID.\n" + Self.defineFlags.help)
        }
        let flags: GoFlags.Parsed
        do {
            flags = try Self.defineFlags.parse(Array(args.dropFirst()))
        } catch {
            throw KapacitorExit(error.isHelp ? 0 : 2, error.isHelp ? Self.defineFlags.help : error.message + "\n" + Self.defineFlags.help)
        }
        for unsupported in ["template", "vars", "file"] where flags.last(unsupported) != nil {
            throw TaskCommandError(description: "define -\(unsupported): task templates are not supported by Farad yet")
        }
        let dbrps = flags.values["dbrp"] ?? []
        for text in dbrps {
            do { _ = try TaskAPIClient.parseDBRP(text) } catch { throw KapacitorExit(2, "\(error)\n" + Self.defineFlags.help) }
        }
        let type = flags.last("type").flatMap { $0.isEmpty ? nil : $0 }
        if let type, type != "stream" && type != "batch" {
            throw TaskCommandError(description: "invalid task type \(type.debugDescription): use stream or batch")
        }
        try client.define(id: id, tickPath: flags.last("tick").flatMap { $0.isEmpty ? nil : $0 }, dbrps: dbrps, type: type,
                          groupIdle: nil, noReload: flags.bool("no-reload"))
    }

    /// Applies `body` to the tasks whose IDs match each glob pattern (none matching: nothing).
    private func forEachTask(_ patterns: [String], usage: String, _ body: (String) throws -> Void) throws {
        guard !patterns.isEmpty else {
            throw KapacitorExit(2, "Must pass at least one task ID\nUsage: kapacitor \(usage) [task ID...]")
        }
        let ids = try client.tasks().compactMap { $0["id"]?.stringValue }
        for pattern in patterns {
            for id in ids where Glob.matches(pattern, id) { try body(id) }
        }
    }

    private func delete(_ args: [String]) throws {
        guard args.count >= 2 else {
            throw KapacitorExit(2, "Must pass at least one ID\nUsage: kapacitor delete (tasks|topics|topic-handlers) [ID or pattern]...")
        }
        switch args[0] {
        case "tasks":
            try forEachTask(Array(args.dropFirst()), usage: "delete tasks") { _ = try client.call("DELETE", "/kapacitor/v1/tasks/\($0)") }
        case "topics", "topic-handlers":
            try deleteTopics(args[0], Array(args.dropFirst()))
        default:
            throw TaskCommandError(description: "cannot delete '\(args[0])': Farad deletes tasks, topics and topic-handlers")
        }
    }

    private func list(_ args: [String]) throws {
        guard let kind = args.first else {
            throw KapacitorExit(2, "Must specify 'tasks', 'recordings', 'replays', 'topics', or 'topic-handlers'")
        }
        let patterns = args.count >= 2 ? Array(args.dropFirst()) : [""]
        switch kind {
        case "tasks":
            let tasks = try client.tasks().filter { t in patterns.contains { Glob.matches($0, t["id"]?.stringValue ?? "") } }
            print(TaskText.list(tasks), terminator: "")
        case "topics":
            let topics = (try client.call("GET", "/kapacitor/v1/alerts/topics")?["topics"]?.arrayValue ?? [])
                .filter { t in patterns.contains { Glob.matches($0, t["id"]?.stringValue ?? "") } }
            let idWidth = max(2, topics.map { ($0["id"]?.stringValue ?? "").count }.max() ?? 0) + 1
            let levelWidth = max(8, topics.map { ($0["level"]?.stringValue ?? "").count }.max() ?? 0) + 1
            var out = TaskText.pad("ID", idWidth) + TaskText.pad("Level", levelWidth) + " Collected\n"
            for t in topics {
                let collected = "\(t["collected"]?.int64Value ?? 0)"
                out += TaskText.pad(t["id"]?.stringValue ?? "", idWidth) + TaskText.pad(t["level"]?.stringValue ?? "", levelWidth)
                    + String(repeating: " ", count: max(0, 10 - collected.count)) + collected + "\n"
            }
            print(out, terminator: "")
        case "topic-handlers":
            try listTopicHandlers(Array(args.dropFirst()))
        default:
            throw TaskCommandError(description: "cannot list '\(kind)' did you mean 'tasks', 'recordings', 'replays', 'topics', 'topic-handlers' or 'service-tests'?")
        }
    }

    /// `show-topic <id>`: the topic, then its events by time in Kapacitor's columns.
    private func showTopic(_ args: [String]) throws {
        guard args.count == 1 else { throw KapacitorExit(2, "Must specify one topic ID\nUsage: kapacitor show-topic [topic ID]") }
        guard let topic = try client.call("GET", "/kapacitor/v1/alerts/topics/\(args[0])"),
              let listed = try client.call("GET", "/kapacitor/v1/alerts/topics/\(args[0])/events") else { return }
        func s(_ v: JSONValue, _ k: String) -> String { v[k]?.stringValue ?? "" }
        let events = (listed["events"]?.arrayValue ?? []).sorted { s($0["state"] ?? .null, "time") < s($1["state"] ?? .null, "time") }
        let eventWidth = max(5, events.map { s($0, "id").count }.max() ?? 0) + 1
        let messageWidth = max(7, events.map { s($0["state"] ?? .null, "message").count }.max() ?? 0) + 1
        let handlers = try handlerIDs(of: args[0]).joined(separator: " ")
        var out = "ID: \(s(topic, "id"))\nLevel: \(s(topic, "level"))\nCollected: \(topic["collected"]?.int64Value ?? 0)\nHandlers: [\(handlers)]\nEvents:\n"
        out += TaskText.pad("Event", eventWidth) + TaskText.pad("Level", 9) + TaskText.pad("Message", messageWidth) + TaskText.pad("Date", 23) + "\n"
        for e in events {
            let state = e["state"] ?? .null
            out += TaskText.pad(s(e, "id"), eventWidth) + TaskText.pad(s(state, "level"), 9) + TaskText.pad(s(state, "message"), messageWidth)
                + TaskText.pad(TaskText.rfc822(s(state, "time")), 23) + "\n"
        }
        print(out, terminator: "")
    }

    private func stats(_ args: [String]) throws {
        guard args.count == 1 else { throw TaskCommandError(description: "must provide a stats category") }
        guard let vars = try client.call("GET", "/kapacitor/v1/debug/vars") else { return }
        switch args[0] {
        case "general":
            func row(_ name: String, _ value: String) -> String { TaskText.pad(name, 30) + TaskText.pad(value, 30) + "\n" }
            var out = row("ClusterID:", vars["cluster_id"]?.stringValue ?? "")
            out += row("ServerID:", vars["server_id"]?.stringValue ?? "")
            out += row("Host:", vars["host"]?.stringValue ?? "")
            out += row("Tasks:", "\(vars["num_tasks"]?.int64Value ?? 0)")
            out += row("Enabled Tasks:", "\(vars["num_enabled_tasks"]?.int64Value ?? 0)")
            out += row("Subscriptions:", "\(vars["num_subscriptions"]?.int64Value ?? 0)")
            out += row("Platform:", vars["platform"]?.stringValue ?? "")
            out += row("Version:", vars["version"]?.stringValue ?? "")
            print(out, terminator: "")
        default:
            throw TaskCommandError(description: "stats \(args[0]): Farad has stats general")
        }
    }
}
