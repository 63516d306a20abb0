import FaradSystem
import KapacitorUDFWire
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One conversation with a UDF, from the host's side: Kapacitor's `udf.Server`, with its traps
/// turned into errors.
///
/// Start a session, then use it as Kapacitor does: an info probe (``info()``, then
/// ``finish()``), or a task node (``initialize(_:taskID:nodeID:)``, optionally ``restore(_:)``,
/// data with ``send(_:)`` while another task reads ``nextOutputs()``, ``snapshot()`` now and
/// then, and ``finish()``). Keepalives go out every T/2; no response of any kind for T aborts
/// the session with `keepalive timedout, last keepalive received was: …`, and a process that has
/// not exited 2·T after an abort is killed with its whole process group.
///
/// Malformed output never crashes the host: an empty or unknown response, an `end` without
/// `begin`, a negative or huge batch size, a truncated frame — each ends the session with a
/// ``UDFHostError`` naming the UDF and the problem.
public final class UDFSession: Sendable {
    public let config: UDFFunctionConfig
    private let connection: UDFConnection
    private let writer: BufferedWriter<Void>
    private let outputs = ThreadToTaskQueue<[UDFOutput]>(capacity: 16)
    private let state: Mutex<State>
    private let keepaliveStop = ConditionLock(false)
    private let readerDone = ConditionLock(false)
    private let logger: Logger
    private let metrics: UDFMetrics
    private let onFailure: @Sendable () -> Void

    typealias ReplyKind = HostSessionStateMachine.ReplyKind

    struct State {
        var pending: [ReplyKind: CheckedContinuation<UDFResponse, any Error>] = [:]
        var failure: UDFHostError?
        var lastResponse: ContinuousClock.Instant
        var lastResponseWall: Int64
        var readerBlocked = false
        var inputClosed = false
    }

    /// Starts the UDF (or connects to it) and the session's threads.
    /// - Parameter onFailure: called once, from whichever thread notices, when the session fails
    ///   (so that a caller waiting for something else, e.g. more input, can look).
    public static func start(
        _ config: UDFFunctionConfig, logger: Logger, metrics: UDFMetrics? = nil, onFailure: @escaping @Sendable () -> Void = {}
    ) async throws(UDFHostError) -> UDFSession {
        let connection = try await UDFConnection.open(config, logger: logger)
        do {
            return try UDFSession(config: config, connection: connection, logger: logger, metrics: metrics ?? UDFMetrics(udf: config.name),
                                  onFailure: onFailure)
        } catch {
            connection.kill()
            connection.release()
            throw UDFHostError(.startFailed, udf: config.name, "cannot start session threads: \(error)")
        }
    }

    private init(
        config: UDFFunctionConfig, connection: UDFConnection, logger: Logger, metrics: UDFMetrics, onFailure: @escaping @Sendable () -> Void
    ) throws(SystemError) {
        self.onFailure = onFailure
        self.config = config
        self.connection = connection
        self.logger = logger
        self.metrics = metrics
        state = Mutex(State(lastResponse: ContinuousClock.now, lastResponseWall: wallClockNanoseconds()))
        writer = try BufferedWriter(fd: connection.toUDF, extra: (), name: "udf-host-writer")
        try OSThread.detached(name: "udf-host-reader") { [self] in
            readLoop()
            readerDone.withLock { $0 = true }
            readerDone.broadcast()
        }
        try OSThread.detached(name: "udf-keepalive") { [self] in keepaliveLoop() }
        connection.process?.onExit { [weak self] status in self?.processExited(status) }
    }

    /// How long the output pipe may stay open after the UDF's process exited before the session
    /// stops waiting for it: something the UDF started holds it.
    static let pipeGrace = Duration.seconds(1)

    /// The child process, for process UDFs.
    public var process: ChildProcess? { connection.process }

    /// The error that ended the session, if any.
    public var failure: UDFHostError? { state.withLock { $0.failure } }

    /// Requests waiting for their reply.
    var pendingRequestCount: Int { state.withLock { $0.pending.count } }

    // MARK: Requests

