#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open file descriptors, which bounds how many connections can be open.
enum DescriptorLimit {
    /// Raises the soft limit to the hard limit (at most `wanted`) and returns the soft limit now
    /// in force.
    @discardableResult
    static func raise(toAtMost wanted: UInt64) -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let target = min(UInt64(limit.rlim_max), wanted)
        if UInt64(limit.rlim_cur) < target {
            var raised = limit
            raised.rlim_cur = rlim_t(target)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return target }
        }
        return UInt64(limit.rlim_cur)
    }

    /// Descriptors kept for the store, UDF pipes, the telnet listener and logs beyond the connections.
    static let reserved = 256
}
