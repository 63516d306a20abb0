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
           farad-bench udf-codec [--points N]
           farad-bench chunk-codec [--points N] [--batch-size N]
           farad-bench task [--points N]
           farad-bench task-udf [--udf PATH] [--points N]
           farad-bench serve --port P [--format json|gzip|lp] [--points N] [--batch-size N] [--clients N] [--server-pid PID]
           farad-bench latency --port P [--rate R] [--seconds S]
           farad-bench query --port P [--repeats N]

    codec   Farad's wire codec against SwiftProtobuf, in process (default 1,000,000 points).
    pipe    Drives a UDF executable through real pipes as a host would (default 1,000,000 points);
            --batch-size N sends batches of N points; --raw skips init (for byte relays like cat).
    host    The same through Farad's UDF host (UDFSession): points encoded from values, responses
            decoded, batches assembled; reports the host's own CPU per point.
    engine  groupBy|window|mean as the engine's state machines, in process (default 10,000,000
            points from 1,000 hosts).
    udf-codec  A UDF node's host side by stage: engine point -> frame, frame -> UDF point,
            UDF point -> engine point (default 1,000,000 points).
    chunk-codec  The store's chunk codec, v0 against v1: encode/decode points/s and bytes a point
            for five workloads (default 4,000,000 points, chunks of --batch-size 8192).
    task    Issue 5's task, compiled from TICKscript and run in process: from|window|mean|httpOut
            over 10,000,000 points from 1,000 hosts.
    task-udf  The same with @mirror() (udf-mirror, default .build/release/udf-mirror) through
            real pipes before the window (default 2,000,000 points).
    serve   Loads a running `farad serve` (or influxd, --format lp) on 127.0.0.1 with KairosDB JSON,
            gzip JSON or line protocol (default 10,000,000 points, 10,000 per request, 2 clients).
    latency 100-point KairosDB requests at --rate per second (default 1,000 for 10 s): p50/p99.
    query   avg by 1-minute buckets over one series of 86,400 points (seeds it first): p50/p99.
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
var port = 9092
var format = "json"
var clients = 2
var serverPID: Int32?
var rate = 1000
var seconds = 10
var repeats = 200
while let arg = args.popFirst() {
    switch arg {
    case "--points": points = Int(args.popFirst() ?? "")
    case "--udf": udf = args.popFirst()
    case "--arg": udfArguments.append(args.popFirst() ?? "")
    case "--batch-size": batchSize = Int(args.popFirst() ?? "") ?? 0
    case "--raw": raw = true
    case "--port": port = Int(args.popFirst() ?? "") ?? port
    case "--format": format = args.popFirst() ?? format
    case "--clients": clients = Int(args.popFirst() ?? "") ?? clients
    case "--server-pid": serverPID = Int32(args.popFirst() ?? "")
    case "--rate": rate = Int(args.popFirst() ?? "") ?? rate
    case "--seconds": seconds = Int(args.popFirst() ?? "") ?? seconds
    case "--repeats": repeats = Int(args.popFirst() ?? "") ?? repeats
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
    case "udf-codec": try udfCodecBenchmark(points: points ?? 1_000_000)
    case "chunk-codec": chunkCodecBenchmark(points: points ?? 4_000_000, chunkSize: batchSize > 0 ? batchSize : 8192)
    case "engine": try engineBenchmark(points: points ?? 10_000_000)
    case "task": try await taskBenchmark(points: points ?? 10_000_000, udf: nil)
    case "task-udf": try await taskBenchmark(points: points ?? 2_000_000, udf: udf ?? ".build/release/udf-mirror")
    case "host":
        guard let udf else {
            print("host needs --udf PATH\n\(usage)")
            exit(2)
        }
        try await hostBenchmark(udf: udf, arguments: udfArguments, environment: environment, points: points ?? 1_000_000, batchSize: batchSize)
    case "serve":
        try serveBenchmark(host: "127.0.0.1", port: port, format: format, points: points ?? 10_000_000,
                           batch: batchSize > 0 ? batchSize : 10_000, clients: clients, serverPID: serverPID)
    case "latency": try latencyBenchmark(host: "127.0.0.1", port: port, rate: rate, seconds: seconds)
    case "query": try queryBenchmark(host: "127.0.0.1", port: port, repeats: repeats)
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
