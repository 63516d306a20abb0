#if canImport(Glibc)
import Glibc
#endif
import FaradCore
import FaradEngine
import FaradIngest
import FaradServer
import FaradStore
import FaradSystem
import Foundation

/// Issue 14's batch throughput: `n` points of 1,000 hosts (`cpu,host=h<i> usage_user=…`, one
/// per host a second) stored in FaradStore the way `/write` stores them, then batch tasks over
/// them, their ticks run back to back over the data's span (as `farad replay` runs them):
/// a raw query whose batches a `mean` node reduces, and the same mean asked of the query.
/// With `influxDB` (`http://host:port`) the same points go to that InfluxDB too and the same
/// tasks run against it as their `[influxdb]`, as Kapacitor's would.
func batchTaskBenchmark(points n: Int, influxDB: String?) async throws {
    let hosts = 1_000
    let start: Int64 = 1_700_000_000
    let seconds = max(1, n / hosts)
    let dir = NSTemporaryDirectory() + "farad-batch-bench-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var config = FaradStore.Configuration()
    config.syncEveryCommit = false
    let store = try FaradStore(directory: dir, configuration: config)
    let namespace = PointSeries.namespace(database: "telegraf", retentionPolicy: "autogen")
    let parser = LineProtocolSeriesParser(parser: LineProtocolParser(precision: .seconds, defaultTime: 0), namespace: namespace)

    var influx: HTTPPost.Endpoint?
    if let influxDB {
        guard let endpoint = HTTPPost.Endpoint(url: influxDB) else { throw BenchError("--influxdb must be http://host:port") }
        _ = try HTTPPost.send("POST", to: endpoint, path: "/query", body: Array("q=CREATE+DATABASE+telegraf".utf8), contentType: "application/x-www-form-urlencoded")
        influx = endpoint
    }
    let clock = ContinuousClock()
    let loadStart = clock.now
    var body: [UInt8] = []
    body.reserveCapacity(5_000 * 48)
    for second in 0..<seconds {
        for h in 0..<hosts {
            body += Array("cpu,host=h\(h) usage_user=\((h &* 7 &+ second) % 100) \(start + Int64(second))\n".utf8)
            if body.count >= 5_000 * 40 || (second == seconds - 1 && h == hosts - 1) {
                let (writes, _, errors) = parser.parse(body)
                guard errors.isEmpty else { throw BenchError("line protocol: \(errors[0])") }
                try await appendRetrying(writes, to: store)
                if let endpoint = influx {
                    let (status, answer) = try HTTPPost.send("POST", to: endpoint, path: "/write?db=telegraf&precision=s", body: body)
                    guard status == 204 else { throw BenchError("influxd write \(status): \(String(decoding: answer.prefix(200), as: UTF8.self))") }
                }
                body.removeAll(keepingCapacity: true)
            }
        }
    }
    let stored = seconds * hosts
    let loadSeconds = (clock.now - loadStart).seconds
    print("batch: \(stored) points stored\(influx == nil ? "" : " (in Farad's store and in InfluxDB)") in \(format(loadSeconds, 1)) s (\(format(Double(stored) / loadSeconds / 1e6, 2)) M points/s)")

    let storage = StoreInfluxStorage(store: store)
    let range = (start * 1_000_000_000)...((start + Int64(seconds) - 1) * 1_000_000_000)
    let scripts = [
        ("batch|query(raw, 10m, by host)|mean|httpOut",
         #"batch|query('SELECT usage_user FROM "telegraf"."autogen"."cpu"').period(10m).every(10m).groupBy('host')|mean('usage_user')|httpOut('out')"#),
        ("batch|query(mean, 10m, time(1m), host)|httpOut",
         #"batch|query('SELECT mean(usage_user) AS mean FROM "telegraf"."autogen"."cpu"').period(10m).every(10m).groupBy(time(1m), 'host')|httpOut('out')"#),
    ]
    var sources: [(String, any BatchSource)] = [("Farad's store", StorageBatchSource(storage: storage, clock: ManualWallClock(start: 0)))]
    if let influx { sources.append(("InfluxDB", InfluxDBQueryClient(configuration: InfluxDBOutConfiguration(endpoint: influx)))) }
    for (sourceName, source) in sources {
        for (name, script) in scripts {
            var environment = TaskEnvironment()
            environment.wallClock = ManualWallClock(start: 0)
            environment.batchSource = source
            let task = try TaskExecution(id: "bench", script: script, environment: environment)
            let cpuBefore = processCPUTime()
            let t0 = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await task.run() }
                await task.runQueries(over: range)
                task.stop()
                try await group.waitForAll()
            }
            let elapsed = (clock.now - t0).seconds
            let cpu = (processCPUTime() - cpuBefore).seconds
            let stats = task.statistics()
            let queried = statistic("points_queried", of: stats.filter { $0.name.hasPrefix("query") })
            let errors = statistic("errors", of: stats)
            print("  \(sourceName): \(name): \(format(Double(stored) / elapsed / 1e6, 2)) M stored points/s (\(format(elapsed, 2)) s), \(queried) points queried, \(Int(cpu * 1e9 / Double(stored))) ns CPU/stored point in farad-bench, \(errors) errors")
        }
    }
    store.close()
    print("  peak RSS \(format(Double(peakRSS()) / 1_048_576, 1)) MiB")
}

/// Appends as the server's clients do on its 503: waits for the flushes and retries.
private func appendRetrying(_ writes: [SeriesWrite], to store: FaradStore) async throws {
    while true {
        do {
            try await store.append(writes)
            return
        } catch where error.code == .queueFull {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// The sum of one statistic over `nodes`.
private func statistic(_ name: String, of nodes: [NodeStatistics]) -> Int {
    var sum = 0
    for node in nodes {
        for (key, value) in node.values where key == name { sum += value }
    }
    return sum
}
