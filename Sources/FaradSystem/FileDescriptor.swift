import CFaradShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw POSIX file descriptor with the few blocking operations Farad's I/O threads need.
///
/// It does not own the descriptor: call ``close()`` exactly once when done.
public struct FileDescriptor: Sendable, Hashable {
    /// The descriptor number.
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    public static let standardInput = FileDescriptor(rawValue: 0)
    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)

    /// Reads up to `buffer.count` bytes, retrying on `EINTR`. Returns 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        while true {
            let n = systemRead(rawValue, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw SystemError.current("read")
        }
    }

    /// Writes all of `bytes`, retrying on `EINTR` and short writes.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(rawValue, bytes.baseAddress! + offset, bytes.count - offset)
            if n >= 0 {
                offset += n
            } else if errno != EINTR {
                throw SystemError.current("write")
            }
        }
    }

    /// Writes all of `bytes`.
    public func writeAll(_ bytes: [UInt8]) throws(SystemError) {
        do { try bytes.withUnsafeBytes { try writeAll($0) } } catch { throw error as! SystemError }
    }

    /// Closes the descriptor, ignoring `EINTR` (Linux closes the descriptor anyway).
    public func close() {
        _ = systemClose(rawValue)
    }

    /// Shuts down the read side, the write side or both of a socket.
    public func shutdown(_ how: ShutdownKind) {
        _ = systemShutdown(rawValue, how.rawValue)
    }

    /// Which side of a socket ``shutdown(_:)`` ends.
    public enum ShutdownKind: Sendable {
        case read, write, readWrite

        var rawValue: Int32 {
            switch self {
            case .read: Int32(SHUT_RD)
            case .write: Int32(SHUT_WR)
            case .readWrite: Int32(SHUT_RDWR)
            }
        }
    }

    /// For the read end of a pipe: whether every write end has been closed (`POLLHUP`), so a
    /// read will reach end of file once what is buffered is read. Does not block.
    public var writersHaveClosed: Bool {
        var fds = pollfd(fd: rawValue, events: Int16(POLLIN), revents: 0)
        while true {
            let rc = poll(&fds, 1, 0)
            if rc < 0 && errno == EINTR { continue }
            return rc > 0 && fds.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
        }
    }

    /// Whether a read would not block now (data, end of file or an error). Does not block.
    public var isReadableNow: Bool {
        var fds = pollfd(fd: rawValue, events: Int16(POLLIN), revents: 0)
        while true {
            let rc = poll(&fds, 1, 0)
            if rc < 0 && errno == EINTR { continue }
            return rc > 0
        }
    }

    /// Asks for a pipe buffer of `bytes` (Linux `F_SETPIPE_SZ`; 1 MiB is the unprivileged limit).
    /// Fewer, larger transfers mean fewer context switches. Does nothing for non-pipes.
    public func setPipeBufferSize(_ bytes: Int) {
        #if os(Linux)
        _ = fcntl(rawValue, 1031 /* F_SETPIPE_SZ */, Int32(bytes))
        #endif
    }

    /// Reads a whole file.
    public static func readFile(atPath path: String) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.current("open", subject: path) }
        let file = FileDescriptor(rawValue: fd)
        defer { file.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n: Int
            do { n = try chunk.withUnsafeMutableBytes { try file.read(into: $0) } } catch { throw error as! SystemError }
            if n == 0 { return bytes }
            bytes += chunk[..<n]
        }
    }

    /// Creates a pipe whose both ends are close-on-exec from the start (no child started by
    /// another thread meanwhile can inherit them).
    public static func pipe() throws(SystemError) -> (read: FileDescriptor, write: FileDescriptor) {
        BrokenPipe.ignoreSIGPIPE()
        var fds: [Int32] = [-1, -1]
        let rc = fds.withUnsafeMutableBufferPointer { systemPipe($0.baseAddress!) }
        guard rc == 0 else { throw SystemError.current("pipe") }
        return (read: FileDescriptor(rawValue: fds[0]), write: FileDescriptor(rawValue: fds[1]))
    }
}

// Module-qualified system calls, so they don't collide with the methods above.
@inline(__always) private func systemRead(_ fd: Int32, _ buf: UnsafeMutableRawPointer?, _ n: Int) -> Int {
    read(fd, buf, n)
}

@inline(__always) private func systemWrite(_ fd: Int32, _ buf: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, buf, n)
}

@inline(__always) private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

@inline(__always) private func systemShutdown(_ fd: Int32, _ how: Int32) -> Int32 { shutdown(fd, how) }

@inline(__always) private func systemPipe(_ fds: UnsafeMutablePointer<Int32>) -> Int32 {
    farad_pipe_cloexec(fds)
}
