import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
public enum ProcessExitStatus: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }
}

/// A child process in its own process group, with optional pipes to its standard streams.
///
/// A thread notices the moment the child exits (its status is then in ``exitStatus``) but leaves
/// it a zombie until its group has been ended: while the zombie holds the process ID, the
/// group's ID cannot be reused, so signals sent to the group reach what the child left behind
/// (a helper it forked) and never an unrelated process. ``terminate(grace:)`` ends the group
/// (SIGTERM, grace, SIGKILL) and then reaps the child, whether or not it had exited; a child
/// that is let go without it is reaped (and its group killed) when the value is released.
public final class ChildProcess: Sendable {
    /// What a child's standard stream is connected to.
    public enum Stream: Sendable {
        /// A new pipe; the parent's end is in ``ChildProcess/standardInput`` etc.
        case pipe
        /// The parent's own stream.
        case inherit
        /// `/dev/null`.
        case null
    }

    public let pid: pid_t
    /// The parent's write end of the child's stdin, if piped. Close it to send EOF.
    public let standardInput: FileDescriptor?
    /// The parent's read end of the child's stdout, if piped.
    public let standardOutput: FileDescriptor?
    /// The parent's read end of the child's stderr, if piped.
    public let standardError: FileDescriptor?
    private let state: ConditionLock<ReapState>

    /// Process groups not yet reaped (their leader running, or a zombie held until teardown),
    /// so a shutdown can end them all.
    private static let groups = Mutex<Set<pid_t>>([])
    /// Children that have not exited yet.
    private static let running = Mutex<Set<pid_t>>([])

    /// Sends `signal` to the process group of every child not yet reaped, its leader alive or
    /// not. For a signal handler (SIGTERM to Farad): no UDF child, nor a helper it forked, is
    /// left behind.
    public static func signalAllGroups(_ signal: Int32) {
        for pid in groups.withLock({ $0 }) { kill(-pid, signal) }
    }

    /// The number of children started that have not exited yet.
    public static var liveCount: Int { running.withLock { $0.count } }

    /// Resources a child used, read when it was reaped.
    public struct ResourceUsage: Sendable, Hashable {
        /// Peak resident set size in bytes.
        public var peakResidentBytes: Int
        /// CPU time in user mode and in the kernel.
        public var userTime: Duration
        public var systemTime: Duration
    }

    private struct ReapState {
        var exit: ProcessExitStatus?
        /// The zombie is gone: the group's ID may be reused, signals must not go to it any more.
        var reaped = false
        /// The value was released: reap as soon as the child has exited.
        var abandoned = false
        var usage: ResourceUsage?
        var waiters: [CheckedContinuation<ProcessExitStatus, Never>] = []
        var exitHandlers: [@Sendable (ProcessExitStatus) -> Void] = []
        var unreadInput: Int?
    }

