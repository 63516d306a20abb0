#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to a pipe or socket whose reader is gone must be an `EPIPE` error that the writer
/// handles (a UDF that exited, a host that went away), never a SIGPIPE that kills the whole
/// process. Everything in FaradSystem that makes pipes or sockets calls ``ignoreSIGPIPE()``
/// first, so programs embedding Farad need not remember to. (SwiftNIO does the same.)
public enum BrokenPipe {
    private static let ignored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Ignores SIGPIPE for the process (once; later calls do nothing).
    public static func ignoreSIGPIPE() {
        _ = ignored
    }
}
