import ArgumentParser
import FaradUDFHost
import KapacitorUDFWire

struct UDFInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print what a UDF wants, provides and accepts (Kapacitor's info probe).",
        discussion: """
            Examples:
              farad udf info --prog .build/release/udf-moving-avg
              farad udf info --prog python3 --arg -u --arg moving_avg.py
              farad udf info --socket /tmp/mirror.sock
              farad udf info --config kapacitor.conf --name movingAvg
            """
    )

    @OptionGroup var udf: UDFSelection
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.makeLogger()
        try installShutdownHandlers()
        let config = try udf.functionConfig(restart: .off)
        let info = try await UDFSession.probe(config, logger: logger)
        print("UDF \(config.name) (\(config.endpoint))")
        print("wants:    \(info.wants)")
        print("provides: \(info.provides)")
        if info.options.isEmpty {
            print("options:  none")
        } else {
            print("options:")
            let width = info.options.keys.map(\.count).max() ?? 0
            for name in info.options.keys.sorted() {
                let types = info.options[name]!
                let padded = name + String(repeating: " ", count: width - name.count)
                print("  \(padded)  \(types.isEmpty ? "(no arguments)" : types.map(\.description).joined(separator: ", "))")
            }
        }
    }
}
