import FaradIngest

/// Telnet: every line of the input through the parser.
enum TelnetFuzz {
    static func run(_ bytes: [UInt8]) {
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            _ = try? TelnetParser.parse(String(decoding: line, as: UTF8.self))
        }
    }
}
