import FaradSystem
import KapacitorUDFWire

#if canImport(Glibc)
import Glibc
#endif

/// Drives a UDF through real pipes as a host would: `init`, then `points` points (or batches
/// of `batchSize`), then EOF; reads every response. Reports throughput, the UDF's peak RSS
/// (VmHWM sampled while it runs) and CPU, and this host's CPU per point.
///
/// With `raw`, no `init` is sent: for byte relays such as `cat`, which echo request frames
/// (a request point frame is byte-identical to a response point frame).
func pipeBenchmark(udf: String, arguments: [String], points n: Int, batchSize: Int, raw: Bool) throws {
    // Spawn before building the frames: until exec the child shares this process's memory,
    // and its peak RSS (ru_maxrss) would count our frame buffer.
    let child = try ChildProcess(executable: udf, arguments: arguments, standardInput: .pipe, standardOutput: .pipe, standardError: .inherit)
    let frames = requestFrames(count: n, batchSize: batchSize)
    let stdin = child.standardInput!
    let stdout = child.standardOutput!
    var decoder = FrameDecoder()

    func nextResponse() throws -> UDFResponse? {
        while true {
            if let payload = try decoder.next() { return try UDFResponse(decoding: payload) }
            let read = try decoder.read { try stdout.read(into: $0) }
            if read == 0 { try decoder.finish(); return nil }
        }
    }

    if !raw {
        try stdin.writeAll(UDFRequest.initialize(InitRequest(taskID: "bench", nodeID: "mirror1")).frame)
        guard case .initialize(true, _) = try nextResponse() else {
            throw BenchError("the UDF did not accept init")
        }
    }
    let clock = ContinuousClock()
    let cpuBefore = processCPUTime()
    let start = clock.now
    let writer = try OSThread(name: "bench-writer") {
        frames.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let n = min(256 << 10, all.count - offset)
                do { try stdin.writeAll(UnsafeRawBufferPointer(rebasing: all[offset..<offset + n])) } catch { break }
                offset += n
            }
        }
        stdin.close()
    }
    var received = 0
    var batches = 0
    var peakRSS = 0
    while let response = try nextResponse() {
        switch response {
        case .point:
            received += 1
            if received % 65_536 == 0 || received == n { peakRSS = max(peakRSS, child.peakResidentBytes ?? 0) }
        case .end: batches += 1
        case .error(let text): throw BenchError("the UDF failed: \(text)")
        default: break
        }
    }
    let wall = clock.now - start
    let hostCPU = processCPUTime() - cpuBefore
    writer.join()
    stdout.close()
    let status = child.waitBlocking(timeout: .seconds(30)) ?? child.terminate()
    guard received == n else { throw BenchError("sent \(n) points, received \(received)") }
    let usage = child.resourceUsage!
    if peakRSS == 0 { peakRSS = usage.peakResidentBytes }
    let name = "\(udf.split(separator: "/").last!) \(batchSize > 0 ? "batch \(batchSize)" : "stream")"
    let rate = Double(n) / wall.seconds
    print("\(name.padding(28))  \(format(rate / 1e6, 3).leftPadding(7)) M points/s"
        + "  UDF peak RSS \(format(Double(peakRSS) / 1_048_576, 1)) MiB"
        + "  UDF CPU \(format((usage.userTime + usage.systemTime).seconds * 1e9 / Double(n), 0)) ns/point"
        + "  host CPU \(format(hostCPU.seconds * 1e9 / Double(n), 0)) ns/point"
        + (batches > 0 ? "  \(batches) batches" : "") + "  (\(status))")
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
