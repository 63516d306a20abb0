import FaradMQTT
import FaradSystem
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where one alert handler delivers an event: a file, a TCP peer, an HTTP endpoint, a program.
protocol AlertSink: Sendable {
    /// `log`, `tcp`, `post`, `exec`: the handler's kind in statistics and logs.
    var kind: String { get }
    /// What it delivers to (path, address, URL, program).
    var target: String { get }
    /// Delivers one event (Kapacitor's JSON, newline-terminated) or throws.
    func deliver(_ json: [UInt8], event: AlertEvent) throws(SystemError)
    /// Delivers events taken from the queue together, in order: how many went out, and the
    /// error of the first that did not. By default one ``deliver(_:event:)`` each.
    func deliver(_ events: [(json: [UInt8], event: AlertEvent)]) -> (sent: Int, failures: Int, error: SystemError?)
}

extension AlertSink {
    func deliver(_ events: [(json: [UInt8], event: AlertEvent)]) -> (sent: Int, failures: Int, error: SystemError?) {
        var sent = 0, failures = 0
        var first: SystemError?
        for e in events {
            do throws(SystemError) {
                try deliver(e.json, event: e.event)
                sent += 1
            } catch {
                failures += 1
                if first == nil { first = error }
            }
        }
        return (sent, failures, first)
    }
}

/// One alert handler's bounded FIFO and the thread that empties it: events keep their order,
/// a slow or dead receiver never blocks the task (a full queue drops the event and counts it),
/// and sent, failed and dropped events are counted for the node's statistics.
final class AlertHandler: TaskOutput {
    let sink: any AlertSink
    let capacity: Int
    private let logger: Logger
    private let queue: ConditionLock<State>
    private let thread = Mutex<OSThread?>(nil)
    let sent = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)

    struct State {
        /// The queued events, in order; the thread takes them all at once.
        var events: [AlertEvent] = []
        var stopping = false

        var count: Int { events.count }

        /// Every queued event, in order (the queue keeps its capacity).
        mutating func takeAll() -> [AlertEvent] {
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }

    /// Events a handler holds by default before it drops new ones.
    static let defaultCapacity = 10_000

    init(_ sink: any AlertSink, capacity: Int = AlertHandler.defaultCapacity, logger: Logger) {
        self.sink = sink
        self.capacity = capacity
        self.logger = logger
        queue = ConditionLock(State())
    }

    /// Queues `event`; drops it (counted) when the queue is full. Wakes the thread only when
    /// the queue was empty (it waits only then).
    func offer(_ event: AlertEvent) {
        let result = queue.withLock { s -> (queued: Bool, wasEmpty: Bool) in
            guard s.count < capacity, !s.stopping else { return (false, false) }
            s.events.append(event)
            return (true, s.count == 1)
        }
        if result.queued {
            if result.wasEmpty { queue.broadcast() }
        } else if dropped.add(1, ordering: .relaxed).newValue == 1 {
            logger.warning("alert handler queue is full: dropping events", metadata: ["handler": "\(sink.kind)", "target": "\(sink.target)"])
        }
    }

    func start() throws(SystemError) {
        let t = try OSThread(name: "alert-\(sink.kind)") { [self] in self.run() }
        thread.withLock { $0 = t }
    }

    /// Delivers what is queued, then ends the thread.
    func stop() {
        queue.withLock { $0.stopping = true }
        queue.broadcast()
        thread.takeAndJoin()
    }

    private func run() {
        while true {
            let batch = queue.withLock(waitingUntil: { $0.count > 0 || $0.stopping }) { $0.takeAll() }
            if batch.isEmpty { return }
            var ready: [(json: [UInt8], event: AlertEvent)] = []
            ready.reserveCapacity(batch.count)
            for event in batch {
                let parts = event.parts
                if let error = parts.error {
                    report(failures: 1, "alert template failed: \(error)")
                } else {
                    ready.append((parts.json, event))
                }
            }
            let (delivered, failures, error) = sink.deliver(ready)
            sent.add(delivered, ordering: .relaxed)
            if failures > 0 { report(failures: failures, "\(error.map { "\($0)" } ?? "failed")") }
        }
    }

    /// Counts failures; logs when the count reaches a new power of two (the 1st, 2nd, 4th, 8th…
    /// failure), so a dead receiver does not flood the log.
    private func report(failures: Int, _ text: String) {
        let before = failed.add(failures, ordering: .relaxed).oldValue
        let after = before + failures
        guard after.bitWidth - after.leadingZeroBitCount > before.bitWidth - before.leadingZeroBitCount else { return }
        logger.error("alert handler failed", metadata: ["handler": "\(sink.kind)", "target": "\(sink.target)", "error": "\(text)", "failures": "\(after)"])
    }
}

/// `.log('/path').mode(0644)`: appends each event's JSON line to a file.
struct LogSink: AlertSink {
    let path: String
    let mode: Int32
    var kind: String { "log" }
    var target: String { path }

    func deliver(_ json: [UInt8], event: AlertEvent) throws(SystemError) {
        try append(json)
    }

    /// Events taken together are appended with one open and one write: the same lines.
    func deliver(_ events: [(json: [UInt8], event: AlertEvent)]) -> (sent: Int, failures: Int, error: SystemError?) {
        guard !events.isEmpty else { return (0, 0, nil) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(events.reduce(0) { $0 + $1.json.count })
        for e in events { bytes += e.json }
        do throws(SystemError) {
            try append(bytes)
            return (events.count, 0, nil)
        } catch {
            return (0, events.count, error)
        }
    }

    private func append(_ bytes: [UInt8]) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw SystemError.current("open", subject: path) }
        let file = FileDescriptor(rawValue: fd)
        defer { file.close() }
        try file.writeAll(bytes)
    }
}

