import FaradSystem
import KapacitorUDFWire

/// The one ordered path from a session to its output descriptor.
///
/// Everything a session writes — emitted data, management replies, keepalive answers — is
/// appended to one buffer under one lock, so nothing overtakes what was appended before it. A
/// writer thread takes the whole buffer whenever it has bytes and writes it, so output never
/// waits for more input. Emitters wait (asynchronously) while more than `highWater` bytes are
/// unwritten: a host that stops reading slows the UDF down instead of growing its memory.
final class OutputChannel: @unchecked Sendable {
    // @unchecked Sendable: all mutable state lives in `state`, behind its lock.

    struct State {
        var pending: [UInt8] = []
        var writerIdle = false
        var closed = false
        var failure: SystemError?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var batchOpen = false
    }

    private let state = ConditionLock(State())
    private let fd: FileDescriptor
    private let provides: EdgeType
    private let highWater: Int
    private var writer: OSThread?

    init(fd: FileDescriptor, provides: EdgeType, highWater: Int = 1 << 20) throws(SystemError) {
        self.fd = fd
        self.provides = provides
        self.highWater = highWater
        writer = try OSThread(name: "udf-writer") { [self] in writeLoop() }
    }

    /// Appends a management reply (never blocks).
    func send(_ response: UDFResponse) {
        let wake = state.withLock { s -> Bool in
            guard !s.closed, s.failure == nil else { return false }
            response.appendFrame(to: &s.pending)
            defer { s.writerIdle = false }
            return s.writerIdle
        }
        if wake { state.broadcast() }
    }

    /// Appends handler output after checking that the host can take it, then waits while the
    /// buffer is over its high-water mark.
    func emit(_ response: UDFResponse) async throws(UDFError) {
        let (wake, full) = try state.withLock { (s) throws(UDFError) -> (Bool, Bool) in
            if let failure = s.failure { throw UDFError(.io, "write error: \(failure)") }
            if s.closed { throw UDFError(.io, "the session has ended") }
            try Self.checkOrder(response, batchOpen: &s.batchOpen, provides: provides)
            response.appendFrame(to: &s.pending)
            defer { s.writerIdle = false }
            return (s.writerIdle, s.pending.count > highWater)
        }
        if wake { state.broadcast() }
        if full { await waitForRoom() }
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

    private func waitForRoom() async {
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
                if s.pending.isEmpty && !s.closed && s.failure == nil { s.writerIdle = true }
            }
            let (done, waiters) = state.withLock(waitingUntil: { !$0.pending.isEmpty || $0.closed }) { s in
                swap(&local, &s.pending)
                s.writerIdle = false
                defer { s.waiters = [] }
                return (local.isEmpty, s.waiters)
            }
            for w in waiters { w.resume() }
            if done { return }
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
