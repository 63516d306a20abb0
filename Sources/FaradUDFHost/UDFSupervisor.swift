import KapacitorUDFWire
import Logging

/// What a task node sends into a UDF.
public enum UDFInput: Sendable, Equatable {
    case point(UDFPoint)
    case batch(BeginBatch, [UDFPoint], EndBatch)
    /// Request frames encoded by the caller: whole `point`s, or whole `begin`/`point`*/`end`
    /// batches, holding `points` points in `batches` batches.
    case frames([UInt8], points: Int, batches: Int)
}

/// A task node's UDF session with a restart policy — beyond Kapacitor, whose task dies with
/// the first UDF hiccup.
///
/// After a crash, a keepalive timeout or a protocol error, the session is re-created (a new
/// process, or a new connection to a socket UDF), initialized with the same options and restored
/// from the last snapshot it took; then the remaining input flows to it. Input that was in flight
/// in the failed session is lost, as in Kapacitor's abort. Snapshots are taken every
/// ``UDFFunctionConfig/snapshotInterval`` while data flows: after an input group once the
/// interval has passed, and before the next group when the last one was not saved yet.
public struct UDFSupervisor: Sendable {
    public let config: UDFFunctionConfig
    public let logger: Logger
    public let metrics: UDFMetrics

    /// How long a session must stay up for its failure not to count as consecutive.
    static let healthyUptime = Duration.seconds(10)

    public init(config: UDFFunctionConfig, logger: Logger, metrics: UDFMetrics? = nil) {
        self.config = config
        self.logger = logger
        self.metrics = metrics ?? UDFMetrics(udf: config.name)
    }

    /// Feeds `inputs` through the UDF, handing every output group to `output` in order, until
    /// the inputs end and the UDF has finished.
    ///
    /// A session that fails while the supervisor waits for input is noticed with the next input
    /// group; `wake` is called when a session fails, so that an input sequence that is waiting
    /// can hand out an empty group at once: the UDF is then restarted without waiting for data.
    ///
    /// Every session that fails is reported to `failed` with its error, before the restart (or
    /// before `run` gives up and throws it): a UDF that keeps failing is seen while it is being
    /// restarted, not only once the policy gives up. Once `inputEnded` says the input is over
    /// (the task is stopping), a failed session is not restarted: a UDF that keeps crashing
    /// cannot hold up a shutdown.
    /// - Throws: the last ``UDFHostError`` once the restart policy gives up (at once when it is off).
    public func run<Inputs: AsyncSequence & Sendable>(
        options: [UDFOption], taskID: String, nodeID: String,
        inputs: Inputs,
        wake: @escaping @Sendable () -> Void = {},
        failed: @escaping @Sendable (UDFHostError) -> Void = { _ in },
        inputEnded: @escaping @Sendable () -> Bool = { false },
        output: @escaping @Sendable ([UDFOutput]) async throws -> Void
    ) async throws(UDFHostError) where Inputs.Element == [UDFInput] {
        var iterator = inputs.makeAsyncIterator()
        var snapshot: [UInt8] = []
        // Input taken for a session that had failed before it could be sent: the next one gets it.
        var carried: [UDFInput] = []
        var consecutiveFailures = 0
        let clock = ContinuousClock()
        while true {
            let error: UDFHostError
            let started = clock.now
            do throws(UDFHostError) {
                let session = try await UDFSession.start(config, logger: logger, metrics: metrics, onFailure: wake)
                do throws(UDFHostError) {
                    try await session.initialize(options, taskID: taskID, nodeID: nodeID)
                    if !snapshot.isEmpty {
                        try await session.restore(snapshot)
                        logger.debug("UDF restored from its last snapshot", metadata: ["udf": "\(config.name)", "bytes": "\(snapshot.count)"])
                    }
                    try await feed(session, &iterator, &snapshot, &carried, output)
                    return
                } catch let failure {
                    session.abort(failure.code, failure.message)
                    try? await session.finish()
                    throw failure
                }
            } catch let failure {
                error = failure
            }
            failed(error)
            // A session that stayed up a while starts a new series of failures; one that keeps
            // failing at once backs off further each time.
            if clock.now - started > Self.healthyUptime { consecutiveFailures = 0 }
            consecutiveFailures += 1
            let policy = config.restart
            guard policy.enabled, policy.maximumRestarts.map({ consecutiveFailures <= $0 }) ?? true, !inputEnded() else { throw error }
            let wait = policy.backoff(attempt: consecutiveFailures)
            logger.warning("restarting UDF", metadata: [
                "udf": "\(config.name)", "error": "\(error.message)", "attempt": "\(consecutiveFailures)", "backoff": "\(wait)",
            ])
            metrics.restarts.increment()
            try? await Task.sleep(for: wait)
            // The task is going away (another node failed, or it was stopped): no more restarts.
            if Task.isCancelled { throw error }
        }
    }

