import FaradCore
import FaradIngest
import FaradSystem
import Logging
import Synchronization

/// Where an influxDBOut node writes and how it buffers.
public struct InfluxDBOutConfiguration: Sendable, Hashable {
    public var endpoint: HTTPPost.Endpoint
    /// Points buffered before a write (Kapacitor: 1000).
    public var bufferSize: Int = 1000
    /// Longest time a point waits in the buffer, by the wall clock (Kapacitor: 10s).
    public var flushInterval: Duration = .seconds(10)
    /// Bytes of line protocol an outbox keeps while InfluxDB does not take them; beyond, new
    /// batches are dropped and counted (`points_dropped`).
    public var outboxMaxBytes = 64 << 20
    /// `[[influxdb]] username` / `password`: sent as HTTP Basic credentials, as Kapacitor's client does.
    public var credentials: Credentials?

    public struct Credentials: Sendable, Hashable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            (self.username, self.password) = (username, password)
        }
    }

    /// The `Authorization` header of the credentials, if any.
    var authorizationHeaders: [(name: String, value: String)] {
        guard let c = credentials else { return [] }
        return [("Authorization", "Basic " + Base64.encode(Array("\(c.username):\(c.password)".utf8)))]
    }

    public init(endpoint: HTTPPost.Endpoint) {
        self.endpoint = endpoint
    }
}

/// The I/O side of one influxDBOut node: a thread that writes buffered line protocol to
/// InfluxDB's `/write` when the buffer is full, every flush interval, and at stop. With
/// `createDatabase` (`.create()`), it first creates each database it writes to, as Kapacitor
/// does: `CREATE DATABASE "db"` (`WITH NAME "rp"` when the node names a retention policy).
///
/// Beyond Kapacitor, which drops a batch InfluxDB does not take: a batch that fails for a
/// reason that can pass (no connection, a timeout, a 5xx) goes to the node's ``InfluxDBOutbox``,
/// and so does every batch after it while the outbox is not empty, so InfluxDB receives them in
/// order. The outbox is retried with back-off (1 s doubling to 30 s) and kept in the data
/// directory across restarts. A 4xx (a point InfluxDB refuses, a missing database) is logged,
/// counted in `write_errors` and dropped, as in Kapacitor: sending it again cannot succeed.
public final class InfluxDBWriter: Sendable {
    struct Key: Hashable {
        var database: String
        var retentionPolicy: String
        var precision: String
    }

    struct State {
        var buffers: [Key: [String]] = [:]
        var count = 0
        var stopping = false
        var stopped = false
    }

    let configuration: InfluxDBOutConfiguration
    private let state = ConditionLock(State())
    private let logger: Logger
    let pointsWritten = Atomic<Int>(0)
    let writeErrors = Atomic<Int>(0)
    /// Points waiting in the outbox, and points dropped because it was full.
    let outboxPoints = Atomic<Int>(0)
    let pointsDropped = Atomic<Int>(0)
    private let thread = Mutex<OSThread?>(nil)
    let createDatabase: Bool
    /// The outbox file (`nil`: in memory only).
    let outboxPath: String?

    init(configuration: InfluxDBOutConfiguration, createDatabase: Bool = false, outboxPath: String? = nil, logger: Logger) {
        self.configuration = configuration
        self.createDatabase = createDatabase
        self.outboxPath = outboxPath
        self.logger = logger
    }

    /// Opens the outbox and starts the writer thread.
    func start() throws(SystemError) {
        let outbox = InfluxDBOutbox(path: outboxPath, maxBytes: configuration.outboxMaxBytes, logger: logger)
        outboxPoints.store(outbox.points, ordering: .relaxed)
        nonisolated(unsafe) let owned = outbox  // from here on, the writer thread's alone
        let t = try OSThread(name: "influxdb-out") { [self] in self.run(owned) }
        thread.withLock { $0 = t }
    }

    /// Buffers one line (no newline) for `key`.
    func add(_ line: String, database: String, retentionPolicy: String, precision: String) {
        let full = state.withLock { s -> Bool in
            s.buffers[Key(database: database, retentionPolicy: retentionPolicy, precision: precision), default: []].append(line)
            s.count += 1
            return s.count >= configuration.bufferSize
        }
        if full { state.broadcast() }
    }

    /// Writes what is buffered and ends the thread.
    func stop() {
        state.withLock { $0.stopping = true }
        state.broadcast()
        thread.takeAndJoin()
    }

    /// What one attempt to write a batch came to.
    private enum Delivery {
        case delivered, refused, retry
    }

