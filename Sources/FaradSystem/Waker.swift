#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Lets one thread interrupt another that is waiting for a descriptor to become readable.
///
/// A blocking `read(2)` on a pipe cannot be interrupted portably; waiting in ``waitReadable(_:)``
/// first (a `poll(2)` on the descriptor and the waker's own pipe) can.
public final class Waker: Sendable {
    private let pipe: (read: FileDescriptor, write: FileDescriptor)

    public init() throws(SystemError) {
        pipe = try FileDescriptor.pipe()
    }

    deinit {
        pipe.read.close()
        pipe.write.close()
    }

    /// Wakes every current and future ``waitReadable(_:)`` call. Idempotent.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(pipe.write.rawValue, &byte, 1)
    }

    /// Blocks until `fd` is readable (or at end of file, or in error): true; or until ``wake()``: false.
    public func waitReadable(_ fd: FileDescriptor) -> Bool {
        var fds = [
            pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0),
            pollfd(fd: pipe.read.rawValue, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let rc = poll(&fds, 2, -1)
            if rc < 0 && errno == EINTR { continue }
            if fds[1].revents != 0 { return false }
            return true
        }
    }
}
