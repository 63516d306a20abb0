import FaradSystem
import KapacitorUDFWire

/// Hands decoded requests from a session's reader thread to its handler task.
///
/// The reader pushes the requests of one read at a time, so a handoff costs one lock for
/// hundreds of points. At most `capacity` such groups wait; then the reader blocks, and with it
/// the host's writes (backpressure).
final class InboundQueue: @unchecked Sendable {
    // @unchecked Sendable: all mutable state lives in `state`, behind its lock.

    enum Item: Sendable {
        case requests([UDFRequest])
        /// End of input at a frame boundary.
        case end
        /// Input that cannot be read; the text goes into the `ErrorResponse`.
        case failure(UDFError)
    }

    private struct State {
        var items: [Item] = []
        var consumer: CheckedContinuation<Item, Never>?
        var closed = false
    }

    private let state = ConditionLock(State())
    private let capacity: Int

    init(capacity: Int = 4) {
        self.capacity = capacity
    }

    /// Pushes an item, blocking the calling thread while the queue is full.
    /// Returns false if the consumer has gone (the item is dropped).
    @discardableResult
    func push(_ item: Item) -> Bool {
        let (accepted, consumer) = state.withLock(
            waitingUntil: { $0.items.count < self.capacity || $0.closed || $0.consumer != nil }
        ) { s -> (Bool, CheckedContinuation<Item, Never>?) in
            if s.closed { return (false, nil) }
            if let c = s.consumer {
                s.consumer = nil
                return (true, c)
            }
            s.items.append(item)
            return (true, nil)
        }
        consumer?.resume(returning: item)
        return accepted
    }

    /// The next item, waiting for the reader if there is none.
    func next() async -> Item {
        await withCheckedContinuation { (c: CheckedContinuation<Item, Never>) in
            let item = state.withLock { s -> Item? in
                if s.items.isEmpty {
                    s.consumer = c
                    return nil
                }
                return s.items.removeFirst()
            }
            if let item {
                state.broadcast()
                c.resume(returning: item)
            }
        }
    }

    /// The consumer is gone: unblock the reader and drop whatever comes.
    func close() {
        state.withLock {
            $0.closed = true
            $0.items = []
        }
        state.broadcast()
    }
}
