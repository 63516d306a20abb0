import FaradSystem
import KapacitorUDFWire

/// What the test side reads from an agent, in order.
enum AgentEvent: Sendable {
    case response(UDFResponse)
    /// The agent closed its output at a frame boundary.
    case end
    /// The agent's output could not be read or decoded.
    case failure(String)
}

/// An unbounded queue of agent events with an async, time-limited `next`.
final class ResponseQueue: @unchecked Sendable {
    // @unchecked Sendable: all mutable state lives in `state`, behind its lock.
    private struct State {
        var events: [AgentEvent] = []
        var waiter: (id: UInt64, continuation: CheckedContinuation<AgentEvent?, Never>)?
        var nextID: UInt64 = 0
    }

    private let state = ConditionLock(State())

    func push(_ event: AgentEvent) {
        let waiter = state.withLock { s -> CheckedContinuation<AgentEvent?, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w.continuation
            }
            s.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// The next event, or `nil` if none arrives within `timeout`.
    func next(timeout: Duration) async -> AgentEvent? {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        return await withTaskGroup(of: AgentEvent??.self) { group in
            group.addTask {
                await withCheckedContinuation { (c: CheckedContinuation<AgentEvent?, Never>) in
                    let ready = self.state.withLock { s -> AgentEvent? in
                        if !s.events.isEmpty { return s.events.removeFirst() }
                        s.waiter = (id, c)
                        return nil
                    }
                    if let ready { c.resume(returning: ready) }
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return .some(nil)  // cancelled: the event arrived first
                }
                let w = self.state.withLock { s -> CheckedContinuation<AgentEvent?, Never>? in
                    guard let w = s.waiter, w.id == id else { return nil }
                    s.waiter = nil
                    return w.continuation
                }
                w?.resume(returning: nil)
                return nil
            }
            let first = await group.next()!
            group.cancelAll()
            if case .some(.some(let event)) = first { return event }
            // The timer finished first; the reader task has been resumed with nil.
            for await result in group { if case .some(.some(let event)) = result { return event } }
            return nil
        }
    }
}

/// Reads response frames from `fd` on its own thread until EOF, pushing them to `queue`.
func startResponseReader(fd: FileDescriptor, queue: ResponseQueue) throws(SystemError) -> OSThread {
    try OSThread(name: "udf-test-reader") {
        var decoder = FrameDecoder()
        while true {
            let n: Int
            do {
                n = try decoder.read { (buffer) throws(SystemError) in try fd.read(into: buffer) }
            } catch {
                queue.push(.failure("read error: \(error)"))
                return
            }
            do throws(WireError) {
                while let frame = try decoder.next() { queue.push(.response(try UDFResponse(decoding: frame))) }
                if n == 0 {
                    try decoder.finish()
                    queue.push(.end)
                    return
                }
            } catch {
                queue.push(.failure(error.message))
                return
            }
        }
    }
}
