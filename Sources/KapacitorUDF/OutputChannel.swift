import FaradSystem
import KapacitorUDFWire

/// The one ordered path from a session to its output descriptor.
///
/// Everything a session writes — emitted data, management replies, keepalive answers — is
/// appended to one buffer under one lock, so nothing overtakes what was appended before it. A
/// writer thread writes the buffer when it is flushed: after each group of input requests the
/// session handled, at once for a management reply, when `flushSize` bytes are pending, and at
/// the latest `maximumDelay` after data was appended (so a handler call that emits and then
/// waits still gets its output out). Output never waits for more input. Emitters wait
/// (asynchronously) while more than `highWater` bytes are unwritten: a host that stops reading
/// slows the UDF down instead of growing its memory.
final class OutputChannel: @unchecked Sendable {
    // @unchecked Sendable: all mutable state lives in `state`, behind its lock.

    struct State {
        var pending: [UInt8] = []
        var writerIdle = false
        var flushRequested = false
        var closed = false
        var failure: SystemError?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var batchOpen = false
    }

    private let state = ConditionLock(State())
    private let fd: FileDescriptor
    private let provides: EdgeType
    private let highWater: Int
    private let flushSize: Int
    private let maximumDelay: Duration
    private var writer: OSThread?

    init(
        fd: FileDescriptor, provides: EdgeType, highWater: Int = 256 << 10,
        flushSize: Int = 64 << 10, maximumDelay: Duration = .milliseconds(1)
    ) throws(SystemError) {
        self.fd = fd
        self.provides = provides
        self.highWater = highWater
        self.flushSize = flushSize
        self.maximumDelay = maximumDelay
        writer = try OSThread(name: "udf-writer") { [self] in writeLoop() }
    }

    /// Appends a management reply and flushes (never blocks).
    func send(_ response: UDFResponse) {
        let wake = state.withLock { s -> Bool in
            guard !s.closed, s.failure == nil else { return false }
            response.appendFrame(to: &s.pending)
            s.flushRequested = true
            defer { s.writerIdle = false }
            return s.writerIdle
        }
        if wake { state.broadcast() }
    }

    /// Asks the writer to write everything appended so far.
    func flush() {
        let wake = state.withLock { s -> Bool in
            guard !s.pending.isEmpty else { return false }
            s.flushRequested = true
            defer { s.writerIdle = false }
            return s.writerIdle
        }
        if wake { state.broadcast() }
    }

    /// Appends handler output after checking that the host can take it.
    /// Returns true if the buffer is over its high-water mark: call ``waitForRoom()`` then.
    func append(_ response: UDFResponse) throws(UDFError) -> Bool {
        try append { (s) throws(UDFError) in
            try Self.checkOrder(response, batchOpen: &s.batchOpen, provides: provides)
            response.appendFrame(to: &s.pending)
        }
    }

    /// ``append(_:)`` for a point, without wrapping it in a response first (the hot path).
    func append(_ point: UDFPoint) throws(UDFError) -> Bool {
        try append { (s) throws(UDFError) in
            if provides == .batch && !s.batchOpen {
                throw UDFError(.invalidOutput, "point emitted outside a batch, but this UDF provides batches")
            }
            point.appendFrame(to: &s.pending)
        }
    }

    private func append(_ write: (inout State) throws(UDFError) -> Void) throws(UDFError) -> Bool {
        let (wake, full) = try state.withLock { (s) throws(UDFError) -> (Bool, Bool) in
            if let failure = s.failure { throw UDFError(.io, "write error: \(failure)") }
            if s.closed { throw UDFError(.io, "the session has ended") }
            let wasEmpty = s.pending.isEmpty
            try write(&s)
            // Wake an idle writer when data first appears (it starts its delay timer) and when
            // a flush's worth has built up; otherwise let output accumulate.
            guard s.writerIdle, wasEmpty || s.pending.count >= flushSize else {
                return (false, s.pending.count > highWater)
            }
            s.writerIdle = false
            return (true, s.pending.count > highWater)
        }
        if wake { state.broadcast() }
        return full
    }

    /// The output rules that keep a host from crashing (spec §3.5, §8).
    static func checkOrder(_ response: UDFResponse, batchOpen: inout Bool, provides: EdgeType) throws(UDFError) {
        switch response {
        case .begin(let b):
            if batchOpen { throw UDFError(.invalidOutput, "begin batch emitted while a batch is open: end it first") }
            if b.size < 0 { throw UDFError(.invalidOutput, "begin batch emitted with negative size \(b.size)") }
            batchOpen = true
        case .end:
            if !batchOpen { throw UDFError(.invalidOutput, "end batch emitted without begin batch") }
            batchOpen = false
        case .point:
            if provides == .batch && !batchOpen {
                throw UDFError(.invalidOutput, "point emitted outside a batch, but this UDF provides batches")
            }
        default:
            break
        }
    }

    /// Waits until the writer has taken the buffer (or the channel has ended).
    func waitForRoom() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.pending.count <= highWater || s.closed || s.failure != nil { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Stops taking output; the writer writes what is buffered and exits. Then waits for it.
    func closeAndDrain() {
        state.withLock { $0.closed = true }
        state.broadcast()
        writer?.join()
        writer = nil
    }

    /// The write error that stopped the writer, if any.
    var failure: SystemError? { state.withLock { $0.failure } }

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
