import FaradCore
import Foundation
import Testing

@testable import FaradStore

/// The commit log file: replay after a crash, torn tails, corruption, and old stores' SQLite log.
@Suite struct CommitLogTests {
    private let key = SeriesKey(metric: "m", tags: [.init("host", "a")])

    private func directory() -> String { NSTemporaryDirectory() + "farad-log-" + UUID().uuidString }

    private func count(_ store: FaradStore) throws -> [Int64] {
        try store.read(series: store.series(metric: "m", filter: TagFilter()), start: .min, end: .max).first?.times ?? []
    }

    /// Writes `commits` single-point commits (times 0, 1, …) and abandons the store as a crash would.
    private func crashAfter(_ commits: Int, in dir: String) async throws -> [String] {
        // No flush by age before the crash, however slow the machine: the points stay in the log.
        var config = FaradStore.Configuration()
        config.flushAge = .seconds(3600)
        let store = try FaradStore(directory: dir, configuration: config)
        for t in 0..<commits {
            try await store.append([SeriesWrite(key: key, times: [Int64(t)], values: [.long(Int64(t))])])
        }
        store.abandonForTesting()
        return try CommitLog.segments(in: dir + "/log").map { dir + "/log/\($0).log" }
    }

    private func hasSQLiteLog(_ store: FaradStore) throws -> Bool {
        try store.pool.read { db in try db.tableExists("log") }
    }

    @Test func crcMatchesZlib() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test func acknowledgedPointsAreReplayedAfterACrash() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let segments = try await crashAfter(3, in: dir)
        #expect(segments.count == 1)
        let store = try FaradStore(directory: dir)
        defer { store.close() }
        #expect(try count(store) == [0, 1, 2])
        // The replay was flushed: its segment is gone, and a new one takes the next commits.
        #expect(try CommitLog.segments(in: dir + "/log").allSatisfy { dir + "/log/\($0).log" != segments[0] })
        try await store.append([SeriesWrite(key: key, times: [3], values: [.long(3)])])
        #expect(try count(store) == [0, 1, 2, 3])
    }

    @Test func segmentFilesAreTheOwnersOnly() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let segments = try await crashAfter(1, in: dir)
        let mode = try FileManager.default.attributesOfItem(atPath: segments[0])[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }

    @Test(arguments: [
        [0x10, 0, 0, 0, 1, 2],  // a header and part of a payload
        [5, 0],  // part of a header
        [3, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3],  // a whole last record with a wrong CRC
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],  // zeros a power cut left
    ] as [[UInt8]])
    func aTornTailIsCutAway(tail: [UInt8]) async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let segments = try await crashAfter(2, in: dir)
        let handle = try #require(FileHandle(forWritingAtPath: segments[0]))
        handle.seekToEndOfFile()
        handle.write(Data(tail))
        handle.closeFile()
        let store = try FaradStore(directory: dir)
        defer { store.close() }
        #expect(try count(store) == [0, 1])
    }

    @Test func aBadRecordBeforeTheTailIsCorruption() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let segments = try await crashAfter(2, in: dir)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segments[0])))
        bytes[CommitLog.headerSize] ^= 0xFF  // the first record's payload
        try Data(bytes).write(to: URL(fileURLWithPath: segments[0]))
        do {
            _ = try FaradStore(directory: dir)
            Issue.record("a corrupt log was replayed")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.message.contains(segments[0]) && error.message.contains("at byte 0"), "\(error.message)")
        }
    }

    @Test func aBadRecordInAnOlderSegmentIsCorruption() {
        let record: [UInt8] = [3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]
        #expect(throws: StoreError.self) {
            _ = try record.withUnsafeBytes { try CommitLog.scan($0, file: "old.log", isNewest: false) { _ in } }
        }
        let end = try? record.withUnsafeBytes { try CommitLog.scan($0, file: "new.log", isNewest: true) { _ in } }
        #expect(end == 0)
    }

    @Test func anOldStoresSQLiteLogIsReplayedOnceAndDropped() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try FaradStore(directory: dir)
            try await store.append([SeriesWrite(key: key, times: [1], values: [.long(1)])])
            let id = try #require(store.series(metric: "m", filter: TagFilter()).first?.id)
            let row = LogCodec.encode([(MemTable.Key(series: id, expiresAt: nil), MemTable.Buffer(times: [7, 8], values: [.long(7), .long(8)]))])
            try store.insertLegacyLogRowForTesting(row)
            store.abandonForTesting()
        }
        for _ in 0..<2 {
            let store = try FaradStore(directory: dir)
            #expect(try count(store) == [1, 7, 8])
            #expect(try hasSQLiteLog(store) == false)
            store.close()
        }
    }
}
