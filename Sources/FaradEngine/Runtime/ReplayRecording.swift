import FaradCore
import FaradIngest
import FaradInfluxQL

/// Points to replay into a task, in order, in runs of the same database and retention policy.
public struct ReplayRecording: Sendable {
    public struct Chunk: Sendable {
        public var database: String
        public var retentionPolicy: String
        public var points: [Point]
    }

    public private(set) var chunks: [Chunk] = []

    /// Kapacitor's tests start replays here: 1971-01-01T00:00:00Z.
    public static let srplEpoch: Int64 = 365 * 86_400 * 1_000_000_000

    /// A Kapacitor stream recording (`.srpl`): repeated lines `db`, `rp`, point (seconds); the
    /// first point moves to 1971-01-01T00:00:00Z and the others keep their distance to it, as in
    /// Kapacitor's test harness.
    /// - Throws: ``LineProtocolError`` for a bad point (its line number is the file's).
    public init(srpl bytes: [UInt8]) throws(LineProtocolError) {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let parser = LineProtocolParser(precision: .seconds, defaultTime: 0)
        var offset: Int64?
        var i = 0
        while i + 2 < lines.count {
            let (db, rp, line) = (lines[i], lines[i + 1], lines[i + 2])
            i += 3
            guard var p = try parser.parseLine(line, lineNumber: i) else { continue }
            let shift = offset ?? Self.srplEpoch.clampedSubtracting(p.time)
            offset = shift
            p.time = p.time.clampedAdding(shift)
            append(p, database: db, retentionPolicy: rp)
        }
    }

    /// Line protocol, all written to one database and retention policy.
    public init(lineProtocol bytes: [UInt8], precision: Precision, database: String, retentionPolicy: String) throws(LineProtocolError) {
        let (points, errors) = LineProtocolParser(precision: precision, defaultTime: 0).parse(bytes)
        if let first = errors.first { throw first }
        for p in points { append(p, database: database, retentionPolicy: retentionPolicy) }
    }

    private mutating func append(_ p: Point, database: String, retentionPolicy: String) {
        if let last = chunks.last, last.database == database, last.retentionPolicy == retentionPolicy {
            chunks[chunks.count - 1].points.append(p)
        } else {
            chunks.append(Chunk(database: database, retentionPolicy: retentionPolicy, points: [p]))
        }
    }

    /// Runs `task` over the recording: writes everything, ends the input, waits for its UDFs.
    public func replay(into task: TaskExecution) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await task.run() }
            for chunk in chunks {
                await task.write(chunk.points, database: chunk.database, retentionPolicy: chunk.retentionPolicy)
            }
            task.stop()
            try await group.waitForAll()
        }
    }

    /// The earliest and latest point times, `nil` without points.
    public var timeRange: ClosedRange<Int64>? {
        var low = Int64.max, high = Int64.min
        for chunk in chunks {
            for p in chunk.points {
                low = min(low, p.time)
                high = max(high, p.time)
            }
        }
        return low <= high ? low...high : nil
    }

    /// Writes every point into `storage`, in its chunk's database and retention policy: the
    /// store a replayed batch task queries.
    public func load(into storage: InMemoryInfluxStorage) {
        for chunk in chunks {
            for p in chunk.points {
                storage.write(database: chunk.database, retentionPolicy: chunk.retentionPolicy, p.measurement, sortedTags: p.tags,
                              fields: p.fields.map { f in
                                  switch f.value {
                                  case .double(let x): (f.key, .float(x))
                                  case .int(let n): (f.key, .integer(n))
                                  case .string(let t): (f.key, .string(t))
                                  case .bool(let b): (f.key, .boolean(b))
                                  }
                              }, time: p.time)
            }
        }
    }

    /// Runs batch task `task`, whose queries read ``load(into:)``'s storage, as if the clock
    /// passed over the recording: every tick whose window overlaps the points, in order, then
    /// ends the input and waits for its UDFs.
    public func replayBatch(into task: TaskExecution) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await task.run() }
            if let range = timeRange { await task.runQueries(over: range) }
            task.stop()
            try await group.waitForAll()
        }
    }
}
