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
           farad-bench influxql [--points N]   (InfluxQL statements parsed a second)
           farad-bench influxql-query [--bin DIR] [--series N] [--interval S] [--repeats N] [--port P]
       farad-bench task [--points N]
           farad-bench task-batch [--points N] [--influxdb URL]   (batch|query over N stored points)
           farad-bench task-alert [--points N]   (alert().crit(λ).message(template).log(file), 10 % firing)
           farad-bench alert-mqtt --port P [--points N]   (events/s to mosquitto -p P, QoS 1)
           farad-bench alert-post [--points N]   (events/s posted to a receiver it runs)
           farad-bench task-udf [--udf PATH] [--points N]
           farad-bench serve --port P [--format json|gzip|lp] [--points N] [--batch-size N] [--clients N] [--server-pid PID]
           farad-bench latency --port P [--rate R] [--seconds S]
           farad-bench query --port P [--repeats N]
           farad-bench scale-load --flavor farad|influxdb --port P [--big] [--series N] [--rounds N] [--big-points N] [--batch-size N] [--clients N] [--server-pid PID] [--settle S]
           farad-bench scale-count --flavor F --port P --expect N --since-ns T [--server-pid PID] [--timeout S]
           farad-bench scale-query --flavor F --port P --part tag|big [--series N] [--rounds N] [--big-points N] [--server-pid PID] [--repeats N]
           farad-bench store [--series N] [--rounds N] [--batch-size N] [--clients N] [--no-sync] [--compaction N] [--flush-points N]

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
    task-batch  Issue 14's batch tasks over FaradStore: N (10,000,000) points of 1,000 hosts stored
            as /write stores them, then batch|query(raw, by host)|mean|httpOut and the mean asked
            of the query (GROUP BY time(1m), host), every tick over the data run back to back;
            --influxdb URL loads the same points into that InfluxDB and runs the tasks against it too.
    task-udf  The same with @mirror() (udf-mirror, default .build/release/udf-mirror) through
            real pipes before the window (default 2,000,000 points).
    serve   Loads a running `farad serve` (or influxd, --format lp) on 127.0.0.1 with KairosDB JSON,
            gzip JSON or line protocol (default 10,000,000 points, 10,000 per request, 2 clients).
    latency 100-point KairosDB requests at --rate per second (default 1,000 for 10 s): p50/p99.
    store   FaradStore.append directly: --series (default 100,000) x --rounds (default 10) points,
            one per series per round, --batch-size per append (default 5,000), --clients (default
            2); bytes written per point (/proc/self/io) and disk per point at rest, by file.
    query   avg by 1-minute buckets over one series of 86,400 points (seeds it first): p50/p99.
    scale-load   Issue 12's ingest: line protocol m,host=h<i>,region=r<i%16> v=… for --series (1,000,000)
            × --rounds (10), or with --big one series big v=… of --big-points (10,000,000), to db
            bench (big), built on the fly; server CPU, write_bytes and peak RSS per point from /proc.
    scale-count  Polls the count of m until it is --expect and prints the time since --since-ns
            (`date +%s%N` before the server started) and the server's peak RSS.
    scale-query  --part tag: one host's series of --series (50 random hosts, or --repeats);
            --part big: the newest 1,000 points of big (20 runs), a count and a mean (5 runs).
            scripts/bench-influxdb.sh runs all three against farad serve and influxd.
    influxql-query  /query beside InfluxDB 1.6: farad serve (from --bin, default .build-release/release)
            and influxd one after the other on port --port (18390), each loaded with a day of
            --series (1,000) cpu series every --interval (30) s, then six InfluxQL statements
            --repeats (20) times each: p50/p99 and whether both answered the same bytes.
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
var influxDBURL: String?
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
var bin = ".build-release/release"
var interval = 30
var repeats: Int?
var flavor = ScaleFlavor.farad
var seriesOption: Int?
var rounds = 10
var bigPoints = 10_000_000
var big = false
var settle = 0
var expect = 0
var sinceNanoseconds: Int64 = 0
var timeout = 900
var part = "tag"
var sync = true
var compaction: Int?
var flushPoints: Int?
while let arg = args.popFirst() {
    switch arg {
    case "--points": points = Int(args.popFirst() ?? "")
    case "--udf": udf = args.popFirst()
    case "--influxdb": influxDBURL = args.popFirst()
    case "--arg": udfArguments.append(args.popFirst() ?? "")
    case "--batch-size": batchSize = Int(args.popFirst() ?? "") ?? 0
    case "--raw": raw = true
    case "--port": port = Int(args.popFirst() ?? "") ?? port
    case "--format": format = args.popFirst() ?? format
    case "--clients": clients = Int(args.popFirst() ?? "") ?? clients
    case "--server-pid": serverPID = Int32(args.popFirst() ?? "")
    case "--rate": rate = Int(args.popFirst() ?? "") ?? rate
    case "--seconds": seconds = Int(args.popFirst() ?? "") ?? seconds
    case "--repeats": repeats = Int(args.popFirst() ?? "")
    case "--flavor":
        guard let f = ScaleFlavor(rawValue: args.popFirst() ?? "") else {
            print("--flavor is farad or influxdb\n\(usage)")
            exit(2)
        }
        flavor = f
    case "--series": seriesOption = Int(args.popFirst() ?? "").map { max(1, $0) }
    case "--rounds": rounds = max(1, Int(args.popFirst() ?? "") ?? rounds)
    case "--big-points": bigPoints = max(1, Int(args.popFirst() ?? "") ?? bigPoints)
    case "--big": big = true
    case "--settle": settle = min(600, max(0, Int(args.popFirst() ?? "") ?? 0))
    case "--bin": bin = args.popFirst() ?? bin
    case "--interval": interval = Int(args.popFirst() ?? "") ?? interval
    case "--expect": expect = Int(args.popFirst() ?? "") ?? 0
    case "--since-ns": sinceNanoseconds = Int64(args.popFirst() ?? "") ?? 0
    case "--timeout": timeout = min(3600, max(1, Int(args.popFirst() ?? "") ?? timeout))
    case "--part": part = args.popFirst() ?? part
    case "--no-sync": sync = false
    case "--compaction": compaction = Int(args.popFirst() ?? "")
    case "--flush-points": flushPoints = Int(args.popFirst() ?? "").map { max(1, $0) }
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
    case "influxql": try influxQLBenchmark(statements: points ?? 300_000)
    case "influxql-query":
        try influxQLQueryBenchmark(bin: bin, series: seriesOption ?? 1000, interval: max(1, interval), repeats: max(1, repeats ?? 20), port: port == 9092 ? 18390 : port)
    case "udf-codec": try udfCodecBenchmark(points: points ?? 1_000_000)
    case "chunk-codec": chunkCodecBenchmark(points: points ?? 4_000_000, chunkSize: batchSize > 0 ? batchSize : 8192)
    case "engine": try engineBenchmark(points: points ?? 10_000_000)
    case "task": try await taskBenchmark(points: points ?? 10_000_000, udf: nil)
    case "task-batch": try await batchTaskBenchmark(points: points ?? 10_000_000, influxDB: influxDBURL)
    case "task-alert": try await taskBenchmark(points: points ?? 10_000_000, udf: nil, alert: true)
    case "alert-mqtt": try await alertDeliveryBenchmark(kind: "mqtt", port: port, events: points ?? 100_000)
    case "alert-post": try await alertDeliveryBenchmark(kind: "post", port: port, events: points ?? 100_000)
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
    case "query": try queryBenchmark(host: "127.0.0.1", port: port, repeats: repeats ?? 200)
    case "scale-load":
        try scaleLoadBenchmark(flavor: flavor, port: port, database: big ? "big" : "bench", big: big,
                               data: ScaleData(series: seriesOption ?? 1_000_000, rounds: rounds, bigPoints: bigPoints),
                               batch: batchSize > 0 ? batchSize : 5000, clients: max(1, clients), serverPID: serverPID,
                               settleSeconds: settle, key: big ? "big" : "ingest")
    case "scale-count":
        try scaleCountWait(flavor: flavor, port: port, expect: expect, sinceNanoseconds: sinceNanoseconds,
                           serverPID: serverPID, timeoutSeconds: timeout)
    case "scale-query":
        try scaleQueryBenchmark(flavor: flavor, port: port, part: part,
                                data: ScaleData(series: seriesOption ?? 1_000_000, rounds: rounds, bigPoints: bigPoints), serverPID: serverPID,
                                tagQueries: repeats ?? 50, tailRuns: 20, aggregateRuns: 5)
    case "store":
        try await storeBenchmark(series: seriesOption ?? 100_000, rounds: rounds, batch: batchSize > 0 ? batchSize : 5_000, clients: clients, sync: sync, compaction: compaction, flushPoints: flushPoints)
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
