#if canImport(Glibc)
import Glibc
#endif
import FaradSystem
import KapacitorUDFWire

// farad-bench: Farad's hot paths, measured. Build in release:
//   swift build -c release --product farad-bench --product udf-mirror
//   .build/release/farad-bench codec
//   .build/release/farad-bench pipe --udf .build/release/udf-mirror
//   .build/release/farad-bench pipe --udf .build/release/udf-mirror --arg --batch --batch-size 1000
//   .build/release/farad-bench pipe --udf /bin/cat --raw        (a bare byte relay, for reference)

let usage = """
    usage: farad-bench codec [--points N]
           farad-bench pipe --udf PATH [--arg A]... [--points N] [--batch-size N] [--raw]
           farad-bench host --udf PATH [--arg A]... [--env K=V]... [--points N] [--batch-size N]
           farad-bench frames [--points N] [--batch-size N] > requests.bin
           farad-bench engine [--points N]

    codec   Farad's wire codec against SwiftProtobuf, in process (default 1,000,000 points).
    pipe    Drives a UDF executable through real pipes as a host would (default 1,000,000 points);
            --batch-size N sends batches of N points; --raw skips init (for byte relays like cat).
    host    The same through Farad's UDF host (UDFSession): points encoded from values, responses
            decoded, batches assembled; reports the host's own CPU per point.
    engine  groupBy|window|mean as the engine's state machines, in process (default 10,000,000
            points from 1,000 hosts).
    frames  Writes an init request and the benchmark points as request frames to stdout, to feed a
            UDF directly: udf-mirror < requests.bin > /dev/null.
    """

var args = Array(CommandLine.arguments.dropFirst())[...]
guard let mode = args.popFirst() else {
    print(usage)
    exit(2)
}
var points: Int?
var udf: String?
var udfArguments: [String] = []
var batchSize = 0
var raw = false
var environment: [String: String] = [:]
while let arg = args.popFirst() {
    switch arg {
    case "--points": points = Int(args.popFirst() ?? "")
    case "--udf": udf = args.popFirst()
    case "--arg": udfArguments.append(args.popFirst() ?? "")
    case "--batch-size": batchSize = Int(args.popFirst() ?? "") ?? 0
    case "--raw": raw = true
    case "--env":
        let pair = (args.popFirst() ?? "").split(separator: "=", maxSplits: 1).map(String.init)
        if pair.count == 2 { environment[pair[0]] = pair[1] }
    default:
        print("unknown argument \(arg)\n\(usage)")
        exit(2)
    }
}

do {
    switch mode {
    case "codec": try codecBenchmark(points: points ?? 1_000_000)
    case "engine": try engineBenchmark(points: points ?? 10_000_000)
    case "host":
        guard let udf else {
            print("host needs --udf PATH\n\(usage)")
            exit(2)
        }
        try await hostBenchmark(udf: udf, arguments: udfArguments, environment: environment, points: points ?? 1_000_000, batchSize: batchSize)
    case "frames":
        var bytes = UDFRequest.initialize(InitRequest(taskID: "bench", nodeID: "udf1")).frame
        bytes += requestFrames(count: points ?? 1_000_000, batchSize: batchSize)
        try FileDescriptor.standardOutput.writeAll(bytes)
    case "pipe":
        guard let udf else {
            print("pipe needs --udf PATH\n\(usage)")
            exit(2)
        }
        try pipeBenchmark(udf: udf, arguments: udfArguments, points: points ?? 1_000_000, batchSize: batchSize, raw: raw)
    default:
        print(usage)
        exit(2)
    }
} catch {
    print("farad-bench: \(error)")
    exit(1)
}
