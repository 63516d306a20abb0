#if canImport(Glibc)
import Glibc
#endif
import FaradSystem
import Foundation

// Issue 12's scale comparison, one server at a time (scripts/bench-influxdb.sh runs Farad and
// InfluxDB 1.6 one after the other on the same data and prints the table). Every figure is
// printed twice: a line for people, and `RESULT key value` for the script.

/// Which server answers: their query APIs differ, their line protocol is the same.
enum ScaleFlavor: String {
    case farad, influxdb
}

/// The data: `series` hosts × `rounds` points of `m,host=h<i>,region=r<i%16> v=…` at 1 s steps,
/// and one series `big v=…` of `bigPoints` points at 1 s steps, both from `base` seconds.
struct ScaleData {
    static let base: Int64 = 1_700_000_000
    var series: Int
    var rounds: Int
    var bigPoints: Int

    /// The value of line `j` of either set: 0.0 … 99.9 in steps of 0.1.
    static func tenths(_ j: Int) -> Int { (j &* 7919) % 1000 }

    /// The mean of `big.v` over all its points, computed from the generator.
    var bigMean: Double {
        var sum = 0
        for j in 0..<bigPoints { sum += Self.tenths(j) }
        return Double(sum) / 10 / Double(max(1, bigPoints))
    }

    /// Appends lines `from..<to` of the many-series set (round-major: every series, then the next round).
    func appendSeriesLines(_ from: Int, _ to: Int, into out: inout [UInt8]) {
        for j in from..<to {
            let s = j % series
            let round = j / series
            out.append(contentsOf: Self.mHost)
            appendDecimal(Int64(s), &out)
            out.append(contentsOf: Self.region)
            appendDecimal(Int64(s % 16), &out)
            out.append(contentsOf: Self.v)
            appendTenths(Self.tenths(j), &out)
            out.append(32)
            appendDecimal(Self.base + Int64(round), &out)
            out.append(10)
        }
    }

    /// Appends lines `from..<to` of the one big series.
    func appendBigLines(_ from: Int, _ to: Int, into out: inout [UInt8]) {
        for j in from..<to {
            out.append(contentsOf: Self.bigV)
            appendTenths(Self.tenths(j), &out)
            out.append(32)
            appendDecimal(Self.base + Int64(j), &out)
            out.append(10)
        }
    }

    private static let mHost = Array("m,host=h".utf8)
    private static let region = Array(",region=r".utf8)
    private static let v = Array(" v=".utf8)
    private static let bigV = Array("big v=".utf8)
}

private func appendDecimal(_ value: Int64, _ out: inout [UInt8]) {
    precondition(value >= 0)
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var n = 0
    var v = value
    withUnsafeMutableBytes(of: &digits) { buf in
        repeat {
            buf[n] = UInt8(48 + v % 10)
            v /= 10
            n += 1
        } while v > 0
        for i in stride(from: n - 1, through: 0, by: -1) { out.append(buf[i]) }
    }
}

private func appendTenths(_ tenths: Int, _ out: inout [UInt8]) {
    appendDecimal(Int64(tenths / 10), &out)
    out.append(46)
    out.append(UInt8(48 + tenths % 10))
}