    /// Runs Kapacitor's info-probe session: start the UDF, ask for its info, end the session.
    public static func probe(_ config: UDFFunctionConfig, logger: Logger) async throws(UDFHostError) -> UDFInfo {
        let session = try await start(config, logger: logger)
        do {
            let info = try await session.info()
            try await session.finish()
            return info
        } catch {
            session.abort(error.code, error.message)
            try? await session.finish()
            throw error
        }
    }

    /// Asks the UDF what it wants, provides and accepts (the info probe).
    public func info() async throws(UDFHostError) -> UDFInfo {
        guard case .info(let info) = try await request(.info, .info) else { throw unexpected("info") }
        return info
    }

    /// Initializes a task-node session with the options a TICKscript set.
    /// - Throws: ``UDFHostError`` `rejected` with Kapacitor's text `failed to initialize processes <error>`.
    public func initialize(_ options: [UDFOption], taskID: String, nodeID: String) async throws(UDFHostError) {
        let reply = try await request(.initialize(InitRequest(options: options, taskID: taskID, nodeID: nodeID)), .initialize)
        guard case .initialize(let success, let error) = reply else { throw unexpected("init") }
        if !success { throw UDFHostError(.rejected, udf: config.name, "failed to initialize processes \(error)") }
    }

    /// Asks for the UDF's state.
    public func snapshot() async throws(UDFHostError) -> [UInt8] {
        guard case .snapshot(let blob) = try await request(.snapshot, .snapshot) else { throw unexpected("snapshot") }
        return blob
    }

    /// Hands a snapshot back to a freshly initialized UDF.
    /// - Throws: ``UDFHostError`` `rejected` with Kapacitor's text `error restoring snapshot: <error>`.
    public func restore(_ blob: [UInt8]) async throws(UDFHostError) {
        guard case .restore(let success, let error) = try await request(.restore(snapshot: blob), .restore) else { throw unexpected("restore") }
        if !success { throw UDFHostError(.rejected, udf: config.name, "error restoring snapshot: \(error)") }
    }

    private func unexpected(_ kind: String) -> UDFHostError {
        UDFHostError(.protocolViolation, udf: config.name, "unexpected reply to \(kind)")
    }

