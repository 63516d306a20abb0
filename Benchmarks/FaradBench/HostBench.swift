import FaradUDFHost
import KapacitorUDFWire
import Logging

/// The host side through `UDFSession`: points built from values (as the engine would), encoded,
/// sent; responses decoded and batches assembled. Reports throughput and this process's CPU per
/// point (the UDF's own CPU is not counted).
func hostBenchmark(udf: String, arguments: [String], environment: [String: String], points n: Int, batchSize: Int) async throws {
    let config = try UDFFunctionConfig(
        name: "bench", endpoint: .process(prog: udf, args: arguments, env: environment), timeout: .seconds(30), restart: .off)
    let session = try await UDFSession.start(config, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    try await session.initialize([], taskID: "bench", nodeID: "bench1")
    let points = (0..<n).map(benchmarkPoint)
    let clock = ContinuousClock()
    let cpuBefore = processCPUTime()
    let start = clock.now
    async let received: Int = {
        var count = 0
        while let outputs = try await session.nextOutputs() {
            for output in outputs {
                switch output {
                case .point: count += 1
                case .batch(_, let p, _): count += p.count
                }
            }
        }
        return count
    }()
    let chunk = batchSize > 0 ? batchSize : 1_000
    var i = 0
    while i < n {
        let slice = points[i..<min(i + chunk, n)]
        if batchSize > 0 {
            let tags = ["host": "server01", "cpu": "cpu-total"]
            try await session.send(batch: BeginBatch(name: "cpu", tags: tags), points: Array(slice), end: EndBatch(name: "cpu", tmax: slice.last!.time, tags: tags))
        } else {
            try await session.send(slice)
        }
        i += chunk
    }
    try await session.finish()
    let count = try await received
    let wall = clock.now - start
    let hostCPU = processCPUTime() - cpuBefore
    guard count == n else { throw BenchError("sent \(n) points, received \(count)") }
    let name = "host ↔ \(([udf.split(separator: "/").last.map(String.init) ?? udf] + arguments.suffix(1)).joined(separator: " "))"
    print("\(name.padding(34)) \(batchSize > 0 ? "batch \(batchSize)" : "stream")  \(format(Double(n) / wall.seconds / 1e6, 3)) M points/s"
        + "  host CPU \(format(hostCPU.seconds * 1e9 / Double(n), 0)) ns/point")
}