    private func run(_ outbox: InfluxDBOutbox) {
        var created: Set<Key> = []
        var retryAt: ContinuousClock.Instant?
        var backoff = Duration.seconds(1)
        var failing = false
        func failed() {
            retryAt = .now + backoff
            backoff = min(backoff * 2, .seconds(30))
            if !failing {
                failing = true
                logger.error("InfluxDB does not take writes: keeping points in the outbox", metadata: ["url": "\(configuration.endpoint)"])
            }
        }
        while true {
            var timeout = configuration.flushInterval
            if let retryAt, !outbox.isEmpty { timeout = max(.zero, min(timeout, retryAt - .now)) }
            let (batches, stop) = state.withLock(waitingUntil: { $0.stopping || $0.count >= self.configuration.bufferSize },
                                                 timeout: timeout) { s in
                defer {
                    s.buffers.removeAll()
                    s.count = 0
                }
                return (s.buffers, s.stopping)
            }
            for (key, lines) in batches {
                var body: [UInt8] = []
                for l in lines {
                    body.append(contentsOf: l.utf8)
                    body.append(10)
                }
                let batch = InfluxDBOutbox.Batch(database: key.database, retentionPolicy: key.retentionPolicy, precision: key.precision,
                                                 points: lines.count, body: body)
                if outbox.isEmpty {
                    let result = deliver(batch, &created)
                    if result != .retry { continue }
                    failed()
                }
                if outbox.append(batch) {
                    outboxPoints.add(batch.points, ordering: .relaxed)
                } else {
                    pointsDropped.add(batch.points, ordering: .relaxed)
                    logger.error("influxDBOut outbox is full: points dropped", metadata: [
                        "points": "\(batch.points)", "max-bytes": "\(outbox.maxBytes)", "db": "\(key.database)",
                    ])
                }
            }
            if let oldest = outbox.oldest, stop || retryAt.map({ .now >= $0 }) ?? true {
                var next: InfluxDBOutbox.Batch? = oldest
                var sent = 0
                var rounds = 0
                while let batch = next {
                    guard deliver(batch, &created) != .retry else {
                        failed()
                        break
                    }
                    sent += batch.points
                    outbox.removeOldest()
                    outboxPoints.subtract(batch.points, ordering: .relaxed)
                    next = outbox.oldest
                    // A long outbox is sent 100 batches at a time, taking in what was buffered
                    // meanwhile (behind it), so the buffers do not grow while it drains.
                    rounds += 1
                    if rounds == 100 && next != nil && !stop {
                        retryAt = .now
                        break
                    }
                }
                if outbox.isEmpty {
                    (retryAt, backoff) = (nil, .seconds(1))
                    if failing { logger.notice("InfluxDB takes writes again: the outbox is delivered", metadata: ["points": "\(sent)"]) }
                    failing = false
                }
            }
            if stop {
                if !outbox.isEmpty {
                    logger.warning("influxDBOut stops with points InfluxDB has not taken; they are sent when the task runs again",
                                   metadata: ["points": "\(outbox.points)", "kept": "\(outboxPath ?? "in memory only: lost")"])
                }
                return
            }
        }
    }

    /// One attempt at a batch: the database first when `.create()` asked for it (until that worked).
    private func deliver(_ batch: InfluxDBOutbox.Batch, _ created: inout Set<Key>) -> Delivery {
        let dbKey = Key(database: batch.database, retentionPolicy: batch.retentionPolicy, precision: "")
        if createDatabase && !created.contains(dbKey) {
            switch create(dbKey) {
            case .retry: return .retry
            case .delivered, .refused: created.insert(dbKey)
            }
        }
        let precision = batch.precision.isEmpty ? "ns" : batch.precision
        let query = "consistency=&db=\(Self.escape(batch.database))&precision=\(precision)&rp=\(Self.escape(batch.retentionPolicy))"
        do {
            let (status, response) = try HTTPPost.send("POST", to: configuration.endpoint, path: "/write?" + query, body: batch.body,
                                                       headers: configuration.authorizationHeaders)
            if status == 204 || status == 200 {
                pointsWritten.add(batch.points, ordering: .relaxed)
                return .delivered
            }
            writeErrors.add(1, ordering: .relaxed)
            let retry = status >= 500 || status == 429
            logger.error(retry ? "InfluxDB failed a write: it is retried" : "InfluxDB refused a write: its points are dropped", metadata: [
                "status": "\(status)", "response": "\(String(decoding: response.prefix(300), as: UTF8.self))", "db": "\(batch.database)",
                "points": "\(batch.points)",
            ])
            return retry ? .retry : .refused
        } catch {
            writeErrors.add(1, ordering: .relaxed)
            logger.debug("failed to write points to InfluxDB", metadata: ["error": "\(error)", "db": "\(batch.database)"])
            return .retry
        }
    }

    private func create(_ key: Key) -> Delivery {
        var statement = "CREATE DATABASE \(Self.quoteIdentifier(key.database))"
        if !key.retentionPolicy.isEmpty { statement += " WITH NAME \(Self.quoteIdentifier(key.retentionPolicy))" }
        do {
            let (status, response) = try HTTPPost.send("POST", to: configuration.endpoint, path: "/query?q=" + Self.escape(statement), body: [],
                                                       headers: configuration.authorizationHeaders)
            if status >= 500 { return .retry }
            // InfluxDB answers a failed statement with 200 and {"results":[{"error":…}]}.
            if status != 200 || String(decoding: response, as: UTF8.self).contains("\"error\"") {
                logger.error("failed to create database", metadata: [
                    "status": "\(status)", "response": "\(String(decoding: response.prefix(300), as: UTF8.self))", "db": "\(key.database)",
                ])
                return .refused
            }
            return .delivered
        } catch {
            logger.debug("failed to create database", metadata: ["error": "\(error)", "db": "\(key.database)"])
            return .retry
        }
    }

    /// An InfluxQL identifier in double quotes.
    static func quoteIdentifier(_ s: String) -> String {
        var out = "\""
        for c in s {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(b >> 4)])\(hex[Int(b & 15)])"
            }
        }
        return out
    }
}
