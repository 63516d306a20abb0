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
        /// Queued events from `head` on (the delivered ones before it are dropped in bulk).
        var events: [AlertEvent] = []
        var head = 0
        var stopping = false

        var count: Int { events.count - head }

        mutating func takeFirst() -> AlertEvent? {
            guard head < events.count else { return nil }
            let e = events[head]
            head += 1
            if head >= 64, head * 2 >= events.count {
                events.removeFirst(head)
                head = 0
            }
            return e
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

    /// Queues `event`; drops it (counted) when the queue is full.
    func offer(_ event: AlertEvent) {
        let queued = queue.withLock { s -> Bool in
            guard s.count < capacity, !s.stopping else { return false }
            s.events.append(event)
            return true
        }
        if queued {
            queue.broadcast()
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
        let t = thread.withLock { t in
            defer { t = nil }
            return t
        }
        t?.join()
    }

    private func run() {
        while true {
            let next = queue.withLock(waitingUntil: { $0.count > 0 || $0.stopping }) { s -> AlertEvent? in
                s.takeFirst()
            }
            guard let event = next else { return }
            do throws(SystemError) {
                try sink.deliver(event.json, event: event)
                sent.add(1, ordering: .relaxed)
            } catch {
                let n = failed.add(1, ordering: .relaxed).newValue
                if n & (n - 1) == 0 {
                    // The 1st, 2nd, 4th, 8th… failure: logged without flooding the log.
                    logger.error("alert handler failed", metadata: ["handler": "\(sink.kind)", "target": "\(sink.target)", "error": "\(error)"])
                }
            }
        }
    }
}

/// `.log('/path').mode(0644)`: appends each event's JSON line to a file.
struct LogSink: AlertSink {
    let path: String
    let mode: Int32
    var kind: String { "log" }
    var target: String { path }

    func deliver(_ json: [UInt8], event: AlertEvent) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw SystemError.current("open", subject: path) }
        let file = FileDescriptor(rawValue: fd)
        defer { file.close() }
        try file.writeAll(json)
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

/// `.post(url)`: the JSON as an `application/json` POST; a non-2xx answer is a failure.
struct PostSink: AlertSink {
    let endpoint: HTTPPost.Endpoint
    let headers: [(name: String, value: String)]
    let timeoutSeconds: Int
    var kind: String { "post" }
    var target: String { endpoint.description }

    func deliver(_ json: [UInt8], event: AlertEvent) throws(SystemError) {
        let (status, _) = try HTTPPost.send("POST", to: endpoint, path: endpoint.basePath.isEmpty ? "/" : "", body: json, contentType: "application/json",
                                            headers: headers, timeoutSeconds: timeoutSeconds)
        guard (200..<300).contains(status) else {
            throw SystemError(code: EIO, operation: "POST answered \(status)", subject: endpoint.description)
        }
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
