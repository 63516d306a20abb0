import FaradCore
import FaradSystem
import Foundation
import GRDB
import Logging
import Synchronization

/// Farad's embedded store: a SQLite database (WAL) with a series index and point chunks.
///
/// Writes go through ``append(_:)``, which returns once the points are committed: concurrent
/// writers are committed together by one writer thread (group commit), and with the default
/// `syncEveryCommit` a commit is on disk before anyone is answered. A commit is one record of
/// the commit log file (``CommitLog``) however many series it touches; its points then wait in
/// a memtable, which a flush thread moves into per-series chunks every 1,000,000 points or 30
/// seconds (and at close). After a crash the log is replayed at open.
///
/// ```swift
/// let store = try FaradStore(directory: "./farad-data")
/// try await store.append([SeriesWrite(key: key, times: [t], values: [.long(42)])])
/// let data = try store.read(metric: "disk.used", filter: TagFilter(), start: 0, end: .max)
/// ```
public final class FaradStore: Sendable {
    /// Store settings.
    public struct Configuration: Sendable {
        /// Points accepted but not yet committed beyond which ``append(_:)`` fails with
        /// ``StoreError/Code/queueFull`` (the server answers 503).
        public var maxQueuedPoints: Int = 4_000_000
        /// `true`: `fdatasync` the commit log after every commit, and SQLite's new series with
        /// `synchronous = FULL` (a 2xx survives power loss). `false`: neither (survives a process
        /// crash, not a power cut).
        public var syncEveryCommit: Bool = true
        /// Points waiting in the memtable that make the writer move them into chunks (a flush).
        /// Fewer, larger flushes write fewer bytes per point: at 100,000 series × 10 points,
        /// 1,000,000 writes 101 B/point where 250,000 wrote 195 (SQLite rewrites the pages of
        /// every chunk it touches), and the memtable costs less than the extra flushes' caches.
        public var flushPoints: Int = 1_000_000
        /// The longest points wait in the memtable before a flush (they are in the log already).
        public var flushAge: Duration = .seconds(30)
        /// The points per series, on average, that the memtable holds before `flushPoints` or
        /// `flushAge` start a flush: with many series, each flush would otherwise write a chunk
        /// row (and later merge it) for one or two points of every series. At 1,000,000 series ×
        /// 10 points, 4 per series writes 128 B/point where flushing every 1,000,000 points wrote
        /// 208. `flushCeilingPoints` and `flushMaxAge` flush whatever the average. 0: no minimum.
        public var flushPointsPerSeries: Int = 4
        /// Points in the memtable that start a flush however many series they belong to.
        public var flushCeilingPoints: Int = 8_000_000
        /// The longest points wait in the memtable before a flush however many series there are
        /// (a longer wait also means a longer log replay after a crash).
        public var flushMaxAge: Duration = .seconds(600)
        /// Points in the memtable (waiting for flushes, or in one) beyond which ``append(_:)``
        /// fails with ``StoreError/Code/queueFull`` until the flushes catch up: memory stays
        /// bounded when writes come faster than chunks are written. At least `flushCeilingPoints`.
        public var maxMemtablePoints: Int = 16_000_000
        /// Points a flush writes per SQLite transaction at most: between its transactions,
        /// commits index their new series without waiting for the whole flush.
        public var flushTransactionPoints: Int = 50_000
        /// Small chunks (under 1,024 points, no TTL) of one series that are merged into one
        /// after a flush; 0 turns merging off.
        public var compactionMinChunks: Int = 4
        public init() {}
    }

    public let path: String
    private let maxMemtablePoints: Int
    let pool: DatabasePool
    let index: SeriesIndex
    let seriesFile: SeriesFile
    let memtable: MemTable
    let committer: GroupCommitter
    let log: CommitLog
    let flusher: Flusher
    private let logger: Logger

