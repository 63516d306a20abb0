import FaradCore
import FaradEngine

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

/// This process's peak resident set size in bytes.
func peakRSS() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}

#if canImport(Glibc)
import Glibc
#endif
