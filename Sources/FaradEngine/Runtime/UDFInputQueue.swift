import FaradUDFHost
import Synchronization

/// The bounded queue between a task's pipeline and one UDF session: explicit back-pressure.
///
/// The pipeline pushes under its own lock, so input reaches the UDF in the order the pipeline
/// produced it; a push never blocks. When more than `highWater` points are queued, the producer
/// (a write request, or the output of an upstream UDF) awaits ``waitForRoom()`` after letting
/// go of the lock, so a slow UDF slows its writers instead of growing memory. The session's
/// supervisor consumes it as an async sequence of input groups.
///
/// While the UDF is down (its session failed and the supervisor has not asked for input since:
/// it is backing off or starting a new one), writers do not wait: what would go past the mark
/// is dropped and reported (``Push/dropped``), so a UDF that cannot start never stops ingestion.
/// Waiting producers and the consumer leave their wait when their task is cancelled.
final class UDFInputQueue: AsyncSequence, Sendable {
    typealias Element = [UDFInput]

    /// What became of a push.
    enum Push: Equatable {
        /// Queued (or handed to the waiting consumer).
        case queued
        /// Queued, and the queue is now over its mark: `await waitForRoom()`.
        case full
        /// Dropped: the UDF is down and the queue is at its mark. `first` is true for the first
        /// drop since the UDF went down (to log once).
        case dropped(first: Bool)
        /// Dropped: the consumer is gone or the input has ended.
        case closed
    }

    private struct State {
        var queued: [UDFInput] = []
        var points = 0
        var consumer: CheckedContinuation<[UDFInput]?, Never>?
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var finished = false
        /// The consumer is gone: input is dropped and producers never wait.
        var closed = false
        /// ``wake()`` came while the consumer was busy: its next `next()` returns at once.
        var woken = false
        /// The UDF's session failed and no new one has asked for input yet.
        var down = false
        var droppedSinceDown = false

        /// The waiting consumer, no longer waiting.
        mutating func takeConsumer() -> CheckedContinuation<[UDFInput]?, Never>? {
            defer { consumer = nil }
            return consumer
        }

        /// The waiting producers, no longer waiting.
        mutating func takeWaiters() -> [CheckedContinuation<Void, Never>] {
            defer { waiters = [:] }
            return Array(waiters.values)
        }
    }

    private let state = Mutex(State())
    let highWater: Int

    init(highWater: Int = 50_000) {
        self.highWater = highWater
    }

    /// Queues `input` holding `points` points.
    @discardableResult
    func push(_ input: UDFInput, points: Int) -> Push {
        let (consumer, result) = state.withLock { s -> (CheckedContinuation<[UDFInput]?, Never>?, Push) in
            if s.closed || s.finished { return (nil, .closed) }
            if let c = s.consumer {
                s.consumer = nil
                return (c, .queued)
            }
            if s.down && s.points + points > highWater {
                defer { s.droppedSinceDown = true }
                return (nil, .dropped(first: !s.droppedSinceDown))
            }
            s.queued.append(input)
            s.points += points
            return (nil, s.points > highWater && !s.down ? .full : .queued)
        }
        consumer?.resume(returning: [input])
        return result
    }

    /// Returns once the consumer has taken what was queued, has gone, or the UDF is down — or
    /// when the calling task is cancelled.
    func waitForRoom() async {
        let id = state.withLock { s -> Int in
            defer { s.nextWaiter += 1 }
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.closed || s.down || s.points <= highWater || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Everything queued, in order, once there is something; `nil` after ``finish()``, after
    /// ``close()``, or when the calling task is cancelled. Asking means a session is up.
    func next() async -> [UDFInput]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<[UDFInput]?, Never>) in
                let (taken, waiters) = state.withLock { s -> ([UDFInput]??, [CheckedContinuation<Void, Never>]) in
                    s.down = false
                    s.droppedSinceDown = false
                    if !s.queued.isEmpty {
                        defer {
                            s.queued = []
                            s.points = 0
                            s.woken = false  // the supervisor looks at its session with any group
                        }
                        return (s.queued, s.takeWaiters())
                    }
                    if s.finished || s.closed || Task.isCancelled { return (.some(nil), []) }
                    if s.woken {
                        s.woken = false
                        return ([], [])
                    }
                    s.consumer = c
                    return (nil, [])
                }
                for w in waiters { w.resume() }
                if let taken { c.resume(returning: taken) }
            }
        } onCancel: {
            state.withLock { $0.takeConsumer() }?.resume(returning: nil)
        }
    }

    /// The UDF's session failed: the consumer's pending (or next) `next()` returns an empty
    /// group now, so the supervisor restarts it without waiting for input; until it asks for
    /// input again the UDF is down, and writers stop waiting for it.
    func wake() {
        let (consumer, waiters) = state.withLock { s in
            s.down = true
            let consumer = s.takeConsumer()
            if consumer == nil { s.woken = true }
            return (consumer, s.takeWaiters())
        }
        consumer?.resume(returning: [])
        for w in waiters { w.resume() }
    }

    /// No more input: the consumer gets what is queued, then `nil`.
    func finish() {
        state.withLock { s in
            s.finished = true
            return s.takeConsumer()
        }?.resume(returning: nil)
    }

    /// The consumer has gone: drop what is queued and what comes, release waiting producers.
    func close() {
        let (consumer, waiters) = state.withLock { s in
            s.closed = true
            s.queued = []
            s.points = 0
            return (s.takeConsumer(), s.takeWaiters())
        }
        consumer?.resume(returning: nil)
        for w in waiters { w.resume() }
    }

    /// Whether the input has ended (``finish()``) or its consumer has gone (``close()``).
    var isFinished: Bool { state.withLock { $0.finished || $0.closed } }

    /// The number of points queued.
    var queuedPoints: Int { state.withLock { $0.points } }

    func makeAsyncIterator() -> Iterator { Iterator(queue: self) }

    struct Iterator: AsyncIteratorProtocol {
        let queue: UDFInputQueue
        mutating func next() async -> [UDFInput]? { await queue.next() }
    }
}
