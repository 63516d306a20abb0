import FaradSystem
import KapacitorUDF
import KapacitorUDFWire
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A UDF under test, driven the way a host drives it: requests in, responses out.
///
/// The same test code runs against a handler in this process, a built UDF executable, or a
/// socket server:
///
/// ```swift
/// for agent in [try UDFTestAgent.inProcess(MovingAverage.self),
///               try UDFTestAgent.process(executable: ".build/debug/udf-moving-avg")] {
///     try agent.send(.initialize(InitRequest(options: [UDFOption(name: "field", values: [.string("v")])])))
///     #expect(try await agent.receive() == .initialize(success: true, error: ""))
///     let result = try await agent.finish()
///     #expect(result.exitStatus == .exited(0))
/// }
/// ```
public final class UDFTestAgent: Sendable {
    private let toAgent: FileDescriptor
    private let fromAgent: FileDescriptor
    private let responses = ResponseQueue()
    private let reader: OSThread
    private let inputClosed = Mutex(false)
    private let lifetime: Lifetime

    private enum Lifetime: Sendable {
        case inProcess(Task<SessionOutcome, Never>)
        case process(ChildProcess, StderrCapture)
        case socket
    }

    private init(toAgent: FileDescriptor, fromAgent: FileDescriptor, lifetime: Lifetime) throws(SystemError) {
        self.toAgent = toAgent
        self.fromAgent = fromAgent
        self.lifetime = lifetime
        reader = try startResponseReader(fd: fromAgent, queue: responses)
    }

    /// Runs `handler` in this process, on real pipes, with the SDK's own session code.
    public static func inProcess<H: UDFHandler>(
        _ handler: H.Type,
        logger: Logger = Logger(label: "udf-test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> UDFTestAgent {
        let input = try FileDescriptor.pipe()
        let output = try FileDescriptor.pipe()
        let session = AgentSession<H>(input: input.read, output: output.write, logger: logger)
        let task = Task {
            let outcome = await session.run()
            input.read.close()
            output.write.close()
            return outcome
        }
        return try UDFTestAgent(toAgent: input.write, fromAgent: output.read, lifetime: .inProcess(task))
    }

    /// Starts a UDF executable with its stdin/stdout connected to the test; stderr is captured.
    public static func process(
        executable: String,
        arguments: [String] = [],
        environment: [String: String]? = nil
    ) throws -> UDFTestAgent {
        let child = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment,
            standardInput: .pipe, standardOutput: .pipe, standardError: .pipe)
        let capture = try StderrCapture(fd: child.standardError!)
        return try UDFTestAgent(toAgent: child.standardInput!, fromAgent: child.standardOutput!, lifetime: .process(child, capture))
    }

    /// Opens a session to a UDF socket server.
    public static func socket(path: String) throws -> UDFTestAgent {
        let fd = try UnixSocket.connect(path: path)
        return try UDFTestAgent(toAgent: fd, fromAgent: fd, lifetime: .socket)
    }

    /// Sends requests as frames, in order.
    public func send(_ requests: UDFRequest...) throws {
        var bytes: [UInt8] = []
        for r in requests { r.appendFrame(to: &bytes) }
        try sendRaw(bytes)
    }

    /// Sends arbitrary bytes (for malformed-input tests).
    public func sendRaw(_ bytes: [UInt8]) throws {
        try toAgent.writeAll(bytes)
    }

    /// The next response.
    /// - Throws: ``UDFTestError`` if none arrives within `timeout`, the agent closed its output,
    ///   or its output does not decode.
    public func receive(timeout: Duration = .seconds(20)) async throws -> UDFResponse {
        switch await responses.next(timeout: timeout) {
        case .response(let r): return r
        case .end: throw UDFTestError("the agent closed its output")
        case .failure(let text): throw UDFTestError("agent output unreadable: \(text)")
        case nil: throw UDFTestError("no response within \(timeout)")
        }
    }

    /// Sends `info` and returns the answer.
    public func info() async throws -> UDFInfo {
        try send(.info)
        let r = try await receive()
        guard case .info(let info) = r else { throw UDFTestError("expected an info response, got \(r.kind)") }
        return info
    }