    private func feed<Iterator: AsyncIteratorProtocol>(
        _ session: UDFSession, _ iterator: inout Iterator, _ snapshot: inout [UInt8], _ carried: inout [UDFInput],
        _ output: @escaping @Sendable ([UDFOutput]) async throws -> Void
    ) async throws(UDFHostError) where Iterator.Element == [UDFInput] {
        let clock = ContinuousClock()
        var lastSnapshot = clock.now
        let interval = config.snapshotInterval
        let result: Result<Void, UDFHostError> = await withTaskGroup(of: Result<Void, UDFHostError>.self) { group in
            group.addTask {
                do {
                    while let outputs = try await session.nextOutputs() { try await output(outputs) }
                    return .success(())
                } catch let e as UDFHostError {
                    return .failure(e)
                } catch {
                    // The consumer failed: end the session with its error.
                    return .failure(session.abort(.aborted, "output consumer failed: \(error)"))
                }
            }
            do {
                // State the UDF holds that no snapshot has: input sent since the last one.
                var unsaved = false
                func takeSnapshotIfDue() async throws(UDFHostError) {
                    guard unsaved, interval > .zero, clock.now - lastSnapshot >= interval else { return }
                    let blob = try await session.snapshot()
                    if !blob.isEmpty { snapshot = blob }
                    logger.trace("UDF snapshot taken", metadata: ["udf": "\(config.name)", "bytes": "\(blob.count)"])
                    lastSnapshot = clock.now
                    unsaved = false
                }
                func send(_ inputs: [UDFInput]) async throws(UDFHostError) {
                    for input in inputs {
                        switch input {
                        case .point(let p): try await session.send(p)
                        case .batch(let b, let points, let e): try await session.send(batch: b, points: points, end: e)
                        case .frames(let bytes, let points, let batches): try await session.send(frames: bytes, points: points, batches: batches)
                        }
                    }
                    session.flush()
                    unsaved = true
                }
                if !carried.isEmpty {
                    try await send(carried)
                    carried = []
                }
                while let inputs = try await iterator.next() {
                    // An empty group is a wake-up: the session may have failed meanwhile. What
                    // was taken but not sent goes to the next session.
                    if let failure = session.failure {
                        carried = inputs
                        throw failure
                    }
                    if inputs.isEmpty { continue }
                    // Before new input too: what came in a burst right after the start, or
                    // before a pause, is saved before anything else can end the session.
                    carried = inputs
                    try await takeSnapshotIfDue()
                    carried = []
                    try await send(inputs)
                    try await takeSnapshotIfDue()
                }
                try await session.finish()
            } catch let e as UDFHostError {
                session.abort(e.code, e.message)
                try? await session.finish()
            } catch {
                session.abort(.aborted, "input failed: \(error)")
                try? await session.finish()
            }
            var first: Result<Void, UDFHostError> = .success(())
            for await r in group { if case .failure = r, case .success = first { first = r } }
            if case .success = first, let failure = session.failure { first = .failure(failure) }
            return first
        }
        try result.get()
    }
}
