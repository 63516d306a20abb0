import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

@main
struct Farad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "farad",
        abstract: "A time-series stream processor: Kapacitor's UDF protocol, KairosDB ingest and TICKscript tasks.",
        subcommands: [
            ServeCommand.self, DefineCommand.self, StatusCommand.self, DisableCommand.self, ReloadCommand.self, ShowCommand.self,
            ListCommand.self, DeleteCommand.self, ReplayCommand.self, UDFCommand.self,
        ]
    )

    /// Like ArgumentParser's, except that while a shutdown signal is being handled the exit
    /// status is 128 + the signal, whatever error the interrupted work ends with.
    static func main() async {
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
}

struct UDFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udf",
        abstract: "Try a Kapacitor UDF (Python, Go, Swift, …) without a Kapacitor.",
        subcommands: [UDFInfoCommand.self, UDFRunCommand.self]
    )
}