    /// Sends `init` with `options` and returns the `InitResponse`'s error text, or `nil` on success.
    public func initialize(_ options: [UDFOption], taskID: String = "test", nodeID: String = "udf1") async throws -> String? {
        try send(.initialize(InitRequest(options: options, taskID: taskID, nodeID: nodeID)))
        let r = try await receive()
        guard case .initialize(let success, let error) = r else { throw UDFTestError("expected an init response, got \(r.kind)") }
        return success ? nil : error
    }

    /// Ends the input (EOF at a frame boundary, or a half-close for a socket).
    public func closeInput() {
        let first = inputClosed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        if case .socket = lifetime { toAgent.shutdown(.write) } else { toAgent.close() }
    }

    /// Ends the input, collects every remaining response until the agent closes its output, and
    /// waits for it to exit (for a socket: for the server to close the connection).
    public func finish(timeout: Duration = .seconds(30)) async throws -> UDFTestResult {
        closeInput()
        var collected: [UDFResponse] = []
        var ending: String?
        loop: while true {
            switch await responses.next(timeout: timeout) {
            case .response(let r): collected.append(r)
            case .end: break loop
            case .failure(let text):
                ending = text
                break loop
            case nil: throw UDFTestError("the agent did not close its output within \(timeout)")
            }
        }
        reader.join()
        let status = try await exitStatus(timeout: timeout)
        fromAgent.close()
        return UDFTestResult(responses: collected, exitStatus: status, outputError: ending)
    }

    private func exitStatus(timeout: Duration) async throws -> ProcessExitStatus? {
        switch lifetime {
        case .inProcess(let task):
            return await task.value == .completed ? .exited(0) : .exited(1)
        case .process(let child, _):
            if let s = child.waitBlocking(timeout: timeout) { return s }
            child.terminate(grace: .milliseconds(100))
            throw UDFTestError("the agent did not exit within \(timeout)")
        case .socket:
            return nil
        }
    }

    /// What the agent wrote to stderr so far (process agents only).
    public var standardError: String {
        if case .process(_, let capture) = lifetime { return capture.text }
        return ""
    }

    /// The child process, for process agents (to signal it, or check its process group).
    public var childProcess: ChildProcess? {
        if case .process(let child, _) = lifetime { return child }
        return nil
    }

    deinit {
        if case .process(let child, _) = lifetime, child.exitStatus == nil {
            child.terminate(grace: .milliseconds(200))
        }
    }
}

/// Everything an agent wrote after ``UDFTestAgent/finish(timeout:)`` ended its input.
public struct UDFTestResult: Sendable {
    public var responses: [UDFResponse]
    /// The process's exit status; `exited(0)`/`exited(1)` for an in-process session; `nil` for a socket.
    public var exitStatus: ProcessExitStatus?
    /// Set if the agent's output ended with bytes that do not decode.
    public var outputError: String?
}

/// A failed expectation of the test kit.
public struct UDFTestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Drains a child's stderr on its own thread, keeping the first MiB.
final class StderrCapture: Sendable {
    private let buffer = Mutex<[UInt8]>([])

    init(fd: FileDescriptor) throws(SystemError) {
        try OSThread.detached(name: "udf-test-stderr") { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = (try? chunk.withUnsafeMutableBytes { try fd.read(into: $0) }) ?? 0
                if n <= 0 { break }
                self.buffer.withLock { b in
                    if b.count < 1 << 20 { b.append(contentsOf: chunk[..<n]) }
                }
            }
            fd.close()
        }
    }

    var text: String { buffer.withLock { String(decoding: $0, as: UTF8.self) } }
}

extension UDFTestAgent {
    /// The path of an executable product built next to the running test binary, e.g.
    /// `.build/debug/udf-mirror` while `swift test` runs `.build/debug/FaradPackageTests.xctest`.
    /// - Throws: ``UDFTestError`` if it is not there (build it with `swift build` first).
    public static func builtExecutable(named name: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { throw UDFTestError("cannot locate the test binary") }
        var directory = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        while let slash = directory.lastIndex(of: "/") {
            directory = String(directory[..<slash])
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
            if directory.hasSuffix("/.build") || directory.isEmpty { break }
        }
        throw UDFTestError("executable \(name) not found next to the test binary: run `swift build` first")
    }
}