    /// Starts `executable` (looked up in `PATH` if it has no slash) in a new process group.
    /// - Parameter countingUnreadInput: with a piped stdin, keep a copy of the pipe's read end
    ///   until the child exits, to tell then how much of its input it left unread
    ///   (``unreadInputAtExit``): a child that exits 0 before reading all it was given.
    /// - Throws: ``SystemError`` if the pipes cannot be made or the program cannot be started.
    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String]? = nil,
        standardInput stdinKind: Stream = .pipe,
        standardOutput stdoutKind: Stream = .pipe,
        standardError stderrKind: Stream = .inherit,
        countingUnreadInput: Bool = false
    ) throws(SystemError) {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        var parentEnds: [FileDescriptor?] = [nil, nil, nil]
        var childEnds: [FileDescriptor] = []
        var inputCopy: FileDescriptor?
        do throws(SystemError) {
            for (index, kind) in [stdinKind, stdoutKind, stderrKind].enumerated() {
                switch kind {
                case .inherit: break
                case .null:
                    posix_spawn_file_actions_addopen(&actions, Int32(index), "/dev/null", index == 0 ? O_RDONLY : O_WRONLY, 0)
                case .pipe:
                    let p = try FileDescriptor.pipe()
                    let (parent, child) = index == 0 ? (p.write, p.read) : (p.read, p.write)
                    parentEnds[index] = parent
                    childEnds.append(child)
                    posix_spawn_file_actions_adddup2(&actions, child.rawValue, Int32(index))
                    if index == 0 && countingUnreadInput {
                        // Close-on-exec: no other child started meanwhile inherits it.
                        let copy = fcntl(child.rawValue, F_DUPFD_CLOEXEC, 0)
                        guard copy >= 0 else { throw SystemError.current("fcntl(F_DUPFD_CLOEXEC)") }
                        inputCopy = FileDescriptor(rawValue: copy)
                    }
                }
            }
        } catch {
            for fd in parentEnds.compactMap({ $0 }) + childEnds + [inputCopy].compactMap({ $0 }) { fd.close() }
            throw error
        }

        // Own process group; default signal dispositions and an empty mask in the child, whatever
        // the parent ignores or blocks (ignored signals survive exec).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, s) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [executable] + arguments
        let envp = environment.map { env in env.map { "\($0.key)=\($0.value)" } }
        var child: pid_t = 0
        let rc = withCStrings(argv) { cArgs in
            withOptionalCStrings(envp) { cEnv in
                let env = cEnv ?? UnsafePointer(environ)
                return executable.contains("/")
                    ? posix_spawn(&child, executable, &actions, &attributes, cArgs, env)
                    : posix_spawnp(&child, executable, &actions, &attributes, cArgs, env)
            }
        }
        for fd in childEnds { fd.close() }
        guard rc == 0 else {
            for fd in parentEnds.compactMap({ $0 }) + [inputCopy].compactMap({ $0 }) { fd.close() }
            throw SystemError(code: rc, operation: "posix_spawn", subject: executable)
        }
        pid = child
        standardInput = parentEnds[0]
        standardOutput = parentEnds[1]
        standardError = parentEnds[2]
        let state = ConditionLock(ReapState())
        self.state = state
        let spawned = child
        let probe = inputCopy
        _ = Self.groups.withLock { $0.insert(spawned) }
        _ = Self.running.withLock { $0.insert(spawned) }
        do {
            // The watcher learns of the exit the moment it happens (WNOWAIT: the zombie stays,
            // holding the group's ID until the group has been ended and the child reaped).
            try OSThread.detached(name: "reap") {
                let exit = Self.waitForExit(spawned)
                // Counted before the exit is known to anyone; then the copy goes, so that writes
                // to a pipe nobody reads any more fail (EPIPE) instead of blocking.
                let unread = probe.map { Self.bytesInPipe($0) }
                probe?.close()
                _ = ChildProcess.running.withLock { $0.remove(spawned) }
                let (waiters, handlers) = state.withLock { s in
                    s.unreadInput = unread
                    s.exit = exit
                    if s.abandoned { Self.reap(spawned, &s, killingGroup: true) }
                    defer { s.waiters = []; s.exitHandlers = [] }
                    return (s.waiters, s.exitHandlers)
                }
                state.broadcast()
                for w in waiters { w.resume(returning: exit) }
                for h in handlers { h(exit) }
            }
        } catch {
            probe?.close()
            kill(-spawned, SIGKILL)
            var raw: Int32 = 0
            while waitpid(spawned, &raw, 0) < 0 && errno == EINTR {}
            _ = Self.groups.withLock { $0.remove(spawned) }
            _ = Self.running.withLock { $0.remove(spawned) }
            throw error as SystemError
        }
    }

    deinit {
        // Let go without terminate(): reap now if it has exited (ending what is left of its
        // group), else as soon as it exits.
        let pid = pid
        state.withLock { s in
            s.abandoned = true
            if s.exit != nil && !s.reaped { Self.reap(pid, &s, killingGroup: true) }
        }
    }

    /// Waits (blocking) until `pid` has exited, without reaping it.
    private static func waitForExit(_ pid: pid_t) -> ProcessExitStatus {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0 { break }
            if errno == EINTR { continue }
            // ECHILD: someone else reaped it (SIGCHLD ignored by the whole process).
            return .exited(0)
        }
        let status = info._sifields._sigchld.si_status
        return info.si_code == Int32(CLD_EXITED) ? .exited(status) : .signaled(status)
    }

    /// Bytes waiting to be read in the pipe `fd` is an end of (`FIONREAD`).
    private static func bytesInPipe(_ fd: FileDescriptor) -> Int {
        var count: Int32 = 0
        return ioctl(fd.rawValue, UInt(FIONREAD), &count) == 0 ? Int(count) : 0
    }

    /// Reaps the exited child `pid` (a zombie: at once), under the state's lock so that no
    /// signal can be sent to its group meanwhile.
    private static func reap(_ pid: pid_t, _ s: inout ReapState, killingGroup: Bool) {
        guard !s.reaped else { return }
        if killingGroup { kill(-pid, SIGKILL) }
        var raw: Int32 = 0
        var ru = rusage()
        while wait4(pid, &raw, 0, &ru) < 0 && errno == EINTR {}
        s.usage = ResourceUsage(
            peakResidentBytes: Int(ru.ru_maxrss) * 1024,
            userTime: .seconds(Int64(ru.ru_utime.tv_sec)) + .microseconds(Int64(ru.ru_utime.tv_usec)),
            systemTime: .seconds(Int64(ru.ru_stime.tv_sec)) + .microseconds(Int64(ru.ru_stime.tv_usec)))
        s.reaped = true
        _ = groups.withLock { $0.remove(pid) }
    }

    /// The exit status, if the child has ended.
    public var exitStatus: ProcessExitStatus? { state.withLock { $0.exit } }

    /// Once the child has exited, the bytes of its stdin it had not read (started with
    /// `countingUnreadInput`; otherwise `nil`).
    public var unreadInputAtExit: Int? { state.withLock { $0.unreadInput } }

    /// Whether the child has been reaped (after ``terminate(grace:)``): its group gets no more signals.
    public var isReaped: Bool { state.withLock { $0.reaped } }

    /// What the child used (peak memory, CPU time), once it has been reaped.
    public var resourceUsage: ResourceUsage? { state.withLock { $0.usage } }

    /// The child's peak resident set size so far (`VmHWM` in `/proc/PID/status`), while it runs.
    ///
    /// Unlike the `ru_maxrss` of ``resourceUsage``, it counts only the program's own image:
    /// `posix_spawn` shares the parent's memory until exec, and `ru_maxrss` keeps that peak.
    public var peakResidentBytes: Int? {
        guard exitStatus == nil, let file = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmHWM:") {
                let digits = text.dropFirst(6).filter(\.isNumber)
                return Int(digits).map { $0 * 1024 }
            }
        }
        return nil
    }

    /// Sends `signal` to the child's whole process group — after the child itself has exited
    /// too, to what it left in the group — until the child has been reaped.
    public func signalGroup(_ signal: Int32) {
        state.withLock { s in
            if !s.reaped { kill(-pid, signal) }
        }
    }

    /// Calls `handler` with the exit status once the child has exited: at once (on the calling
    /// thread) if it has, else on the thread that noticed the exit. The handler may block briefly
    /// and may call ``terminate(grace:)``.
    public func onExit(_ handler: @escaping @Sendable (ProcessExitStatus) -> Void) {
        let done: ProcessExitStatus? = state.withLock { s in
            if let exit = s.exit { return exit }
            s.exitHandlers.append(handler)
            return nil
        }
        if let done { handler(done) }
    }

    /// Waits for the child to end, without occupying a cooperative thread.
    public func wait() async -> ProcessExitStatus {
        await withCheckedContinuation { continuation in
            let done: ProcessExitStatus? = state.withLock { s in
                if let exit = s.exit { return exit }
                s.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Blocks the calling OS thread until the child ends or `timeout` passes; the status if it ended.
    public func waitBlocking(timeout: Duration) -> ProcessExitStatus? {
        state.withLock(waitingUntil: { $0.exit != nil }, timeout: timeout) { $0.exit }
    }

    /// Ends the child's process group and reaps the child: SIGTERM to the group, then, once the
    /// child and the rest of its group have exited or `grace` has passed, SIGKILL to the group.
    /// It runs the same whether or not the child has exited already (a helper it forked may still
    /// run). Blocks; idempotent.
    @discardableResult
    public func terminate(grace: Duration = .seconds(2)) -> ProcessExitStatus {
        if state.withLock({ $0.reaped }), let s = exitStatus { return s }
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        signalGroup(SIGTERM)
        _ = waitBlocking(timeout: grace)
        // Bounded: the deadline ends the polling, SIGKILL follows.
        while ProcessGroup.hasLiveMembers(pid, besides: pid), clock.now < deadline { usleep(5_000) }
        signalGroup(SIGKILL)
        let exit = state.withLock(waitingUntil: { $0.exit != nil }) { $0.exit! }
        state.withLock { s in Self.reap(pid, &s, killingGroup: false) }
        return exit
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withOptionalCStrings<R>(_ strings: [String]?, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
    guard let strings else { return body(nil) }
    return withCStrings(strings) { body($0) }
}
