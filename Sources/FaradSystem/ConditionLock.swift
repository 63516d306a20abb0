#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex-protected value with a condition variable, for handing work between OS threads.
///
/// `Synchronization.Mutex` has no condition variable; Farad's blocking I/O threads need one
/// to sleep until a buffer has data or room.
// @unchecked Sendable: `value` is only touched while `mutex` is held, and the pthread objects
// live at stable heap addresses for the lifetime of the instance.
public final class ConditionLock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    // The mutex already makes every access exclusive; skip the runtime's dynamic check.
    @exclusivity(unchecked) private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Runs `body` with the lock held.
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Blocks until `predicate` holds, then runs `body`, all with the lock held.
    public func withLock<R, E: Error>(
        waitingUntil predicate: (Value) -> Bool,
        _ body: (inout Value) throws(E) -> R
    ) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !predicate(value) {
            pthread_cond_wait(condition, mutex)
        }
        return try body(&value)
    }

    /// Like ``withLock(waitingUntil:_:)``, but stops waiting after `timeout` and runs `body` anyway.
    public func withLock<R>(
        waitingUntil predicate: (Value) -> Bool,
        timeout: Duration,
        _ body: (inout Value) -> R
    ) -> R {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let (seconds, attoseconds) = timeout.components
        var nanos = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var deadline = timespec(tv_sec: now.tv_sec + Int(seconds) + nanos / 1_000_000_000, tv_nsec: 0)
        nanos %= 1_000_000_000
        deadline.tv_nsec = nanos
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !predicate(value) {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
        }
        return body(&value)
    }

    /// Wakes every thread waiting in ``withLock(waitingUntil:_:)``; they re-check their predicates.
    public func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
