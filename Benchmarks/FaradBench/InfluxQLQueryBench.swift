import FaradSystem
import Foundation

/// `/query` beside InfluxDB 1.6 (issue 14): `farad serve` and `influxd` one after the other (never
/// both busy: the machine has 2 cores), each on a fresh data directory, loaded with the same
/// day of `cpu,host=h<i>,region=r<i%10> usage_user=<f>,usage_system=<n>i` (`series` series, a
/// point every `interval` seconds), then the same InfluxQL statements timed `repeats` times each
/// (p50, p99) with the answers of both compared byte for byte.
func influxQLQueryBenchmark(bin: String, series: Int, interval: Int, repeats: Int, port: Int) throws {
    let day = 86_400
    let start = 1_700_006_400  // 2023-11-15T00:00:00Z
    let points = series * (day / interval)
    let range = "time >= \(start)s AND time < \(start + day)s"
    let statements: [(String, String)] = [
        ("mean GROUP BY time(1m), host (a day of every series)", "SELECT mean(usage_user) FROM cpu WHERE \(range) GROUP BY time(1m), host"),
        ("mean GROUP BY time(1h), host, last 6 h", "SELECT mean(usage_user) FROM cpu WHERE time >= \(start + day - 21_600)s AND time < \(start + day)s GROUP BY time(1h), host"),
        ("raw select of one host, LIMIT 100", "SELECT * FROM cpu WHERE host = 'h42' AND \(range) LIMIT 100"),
        ("SHOW TAG VALUES WITH KEY = host", "SHOW TAG VALUES FROM cpu WITH KEY = host"),
        ("percentile(usage_user, 95) GROUP BY region", "SELECT percentile(usage_user, 95) FROM cpu WHERE \(range) GROUP BY region"),
        ("max(usage_system) with the row's field", "SELECT max(usage_system), usage_user FROM cpu WHERE \(range)"),
    ]
    print("influxql-query: \(series) series × \(day / interval) points (\(points) points), \(repeats) runs per statement")
    var answers: [String: [[UInt8]]] = [:]
    var timings: [String: [(Double, Double)]] = [:]
    for flavor in ["farad", "influxdb"] {
        let directory = NSTemporaryDirectory() + "farad-influxql-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try startBenchServer(flavor, bin: bin, directory: directory, port: port)
        defer { _ = server.terminate(grace: .seconds(60)) }
        let connection = try ScaleConnection(port: port)
        if flavor == "influxdb" {
            _ = try connection.send("POST", "/query", body: Array("q=CREATE+DATABASE+bench".utf8), contentType: "application/x-www-form-urlencoded")
        }
        let loadStart = ContinuousClock.now
        var body: [UInt8] = []
        var written = 0
        for step in stride(from: 0, to: day, by: interval) {
            for s in 0..<series {
                let user = Double((s &* 31 &+ step &* 7) % 1000) / 10
                body += Array("cpu,host=h\(s),region=r\(s % 10) usage_user=\(user),usage_system=\((s &+ step) % 97)i \(start + step)\n".utf8)
                written += 1
                if written % 5000 == 0 || written == points {
                    let (status, answer, _) = try connection.send("POST", "/write?db=bench&precision=s", body: body)
                    guard status == 204 else { throw BenchError("\(flavor) write \(status): \(String(decoding: answer.prefix(200), as: UTF8.self))") }
                    body.removeAll(keepingCapacity: true)
                }
            }
        }
        let loadSeconds = (ContinuousClock.now - loadStart).seconds
        print("  \(flavor): loaded \(points) points in \(format(loadSeconds, 1)) s (\(format(Double(points) / loadSeconds / 1e6, 2)) M points/s)")
        for (_, q) in statements {
            let target = "/query?db=bench&epoch=ms&q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q)
            var latencies: [Double] = []
            var answer: [UInt8] = []
            for _ in 0..<repeats {
                let t0 = ContinuousClock.now
                let (status, reply, _) = try connection.send("GET", target)
                latencies.append((ContinuousClock.now - t0).seconds * 1000)
                guard status == 200 else { throw BenchError("\(flavor) \(q): \(status)") }
                answer = reply
            }
            latencies.sort()
            let p99 = latencies[min(latencies.count - 1, Int((Double(latencies.count) * 0.99).rounded(.up)) - 1)]
            timings[flavor, default: []].append((latencies[latencies.count / 2], p99))
            answers[flavor, default: []].append(answer)
        }
        if let usage = ProcessSample(pid: server.pid) { print("  \(flavor): RSS after the queries \(usage.rssKiB / 1024) MiB, peak \(usage.peakRSSKiB / 1024) MiB") }
    }
    print("\n| statement | Farad p50 / p99 (ms) | InfluxDB p50 / p99 (ms) | Farad ÷ InfluxDB (p50) | answers |")
    print("|---|---:|---:|---:|---|")
    for (i, (name, _)) in statements.enumerated() {
        let f = timings["farad"]![i], x = timings["influxdb"]![i]
        let same = answers["farad"]![i] == answers["influxdb"]![i]
        print("| \(name) | \(format(f.0, 1)) / \(format(f.1, 1)) | \(format(x.0, 1)) / \(format(x.1, 1)) | \(format(f.0 / x.0, 2)) | \(same ? "equal" : "DIFFERENT (\(answers["farad"]![i].count) vs \(answers["influxdb"]![i].count) bytes)") |")
    }
}

/// Starts `farad serve` or `influxd` on `port` with its data in `directory` and waits for `/ping`.
private func startBenchServer(_ flavor: String, bin: String, directory: String, port: Int) throws -> ChildProcess {
    let process: ChildProcess
    if flavor == "farad" {
        process = try ChildProcess(
            executable: bin + "/farad", arguments: ["serve", "--http-bind", "127.0.0.1:\(port)", "--data-dir", directory + "/farad", "--log-level", "warning"],
            standardInput: .null, standardOutput: .null, standardError: .inherit)
    } else {
        let config = """
            reporting-disabled = true
            bind-address = "127.0.0.1:\(port + 1)"
            [meta]
              dir = "\(directory)/meta"
            [data]
              dir = "\(directory)/data"
              wal-dir = "\(directory)/wal"
              query-log-enabled = false
            [http]
              bind-address = "127.0.0.1:\(port)"
              log-enabled = false
            [monitor]
              store-enabled = false
            """
        try config.write(toFile: directory + "/influxdb.conf", atomically: true, encoding: .utf8)
        process = try ChildProcess(executable: "/usr/bin/influxd", arguments: ["-config", directory + "/influxdb.conf"],
                                   standardInput: .null, standardOutput: .null, standardError: .null)
    }
    let deadline = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < deadline {
        if let c = try? ScaleConnection(port: port, timeoutSeconds: 5), let (status, _, _) = try? c.send("GET", "/ping"), status == 204 {
            return process
        }
        if process.exitStatus != nil { break }
        usleep(50_000)
    }
    _ = process.terminate(grace: .seconds(5))
    throw BenchError("\(flavor) did not answer /ping on port \(port)")
}
