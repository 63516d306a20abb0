import FaradCore
import Foundation
import Synchronization
import Testing

@testable import FaradStore

/// Counters the test's tasks share.
private final class Shared: Sendable {
    let acknowledged = Atomic<Int>(0)
    let writersLeft: Atomic<Int>
    let violations = Mutex<[String]>([])
    let reads = Atomic<Int>(0)
    init(writers: Int) { writersLeft = Atomic(writers) }
}

/// A read started after a write was acknowledged sees all of it, across memtable flushes.
@Suite struct ReadYourWritesTests {
    /// Writers append and record what was acknowledged; readers count everything and check that
    /// the count is never below what was acknowledged before the read began. Flushes are forced
    /// every 64 points, in transactions of 20, so reads overlap many of them.
    @Test(.timeLimit(.minutes(2))) func countsNeverMissAcknowledgedPoints() async throws {
        let dir = NSTemporaryDirectory() + "farad-ryw-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = FaradStore.Configuration()
        config.flushPoints = 64
        config.flushPointsPerSeries = 0
        config.flushAge = .milliseconds(1)
        // Each flush spans several transactions: readers must not see a half-written one twice.
        config.flushTransactionPoints = 20
        config.syncEveryCommit = false
        let store = try FaradStore(directory: dir, configuration: config)
        defer { store.close() }

        let writers = 6
        let appendsPerWriter = 120
        let pointsPerAppend = 16
        let shared = Shared(writers: writers)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    defer { shared.writersLeft.subtract(1, ordering: .sequentiallyConsistent) }
                    // Two series per writer (one with a TTL, which is its own memtable buffer).
                    let keys = [SeriesKey(metric: "m", tags: [.init("w", "\(w)")]), SeriesKey(metric: "m", tags: [.init("w", "\(w)"), .init("t", "1")])]
                    for a in 0..<appendsPerWriter {
                        let base = Int64(a * pointsPerAppend)
                        let times = (0..<Int64(pointsPerAppend)).map { base + $0 }
                        let write = SeriesWrite(key: keys[a % 2], ttl: a % 2 == 0 ? 0 : 3600, times: times, values: times.map { .long($0) })
                        try await store.append([write])
                        shared.acknowledged.add(pointsPerAppend, ordering: .sequentiallyConsistent)
                    }
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    // Bounded: the writers end, and every read takes a finite snapshot.
                    while shared.writersLeft.load(ordering: .sequentiallyConsistent) > 0 {
                        let before = shared.acknowledged.load(ordering: .sequentiallyConsistent)
                        let series = store.series(metric: "m", filter: TagFilter())
                        let counted = try store.read(series: series, start: .min, end: .max).reduce(0) { $0 + $1.times.count }
                        if counted < before {
                            shared.violations.withLock { $0.append("counted \(counted) after \(before) were acknowledged") }
                        }
                        shared.reads.add(1, ordering: .relaxed)
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = writers * appendsPerWriter * pointsPerAppend
        let series = store.series(metric: "m", filter: TagFilter())
        #expect(try store.read(series: series, start: .min, end: .max).reduce(0) { $0 + $1.times.count } == total)
        #expect(shared.violations.withLock { $0 }.isEmpty, "\(shared.violations.withLock { $0.prefix(5) })")
        #expect(shared.reads.load(ordering: .relaxed) > 0)
    }

    /// Generations go on from the stored one after a restart: a new set is never taken for one
    /// whose chunks are already read.
    @Test func generationsContinueAfterARestart() async throws {
        let dir = NSTemporaryDirectory() + "farad-ryw-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = SeriesKey(metric: "m", tags: [])
        do {
            let store = try FaradStore(directory: dir)
            for t in 0..<3 {
                try await store.append([SeriesWrite(key: key, times: [Int64(t)], values: [.long(1)])])
                try store.committer.flushNow()
            }
            store.close()
        }
        let store = try FaradStore(directory: dir)
        defer { store.close() }
        // Not flushed: in the memtable, in a set numbered after the three flushes.
        try await store.append([SeriesWrite(key: key, times: [3], values: [.long(2)])])
        let series = store.series(metric: "m", filter: TagFilter())
        #expect(try store.read(series: series, start: .min, end: .max).first?.times == [0, 1, 2, 3])
    }
}
