import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A joinable OS thread for blocking I/O that must not occupy Swift's cooperative pool.
public final class OSThread: Sendable {
    // @unchecked Sendable is not needed: `handle` is written once in init and only read after.
    private let handle: pthread_t

    /// Starts a thread running `body`.
    public init(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        let box = Unmanaged.passRetained(Box(name: name, body: body))
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            throw SystemError(code: rc, operation: "pthread_create", subject: name)
        }
        handle = thread
    }

    /// Starts a thread running `body` that nobody joins; its resources are freed when it returns.
    public static func detached(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        let thread = try OSThread(name: name, body)
        pthread_detach(thread.handle)
    }

    /// Blocks until the thread's body has returned. Call at most once, and never on a detached thread.
    public func join() {
        pthread_join(handle, nil)
    }

    private final class Box {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}

extension Mutex where Value == OSThread? {
    /// Takes the thread out (a second call finds none) and waits for it to end: the last step
    /// of every worker's `stop()`.
    public func takeAndJoin() {
        let t = withLock { t -> OSThread? in
            defer { t = nil }
            return t
        }
        t?.join()
    }
}