/// `.tcp('host:port')`: one connection per event, the JSON then a newline, closed.
struct TCPSink: AlertSink {
    let host: String
    let port: Int
    var kind: String { "tcp" }
    var target: String { "\(host):\(port)" }

    func deliver(_ json: [UInt8], event: AlertEvent) throws(SystemError) {
        let socket = try TCPClient.connect(host: host, port: port, timeoutSeconds: 10)
        defer { socket.close() }
        try TCPClient.send(json + [0x0A], on: socket, subject: target)
    }
}

/// `.post(url)`: the JSON as an `application/json` POST on a kept-alive connection (as Go's
/// client, so Kapacitor's, keeps it); a non-2xx answer is a failure. With an `[[httppost]]`
/// endpoint's `alert-template`, the body is that template over the alert data, as `text/plain`.
struct PostSink: AlertSink {
    let connection: HTTPKeepAlive
    let headers: [(name: String, value: String)]
    let timeoutSeconds: Int
    let template: GoTemplate?
    var kind: String { "post" }
    var target: String { connection.endpoint.description }

    init(endpoint: HTTPPost.Endpoint, headers: [(name: String, value: String)], timeoutSeconds: Int, template: GoTemplate? = nil) {
        connection = HTTPKeepAlive(endpoint)
        self.headers = headers
        self.timeoutSeconds = timeoutSeconds
        self.template = template
    }

    /// The body of each event: its JSON, or the endpoint's template over its alert data.
    private func bodies(_ events: [(json: [UInt8], event: AlertEvent)]) -> (bodies: [[UInt8]], error: SystemError?) {
        guard let template else { return (events.map(\.json), nil) }
        var out: [[UInt8]] = []
        for e in events {
            do throws(GoTemplateError) {
                out.append(Array(try template.render(e.event.alertData(e.event.parts)).utf8))
            } catch {
                return (out, SystemError(code: EINVAL, operation: "alert-template: \(error.message)", subject: target))
            }
        }
        return (out, nil)
    }

    func deliver(_ json: [UInt8], event: AlertEvent) throws(SystemError) {
        let (bodies, error) = bodies([(json, event)])
        if let error { throw error }
        let (status, _) = try connection.send("POST", path: connection.endpoint.basePath.isEmpty ? "/" : "", body: bodies[0],
                                              contentType: template == nil ? "application/json" : "text/plain", headers: headers, timeoutSeconds: timeoutSeconds)
        guard (200..<300).contains(status) else {
            throw SystemError(code: EIO, operation: "POST answered \(status)", subject: target)
        }
    }

    /// Events taken together are pipelined on the connection, in order.
    func deliver(_ events: [(json: [UInt8], event: AlertEvent)]) -> (sent: Int, failures: Int, error: SystemError?) {
        let (bodies, templateError) = bodies(events)
        let results = connection.sendPipelined("POST", path: connection.endpoint.basePath.isEmpty ? "/" : "", bodies: bodies,
                                               contentType: template == nil ? "application/json" : "text/plain", headers: headers, timeoutSeconds: timeoutSeconds)
        var sent = 0, failures = events.count - bodies.count
        var first: SystemError? = templateError
        for r in results {
            switch r {
            case .success(let status) where (200..<300).contains(status): sent += 1
            case .success(let status):
                failures += 1
                if first == nil { first = SystemError(code: EIO, operation: "POST answered \(status)", subject: target) }
            case .failure(let error):
                failures += 1
                if first == nil { first = error }
            }
        }
        return (sent, failures, first)
    }
}

/// `.exec('prog', 'arg'…)`: runs the program with the event's JSON on its standard input.
struct ExecSink: AlertSink {
    let program: String
    let arguments: [String]
    var kind: String { "exec" }
    var target: String { ([program] + arguments).joined(separator: " ") }

    /// How long a program may run before it is ended.
    static let timeout: Duration = .seconds(30)

    func deliver(_ json: [UInt8], event: AlertEvent) throws(SystemError) {
        let child = try ChildProcess(executable: program, arguments: arguments, standardInput: .pipe, standardOutput: .null, standardError: .null)
        if let stdin = child.standardInput {
            try? stdin.writeAll(json)
            stdin.close()
        }
        let status = child.waitBlocking(timeout: Self.timeout) ?? child.terminate()
        guard status.isSuccess else {
            throw SystemError(code: EIO, operation: "\(program) ended \(status)", subject: target)
        }
    }
}

/// `.mqtt(topic)`: the rendered message (only it, as Kapacitor sends) to a `[[mqtt]]` broker,
/// waiting for delivery (QoS 1 and 2: the broker's ack, re-sent after a reconnect).
struct MQTTSink: AlertSink {
    let broker: MQTTClient
    let topic: String
    let qos: Int
    let retained: Bool
    var kind: String { "mqtt" }
    var target: String { "\(broker.configuration.name)/\(topic)" }

    /// How long one event may wait for its broker (reconnects included).
    static let timeout: Duration = .seconds(60)

    func deliver(_ json: [UInt8], event: AlertEvent) throws(SystemError) {
        try broker.publish(topic: topic, payload: Array(event.parts.message.utf8), qos: qos, retained: retained, timeout: Self.timeout)
    }

    /// Events taken together go out together (one round trip of acks for the batch).
    func deliver(_ events: [(json: [UInt8], event: AlertEvent)]) -> (sent: Int, failures: Int, error: SystemError?) {
        let sent = broker.publish(topic: topic, payloads: events.map { Array($0.event.parts.message.utf8) }, qos: qos, retained: retained,
                                  timeout: Self.timeout)
        let failures = events.count - sent
        return (sent, failures, failures > 0 ? SystemError(code: ETIMEDOUT, operation: "mqtt publish to \(topic)", subject: target) : nil)
    }
}
