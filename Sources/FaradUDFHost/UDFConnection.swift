import FaradSystem
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The byte pipes to one UDF session: a child process's stdin/stdout, or one socket connection.
final class UDFConnection: Sendable {
    let toUDF: FileDescriptor
    let fromUDF: FileDescriptor
    /// The child, for process UDFs (its stderr is drained into the log by `stderr`).
    let process: ChildProcess?
    let stderr: StderrLog?
    /// Stops the threads reading the process's stdout and stderr, for pipes that another
    /// process (one the UDF started) keeps open after the UDF exited.
    let readers: Waker?
    private let inputClosed = Mutex(false)
    private let released = Mutex(false)

    private init(toUDF: FileDescriptor, fromUDF: FileDescriptor, process: ChildProcess?, stderr: StderrLog?, readers: Waker?) {
        self.toUDF = toUDF
        self.fromUDF = fromUDF
        self.process = process
        self.stderr = stderr
        self.readers = readers
    }

    /// Starts the UDF's process, or connects to its socket (retrying with back-off up to the
    /// configured connect timeout, as Kapacitor does).
    static func open(_ config: UDFFunctionConfig, logger: Logger) async throws(UDFHostError) -> UDFConnection {
        switch config.endpoint {
        case .process(let prog, let args, let env):
            var environment: [String: String] = [:]
            var entry = environ
            while let p = entry.pointee {
                let text = String(cString: p)
                if let eq = text.firstIndex(of: "=") { environment[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
                entry += 1
            }
            environment.merge(env) { _, new in new }
            do {
                let readers = try Waker()
                let child = try ChildProcess(
                    executable: prog, arguments: args, environment: environment,
                    standardInput: .pipe, standardOutput: .pipe, standardError: .pipe, countingUnreadInput: true)
                child.standardInput!.setPipeBufferSize(1 << 20)
                let log = try StderrLog(fd: child.standardError!, udf: config.name, logger: logger, waker: readers)
                return UDFConnection(toUDF: child.standardInput!, fromUDF: child.standardOutput!, process: child, stderr: log, readers: readers)
            } catch {
                throw UDFHostError(.startFailed, udf: config.name, "cannot start process \(prog): \(error)")
            }
        case .socket(let path):
            let clock = ContinuousClock()
            let deadline = clock.now + config.connectTimeout
            var wait = Duration.milliseconds(10)
            while true {
                do {
                    let fd = try UnixSocket.connect(path: path)
                    return UDFConnection(toUDF: fd, fromUDF: fd, process: nil, stderr: nil, readers: nil)
                } catch {
                    let retryable = error.code == ENOENT || error.code == ECONNREFUSED || error.code == EAGAIN
                    guard retryable, clock.now + wait < deadline else {
                        throw UDFHostError(.startFailed, udf: config.name, "dial unix \(path): \(error)")
                    }
                    logger.debug("UDF socket not ready, retrying", metadata: ["udf": "\(config.name)", "error": "\(error)"])
                    try? await Task.sleep(for: wait)
                    wait = min(wait * 2, .seconds(1))
                }
            }
        }
    }

    /// Ends the UDF's input: closes its stdin, or half-closes the socket. Idempotent.
    func closeInput() {
        let first = inputClosed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        if process == nil { toUDF.shutdown(.write) } else { toUDF.close() }
    }

    /// Kills the UDF: SIGKILL to its process group (what is left of it after the UDF itself
    /// exited, too), or a full socket shutdown.
    func kill() {
        if let process { process.signalGroup(SIGKILL) } else { fromUDF.shutdown(.readWrite) }
    }

    /// Waits until the UDF's output is readable: true; false once ``stopReading()`` was called.
    func waitReadable() -> Bool {
        readers?.waitReadable(fromUDF) ?? true
    }

    /// Makes the stdout and stderr readers stop at once, whether or not their pipes have ended
    /// (something outside the UDF's process group may hold them open).
    func stopReading() {
        readers?.wake()
    }

    /// How long what is left of a UDF's process group has to exit after SIGTERM at the end of a
    /// session, before SIGKILL.
    static let groupGrace = Duration.seconds(1)

    /// Releases the descriptors once the session is over, after ending the UDF's process group
    /// (SIGTERM, ``groupGrace``, SIGKILL), whether or not the UDF itself has exited: a helper it
    /// forked does not outlive the session. Blocks while the group ends. Idempotent: a session
    /// that failed is finished by more than one caller, and closing a descriptor twice could close
    /// whatever reused its number meanwhile (another session's pipe).
    func release() {
        let first = released.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        process?.terminate(grace: Self.groupGrace)
        // What is left in stderr is read first; a pipe still open elsewhere is not waited for.
        stopReading()
        closeInput()
        fromUDF.close()
    }
}

/// Drains a UDF's stderr on its own thread, logging each line with the UDF's name. A line over
/// `maximumLine` bytes is cut; stderr is always read, so a chatty UDF never blocks on it. The log
/// gets at most a burst of 50 lines, then 10 a second (``LogRateLimiter``); the lines left out
/// are counted in one warning, and the last few are still kept for error messages.
final class StderrLog: Sendable {
    static let maximumLine = 64 << 10
    private let recent = Mutex<[String]>([])
    private let ended = ConditionLock(false)

    /// - Parameter waker: once woken, what is buffered in the pipe is still read, then the
    ///   thread ends without waiting for end of file.
    init(fd: FileDescriptor, udf: String, logger: Logger, waker: Waker) throws(SystemError) {
        try OSThread.detached(name: "udf-stderr") { [self] in
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            var line: [UInt8] = []
            var cut = false
            var limiter = LogRateLimiter()
            let clock = ContinuousClock()
            let origin = clock.now
            func reportSuppressed(_ count: Int) {
                guard count > 0 else { return }
                logger.warning("UDF log lines suppressed (over 10 a second)", metadata: ["udf": "\(udf)", "suppressed": "\(count)"])
            }
            func emit() {
                var text = String(decoding: line, as: UTF8.self)
                if cut { text += " …(line cut at \(Self.maximumLine) bytes)" }
                if case .log(let suppressed) = limiter.admit(at: clock.now - origin) {
                    reportSuppressed(suppressed)
                    logger.info("UDF log", metadata: ["udf": "\(udf)", "text": "\(text)"])
                }
                recent.withLock { r in
                    r.append(text)
                    if r.count > 5 { r.removeFirst() }
                }
                line.removeAll(keepingCapacity: true)
                cut = false
            }
            var stopping = false
            var drained = 0
            while true {
                if !stopping && !waker.waitReadable(fd) { stopping = true }
                // Stopping: only what can be read without waiting, and at most 1 MiB of it (a
                // helper outside the group may keep writing).
                if stopping && (!fd.isReadableNow || drained > 1 << 20) { break }
                let n = (try? buffer.withUnsafeMutableBytes { try fd.read(into: $0) }) ?? 0
                if n <= 0 { break }
                if stopping { drained += n }
                for b in buffer[..<n] {
                    if b == 0x0A {
                        emit()
                    } else if line.count < Self.maximumLine {
                        line.append(b)
                    } else {
                        cut = true
                    }
                }
            }
            if !line.isEmpty { emit() }
            reportSuppressed(limiter.flush())
            fd.close()
            ended.withLock { $0 = true }
            ended.broadcast()
        }
    }

    /// The last few lines, for error messages.
    var lastLines: [String] { recent.withLock { $0 } }

    /// Waits (blocking, at most `timeout`) until the UDF's stderr has ended: once its process
    /// has exited, what it wrote last is then in ``lastLines``.
    func waitForEnd(timeout: Duration) {
        ended.withLock(waitingUntil: { $0 }, timeout: timeout) { _ in }
    }
}
