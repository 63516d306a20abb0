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

    public init(endpoint: HTTPPost.Endpoint) {
        self.endpoint = endpoint
    }
}

/// The I/O side of one influxDBOut node: a thread that writes buffered line protocol to
/// InfluxDB's `/write` when the buffer is full, every flush interval, and at stop. With
/// `createDatabase` (`.create()`), it first creates each database it writes to, as Kapacitor
/// does: `CREATE DATABASE "db"` (`WITH NAME "rp"` when the node names a retention policy).
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
    private let thread = Mutex<OSThread?>(nil)
    let createDatabase: Bool

    init(configuration: InfluxDBOutConfiguration, createDatabase: Bool = false, logger: Logger) {
        self.configuration = configuration
        self.createDatabase = createDatabase
        self.logger = logger
    }

    /// Starts the writer thread.
    func start() throws(SystemError) {
        let t = try OSThread(name: "influxdb-out") { [self] in self.run() }
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
        let t = thread.withLock { t in
            defer { t = nil }
            return t
        }
        t?.join()
    }

    private func run() {
        var created: Set<Key> = []
        while true {
            let (batches, stop) = state.withLock(waitingUntil: { $0.stopping || $0.count >= self.configuration.bufferSize },
                                                 timeout: configuration.flushInterval) { s in
                defer {
                    s.buffers.removeAll()
                    s.count = 0
                }
                return (s.buffers, s.stopping)
            }
            for (key, lines) in batches {
                if createDatabase, created.insert(Key(database: key.database, retentionPolicy: key.retentionPolicy, precision: "")).inserted {
                    create(key)
                }
                write(lines, key)
            }
            if stop { return }
        }
    }

    private func write(_ lines: [String], _ key: Key) {
        pointsWritten.add(lines.count, ordering: .relaxed)
        var body: [UInt8] = []
        for l in lines {
            body.append(contentsOf: l.utf8)
            body.append(10)
        }
        let precision = key.precision.isEmpty ? "ns" : key.precision
        let query = "consistency=&db=\(Self.escape(key.database))&precision=\(precision)&rp=\(Self.escape(key.retentionPolicy))"
        do {
            let (status, response) = try HTTPPost.send("POST", to: configuration.endpoint, path: "/write?" + query, body: body)
            guard status == 204 || status == 200 else {
                writeErrors.add(1, ordering: .relaxed)
                logger.error("failed to write points to InfluxDB", metadata: [
                    "status": "\(status)", "response": "\(String(decoding: response.prefix(300), as: UTF8.self))", "db": "\(key.database)",
                ])
                return
            }
        } catch {
            writeErrors.add(1, ordering: .relaxed)
            logger.error("failed to write points to InfluxDB", metadata: ["error": "\(error)", "db": "\(key.database)"])
        }
    }

    private func create(_ key: Key) {
        var statement = "CREATE DATABASE \(Self.quoteIdentifier(key.database))"
        if !key.retentionPolicy.isEmpty { statement += " WITH NAME \(Self.quoteIdentifier(key.retentionPolicy))" }
        do {
            let (status, response) = try HTTPPost.send("POST", to: configuration.endpoint, path: "/query?q=" + Self.escape(statement), body: [])
            // InfluxDB answers a failed statement with 200 and {"results":[{"error":…}]}.
            if status != 200 || String(decoding: response, as: UTF8.self).contains("\"error\"") {
                logger.error("failed to create database", metadata: [
                    "status": "\(status)", "response": "\(String(decoding: response.prefix(300), as: UTF8.self))", "db": "\(key.database)",
                ])
            }
        } catch {
            logger.error("failed to create database", metadata: ["error": "\(error)", "db": "\(key.database)"])
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