    private func request(_ request: UDFRequest, _ kind: ReplyKind) async throws(UDFHostError) -> UDFResponse {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let reply = try await withCheckedThrowingContinuation { (c: CheckedContinuation<UDFResponse, any Error>) in
                let refused: UDFHostError? = state.withLock { s in
                    if let failure = s.failure { return failure }
                    if s.pending[kind] != nil {
                        return UDFHostError(.aborted, udf: config.name, "a \(kind.rawValue) request is already pending")
                    }
                    s.pending[kind] = c
                    return nil
                }
                if let refused {
                    c.resume(throwing: refused)
                    return
                }
                do throws(UDFHostError) {
                    _ = try append(flush: true) { request.appendFrame(to: &$0) }
                } catch {
                    if let c = state.withLock({ $0.pending.removeValue(forKey: kind) }) { c.resume(throwing: error) }
                }
            }
            metrics.recordRequest(clock.now - start)
            return reply
        } catch let error as UDFHostError {
            throw error
        } catch {
            throw UDFHostError(.aborted, udf: config.name, "\(error)")
        }
    }

    // MARK: Data

    /// Sends one point (stream edge). Waits while the UDF is not reading fast enough.
    public func send(_ point: UDFPoint) async throws(UDFHostError) {
        if try append({ point.appendFrame(to: &$0) }) { await writer.waitForRoom() }
        metrics.pointsIn.increment()
    }

    /// Sends many points in one go.
    public func send(_ points: ArraySlice<UDFPoint>) async throws(UDFHostError) {
        if try append({ bytes in for p in points { p.appendFrame(to: &bytes) } }) { await writer.waitForRoom() }
        metrics.pointsIn.increment(by: points.count)
    }

    /// Sends many points in one go.
    public func send(_ points: [UDFPoint]) async throws(UDFHostError) {
        try await send(points[...])
    }

    /// Sends a whole batch (batch edge): `begin` with the point count, the points, `end`.
    public func send(batch begin: BeginBatch, points: [UDFPoint], end: EndBatch) async throws(UDFHostError) {
        var begin = begin
        begin.size = Int64(points.count)
        let full = try append { bytes in
            UDFRequest.begin(begin).appendFrame(to: &bytes)
            for p in points { p.appendFrame(to: &bytes) }
            UDFRequest.end(end).appendFrame(to: &bytes)
        }
        if full { await writer.waitForRoom() }
        metrics.pointsIn.increment(by: points.count)
        metrics.batchesIn.increment()
    }

    /// Sends request frames encoded beforehand: whole `point`s, or whole `begin`/`point`*/`end`
    /// batches (``UDFPoint/appendFrame(to:_:)``), holding `points` points in `batches` batches.
    public func send(frames: [UInt8], points: Int, batches: Int = 0) async throws(UDFHostError) {
        if try append({ $0.append(contentsOf: frames) }) { await writer.waitForRoom() }
        metrics.pointsIn.increment(by: points)
        if batches > 0 { metrics.batchesIn.increment(by: batches) }
    }

    /// Writes what was sent so far now, instead of within 1 ms.
    public func flush() { writer.flush() }

    private func append(flush: Bool = false, _ body: (inout [UInt8]) -> Void) throws(UDFHostError) -> Bool {
        do {
            return try writer.append(flush: flush) { (bytes: inout [UInt8], _: inout Void) in body(&bytes) }
        } catch {
            if let failure = self.failure { throw failure }
            switch error {
            case .writeFailed(let e): throw abort(.exited, "write error: \(e)")
            case .closed, .rejected: throw UDFHostError(.aborted, udf: config.name, "the session's input is closed")
            }
        }
    }

    /// The next group of outputs, in order; `nil` once the UDF has ended its output cleanly.
    /// - Throws: the ``UDFHostError`` that ended the session.
    public func nextOutputs() async throws(UDFHostError) -> [UDFOutput]? {
        do {
            return try await outputs.next()
        } catch let error as UDFHostError {
            throw error
        } catch {
            throw UDFHostError(.aborted, udf: config.name, "\(error)")
        }
    }

    // MARK: Ending

    /// Ends the input (EOF, or a half-close for a socket), waits until the UDF has ended its
    /// output and, for a process, exited; then ends what is left of its process group. Keep
    /// reading ``nextOutputs()`` meanwhile.
    /// - Throws: the error that ended the session; `exited` for a non-zero exit status, for an
    ///   exit before the UDF read all its input, or for output held open after it exited.
    public func finish() async throws(UDFHostError) {
        state.withLock { $0.inputClosed = true }
        await runBlocking { [writer, connection] in
            writer.closeAndDrain()
            connection.closeInput()
        }
        await runBlocking { [readerDone] in readerDone.withLock(waitingUntil: { $0 }) { _ in } }
        stopKeepalive()
        if let process = connection.process {
            let status = await process.wait()
            let unread = process.unreadInputAtExit ?? 0
            if status != .exited(0) || unread > 0, failure == nil {
                // Off the cooperative threads: the wait for stderr's end, then the text at once.
                await runBlocking { [connection] in connection.stderr?.waitForEnd(timeout: .seconds(1)) }
                // Exit 0 with input left unread ended the stream early: points were lost.
                _ = abort(.exited, status != .exited(0) ? exitMessage(status)
                          : "process exited before reading all its input (\(unread) bytes left): \(status)\(stderrTail)")
            }
        }
        // Ends what is left of the process group (SIGTERM, grace, SIGKILL): off the cooperative threads.
        await runBlocking { [connection] in connection.release() }
        if let failure { throw failure }
    }

    /// Ends the session with `message`. The UDF's input is closed at once (buffered input is
    /// dropped); a process that has not exited after 2·T is killed with its process group.
    /// Call ``finish()`` afterwards too: it waits for the session's threads and releases its
    /// descriptors (every session must end with `finish()`).
    @discardableResult
    public func abort(_ code: UDFHostError.Code = .aborted, _ message: String) -> UDFHostError {
        let error = UDFHostError(code, udf: config.name, message)
        let (first, pending, recorded) = state.withLock { s -> (Bool, [CheckedContinuation<UDFResponse, any Error>], UDFHostError) in
            guard s.failure == nil else { return (false, [], s.failure!) }
            s.failure = error
            defer { s.pending = [:] }
            return (true, Array(s.pending.values), error)
        }
        guard first else { return recorded }
        defer { onFailure() }
        logger.warning("UDF session aborted", metadata: ["udf": "\(config.name)", "error": "\(message)"])
        metrics.failures.increment()
        for c in pending { c.resume(throwing: error) }
        outputs.finish(throwing: error)
        stopKeepalive()
        writer.abort()
        connection.closeInput()
        let grace = config.timeout * 2
        try? OSThread.detached(name: "udf-kill-watchdog") { [connection, readerDone, logger, name = config.name] in
            let ended = readerDone.withLock(waitingUntil: { $0 }, timeout: grace) { $0 }
            let exited = connection.process.map { $0.waitBlocking(timeout: .milliseconds(1)) != nil } ?? true
            if !ended || !exited {
                logger.error("killing process: not responding after abort", metadata: ["udf": "\(name)"])
                connection.kill()
                connection.stopReading()
            }
        }
        return error
    }

    private func stopKeepalive() {
        keepaliveStop.withLock { $0 = true }
        keepaliveStop.broadcast()
    }

    // MARK: Threads

    private func readLoop() {
        // Only this thread reads the agent's output, so the machine needs no lock.
        var machine = HostSessionStateMachine()
        var decoder = FrameDecoder()
        let fd = connection.fromUDF
        while true {
            // A process's output is waited for interruptibly: see processExited(_:).
            guard connection.waitReadable() else {
                abort(.exited, "stopped reading the UDF's output")
                return
            }
            let n: Int
            do {
                n = try decoder.read { (buffer) throws(SystemError) in try fd.read(into: buffer) }
            } catch {
                abort(.exited, "read error: \(error)")
                return
            }
            var delivered: [UDFOutput] = []
            var deliveredPoints = 0
            var deliveredBatches = 0
            var responded = false
            defer {
                // Liveness: any response counts; one clock reading per read is enough.
                if responded {
                    let (now, wall) = (ContinuousClock.now, wallClockNanoseconds())
                    state.withLock { s in
                        s.lastResponse = now
                        s.lastResponseWall = wall
                    }
                }
            }
            do throws(WireError) {
                while let frame = try decoder.next() {
                    let response = try UDFResponse(decoding: frame)
                    responded = true
                    switch machine.receive(response) {
                    case .deliver(let output):
                        if case .batch(_, let points, _) = output {
                            deliveredPoints += points.count
                            deliveredBatches += 1
                        } else {
                            deliveredPoints += 1
                        }
                        delivered.append(output)
                    case .buffered:
                        break
                    case .reply(let kind, let reply):
                        if let c = state.withLock({ $0.pending.removeValue(forKey: kind) }) {
                            c.resume(returning: reply)
                        } else {
                            logger.warning("received message without requesting it", metadata: ["udf": "\(config.name)", "kind": "\(kind.rawValue)"])
                        }
                    case .keepalive(let echoed):
                        let rtt = wallClockNanoseconds() - echoed
                        if echoed > 0 && rtt >= 0 { metrics.recordKeepalive(.nanoseconds(rtt)) }
                    case .fail(let code, let text):
                        deliver(delivered, points: deliveredPoints, batches: deliveredBatches)
                        abort(code, text)
                        return
                    }
                }
                if n == 0 { try decoder.finish() }
            } catch {
                deliver(delivered, points: deliveredPoints, batches: deliveredBatches)
                abort(.protocolViolation, error.message)
                return
            }
            deliver(delivered, points: deliveredPoints, batches: deliveredBatches)
            if n == 0 {
                let inBatch = machine.openBatch != nil
                let inputClosed = state.withLock { $0.inputClosed }
                if inBatch {
                    abort(.protocolViolation, "output ended inside a batch")
                } else if !inputClosed && failure == nil {
                    let status = connection.process.flatMap { $0.waitBlocking(timeout: .seconds(1)) }
                    abort(.exited, status.map(exitMessage) ?? "the UDF closed its output")
                } else {
                    outputs.finish()
                }
                return
            }
        }
    }

    private func deliver(_ delivered: [UDFOutput], points: Int, batches: Int) {
        guard !delivered.isEmpty else { return }
        metrics.pointsOut.increment(by: points)
        if batches > 0 { metrics.batchesOut.increment(by: batches) }
        // Time spent waiting for our own consumer is not the UDF's silence.
        let full = outputs.isFull
        if full { state.withLock { $0.readerBlocked = true } }
        outputs.push(delivered)
        if full {
            state.withLock {
                $0.readerBlocked = false
                $0.lastResponse = ContinuousClock.now
            }
        }
    }

    private func keepaliveLoop() {
        let interval = config.timeout / 2
        while true {
            let stop = keepaliveStop.withLock(waitingUntil: { $0 }, timeout: interval) { $0 }
            if stop { return }
            let now = wallClockNanoseconds()
            _ = try? append(flush: true) { UDFRequest.keepalive(time: now).appendFrame(to: &$0) }
            let (timedOut, last) = state.withLock { s -> (Bool, Int64) in
                if s.failure != nil { return (false, 0) }
                if s.readerBlocked {
                    s.lastResponse = ContinuousClock.now
                    return (false, 0)
                }
                return (ContinuousClock.now - s.lastResponse > config.timeout, s.lastResponseWall)
            }
            if timedOut {
                abort(.keepaliveTimeout, "keepalive timedout, last keepalive received was: \(goTimeString(last))")
                return
            }
        }
    }

    /// Kapacitor's text for a UDF process that exited, with the last line it wrote to stderr
    /// (waited for: the exit and the end of stderr race). Blocks briefly.
    private func exitMessage(_ status: ProcessExitStatus) -> String {
        connection.stderr?.waitForEnd(timeout: .seconds(1))
        return "process exited unexpectedly: \(status)\(stderrTail)"
    }

    /// ` (last stderr line: …)`, or "" if the UDF wrote nothing to stderr.
    private var stderrTail: String {
        connection.stderr?.lastLines.last.map { " (last stderr line: \($0))" } ?? ""
    }

    /// Called once the UDF's process has exited (on the thread that noticed). Normally its
    /// output ends with it; if the output pipe is still open after ``pipeGrace`` — a process it
    /// started holds it — the session fails, the process group is ended (SIGTERM, grace,
    /// SIGKILL) and the readers stop waiting, so nothing hangs on a pipe the UDF no longer owns.
    private func processExited(_ status: ProcessExitStatus) {
        try? OSThread.detached(name: "udf-exited") { [self] in
            let clock = ContinuousClock()
            let deadline = clock.now + Self.pipeGrace
            // Bounded by the deadline; the reader ending or every writer closing ends it sooner.
            while clock.now < deadline {
                if readerDone.withLock({ $0 }) || connection.fromUDF.writersHaveClosed { return }
                _ = readerDone.withLock(waitingUntil: { $0 }, timeout: .milliseconds(20)) { $0 }
            }
            if readerDone.withLock({ $0 }) || connection.fromUDF.writersHaveClosed { return }
            abort(.exited, "process exited: \(status)\(stderrTail), but its output is still held open "
                  + "(by a process it started?); its process group is ended")
            connection.process?.terminate(grace: UDFConnection.groupGrace)
            connection.stopReading()
        }
    }

    /// Runs blocking work (joining a writer, waiting on a condition) on its own OS thread, so it
    /// never holds one of the few cooperative threads.
    private func runBlocking(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            do {
                try OSThread.detached(name: "udf-host-wait") {
                    body()
                    c.resume()
                }
            } catch {
                body()
                c.resume()
            }
        }
    }
}

/// Nanoseconds since the Unix epoch.
func wallClockNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// A time as Go's `time.Time.String()` prints it in UTC, e.g. `2026-11-23 10:00:00.123456789 +0000 UTC`.
func goTimeString(_ nanoseconds: Int64) -> String {
    var seconds = time_t(nanoseconds / 1_000_000_000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ v: Int32, _ n: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, n - s.count)) + s
    }
    var fraction = String(nanoseconds % 1_000_000_000)
    fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
        + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
        + (fraction.isEmpty ? "" : ".\(fraction)") + " +0000 UTC"
}
