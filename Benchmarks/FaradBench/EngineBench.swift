import FaradCore
import FaradEngine
import FaradUDFHost
import Logging

/// A baseline for issue 5's target: `groupBy('host')|window().period(10s).every(10s)|mean('usage_user')`
/// as the engine's state machines alone (group ID, per-group WindowBuffer, InfluxQL mean), in
/// process, without the node graph. Points: 1,000 hosts, one point per host per second.
func engineBenchmark(points n: Int) throws {
    let hosts = 1_000
    let names = (0..<hosts).map { "server\($0)" }
    let second: Int64 = 1_000_000_000
    let spec = WindowSpec.time(period: 10 * second, every: 10 * second, align: false, fillPeriod: false)
    var windows: [GroupID: WindowBuffer] = [:]
    var emitted = 0
    var sum = 0.0
    let measurement = measure("groupBy|window|mean (state machines)", points: n, repeats: 1) {
        for i in 0..<n {
            let point = Point(
                measurement: "cpu", sortedTags: [("cpu", "cpu-total"), ("host", names[i % hosts])],
                fields: [("usage_user", .double(Double(i % 100))), ("usage_system", .double(5.25)), ("procs", .int(1234))],
                time: Int64(i / hosts) * second)
            let group = GroupID(point, dimensions: ["host"])
            if let batch = windows[group, default: WindowBuffer(spec)].receive(point),
               let mean = try? InfluxQLFunction.mean.apply(field: "usage_user", to: batch.points) {
                emitted += 1
                sum += mean.value.doubleValue ?? 0
            }
        }
    }
    measurement.report(extra: "  \(emitted) windows, peak RSS \(format(Double(peakRSS()) / 1_048_576, 1)) MiB")
    if sum == -1 { print(sum) }
}

/// Issue 5's benchmark through the whole task: the TICKscript compiled into a pipeline,
/// `from|window|mean|httpOut` per host, points fed in requests of 5,000; with `udf` the mean
/// goes through `@mirror()` (udf-mirror over real pipes) before httpOut.
func taskBenchmark(points n: Int, udf: String?, alert: Bool = false) async throws {
    let hosts = 1_000
    let names = (0..<hosts).map { "server\($0)" }
    let second: Int64 = 1_000_000_000
    var environment = TaskEnvironment()
    var script = "stream|from().measurement('cpu').groupBy('host')|window().period(10s).every(10s)|mean('usage_user')"
    if let udf {
        let config = try UDFFunctionConfig(name: "mirror", endpoint: .process(prog: udf, args: [], env: [:]), timeout: .seconds(30))
        let failures = await environment.register([config], logger: Logger(label: "bench"))
        if let failure = failures.first { throw failure }
        script = "stream|from().measurement('cpu').groupBy('host')@mirror()|window().period(10s).every(10s)|mean('usage_user')"
    }
    let alertLog = "/tmp/farad-bench-alerts-\(getpid()).log"
    defer { unlink(alertLog) }
    if alert {
        // Hosts 90–99 of every hundred are always above the threshold: 10 % of points fire.
        script = #"stream|from().measurement('cpu').groupBy('host')|alert().crit(lambda: "usage_user" > 89.0)"#
            + #".message('{{ .ID }} is {{ .Level }} at {{ index .Fields "usage_user" }}').log('\#(alertLog)')"#
    }
    let task = try TaskExecution(id: "bench", script: script + "|httpOut('mean')", environment: environment)
    let batch = 5_000
    let batches = (0..<(n / batch)).lazy.map { b in
        (0..<batch).map { j -> Point in
            let i = b * batch + j
            return Point(measurement: "cpu", sortedTags: [("cpu", "cpu-total"), ("host", names[i % hosts])],
                         fields: [("usage_user", .double(Double(i % 100))), ("usage_system", .double(5.25)), ("procs", .int(1234))],
                         time: Int64(i / hosts) * second)
        }
    }
    // Building the points is not the engine's work (freeing them is): its CPU time, measured
    // alone, is taken off.
    var pointCPU: Duration = .zero
    for b in batches.indices {
        let before = processCPUTime()
        let points = batches[b]
        pointCPU += processCPUTime() - before
        withExtendedLifetime(points) {}
    }
    let cpuBefore = processCPUTime() + childrenCPUTime()
    let clock = ContinuousClock()
    let start = clock.now
    var generation: Duration = .zero
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await task.run() }
        for b in batches.indices {
            let t0 = clock.now
            let points = batches[b]
            generation += clock.now - t0
            await task.write(points, database: "telegraf", retentionPolicy: "autogen")
        }
        task.stop()
        try await group.waitForAll()
    }
    let elapsed = clock.now - start - generation
    let cpu = (processCPUTime() + childrenCPUTime() - cpuBefore - pointCPU).seconds
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    if alert {
        let stats = task.statistics().first { $0.name.hasPrefix("alert") }
        let events = stats?.values.first { $0.0 == "alerts_triggered" }?.1 ?? 0
        let dropped = stats?.values.first { $0.0 == "events_dropped" }?.1 ?? 0
        var logged = 0
        if let file = fopen(alertLog, "r") {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = fread(&buffer, 1, buffer.count, file)
                if n <= 0 { break }
                logged += buffer[0..<n].count { $0 == 0x0A }
            }
            fclose(file)
        }
        print("task from|alert().crit(λ).message(template).log(file): \(format(Double(n) / seconds / 1e6, 2)) M points/s (\(format(seconds, 2)) s for \(n) points, point construction excluded), \(Int(cpu * 1e9 / Double(n))) ns CPU/point, \(events) events (\(logged) written to the log, \(dropped) dropped by the handler's bounded queue), peak RSS \(format(Double(peakRSS()) / 1_048_576, 1)) MiB")
        return
    }
    let windows = task.statistics().first { $0.name.hasPrefix("mean") }?.emitted ?? 0
    print("task \(udf == nil ? "from|window|mean|httpOut" : "from@mirror|window|mean|httpOut"): \(format(Double(n) / seconds / 1e6, 2)) M points/s (\(format(seconds, 2)) s for \(n) points, point construction excluded), \(Int(cpu * 1e9 / Double(n))) ns CPU/point (UDF process included), \(windows) windows, peak RSS \(format(Double(peakRSS()) / 1_048_576, 1)) MiB")
}

/// The CPU time of this process's children that have ended (the UDF).
func childrenCPUTime() -> Duration {
    var ru = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &ru)
    return .seconds(Int64(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)) + .microseconds(Int64(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec))
}

/// This process's peak resident set size in bytes.
func peakRSS() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}

#if canImport(Glibc)
import Glibc
#endif
