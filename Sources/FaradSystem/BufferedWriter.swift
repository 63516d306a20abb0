/// An ordered byte buffer drained by its own writer thread into a descriptor.
///
/// Producers append under one lock, so bytes go out in the order they were appended; `Extra` is
/// caller state checked and updated under the same lock (e.g. whether a batch is open). The
/// writer writes when asked to flush, when `flushSize` bytes are pending, and at the latest
/// `maximumDelay` after bytes arrived, so nothing waits for more input. Producers wait
/// (asynchronously) while more than `highWater` bytes are unwritten: a slow reader on the other
/// end slows producers instead of growing memory.
public final class BufferedWriter<Extra: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: all mutable state lives in `state`, behind its lock; `thread` is set
    // in init and joined once by closeAndDrain()/abort().

    /// Why an append was refused.
    public enum AppendError<Failure: Error>: Error {
        /// The caller's own check failed; nothing was appended.
        case rejected(Failure)
        /// The writer was closed or aborted.
        case closed
        /// Writing failed earlier (e.g. the reader went away).
        case writeFailed(SystemError)
    }

    struct State {
        var pending: [UInt8] = []
        var writerIdle = false
        var flushRequested = false
        var closed = false
        var failure: SystemError?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var extra: Extra
    }

    private let state: ConditionLock<State>
    private let fd: FileDescriptor
    private let highWater: Int
    private let flushSize: Int
    private let maximumDelay: Duration
    private var thread: OSThread?

    public init(
        fd: FileDescriptor, extra: Extra, highWater: Int = 256 << 10, flushSize: Int = 64 << 10,
        maximumDelay: Duration = .milliseconds(1), name: String = "writer"
    ) throws(SystemError) {
        self.fd = fd
        self.highWater = highWater
        self.flushSize = flushSize
        self.maximumDelay = maximumDelay
        state = ConditionLock(State(extra: extra))
        thread = try OSThread(name: name) { [self] in writeLoop() }
    }

    /// Appends what `body` writes, after `body`'s own checks. With `flush`, asks for a write now.
    /// Returns true if the buffer is over its high-water mark: call ``waitForRoom()`` then.
    public func append<Failure: Error>(
        flush: Bool = false,
        _ body: (inout [UInt8], inout Extra) throws(Failure) -> Void
    ) throws(AppendError<Failure>) -> Bool {
        let (wake, full) = try state.withLock { (s) throws(AppendError<Failure>) -> (Bool, Bool) in
            if let failure = s.failure { throw .writeFailed(failure) }
            if s.closed { throw .closed }
            let wasEmpty = s.pending.isEmpty
            do throws(Failure) {
                try body(&s.pending, &s.extra)
            } catch {
                throw .rejected(error)
            }
            if flush { s.flushRequested = true }
            // Wake an idle writer when data first appears (it starts its delay timer), on a flush,
            // and when a flush's worth has built up; otherwise let output accumulate.
            guard s.writerIdle, flush || wasEmpty || s.pending.count >= flushSize else {
                return (false, s.pending.count > highWater)
            }
            s.writerIdle = false
            return (true, s.pending.count > highWater)
        }
        if wake { state.broadcast() }
        return full
    }

    /// Asks the writer to write everything appended so far.
    public func flush() {
        let wake = state.withLock { s -> Bool in
            guard !s.pending.isEmpty else { return false }
            s.flushRequested = true
            defer { s.writerIdle = false }
            return s.writerIdle
        }
        if wake { state.broadcast() }
    }

    /// Waits until the writer has taken the buffer (or the writer has ended).
    public func waitForRoom() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.pending.count <= highWater || s.closed || s.failure != nil { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Stops taking bytes; the writer writes what is buffered and exits. Then waits for it.
    public func closeAndDrain() {
        state.withLock { $0.closed = true }
        state.broadcast()
        thread?.join()
        thread = nil
    }

    /// Stops at once: drops what is buffered, wakes waiting producers, and waits for the writer
    /// (which may be blocked in `write(2)` until the descriptor is closed or the peer reads).
    public func abort() {
        let waiters = state.withLock { s in
            s.closed = true
            s.pending = []
            defer { s.waiters = [] }
            return s.waiters
        }
        state.broadcast()
        for w in waiters { w.resume() }
    }

    /// Waits for the writer thread after ``abort()``.
    public func join() {
        thread?.join()
        thread = nil
    }

    /// The write error that stopped the writer, if any.
    public var failure: SystemError? { state.withLock { $0.failure } }

    private func writeLoop() {
        var local: [UInt8] = []
        while true {
            state.withLock { s in
                if !s.flushRequested && s.pending.count < flushSize && !s.closed && s.failure == nil { s.writerIdle = true }
            }
            // Nothing pending: sleep until woken. Data pending but not flushed: wait for a
            // flush, at most `maximumDelay`.
            let hasData = state.withLock { !$0.pending.isEmpty }
            let ready: (State) -> Bool = { [flushSize] in $0.flushRequested || $0.pending.count >= flushSize || $0.closed }
            let take: (inout State) -> (Bool, [CheckedContinuation<Void, Never>]) = { s in
                swap(&local, &s.pending)
                s.writerIdle = false
                s.flushRequested = false
                defer { s.waiters = [] }
                return (local.isEmpty && s.closed, s.waiters)
            }
            let (done, waiters) = hasData
                ? state.withLock(waitingUntil: ready, timeout: maximumDelay, take)
                : state.withLock(waitingUntil: { !$0.pending.isEmpty || $0.closed }) { s -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if !s.closed { return (false, []) }  // data arrived: loop to wait for its flush
                    return take(&s)
                }
            for w in waiters { w.resume() }
            if done { return }
            if local.isEmpty { continue }
            do {
                try fd.writeAll(local)
            } catch {
                let waiters = state.withLock { s in
                    s.failure = error
                    s.pending = []
                    defer { s.waiters = [] }
                    return s.waiters
                }
                for w in waiters { w.resume() }
                return
            }
            local.removeAll(keepingCapacity: true)
        }
    }
}
