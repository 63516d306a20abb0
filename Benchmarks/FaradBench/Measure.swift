import FaradSystem
import MallocCounter

#if canImport(Glibc)
import Glibc
#endif

/// One measured run: wall time, allocations and CPU time of this process.
struct Measurement {
    var name: String
    var points: Int
    var wall: Duration
    var allocations: UInt64
    var cpu: Duration

    var pointsPerSecond: Double { Double(points) / wall.seconds }

    func report(extra: String = "") {
        let line = "\(name.padding(34))  \(format(pointsPerSecond / 1e6, 2).leftPadding(7)) M points/s"
            + "  \(format(wall.seconds * 1e9 / Double(points), 1).leftPadding(7)) ns/point"
            + "  \(format(Double(allocations) / Double(points), 2).leftPadding(6)) allocs/point"
            + "  \(format(cpu.seconds * 1e9 / Double(points), 1).leftPadding(7)) ns CPU/point" + extra
        print(line)
    }
}

func processCPUTime() -> Duration {
    var ru = rusage()
    getrusage(RUSAGE_SELF.rawValue, &ru)
    return .seconds(Int64(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec))
        + .microseconds(Int64(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec))
}

/// Runs `body` (which handles `points` points) `repeats` times and keeps the fastest run.
func measure(_ name: String, points: Int, repeats: Int = 3, _ body: () throws -> Void) rethrows -> Measurement {
    var best: Measurement?
    for _ in 0..<repeats {
        let clock = ContinuousClock()
        let allocs = farad_malloc_count()
        let cpu = processCPUTime()
        let start = clock.now
        try body()
        let m = Measurement(
            name: name, points: points, wall: clock.now - start,
            allocations: farad_malloc_count() - allocs, cpu: processCPUTime() - cpu)
        if best == nil || m.wall < best!.wall { best = m }
    }
    return best!
}

extension Duration {
    var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        if have < decimals { text += String(repeating: "0", count: decimals - have) }
    } else if decimals > 0 {
        text += "." + String(repeating: "0", count: decimals)
    }
    return text
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
