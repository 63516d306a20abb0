/// A UDF session that failed, with which UDF and why.
///
/// ``description`` reads `UDF movingAvg: keepalive timedout, last keepalive received was: …`.
/// ``message`` alone is what Kapacitor reports (for an `ErrorResponse`, exactly the agent's text).
public struct UDFHostError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// The configuration is invalid.
        public static let invalidConfig = Code(name: "invalidConfig")
        /// The UDF could not be started or connected to.
        public static let startFailed = Code(name: "startFailed")
        /// The UDF sent an `ErrorResponse`.
        public static let agentError = Code(name: "agentError")
        /// The UDF's output broke the protocol (bad frame, empty response, end without begin, …).
        public static let protocolViolation = Code(name: "protocolViolation")
        /// No response of any kind within the keepalive timeout.
        public static let keepaliveTimeout = Code(name: "keepaliveTimeout")
        /// The UDF process exited non-zero, or the connection broke.
        public static let exited = Code(name: "exited")
        /// `init` or `restore` answered `success: false`.
        public static let rejected = Code(name: "rejected")
        /// The session was aborted by its owner.
        public static let aborted = Code(name: "aborted")
        public var description: String { name }
    }

    public var code: Code
    /// The UDF's configured name.
    public var udf: String
    public var message: String

    public init(_ code: Code, udf: String, _ message: String) {
        self.code = code
        self.udf = udf
        self.message = message
    }

    public var description: String { "UDF \(udf): \(message)" }
}