/// Posts `lines` lines of line protocol (built on the fly, `batch` a request) from `clients`
/// keep-alive connections and reports points/s, request latency and the server's CPU, bytes
/// written and peak RSS per point.
func scaleLoadBenchmark(flavor: ScaleFlavor, port: Int, database: String, big: Bool, data: ScaleData,
                        batch: Int, clients: Int, serverPID: Int32?, settleSeconds: Int, key: String) throws {
    let lines = big ? data.bigPoints : data.series * data.rounds
    if flavor == .influxdb { try influxCreateDatabase(port: port, database: database) }
    let requests = (lines + batch - 1) / batch
    let path = "/write?db=\(database)&precision=s"
    print("\(key): \(lines) points to \(flavor.rawValue) db \(database) in \(requests) requests of \(batch) lines, \(clients) clients")
    let before = serverPID.flatMap { ProcessSample(pid: $0) }
    let results = ConditionLock<(latencies: [Double], failed: Int, retries: Int, bytes: Int)>(([], 0, 0, 0))
    let start = ContinuousClock.now
    var threads: [OSThread] = []
    for c in 0..<clients {
        threads.append(try OSThread(name: "scale\(c)") {
            var latencies: [Double] = []
            latencies.reserveCapacity(requests / clients + 1)
            var failed = 0, retries = 0, bytes = 0
            var connection = try? ScaleConnection(port: port)
            var body: [UInt8] = []
            body.reserveCapacity(batch * 64)
            var r = c
            while r < requests {
                body.removeAll(keepingCapacity: true)
                let from = r * batch, to = min(lines, from + batch)
                if big { data.appendBigLines(from, to, into: &body) } else { data.appendSeriesLines(from, to, into: &body) }
                bytes += body.count
                let t0 = ContinuousClock.now
                var done = false
                var attempt = 0
                // A 503 (queue full), a 5xx or a dropped connection is retried, at most 100 times.
                while !done && attempt < 100 {
                    attempt += 1
                    do {
                        if connection == nil { connection = try ScaleConnection(port: port) }
                        let (status, answer, closes) = try connection!.send("POST", path, body: body)
                        if closes { connection = nil }
                        if status == 204 {
                            done = true
                        } else if status == 503 || status >= 500 {
                            retries += 1
                            usleep(100_000)
                        } else {
                            print("\(key): status \(status): \(String(decoding: answer.prefix(200), as: UTF8.self))")
                            break
                        }
                    } catch {
                        retries += 1
                        connection = nil
                        usleep(100_000)
                    }
                }
                if !done { failed += 1 }
                latencies.append(millisecondsSince(t0))
                r += clients
            }
            let mine = (latencies, failed, retries, bytes)
            results.withLock { $0.latencies += mine.0; $0.failed += mine.1; $0.retries += mine.2; $0.bytes += mine.3 }
        })
    }
    for t in threads { t.join() }
    let seconds = (ContinuousClock.now - start).seconds
    let (latencies, failed, retries, bytes) = results.withLock { ($0.latencies.sorted(), $0.failed, $0.retries, $0.bytes) }
    let rate = Double(lines) / seconds
    print("  \(format(rate / 1e6, 3)) M points/s (\(format(seconds, 1)) s, \(bytes / 1_000_000) MB sent), failed requests \(failed), retries \(retries)")
    print("  request p50 \(format(quantile(latencies, 0.5), 1)) ms, p99 \(format(quantile(latencies, 0.99), 1)) ms, max \(format(latencies.last ?? 0, 1)) ms")
    result("\(key).points_per_s", rate)
    result("\(key).seconds", seconds)
    result("\(key).p50_ms", quantile(latencies, 0.5))
    result("\(key).p99_ms", quantile(latencies, 0.99))
    result("\(key).failed", Double(failed))
    if let pid = serverPID, let before, let after = ProcessSample(pid: pid) {
        let cpu = Double(after.cpuTicks - before.cpuTicks) / ProcessSample.ticksPerSecond
        let written = Double(after.writeBytes - before.writeBytes)
        print("  server CPU \(format(cpu * 1e6 / Double(lines), 2)) µs/point (\(format(cpu, 1)) s), wrote \(format(written / Double(lines), 1)) bytes/point, peak RSS \(after.peakRSSKiB / 1024) MiB")
        result("\(key).cpu_us_per_point", cpu * 1e6 / Double(lines))
        result("\(key).write_bytes_per_point", written / Double(lines))
        result("\(key).peak_rss_mib", Double(after.peakRSSKiB) / 1024)
        if settleSeconds > 0 {
            // What the server writes once the load has ended (flushes, snapshots, compactions).
            sleep(UInt32(settleSeconds))
            if let settled = ProcessSample(pid: pid) {
                let total = Double(settled.writeBytes - before.writeBytes)
                print("  with \(settleSeconds) s after the load: wrote \(format(total / Double(lines), 1)) bytes/point")
                result("\(key).write_bytes_settled_per_point", total / Double(lines))
            }
        }
    }
    if failed > 0 { throw BenchError("\(failed) requests failed") }
}

/// Polls the count over all of `m` until it is `expect` (or `timeout` passes) and reports the
/// time since `sinceNanoseconds` (the shell's `date +%s%N` just before it started the server).
func scaleCountWait(flavor: ScaleFlavor, port: Int, expect: Int, sinceNanoseconds: Int64, serverPID: Int32?, timeoutSeconds: Int) throws {
    let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
    var attempts = 0
    var last = "no answer yet"
    while ContinuousClock.now < deadline {
        attempts += 1
        do {
            let connection = try ScaleConnection(port: port, timeoutSeconds: timeoutSeconds)
            let count = try ScaleQueries(flavor: flavor, connection: connection).count(metric: "m", database: "bench")
            if count == expect {
                let seconds = Double(realtimeNanoseconds() - sinceNanoseconds) / 1e9
                let peak = serverPID.flatMap { ProcessSample(pid: $0) }?.peakRSSKiB ?? 0
                print("restart: count \(count) correct \(format(seconds, 2)) s after start (\(attempts) attempts), peak RSS \(peak / 1024) MiB")
                result("restart.seconds", seconds)
                result("restart.peak_rss_mib", Double(peak) / 1024)
                return
            }
            last = "count \(count)"
        } catch {
            last = "\(error)"
        }
        usleep(20_000)
    }
    throw BenchError("no correct count (\(expect)) within \(timeoutSeconds) s; last: \(last)")
}

