import ArgumentParser

@main
struct Farad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "farad",
        abstract: "A time-series stream processor: Kapacitor's UDF protocol, KairosDB ingest and TICKscript tasks.",
        subcommands: [UDFCommand.self]
    )
}

struct UDFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udf",
        abstract: "Try a Kapacitor UDF (Python, Go, Swift, …) without a Kapacitor.",
        subcommands: [UDFInfoCommand.self, UDFRunCommand.self]
    )
}
