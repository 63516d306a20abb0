import FaradSystem
import KapacitorUDFWire

/// The one ordered path from a session to its output descriptor: a ``BufferedWriter`` plus the
/// output rules that keep a host from crashing.
///
/// Everything a session writes — emitted data, management replies, keepalive answers — goes
/// through one buffer in order, so a reply never overtakes data emitted before it. Replies flush
/// at once; data flushes after each group of input requests (and within 1 ms).
final class OutputChannel: Sendable {
    private let writer: BufferedWriter<Bool>  // extra state: is an output batch open?
    private let provides: EdgeType

    init(fd: FileDescriptor, provides: EdgeType) throws(SystemError) {
        self.provides = provides
        writer = try BufferedWriter(fd: fd, extra: false, name: "udf-writer")
    }

    /// Appends a management reply and flushes (never blocks; dropped if the session has ended).
    func send(_ response: UDFResponse) {
        _ = try? writer.append(flush: true) { (bytes, _) in response.appendFrame(to: &bytes) }
    }

    /// Appends handler output after checking that the host can take it.
    /// Returns true if the buffer is over its high-water mark: call ``waitForRoom()`` then.
    func append(_ response: UDFResponse) throws(UDFError) -> Bool {
        try append { (bytes, batchOpen) throws(UDFError) in
            try Self.checkOrder(response, batchOpen: &batchOpen, provides: provides)
            response.appendFrame(to: &bytes)
        }
    }

    /// ``append(_:)`` for a point, without wrapping it in a response first (the hot path).
    func append(_ point: UDFPoint) throws(UDFError) -> Bool {
        try append { (bytes, batchOpen) throws(UDFError) in
            try Self.checkPoint(batchOpen: batchOpen, provides: provides)
            point.appendFrame(to: &bytes)
        }
    }

    private func append(_ body: (inout [UInt8], inout Bool) throws(UDFError) -> Void) throws(UDFError) -> Bool {
        do {
            return try writer.append(body)
        } catch {
            switch error {
            case .rejected(let e): throw e
            case .closed: throw UDFError(.io, "the session has ended")
            case .writeFailed(let e): throw UDFError(.io, "write error: \(e)")
            }
        }
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
            try Self.checkPoint(batchOpen: batchOpen, provides: provides)
        default:
            break
        }
    }

    /// A batch UDF emits points only inside a batch (Kapacitor would take them as stream points).
    @inline(__always)
    static func checkPoint(batchOpen: Bool, provides: EdgeType) throws(UDFError) {
        if provides == .batch && !batchOpen {
            throw UDFError(.invalidOutput, "point emitted outside a batch, but this UDF provides batches")
        }
    }

    func flush() { writer.flush() }
    func waitForRoom() async { await writer.waitForRoom() }
    func closeAndDrain() { writer.closeAndDrain() }
    var failure: SystemError? { writer.failure }
}
