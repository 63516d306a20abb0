import FaradCore
import FaradTestSupport
import Foundation
import GRDB
import Testing

@testable import FaradStore

/// The series file: series survive a crash, a torn tail is cut, a bad record is corruption, the
/// file is rewritten once removed series dominate, and a store from before it moves its SQLite
/// index into it.
@Suite struct SeriesFileTests {
    private func directory() -> String { NSTemporaryDirectory() + "farad-series-" + UUID().uuidString }

    private func key(_ i: Int) -> SeriesKey { SeriesKey(metric: "m", tags: [.init("host", "h\(i)"), .init("dc", "d\(i % 3)")]) }

    private func entries(_ range: Range<Int>) -> [SeriesEntry] {
        range.map { SeriesEntry(id: Int64($0 + 1), key: key($0), types: .long) }
    }

    @Test func seriesOfAnAbandonedStoreAreFoundAfterTheRestart() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            var config = FaradStore.Configuration()
            config.flushAge = .seconds(3600)
            let store = try FaradStore(directory: dir, configuration: config)
            try await store.append((0..<5).map { SeriesWrite(key: key($0), times: [1], values: [.long(1)]) })
            try await store.append([SeriesWrite(key: key(0), times: [2], values: [.double(2)])])
            store.abandonForTesting()
        }
        let store = try FaradStore(directory: dir)
        defer { store.close() }
        let all = try store.findSeries(metric: "m", filter: TagFilter())
        #expect(all.map(\.id) == [1, 2, 3, 4, 5])
        #expect(all.first?.types == [.long, .double])
        #expect(try store.read(series: all, start: .min, end: .max).map(\.times.count) == [2, 1, 1, 1, 1])
        // A new series after the restart gets a new id.
        try await store.append([SeriesWrite(key: key(9), times: [1], values: [.long(1)])])
        #expect(try store.findSeries(metric: "m", filter: TagFilter([(key: "host", patterns: [.equals("h9")])])).map(\.id) == [6])
    }

    @Test func aTornTailIsCutAndABadRecordBeforeItIsCorruption() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = SeriesFile(directory: dir, sync: false)
        try file.load(into: SeriesIndex())
        try file.append(entries(0..<2).map { .create($0) })
        try file.append(entries(2..<3).map { .create($0) })
        file.close()
        let path = dir + "/1.log"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let whole = bytes.count
        // The last record half written, as a crash during its write leaves it.
        try Data(bytes.dropLast(3)).write(to: URL(fileURLWithPath: path))
        let index = SeriesIndex()
        try SeriesFile(directory: dir, sync: false).load(into: index)
        #expect(index.count == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count < whole - 3)
        // A flipped byte in the first of two records is not a tail.
        bytes[CommitLog.headerSize + 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { try SeriesFile(directory: dir, sync: false).load(into: SeriesIndex()) }
    }

    @Test func removedSeriesAreDroppedFromTheFileOnceTheyOutnumberTheLiveOnes() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = SeriesFile(directory: dir, sync: false)
        try file.load(into: SeriesIndex())
        try file.append(entries(0..<10).map { .create($0) })
        try file.append((1...7).map { .remove(Int64($0)) })
        file.close()
        let index = SeriesIndex()
        let again = SeriesFile(directory: dir, sync: false)
        try again.load(into: index, rewriteAfter: 5)
        again.close()
        #expect(try CommitLog.segments(in: dir) == [2])
        #expect(index.all().map(\.id) == [8, 9, 10])
        #expect(index.nextID == 11)
        // Read once more (as after a crash before the old segment went): the same index.
        let reread = SeriesIndex()
        try SeriesFile(directory: dir, sync: false).load(into: reread)
        #expect(reread.all() == index.all())
        #expect(reread.nextID == 11)
        #expect(reread.series(metric: "m", filter: TagFilter([(key: "dc", patterns: [.equals("d1")])]), namespace: nil).map(\.id) == [8])
    }

    @Test func everyCutOrFlippedRecordDecodesOrFailsWithoutATrap() {
        let record = SeriesFile.encode(entries(0..<4).map { .create($0) } + [.types(2, .string), .remove(3), .nextID(9)])
        for n in 0..<record.count {
            _ = try? record[0..<n].withUnsafeBytes { try SeriesFile.decode($0, file: "f") }
        }
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            var bytes = record
            bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            _ = try? bytes.withUnsafeBytes { try SeriesFile.decode($0, file: "f") }
        }
        let ops = try? record.withUnsafeBytes { try SeriesFile.decode($0, file: "f") }
        #expect(ops?.count == 7)
    }

    /// The tables of a store from before the series file, with one series and its chunk.
    private func makeLegacyStore(in dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try DatabaseQueue(path: dir + "/farad.sqlite")
        try db.write { db in
            try FaradStore.migrate(db)
            try db.execute(sql: """
                CREATE TABLE series(id INTEGER PRIMARY KEY, metric TEXT NOT NULL, tags TEXT NOT NULL, namespace TEXT NOT NULL,
                    types INTEGER NOT NULL DEFAULT 0, UNIQUE(metric, namespace, tags));
                CREATE TABLE series_tags(metric TEXT, tag_key TEXT, tag_value TEXT, series_id INTEGER);
                """)
            try db.execute(sql: "INSERT INTO series(id, metric, tags, namespace, types) VALUES (7, 'old', ?, 'db/rp', 1)",
                           arguments: [TagText.encode([.init("host", "a")])])
            var scratch: [UInt8] = []
            try ChunkWriter.insert(times: [5], values: [.long(42)], series: 7, expiresAt: nil, generation: 0,
                                   statement: db.makeStatement(sql: ChunkWriter.insertSQL), scratch: &scratch)
        }
    }

    private func legacyTables(_ store: FaradStore) throws -> [String] {
        try store.pool.read { db in try FaradStore.legacyIndexTables.filter { try db.tableExists($0) } }
    }

    @Test func aStoreWithTheSQLiteIndexMovesItIntoTheFileOnce() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try makeLegacyStore(in: dir)
        for round in 0..<2 {
            let store = try FaradStore(directory: dir)
            let old = try store.findSeries(metric: "old", filter: TagFilter([(key: "host", patterns: [.equals("a")])]), namespace: "db/rp")
            #expect(old.map(\.id) == [7])
            #expect(old.first?.types == .long)
            #expect(try store.read(series: old, start: .min, end: .max).first?.values == [.long(42)])
            #expect(try legacyTables(store).isEmpty)
            if round == 0 {
                try await store.append([SeriesWrite(key: SeriesKey(metric: "new", tags: []), times: [1], values: [.long(1)])])
            }
            #expect(try store.findSeries(metric: "new", filter: TagFilter()).map(\.id) == [8])
            store.close()
        }
    }
}
