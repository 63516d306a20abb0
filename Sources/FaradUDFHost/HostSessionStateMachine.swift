import KapacitorUDFWire

/// What a UDF produced: a stream point, or a whole batch (delivered only at its `end`, as
/// Kapacitor's host does).
public enum UDFOutput: Sendable, Equatable {
    case point(UDFPoint)
    case batch(BeginBatch, [UDFPoint], EndBatch)
}

/// The host's reading of an agent's output, as a pure state machine.
///
/// It assembles output batches and routes replies, and turns everything that crashes or
/// corrupts Kapacitor's host into a session error naming the problem: an `end` without `begin`,
/// a `begin` inside an open batch, a negative or huge batch size, an `ErrorResponse`.
/// (Empty and unknown responses never get here: decoding them fails first.)
struct HostSessionStateMachine {
    enum Action: Equatable {
        /// Hand this output downstream.
        case deliver(UDFOutput)
        /// A reply to a request of this kind.
        case reply(ReplyKind, UDFResponse)
        /// A keepalive answer; its echoed time gives the round trip.
        case keepalive(echoedTime: Int64)
        /// A point buffered into the open batch: nothing to do yet.
        case buffered
        /// End the session with this error.
        case fail(UDFHostError.Code, String)
    }

    /// The requests that get exactly one reply.
    enum ReplyKind: String, Sendable, Hashable {
        case info, initialize = "init", snapshot, restore
    }

    /// Batches larger than this (by their declared `size`) are refused instead of allocated.
    let maximumBatchSize: Int64
    private(set) var openBatch: (begin: BeginBatch, points: [UDFPoint])?

    init(maximumBatchSize: Int64 = 10_000_000) {
        self.maximumBatchSize = maximumBatchSize
    }

    mutating func receive(_ response: UDFResponse) -> Action {
        switch response {
        case .point(let p):
            guard openBatch != nil else { return .deliver(.point(p)) }
            openBatch!.points.append(p)
            return .buffered
        case .begin(let b):
            if let open = openBatch {
                return .fail(.protocolViolation, "begin batch received while batch \(open.begin.name.debugDescription) is open")
            }
            if b.size < 0 { return .fail(.protocolViolation, "begin batch with negative size \(b.size)") }
            if b.size > maximumBatchSize {
                return .fail(.protocolViolation, "begin batch with size \(b.size), over the limit of \(maximumBatchSize)")
            }
            var points: [UDFPoint] = []
            points.reserveCapacity(Int(min(b.size, 4096)))
            openBatch = (b, points)
            return .buffered
        case .end(let e):
            guard let open = openBatch else { return .fail(.protocolViolation, "end batch received without begin batch") }
            openBatch = nil
            return .deliver(.batch(open.begin, open.points, e))
        case .error(let text):
            return .fail(.agentError, text)
        case .keepalive(let time):
            return .keepalive(echoedTime: time)
        case .info: return .reply(.info, response)
        case .initialize: return .reply(.initialize, response)
        case .snapshot: return .reply(.snapshot, response)
        case .restore: return .reply(.restore, response)
        }
    }
}
