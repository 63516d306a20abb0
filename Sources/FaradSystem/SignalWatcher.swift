import CFaradShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a handler on its own thread for each of a set of signals, without losing one.
///
/// A C handler writes the signal's number to a pipe and a thread reads it. Dispatch signal
/// sources are not used: on Linux they read a `signalfd`, which sees only signals blocked in the
/// thread the kernel picks, while the signal's disposition must be `SIG_IGN` for the source; a
/// signal delivered to a thread that does not block it (the main thread waits in `sigsuspend`
/// with nothing blocked) is then ignored, and `farad` did not stop on that SIGTERM.
public enum SignalWatcher {
    /// Installs handlers for `signals` and starts the thread that calls `body` with each one
    /// received (in order, one at a time). For the process's life: there is no uninstall.
    public static func start(_ signals: [Int32], _ body: @escaping @Sendable (Int32) -> Void) throws(SystemError) {
        let fd = signals.withUnsafeBufferPointer { farad_signal_pipe($0.baseAddress, Int32($0.count)) }
        guard fd >= 0 else { throw SystemError(code: errno, operation: "sigaction", subject: "signal handlers") }
        try OSThread.detached(name: "farad-signals") {
            var byte: UInt8 = 0
            while true {
                let n = read(fd, &byte, 1)
                if n == 1 {
                    body(Int32(byte))
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
