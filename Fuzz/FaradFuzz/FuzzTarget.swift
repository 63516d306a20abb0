import FaradCore
import FaradIngest
@testable import FaradQuery
import FaradTICK

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parsers under fuzzing. Each takes any bytes; it must never trap, and where a cheap
/// invariant exists (a round trip, two paths that must agree) a broken one aborts with a
/// message, which libFuzzer reports as a crash with the input saved.
enum FuzzTarget: String, CaseIterable {
    case lineprotocol, json, datapoints, telnet, query, tick, influxql

    /// The target named by the environment variable `FARAD_FUZZ_TARGET`.
    static let selected: FuzzTarget = {
        guard let name = getenv("FARAD_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
            fatalError("set FARAD_FUZZ_TARGET to one of \(allCases.map(\.rawValue))")
        }
        return target
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .lineprotocol: LineProtocolFuzz.run(bytes)
        case .json: JSONFuzz.run(bytes)
        case .datapoints: _ = KairosDatapointsParser(acceptsComplex: bytes.first.map { $0 & 1 == 1 } ?? false).parse(bytes)
        case .telnet: TelnetFuzz.run(bytes)
        case .query: QueryFuzz.run(bytes)
        case .tick: TICKFuzz.run(bytes)
        case .influxql: InfluxQLFuzz.run(bytes)
        }
    }
}

/// Stops the run with a message: libFuzzer sees the abort and keeps the input.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant broken: \(message())") }
}
