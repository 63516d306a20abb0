import KapacitorUDFWire

/// The agent's side of the conversation rules, as a pure state machine.
///
/// It answers what may be answered at once (`info`, `keepalive`), turns everything else into a
/// handler call, and rejects what breaks the rules: data before `init`, a second `init`, batch
/// messages to a stream UDF, `end` without `begin`, a `begin` inside an open batch.
struct AgentStateMachine {
    enum Action: Equatable {
        case reply(UDFResponse)
        case initialize(InitRequest)
        case snapshot
        case restore([UInt8])
        case point(UDFPoint)
        case beginBatch(BeginBatch)
        case endBatch(EndBatch)
        /// End the session with an `ErrorResponse` carrying this error.
        case fail(UDFError)
    }

    let info: UDFInfo
    private(set) var initialized = false
    private(set) var openBatch: BeginBatch?

    init(info: UDFInfo) {
        self.info = info
    }

    /// Whether a point may go straight to the handler (what ``receive(_:)`` would say for it).
    var acceptsPoints: Bool {
        initialized && (info.wants == .stream || openBatch != nil)
    }

    mutating func receive(_ request: UDFRequest) -> Action {
        switch request {
        case .point(let p):
            guard initialized else { return violation("point received before init") }
            if info.wants == .batch && openBatch == nil {
                return violation("point received outside a batch, but this UDF wants batches")
            }
            return .point(p)
        case .info:
            return .reply(.info(info))
        case .keepalive(let time):
            return .reply(.keepalive(time: time))
        case .initialize(let r):
            guard !initialized else { return violation("init received twice") }
            return .initialize(r)
        case .snapshot:
            guard initialized else { return violation("snapshot requested before init") }
            return .snapshot
        case .restore(let blob):
            guard initialized else { return violation("restore requested before init") }
            return .restore(blob)
        case .begin(let b):
            guard initialized else { return violation("begin batch received before init") }
            guard info.wants == .batch else { return violation("batching not supported: this UDF wants a stream") }
            if let open = openBatch {
                return violation("begin batch received while batch \(open.name.debugDescription) is open")
            }
            if b.size < 0 { return violation("begin batch received with negative size \(b.size)") }
            openBatch = b
            return .beginBatch(b)
        case .end(let e):
            guard initialized else { return violation("end batch received before init") }
            guard info.wants == .batch else { return violation("batching not supported: this UDF wants a stream") }
            guard openBatch != nil else { return violation("end batch received without begin batch") }
            openBatch = nil
            return .endBatch(e)
        }
    }

    /// The handler was created: data may flow.
    mutating func didInitialize() {
        initialized = true
    }

    private func violation(_ text: String) -> Action {
        .fail(UDFError(.protocolViolation, text))
    }
}
