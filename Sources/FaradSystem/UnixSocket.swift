import CFaradShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `AF_UNIX` stream sockets: listen, accept, connect.
public enum UnixSocket {
    /// Creates a listening socket at `path`.
    ///
    /// A stale socket file (one nobody accepts on) is removed first. A path that is in use by a
    /// live server, or that is not a socket, is an error: nothing is deleted.
    public static func listen(path: String, backlog: Int32 = 128) throws(SystemError) -> FileDescriptor {
        var st = stat()
        if lstat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFSOCK else {
                throw SystemError(code: EEXIST, operation: "bind", subject: "\(path) exists and is not a socket")
            }
            if let live = try? connect(path: path) {
                live.close()
                throw SystemError(code: EADDRINUSE, operation: "bind", subject: "\(path) has a live server")
            }
            unlink(path)
        }
        let fd = try makeSocket()
        do throws(SystemError) {
            try withAddress(path) { (addr, len) throws(SystemError) in
                guard bind(fd.rawValue, addr, len) == 0 else { throw SystemError.current("bind", subject: path) }
            }
            guard Glibc.listen(fd.rawValue, backlog) == 0 else { throw SystemError.current("listen", subject: path) }
        } catch {
            fd.close()
            throw error
        }
        return fd
    }

    /// Connects to the server listening at `path`.
    public static func connect(path: String) throws(SystemError) -> FileDescriptor {
        let fd = try makeSocket()
        do throws(SystemError) {
            try withAddress(path) { (addr, len) throws(SystemError) in
                while Glibc.connect(fd.rawValue, addr, len) != 0 {
                    if errno == EINTR { continue }
                    throw SystemError.current("connect", subject: path)
                }
            }
        } catch {
            fd.close()
            throw error
        }
        return fd
    }

    /// Accepts one connection, waiting until one arrives or `waker` is woken (then `nil`).
    public static func accept(_ listener: FileDescriptor, waker: Waker) throws(SystemError) -> FileDescriptor? {
        while true {
            guard waker.waitReadable(listener) else { return nil }
            let fd = farad_accept_cloexec(listener.rawValue)
            if fd >= 0 { return FileDescriptor(rawValue: fd) }
            switch errno {
            case EINTR, EAGAIN, ECONNABORTED: continue
            default: throw SystemError.current("accept")
            }
        }
    }

    private static func makeSocket() throws(SystemError) -> FileDescriptor {
        BrokenPipe.ignoreSIGPIPE()
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { throw SystemError.current("socket") }
        return FileDescriptor(rawValue: fd)
    }

    private static func withAddress<R>(
        _ path: String,
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemError) -> R
    ) throws(SystemError) -> R {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        let utf8 = Array(path.utf8)
        guard utf8.count < capacity else {
            throw SystemError(code: ENAMETOOLONG, operation: "socket path", subject: path)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: utf8)
            raw[utf8.count] = 0
        }
        let len = socklen_t(MemoryLayout<sockaddr_un>.size)
        do {
            return try withUnsafePointer(to: &addr) { ptr in
                try ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, len) }
            }
        } catch {
            throw error as! SystemError
        }
    }
}
