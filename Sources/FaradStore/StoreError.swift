/// An error of the embedded store.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The write queue is full; nothing of the write was stored. Retry later.
        public static let queueFull = Code(name: "queueFull")
        /// The store is closed.
        public static let closed = Code(name: "closed")
        /// SQLite failed (disk full, I/O error, …).
        public static let database = Code(name: "database")
        /// The write itself is refused (a name with a NUL byte, times and values of different
        /// lengths); nothing of it was stored, and other writes are not affected.
        public static let invalid = Code(name: "invalid")
        /// Stored bytes do not decode.
        public static let corrupt = Code(name: "corrupt")
        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
