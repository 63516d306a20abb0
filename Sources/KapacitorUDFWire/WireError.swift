/// A frame or message that cannot be read.
///
/// The ``message`` is the stable text that goes into an `ErrorResponse` or a host session
/// error, e.g. `unexpected EOF, expected 38 more bytes` (Kapacitor's own text for a truncated
/// frame) or `frame of 1073741824 bytes exceeds the maximum of 67108864 bytes`.
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// The input ended inside a frame.
        public static let truncated = Code(name: "truncated")
        /// A length varint longer than 10 bytes or over 64 bits.
        public static let malformedVarint = Code(name: "malformedVarint")
        /// A frame whose length exceeds the configured maximum.
        public static let frameTooLarge = Code(name: "frameTooLarge")
        /// Protobuf bytes that do not parse (bad wire type, length past the end, bad UTF-8).
        public static let malformedMessage = Code(name: "malformedMessage")
        /// A `Request`/`Response` with no message set, or one with a number this version does not know.
        public static let unknownMessage = Code(name: "unknownMessage")
        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    @usableFromInline
    static func malformed(_ what: String) -> WireError {
        WireError(.malformedMessage, "malformed protobuf: \(what)")
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` with typed throws.
    @inlinable
    func withWireBytes<R>(_ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R {
        do { return try withUnsafeBytes(body) } catch { throw error as! WireError }
    }
}

extension ArraySlice where Element == UInt8 {
    /// `withUnsafeBytes` with typed throws.
    @inlinable
    func withWireBytes<R>(_ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R {
        do { return try withUnsafeBytes(body) } catch { throw error as! WireError }
    }
}
