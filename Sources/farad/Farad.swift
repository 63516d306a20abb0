import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

@main
struct Farad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "farad",
        abstract: "A time-series stream processor: Kapacitor's UDF protocol, KairosDB ingest and TICKscript tasks.",
        discussion: """
            Under the names kapacitord and kapacitor (symlinks to this binary) it answers as \
            Kapacitor's daemon and command line; farad kapacitord … and farad kapacitor … do the same.
            """,
        subcommands: [
            ServeCommand.self, DefineCommand.self, StatusCommand.self, DisableCommand.self, ReloadCommand.self, ShowCommand.self,
            ListCommand.self, DeleteCommand.self, ReplayCommand.self, UDFCommand.self, KapacitordCommand.self, KapacitorCommand.self,
        ]
    )

    /// Like ArgumentParser's, except that while a shutdown signal is being handled the exit
    /// status is 128 + the signal, whatever error the interrupted work ends with; and that under
    /// the names `kapacitord` and `kapacitor` the arguments are Kapacitor's.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch (CommandLine.arguments.first ?? "").split(separator: "/").last ?? "" {
        case "kapacitord": await runKapacitord(arguments)
        case "kapacitor": Glibc.exit(KapacitorCLI.main(arguments))
        default: break
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let signal = shutdownSignal.load(ordering: .acquiring)
            if signal != 0 { Glibc.exit(128 + signal) }
            exit(withError: error)
        }
    }

    /// Runs the daemon command line and exits.
    static func runKapacitord(_ arguments: [String]) async -> Never {
        do {
            try await Kapacitord.main(arguments)
            Glibc.exit(0)
        } catch let failure as KapacitorExit {
            FileHandle(fileDescriptor: failure.toStandardError ? 2 : 1).write(Data((failure.message + "\n").utf8))
            Glibc.exit(failure.status)
        } catch {
            let signal = shutdownSignal.load(ordering: .acquiring)
            if signal != 0 { Glibc.exit(128 + signal) }
            FileHandle.standardError.write(Data("run: \(error)\n".utf8))
            Glibc.exit(1)
        }
    }
}

struct UDFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udf",
        abstract: "Try a Kapacitor UDF (Python, Go, Swift, …) without a Kapacitor.",
        subcommands: [UDFInfoCommand.self, UDFRunCommand.self]
    )
}

/// `farad kapacitord …`: the binary as Kapacitor's daemon.
struct KapacitordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kapacitord",
        abstract: "Kapacitor's daemon command line: kapacitord [run] -config kapacitor.conf [-hostname h] [-pidfile p] [-log-file f] [-log-level l] | config | version.")
    @Argument(parsing: .captureForPassthrough, help: "Kapacitor's arguments.") var arguments: [String] = []

    func run() async throws { await Farad.runKapacitord(arguments) }
}

/// `farad kapacitor …`: the binary as Kapacitor's command line.
struct KapacitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kapacitor",
        abstract: "Kapacitor's command line: kapacitor [-url U] define|enable|disable|reload|show|list|delete|stats|vars|version ….")
    @Argument(parsing: .captureForPassthrough, help: "Kapacitor's arguments.") var arguments: [String] = []

    func run() throws { Glibc.exit(KapacitorCLI.main(arguments)) }
}
