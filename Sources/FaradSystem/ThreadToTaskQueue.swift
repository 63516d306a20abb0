/// A bounded queue from OS threads to one async consumer.
///
/// Producers (I/O threads) block while it is full, which is how backpressure reaches a pipe;
/// the consumer suspends while it is empty. ``finish(throwing:)`` ends it: the consumer gets the
/// remaining elements, then `nil` or the error. ``close()`` is the consumer leaving: producers
/// stop blocking and their elements are dropped.
public final class ThreadToTaskQueue<Element: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: all mutable state lives in `state`, behind its lock.

    private struct State {
        /// Small (at most `capacity`), so popping from the front is cheap; popped elements are
        /// released at once (they may hold large buffers).
        var elements: [Element] = []
        var consumer: CheckedContinuation<Result<Element?, any Error>, Never>?
        var finished: Result<Void, any Error>?
        var closed = false
        var count: Int { elements.count }
    }

    private let state = ConditionLock(State())
    private let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Pushes an element, blocking the calling thread while the queue is full.
    /// Returns false if the consumer has left or the queue was finished (the element is dropped).
    @discardableResult
    public func push(_ element: Element) -> Bool {
        let (accepted, consumer) = state.withLock(
            waitingUntil: { $0.count < self.capacity || $0.closed || $0.finished != nil || $0.consumer != nil }
        ) { s -> (Bool, CheckedContinuation<Result<Element?, any Error>, Never>?) in
            if s.closed || s.finished != nil { return (false, nil) }
            return (true, Self.handOff(element, &s))
        }
        consumer?.resume(returning: .success(element))
        return accepted
    }

    /// Pushes an element only if that does not block: false (the element is dropped) if the
    /// queue is full, finished or closed. For a thread that must not wait, e.g. to wake the
    /// consumer with an empty element.
    @discardableResult
    public func offer(_ element: Element) -> Bool {
        let (accepted, consumer) = state.withLock { s -> (Bool, CheckedContinuation<Result<Element?, any Error>, Never>?) in
            if s.closed || s.finished != nil || (s.count >= capacity && s.consumer == nil) { return (false, nil) }
            return (true, Self.handOff(element, &s))
        }
        consumer?.resume(returning: .success(element))
        return accepted
    }

    /// Takes the waiting consumer (to be resumed with `element` outside the lock), or queues
    /// `element` when none waits.
    private static func handOff(_ element: Element, _ s: inout State) -> CheckedContinuation<Result<Element?, any Error>, Never>? {
        if let c = s.consumer {
            s.consumer = nil
            return c
        }
        s.elements.append(element)
        return nil
    }

    /// Whether the queue was finished (``finish(throwing:)``) or closed.
    public var isFinished: Bool { state.withLock { $0.finished != nil || $0.closed } }

    /// Whether a push would block now.
    public var isFull: Bool { state.withLock { $0.count >= capacity } }

    /// Ends the queue after its current elements: then `next()` returns `nil` or throws `error`.
    public func finish(throwing error: (any Error)? = nil) {
        let consumer = state.withLock { s -> CheckedContinuation<Result<Element?, any Error>, Never>? in
            guard s.finished == nil else { return nil }
            s.finished = error.map { .failure($0) } ?? .success(())
            defer { s.consumer = nil }
            return s.consumer
        }
        state.broadcast()
        if let consumer {
            switch error {
            case let error?: consumer.resume(returning: .failure(error))
            case nil: consumer.resume(returning: .success(nil))
            }
        }
    }

    /// The next element; `nil` after ``finish(throwing:)`` without an error.
    public func next() async throws -> Element? {
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<Element?, any Error>, Never>) in
            let now = state.withLock { s -> Result<Element?, any Error>? in
                if !s.elements.isEmpty { return .success(s.elements.removeFirst()) }
                if let finished = s.finished {
                    switch finished {
                    case .success: return .success(nil)
                    case .failure(let e): return .failure(e)
                    }
                }
                s.consumer = c
                return nil
            }
            if let now {
                state.broadcast()
                c.resume(returning: now)
            }
        }
        return try result.get()
    }

    /// The consumer is gone: unblock producers and drop whatever comes.
    public func close() {
        state.withLock {
            $0.closed = true
            $0.elements = []
        }
        state.broadcast()
    }
}

extension ThreadToTaskQueue {
    /// The queue's elements as an async sequence (for one consumer).
    public var elements: Elements { Elements(queue: self) }

    public struct Elements: AsyncSequence, Sendable {
        let queue: ThreadToTaskQueue

        public func makeAsyncIterator() -> Iterator { Iterator(queue: queue) }

        public struct Iterator: AsyncIteratorProtocol {
            let queue: ThreadToTaskQueue
            public mutating func next() async throws -> Element? { try await queue.next() }
        }
    }
}
