import ArgumentParser
import FaradServer
import Foundation

/// The binary under the name `kapacitord` (a symlink) or as `farad kapacitord …`: Kapacitor's
/// daemon command line, run by `farad serve` with Kapacitor's defaults.
///
/// ```sh
/// kapacitord -config /etc/kapacitor/kapacitor.conf -hostname localhost
/// kapacitord config > kapacitor.conf
/// ```
enum Kapacitord {
    static let version = "Kapacitor OSS \(KapacitorCLI.kapacitorVersion) (git: farad \(KapacitorCLI.faradVersion))"

    static let usage = """
        Usage: kapacitord [[command] [arguments]]

        The commands are:

            config               display the default configuration
            help                 display this help message
            run                  run node with existing configuration
            version              displays the Kapacitor version

        "run" is the default command.

        Use "kapacitord help [command]" for more information about a command.
        """

    static let runFlags = GoFlags(known: [
        ("config", true, "Set the path to the configuration file."),
        ("pidfile", true, "Write process ID to a file."),
        ("hostname", true, "Override the hostname, the 'hostname' configuration option will be overridden."),
        ("cpuprofile", true, "Write CPU profiling information to a file (not supported by Farad)."),
        ("memprofile", true, "Write memory usage information to a file (not supported by Farad)."),
        ("log-file", true, "Override the log file, the 'logging.file' configuration option will be overridden."),
        ("log-level", true, "Override the log level, the 'logging.level' configuration option will be overridden."),
        ("blacklist-cidrs", true, "Blacklist CIDRs for most HTTP GET/POST operations (not supported by Farad)."),
        ("disable-handlers", true, "Disable alert handlers (not supported by Farad)."),
    ], usage: "Usage: kapacitord run [flags]\n\nrun starts the Kapacitor server.\n")

    static let configFlags = GoFlags(known: [("config", true, "Set the path to the configuration file.")],
                                     usage: "Usage: kapacitord config [flags]\n\nconfig displays the default configuration.\n")

    /// Runs the daemon command line `arguments` (without the program name).
    static func main(_ arguments: [String]) async throws {
        var arguments = arguments
        let command = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "run"
        if arguments.first == command { arguments.removeFirst() }
        switch command {
        case "run":
            let flags = try parse(runFlags, arguments)
            try await run(flags)
        case "config":
            let flags = try parse(configFlags, arguments)
            if let path = configPath(flags.last("config")) {
                guard let data = FileManager.default.contents(atPath: path) else { throw KapacitorExit(1, "cannot read config \(path)") }
                FileHandle.standardOutput.write(data)
            } else {
                print(SampleConfig.text, terminator: "")
            }
        case "version":
            print(version)
        case "help":
            print(usage)
        default:
            throw KapacitorExit(1, "unknown command: \(command)\n\(usage)")
        }
    }

    private static func parse(_ flags: GoFlags, _ arguments: [String]) throws -> GoFlags.Parsed {
        do {
            return try flags.parse(arguments)
        } catch {
            if error.isHelp { throw KapacitorExit(0, flags.help, toStandardError: true) }
            throw KapacitorExit(2, error.message + "\n" + flags.help)
        }
    }

    /// `-config`, else `KAPACITOR_CONFIG_PATH`, else the first of Kapacitor's default places
    /// that exists; `nil`: none (Kapacitor's defaults and the `KAPACITOR_*` variables).
    static func configPath(_ flag: String?) -> String? {
        if let flag, !flag.isEmpty { return flag }
        let env = ProcessInfo.processInfo.environment
        if let path = env["KAPACITOR_CONFIG_PATH"], !path.isEmpty { return path }
        let candidates = (env["HOME"].map { [$0 + "/.kapacitor/kapacitor.conf"] } ?? []) + ["/etc/kapacitor/kapacitor.conf"]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    private static func run(_ flags: GoFlags.Parsed) async throws {
        var serve = ["--defaults", "kapacitor"]
        if let path = configPath(flags.last("config")) { serve += ["--config", path] }
        if let host = flags.last("hostname") { serve += ["--hostname", host] }
        if let pid = flags.last("pidfile") { serve += ["--pidfile", pid] }
        let logFile = flags.last("log-file")
        if let logFile { serve += ["--log-file", logFile] }
        serve += ["--log-format", "logfmt"]
        if let level = flags.last("log-level") {
            guard let name = ConfigFileSettings.swiftLogLevel(kapacitor: level) else {
                throw KapacitorExit(1, "run: invalid log level \(level.debugDescription): use debug, info, warn, error or off")
            }
            serve += ["--log-level", name]
        }
        for unsupported in ["cpuprofile", "memprofile", "blacklist-cidrs", "disable-handlers"] where flags.last(unsupported) != nil {
            FileHandle.standardError.write(Data("kapacitord: -\(unsupported) is not supported by Farad: ignored\n".utf8))
        }
        var command = try ServeCommand.parseAsRoot(serve)
        guard let serveCommand = command as? ServeCommand else { return try command.run() }
        try await serveCommand.run()
    }
}

/// Ends a Kapacitor-style command: a message (on stderr unless the status is 0 and it is output)
/// and Kapacitor's exit status.
struct KapacitorExit: Error {
    var status: Int32
    var message: String
    var toStandardError: Bool

    init(_ status: Int32, _ message: String, toStandardError: Bool = true) {
        self.status = status
        self.message = message
        self.toStandardError = toStandardError
    }
}
