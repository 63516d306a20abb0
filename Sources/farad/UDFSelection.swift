import ArgumentParser
import FaradCore
import FaradSystem
import FaradUDFHost

/// Which UDF to talk to: a program, a socket, or a `[udf.functions.NAME]` section of a config file.
struct UDFSelection: ParsableArguments {
    @Option(name: .customLong("prog"), help: "Program to run as a process UDF (looked up in PATH if it has no slash).")
    var prog: String?

    /// Taken as is even when it starts with `-` (`--arg -u`): a UDF's arguments are its own.
    @Option(name: .customLong("arg"), parsing: .unconditionalSingleValue, help: "An argument for --prog, taken as is even if it starts with - (repeat for several).")
    var args: [String] = []

    @Option(name: .customLong("socket"), help: "Unix socket of a socket UDF.")
    var socket: String?

    @Option(name: .customLong("config"), help: "A TOML file with [udf.functions.NAME] sections (kapacitor.conf works).")
    var config: String?

    @Option(name: .customLong("name"), help: "The UDF's name: a section of --config, or a label for --prog/--socket.")
    var name: String?

    @Option(name: .customLong("timeout"), help: "Keepalive timeout T (keepalives every T/2; silence for T aborts).")
    var timeout: String = "10s"

    func validate() throws {
        let chosen = [prog != nil, socket != nil, config != nil].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("choose one of --prog, --socket or --config (with --name)") }
        if config != nil && name == nil { throw ValidationError("--config needs --name to pick a [udf.functions.NAME] section") }
        if !args.isEmpty && prog == nil { throw ValidationError("--arg is only for --prog") }
        guard DurationText.parse(timeout) != nil else { throw ValidationError("--timeout: invalid duration \(timeout.debugDescription) (e.g. 10s)") }
    }

    /// The function config, with `restart` as given.
    func functionConfig(restart: RestartPolicy) throws -> UDFFunctionConfig {
        let timeout = Duration.nanoseconds(DurationText.parse(timeout)!)
        if let config, let name {
            let text: String
            do {
                text = try readFile(config)
            } catch {
                throw ValidationError("cannot read \(config): \(error)")
            }
            let functions: [UDFFunctionConfig]
            do {
                functions = try UDFFunctionConfig.load(toml: text)
            } catch let error as TOMLError {
                throw ValidationError("\(config): \(error)")
            }
            guard var found = functions.first(where: { $0.name == name }) else {
                let known = functions.map(\.name).joined(separator: ", ")
                throw ValidationError("\(config) has no [udf.functions.\(name)] (it has: \(known.isEmpty ? "none" : known))")
            }
            found.restart = restart
            return found
        }
        let label = name ?? (prog.map { String($0.split(separator: "/").last ?? "udf") } ?? "udf")
        if let socket {
            return try UDFFunctionConfig(name: label, endpoint: .socket(path: socket), timeout: timeout, restart: restart)
        }
        return try UDFFunctionConfig(name: label, endpoint: .process(prog: prog!, args: args, env: [:]), timeout: timeout, restart: restart)
    }
}

func readFile(_ path: String) throws -> String {
    String(decoding: try FileDescriptor.readFile(atPath: path), as: UTF8.self)
}