/// d: one series by tag out of all; e: the newest 1,000 points, a count and a mean of `big`.
func scaleQueryBenchmark(flavor: ScaleFlavor, port: Int, part: String, data: ScaleData, serverPID: Int32?,
                         tagQueries: Int, tailRuns: Int, aggregateRuns: Int) throws {
    let queries = ScaleQueries(flavor: flavor, connection: try ScaleConnection(port: port))
    if part == "tag" {
        var rng = SplitMix(seed: 12)
        var times: [Double] = []
        for _ in 0..<tagQueries {
            let host = Int(rng.next() % UInt64(data.series))
            let t0 = ContinuousClock.now
            let points = try queries.seriesByHost("h\(host)")
            times.append(millisecondsSince(t0))
            guard points == data.rounds else { throw BenchError("host h\(host): \(points) points, expected \(data.rounds)") }
        }
        times.sort()
        print("one series by tag of \(data.series): p50 \(format(quantile(times, 0.5), 2)) ms, p99 \(format(quantile(times, 0.99), 2)) ms over \(tagQueries) hosts")
        result("tag.p50_ms", quantile(times, 0.5))
        result("tag.p99_ms", quantile(times, 0.99))
        return
    }
    var times: [Double] = []
    for _ in 0..<tailRuns {
        let t0 = ContinuousClock.now
        let (count, newest) = try queries.newest(1000)
        times.append(millisecondsSince(t0))
        let expected = ScaleData.base + Int64(data.bigPoints - 1)
        guard count == min(1000, data.bigPoints), newest == expected else {
            throw BenchError("newest 1000: \(count) points, newest \(newest), expected \(expected)")
        }
    }
    times.sort()
    print("newest 1,000 of \(data.bigPoints): p50 \(format(quantile(times, 0.5), 2)) ms over \(tailRuns) runs")
    result("tail.p50_ms", quantile(times, 0.5))
    let mean = data.bigMean
    for name in ["count", "mean"] {
        var runs: [Double] = []
        var growth = 0
        for _ in 0..<aggregateRuns {
            let before = serverPID.flatMap { ProcessSample(pid: $0) }
            let reset = serverPID.map { ProcessSample.resetPeak(pid: $0) } ?? false
            let t0 = ContinuousClock.now
            if name == "count" {
                let count = try queries.count(metric: "big", database: "big")
                runs.append(millisecondsSince(t0))
                guard count == data.bigPoints else { throw BenchError("count of big: \(count), expected \(data.bigPoints)") }
            } else {
                let value = try queries.mean()
                runs.append(millisecondsSince(t0))
                guard abs(value - mean) <= 1e-6 * max(1, abs(mean)) else { throw BenchError("mean of big: \(value), expected \(mean)") }
            }
            if reset, let before, let pid = serverPID, let after = ProcessSample(pid: pid) {
                growth = max(growth, after.peakRSSKiB - before.rssKiB)
            }
        }
        runs.sort()
        print("\(name) over \(data.bigPoints): p50 \(format(quantile(runs, 0.5), 1)) ms over \(aggregateRuns) runs, server RSS growth \(growth / 1024) MiB")
        result("\(name).p50_ms", quantile(runs, 0.5))
        result("\(name).rss_growth_mib", Double(growth) / 1024)
    }
}

private func result(_ key: String, _ value: Double) {
    print("RESULT \(key) \(value)")
}

private func influxCreateDatabase(port: Int, database: String) throws {
    let connection = try ScaleConnection(port: port)
    let (status, body, _) = try connection.send(
        "POST", "/query", body: Array("q=CREATE+DATABASE+\(database)".utf8), contentType: "application/x-www-form-urlencoded")
    guard status == 200 else { throw BenchError("CREATE DATABASE \(database): \(status) \(String(decoding: body, as: UTF8.self))") }
}

/// SplitMix64: a small deterministic generator, so that every run (and both servers) sees the same data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
