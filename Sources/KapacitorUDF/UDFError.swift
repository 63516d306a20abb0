/// An error a UDF reports to the host.
///
/// Its ``message`` is what the host sees: in an `InitResponse` when ``init(options:)`` fails, in a
/// `RestoreResponse` when restoring fails, and in an `ErrorResponse` (which ends the session)
/// when a data call fails.
public struct UDFError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// The handler rejected its options or state.
        public static let invalidOptions = Code(name: "invalidOptions")
        /// The host broke the conversation rules (data before init, end without begin, …).
        public static let protocolViolation = Code(name: "protocolViolation")
        /// The handler tried to emit output the host could not take (end without begin, …).
        public static let invalidOutput = Code(name: "invalidOutput")
        /// Bytes from the host that do not parse.
        public static let malformedInput = Code(name: "malformedInput")
        /// Reading or writing the connection failed.
        public static let io = Code(name: "io")
        /// The handler's own failure.
        public static let handler = Code(name: "handler")
        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A handler failure with this message.
    public init(_ message: String) {
        self.init(.handler, message)
    }

    public var description: String { message }
}

extension UDFError {
    /// The text to send for any error a handler throws.
    static func text(of error: any Error) -> String {
        if let e = error as? UDFError { return e.message }
        return String(describing: error)
    }
}
