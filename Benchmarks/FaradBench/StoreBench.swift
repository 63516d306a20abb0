import FaradCore
import FaradStore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// This process's I/O counters from /proc/self/io: `write_bytes` (bytes it caused to be sent to
/// the storage layer, counted when pages are dirtied) and `wchar` (bytes passed to write calls).
func processIO() -> (writeBytes: Int64, wchar: Int64) {
    guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return (0, 0) }
    var w: Int64 = 0
    var c: Int64 = 0
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let v = Int64(parts[1]) else { continue }
        if parts[0] == "write_bytes" { w = v }
        if parts[0] == "wchar" { c = v }
    }
    return (w, c)
}

/// Bytes of the files under `directory`, by name relative to it.
func fileSizes(_ directory: String) -> [(String, Int64)] {
    guard let names = FileManager.default.subpaths(atPath: directory) else { return [] }
    return names.sorted().compactMap { name in
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name),
              (attrs[.type] as? FileAttributeType) == .typeRegular, let size = attrs[.size] as? NSNumber else { return nil }
        return (name, size.int64Value)
    }
}

/// Ingest straight into FaradStore: `series` series × `rounds` rounds, one point per series per
/// round, `batch` points per append (a request), `clients` appends in flight. Reports bytes
/// written per point (/proc/self/io) and disk per point at rest after close.
func storeBenchmark(series: Int, rounds: Int, batch: Int, clients: Int, sync: Bool, compaction: Int?, flushPoints: Int?) async throws {
    let dir = NSTemporaryDirectory() + "farad-store-bench-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var config = FaradStore.Configuration()
    config.syncEveryCommit = sync
    if let compaction { config.compactionMinChunks = compaction }
    if let flushPoints { config.flushPoints = flushPoints }
    let store = try FaradStore(directory: dir, configuration: config)
    let keys = (0..<series).map { SeriesKey(metric: "bench.cpu", tags: [.init("host", "h\($0)"), .init("dc", "dc\($0 % 10)")]) }
    let points = series * rounds
    let requests = (points + batch - 1) / batch
    let before = processIO()
    let cpu = processCPUTime()
    let clock = ContinuousClock()
    let start = clock.now
    let next = NextRequest()
    let retries = Counter()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<max(clients, 1) {
            group.addTask {
                while let r = next.take(below: requests) {
                    var writes: [SeriesWrite] = []
                    writes.reserveCapacity(batch)
                    for p in (r * batch)..<min((r + 1) * batch, points) {
                        let round = p / series
                        let s = p % series
                        let t = Int64(1_700_000_000_000) + Int64(round) * 10_000
                        writes.append(SeriesWrite(key: keys[s], times: [t], values: [.double(Double(s % 1000) + Double(round) * 0.25)]))
                    }
                    // As the server's clients do with its 503: wait for the flushes and retry.
                    while true {
                        do {
                            try await store.append(writes)
                            break
                        } catch let error as StoreError where error.code == .queueFull {
                            retries.add()
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
            }
        }
        try await group.waitForAll()
    }
    let ingest = clock.now - start
    let stats = try store.statistics()
    store.close()
    let after = processIO()
    // A restart: the series file read back into the index (the log is empty after the close).
    let reopening = clock.now
    let reopened = try FaradStore(directory: dir, configuration: config)
    let reopen = clock.now - reopening
    reopened.close()
    let written = after.writeBytes - before.writeBytes
    let syscalls = after.wchar - before.wchar
    let files = fileSizes(dir)
    let rest = files.reduce(0) { $0 + $1.1 }
    print("store ingest: \(series) series x \(rounds) rounds = \(points) points, \(batch) per append, \(clients) clients, sync \(sync), compaction \(config.compactionMinChunks)")
    print("  ingest \(format(ingest.seconds, 2)) s (\(format(Double(points) / ingest.seconds / 1000, 1)) K points/s), CPU \(format((processCPUTime() - cpu).seconds * 1e6 / Double(points), 2)) us/point")
    print("  appends refused while flushes were behind, then retried: \(retries.value)")
    print("  written (write_bytes) \(written) B = \(format(Double(written) / Double(points), 1)) B/point; write calls (wchar) \(format(Double(syscalls) / Double(points), 1)) B/point")
    print("  at rest \(rest) B = \(format(Double(rest) / Double(points), 1)) B/point")
    for (name, size) in files { print("    \(name): \(size) B") }
    print("  reopen \(format(reopen.seconds, 2)) s (the series file read back into the index)")
    print("  chunks \(stats.chunks) (\(format(Double(stats.chunkPoints) / Double(max(stats.chunks, 1)), 1)) points each), chunk data \(format(Double(stats.chunkBytes) / Double(max(stats.chunkPoints, 1)), 1)) B/point, series \(stats.series)")
}

/// Counts the benchmark's retried appends.
private final class Counter: Sendable {
    private let count = Mutex<Int>(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Hands out request numbers to the benchmark's clients.
private final class NextRequest: Sendable {
    private let next = Mutex<Int>(0)
    func take(below limit: Int) -> Int? {
        next.withLock { n in
            guard n < limit else { return nil }
            defer { n += 1 }
            return n
        }
    }
}