    /// Opens (creating if needed) the store in `directory`.
    public init(directory: String, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "farad.store")) throws(StoreError) {
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(code: .database, message: "cannot create data directory \(directory): \(error)")
        }
        path = directory + "/farad.sqlite"
        index = SeriesIndex()
        seriesFile = SeriesFile(directory: directory + "/series", sync: configuration.syncEveryCommit)
        maxMemtablePoints = max(configuration.maxMemtablePoints, min(configuration.flushPoints, configuration.flushCeilingPoints))
        var config = GRDB.Configuration()
        let sync = configuration.syncEveryCommit ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(sync)")
            try db.execute(sql: "PRAGMA cache_size = -32768")  // 32 MiB of pages per connection
        }
        config.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try pool.write { db in try Self.migrate(db) }
            try Self.moveSeriesIndex(from: pool, to: seriesFile, sync: configuration.syncEveryCommit)
            try seriesFile.load(into: index)
            let flushed = try pool.read { db in try Self.flushedGeneration(db) }
            log = CommitLog(directory: directory + "/log", sync: configuration.syncEveryCommit)
            // Commits not yet flushed into chunks when the process stopped: a store from before
            // the commit log file has them as rows of the SQLite `log` table (older than any
            // segment); then the segments newer than the last flush, in order.
            var replayed: [[(MemTable.Key, MemTable.Buffer)]] = try pool.read { db in
                guard try db.tableExists("log") else { return [] }
                return try Row.fetchAll(db, sql: "SELECT data FROM log ORDER BY id").map { row in
                    let data: Data = row[0]
                    return try data.withUnsafeBytes { try LogCodec.decode($0) }
                }
            }
            let legacyLog = try pool.read { db in try db.tableExists("log") }
            let newest = try log.recover(flushed: flushed) { payload throws(StoreError) in replayed.append(try LogCodec.decode(payload)) }
            // The generation counter goes on from the last flush (and from the newest segment, whose
            // records belong to its generation), so a reader never mistakes a new set for one whose
            // chunks it already sees.
            memtable = MemTable(nextGeneration: max(flushed + 1, newest))
            for buffers in replayed { memtable.add(buffers) }
            flusher = Flusher(transactionPoints: configuration.flushTransactionPoints, compactionMinChunks: configuration.compactionMinChunks)
            // A flush cut short left chunks newer than flushed_gen: their points are replayed.
            try pool.write { db in try Flusher.discardUnfinished(db) }
            if let job = try Flusher.seal(memtable, log: log) {
                try flusher.flush(job, memtable: memtable, pool: pool, log: log) { db in
                    if legacyLog { try db.execute(sql: "DROP TABLE log") }
                }
            }
            if try legacyLog && pool.read({ db in try db.tableExists("log") }) {
                // Nothing to replay, so no flush ran: the old table is empty and goes alone.
                try pool.write { db in try db.execute(sql: "DROP TABLE log") }
            }
            try log.start(generation: memtable.activeGeneration)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .database, message: "cannot open store \(path): \(error)")
        }
        committer = GroupCommitter(
            maxQueuedPoints: configuration.maxQueuedPoints, flushPolicy: FlushPolicy(configuration), flusher: flusher)
        do {
            try committer.start(pool: pool, index: index, seriesFile: seriesFile, memtable: memtable, log: log, logger: logger)
        } catch {
            throw StoreError(code: .database, message: "cannot start the store's writer thread: \(error)")
        }
    }

    /// Stores the points and returns once they are committed.
    ///
    /// Each write is checked before it joins a group commit, so a bad one fails only its own
    /// request: names (metric, namespace, tag keys and values) must not contain a NUL byte (SQLite
    /// would cut the stored text there), and each write needs one value per time. Swift strings are
    /// always valid Unicode, so invalid UTF-8 must be refused where bytes are decoded (the parsers).
    /// - Throws: ``StoreError`` `invalid` (nothing stored), `queueFull` (nothing stored) or `database`.
    public func append(_ writes: [SeriesWrite]) async throws(StoreError) {
        // By index: iterating by value would copy (retain and release) every write's arrays.
        var count = 0
        for i in writes.indices {
            if let problem = Self.problem(in: writes[i]) {
                throw StoreError(code: .invalid, message: "write \(i + 1) of \(writes.count) refused: \(problem)")
            }
            count += writes[i].times.count
        }
        guard count > 0 else { return }
        let waiting = memtable.points
        if waiting > 0 && waiting + count > maxMemtablePoints {
            throw StoreError(code: .queueFull, message: "flushes are behind (\(waiting) points wait to be written into chunks)")
        }
        try await committer.submit(writes, pointCount: count)
    }

    /// Why the store cannot keep `write` faithfully, or `nil`.
    static func problem(in write: SeriesWrite) -> String? {
        if write.times.count != write.values.count {
            return "\(write.times.count) times but \(write.values.count) values for metric \(String(reflecting: write.key.metric))"
        }
        // `what` is built only for a name that has a NUL (this runs for every write).
        func nul(_ what: @autoclosure () -> String, _ text: String) -> String? {
            guard let at = text.utf8.firstIndex(of: 0) else { return nil }
            let offset = text.utf8.distance(from: text.utf8.startIndex, to: at)
            return "\(what()) \(String(reflecting: text)) contains a NUL byte at byte \(offset)"
        }
        if let p = nul("metric name", write.key.metric) ?? nul("namespace", write.key.namespace) { return p }
        for tag in write.key.tags {
            if let p = nul("tag key", tag.key) ?? nul("value of tag \(String(reflecting: tag.key))", tag.value) { return p }
        }
        return nil
    }

    /// Points accepted and waiting for their commit.
    public var queuedPoints: Int { committer.queuedPoints }

    /// Finishes the pending commits and closes the writer. Later appends fail with `closed`.
    public func close() {
        committer.stop()
        log.close()
        seriesFile.close()
        _ = try? pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    /// Tests only: stops as a `kill -9` would leave the files (no last flush, no checkpoint),
    /// so that a second store opened on the directory recovers from them.
    func abandonForTesting() {
        committer.stop(abandon: true)
        log.close()
        seriesFile.close()
    }

    /// Tests only: gives the database the SQLite `log` table of a store from before the commit
    /// log file, holding one row of `payload`.
    func insertLegacyLogRowForTesting(_ payload: [UInt8]) throws {
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS log(id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
            try db.execute(sql: "INSERT INTO log(data) VALUES (?)", arguments: [Data(payload)])
        }
    }

    /// Whether the database answers a read.
    public func isHealthy() -> Bool {
        (try? pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// Every metric name (of all namespaces), sorted; empty if the database fails (logged).
    public func metricNames() -> [String] {
        do {
            var names: [String] = []
            for m in try metrics() where names.last != m.name { names.append(m.name) }
            return names
        } catch {
            logger.error("store index read failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// The series of `metric` that match `filter`; empty if the database fails (logged). See
    /// ``findSeries(metric:filter:namespace:)``.
    public func series(metric: String, filter: TagFilter) -> [SeriesEntry] {
        do {
            return try findSeries(metric: metric, filter: filter)
        } catch {
            logger.error("store index read failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Bytes on disk (database, WAL, commit log and series file).
    public func sizeOnDisk() -> Int64 {
        var total = log.size() + seriesFile.size()
        for suffix in ["", "-wal", "-shm"] {
            if let attrs = try? FileManager.default.attributesOfItem(atPath: path + suffix),
               let size = attrs[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }

    /// The SQL condition (on table `chunks`) of the chunks a reader may see: those of flushes that
    /// have finished (`gen <= meta.flushed_gen`). Chunks of a flush still running (or cut by a
    /// crash) are not, since their points are still read from the memtable. Every query of chunk
    /// points (reads, scans, deletes, TTL) includes it: `WHERE series_id = ? AND \(visibleChunks)`.
    static let visibleChunks = "chunks.gen <= COALESCE((SELECT value FROM meta WHERE key = 'flushed_gen'), 0)"

    /// The generation of the last committed flush (0 before the first), as `db`'s snapshot sees it.
    static func flushedGeneration(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'flushed_gen'")) ?? 0
    }

    static func migrate(_ db: Database) throws {
        // Chunks from before flushes in several transactions: generation 0, always visible.
        if try db.tableExists("chunks") && !db.columns(in: "chunks").contains(where: { $0.name == "gen" }) {
            try db.execute(sql: "ALTER TABLE chunks ADD COLUMN gen INTEGER NOT NULL DEFAULT 0")
        }
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS chunks(
                id INTEGER PRIMARY KEY,
                series_id INTEGER NOT NULL,
                min_time INTEGER NOT NULL,
                max_time INTEGER NOT NULL,
                count INTEGER NOT NULL,
                expires_at INTEGER,
                data BLOB NOT NULL,
                gen INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX IF NOT EXISTS chunks_by_series ON chunks(series_id, max_time);
            CREATE INDEX IF NOT EXISTS chunks_by_expiry ON chunks(expires_at) WHERE expires_at IS NOT NULL;
            CREATE TABLE IF NOT EXISTS meta(
                key TEXT PRIMARY KEY,
                value INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS documents(
                kind TEXT NOT NULL,
                id TEXT NOT NULL,
                body BLOB NOT NULL,
                PRIMARY KEY(kind, id));
            """)
    }

    /// The tables that held the series index before the series file.
    static let legacyIndexTables = ["series", "series_tags", "tag_values", "metrics"]

    /// A store from before the series file keeps its series in SQLite (`series`, and the tag index
    /// tables): they are written into the series file once, with their ids (chunks name them),
    /// and then dropped. The file appears whole or not at all (``SeriesFile/export(_:nextID:to:sync:)``),
    /// so a crash before the drop only repeats the drop.
    static func moveSeriesIndex(from pool: DatabasePool, to file: SeriesFile, sync: Bool) throws {
        guard try pool.read({ db in try db.tableExists("series") }) else { return }
        if !SeriesFile.exists(file.directory) {
            let (entries, nextID) = try pool.read { db -> ([SeriesEntry], Int64) in
                let typed = try db.columns(in: "series").contains { $0.name == "types" }
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT id, metric, tags, namespace, \(typed ? "types" : "0") FROM series ORDER BY id")
                var out: [SeriesEntry] = []
                while let row = try rows.next() {
                    out.append(SeriesEntry(
                        id: row[0], key: SeriesKey(metric: row[1], sortedTags: TagText.decode(row[2]), namespace: row[3]),
                        types: ValueTypes(rawValue: row[4])))
                }
                return (out, (out.last?.id ?? 0) + 1)
            }
            try SeriesFile.export(entries, nextID: nextID, to: file.directory, sync: sync)
        }
        try pool.write { db in
            for table in legacyIndexTables { try db.execute(sql: "DROP TABLE IF EXISTS \(table)") }
        }
    }
}
