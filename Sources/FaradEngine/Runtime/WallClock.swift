import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The wall clock that drives a task's `stats` nodes (and so `deadman`): the only nodes that
/// act on real time, not on the data's. A server uses ``SystemWallClock``; tests use a
/// ``ManualWallClock`` and move it themselves.
public protocol WallClock: Sendable {
    /// Now, in nanoseconds since the epoch.
    func now() -> Int64
    /// Returns once ``now()`` has reached `deadline` (ns since the epoch).
    /// - Throws: `CancellationError` when the calling task is cancelled.
    func sleep(until deadline: Int64) async throws
}

/// Real time (`CLOCK_REALTIME`).
public struct SystemWallClock: WallClock {
    public init() {}

    public func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public func sleep(until deadline: Int64) async throws {
        while true {
            let left = deadline.clampedSubtracting(now())
            guard left > 0 else { return }
            try await Task.sleep(nanoseconds: UInt64(left))
        }
    }
}

/// A clock that moves only when told (``advance(by:)``): sleepers whose deadline it reaches
/// wake, in deadline order.
public final class ManualWallClock: WallClock {
    private struct Sleeper {
        let id: Int
        let deadline: Int64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64
        var nextID = 0
        var sleepers: [Sleeper] = []
    }

    private let state: Mutex<State>

    /// A clock at `start` (ns since the epoch).
    public init(start: Int64) {
        state = Mutex(State(now: start))
    }

    public func now() -> Int64 { state.withLock { $0.now } }

    /// How many callers are waiting in ``sleep(until:)``.
    public var sleepers: Int { state.withLock { $0.sleepers.count } }

    /// Moves the clock forward by `nanoseconds` and wakes the sleepers it reaches.
    public func advance(by nanoseconds: Int64) {
        let due = state.withLock { s -> [Sleeper] in
            s.now = s.now.clampedAdding(max(nanoseconds, 0))
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    public func sleep(until deadline: Int64) async throws {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: (any Error)?? = state.withLock { s in
                    if Task.isCancelled { return .some(CancellationError()) }
                    if deadline <= s.now { return .some(nil) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .none
                }
                switch resumeNow {
                case .some(nil): continuation.resume()
                case .some(let error?): continuation.resume(throwing: error)
                case .none: break
                }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Sleeper? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }
}
