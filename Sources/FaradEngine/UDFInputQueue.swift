import FaradUDFHost
import Synchronization

/// The bounded queue between a task's pipeline and one UDF session: explicit back-pressure.
///
/// The pipeline pushes under its own lock, so input reaches the UDF in the order the pipeline
/// produced it; a push never blocks. When more than `highWater` points are queued, the producer
/// (a write request, or the output of an upstream UDF) awaits ``waitForRoom()`` after letting
/// go of the lock, so a slow UDF slows its writers instead of growing memory. The session's
/// supervisor consumes it as an async sequence of input groups.
final class UDFInputQueue: AsyncSequence, Sendable {
    typealias Element = [UDFInput]

    private struct State {
        var queued: [UDFInput] = []
        var points = 0
        var consumer: CheckedContinuation<[UDFInput]?, Never>?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var finished = false
        /// The consumer is gone: input is dropped and producers never wait.
        var closed = false
        /// ``wake()`` came while the consumer was busy: its next `next()` returns at once.
        var woken = false
    }

    private let state = Mutex(State())
    let highWater: Int

    init(highWater: Int = 50_000) {
        self.highWater = highWater
    }

    /// Queues `input` holding `points` points. Returns true when the queue is now over its
    /// high-water mark: the producer should then `await waitForRoom()` (outside its locks).
    @discardableResult
    func push(_ input: UDFInput, points: Int) -> Bool {
        let (consumer, full) = state.withLock { s -> (CheckedContinuation<[UDFInput]?, Never>?, Bool) in
            if s.closed || s.finished { return (nil, false) }
            if let c = s.consumer {
                s.consumer = nil
                return (c, false)
            }
            s.queued.append(input)
            s.points += points
            return (nil, s.points > highWater)
        }
        consumer?.resume(returning: [input])
        return full
    }

    /// Returns once the consumer has taken what was queued (or has gone).
    func waitForRoom() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.closed || s.points <= highWater { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Everything queued, in order, once there is something; `nil` after ``finish()``.
    func next() async -> [UDFInput]? {
        await withCheckedContinuation { (c: CheckedContinuation<[UDFInput]?, Never>) in
            let (taken, waiters) = state.withLock { s -> ([UDFInput]??, [CheckedContinuation<Void, Never>]) in
                if !s.queued.isEmpty {
                    defer {
                        s.queued = []
                        s.points = 0
                        s.waiters = []
                    }
                    return (s.queued, s.waiters)
                }
                if s.finished || s.closed { return (.some(nil), []) }
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
    }

    /// Makes the consumer's pending (or next) `next()` return an empty group now: its UDF
    /// session failed, and the supervisor should restart it without waiting for input.
    func wake() {
        let consumer = state.withLock { s -> CheckedContinuation<[UDFInput]?, Never>? in
            guard let c = s.consumer else {
                s.woken = true
                return nil
            }
            s.consumer = nil
            return c
        }
        consumer?.resume(returning: [])
    }

    /// No more input: the consumer gets what is queued, then `nil`.
    func finish() {
        let consumer = state.withLock { s -> CheckedContinuation<[UDFInput]?, Never>? in
            s.finished = true
            defer { s.consumer = nil }
            return s.consumer
        }
        consumer?.resume(returning: nil)
    }

    /// The consumer has gone: drop what is queued and what comes, release waiting producers.
    func close() {
        let (consumer, waiters) = state.withLock { s -> (CheckedContinuation<[UDFInput]?, Never>?, [CheckedContinuation<Void, Never>]) in
            s.closed = true
            s.queued = []
            s.points = 0
            defer {
                s.consumer = nil
                s.waiters = []
            }
            return (s.consumer, s.waiters)
        }
        consumer?.resume(returning: nil)
        for w in waiters { w.resume() }
    }

    /// The number of points queued.
    var queuedPoints: Int { state.withLock { $0.points } }

    func makeAsyncIterator() -> Iterator { Iterator(queue: self) }

    struct Iterator: AsyncIteratorProtocol {
        let queue: UDFInputQueue
        mutating func next() async -> [UDFInput]? { await queue.next() }
    }
}
