#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which operation, on what, and the `errno` it set.
///
/// The description reads like `connect(/tmp/mirror.sock): No such file or directory (errno 2)`.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `errno` value.
    public var code: Int32
    /// The call that failed, e.g. `read` or `bind`.
    public var operation: String
    /// The path or object the call was about, if any.
    public var subject: String?

    public init(code: Int32, operation: String, subject: String? = nil) {
        self.code = code
        self.operation = operation
        self.subject = subject
    }

    /// Captures the current `errno` for `operation`.
    public static func current(_ operation: String, subject: String? = nil) -> SystemError {
        SystemError(code: errno, operation: operation, subject: subject)
    }

    public var description: String {
        let reason = String(cString: strerror(code))
        if let subject {
            return "\(operation)(\(subject)): \(reason) (errno \(code))"
        }
        return "\(operation): \(reason) (errno \(code))"
    }
}
