import FaradSystem

/// A ``Pipeline`` behind one lock per segment, so that a task's writes and its UDFs' outputs
/// run through the graph at the same time.
///
/// Plain (non-spinning) pthread mutexes: a writer holds its segment for a whole request, and a
/// waiter spinning on it would take CPU from the thread it waits for.
final class LockedPipeline: @unchecked Sendable {
    // @unchecked Sendable: the pipeline is only touched under the lock of the segment a call
    // works in (its nodes are that segment's alone, see Pipeline), or under every lock, which
    // are always taken in segment order (no deadlock).
    private let pipeline: Pipeline
    private let locks: [ConditionLock<Void>]

    init(_ pipeline: Pipeline) {
        self.pipeline = pipeline
        locks = pipeline.segments.map { _ in ConditionLock(()) }
    }

    /// Runs `body` with segment `index` locked: it may touch that segment's nodes only.
    func segment<R>(_ index: Int, _ body: (Pipeline) -> R) -> R {
        locks[index].withLock { _ in body(pipeline) }
    }

    /// Runs `body` with every segment locked.
    func all<R>(_ body: (Pipeline) -> R) -> R {
        func lock(from i: Int) -> R {
            guard i < locks.count else { return body(pipeline) }
            return locks[i].withLock { _ in lock(from: i + 1) }
        }
        return lock(from: 0)
    }
}
