import FaradServer
import Logging
import Synchronization
import Testing

/// The lines of `LazyMetadataLogHandler` are those `StreamLogHandler` writes for the same logger.
@Suite struct LazyMetadataLogHandlerTests {
    final class Lines: TextOutputStream, Sendable {
        let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    /// The lines without their timestamps (everything before a line's first space).
    static func body(_ text: String) -> String {
        text.split(separator: "\n").map { String($0.drop { $0 != " " }) }.joined(separator: "\n")
    }

    static func logBoth(_ setup: (inout Logger) -> Void, _ write: (Logger) -> Void) -> (lazy: String, stream: String) {
        let a = Lines(), b = Lines()
        var lazy = Logger(label: "farad.test") { label in
            LazyMetadataLogHandler(StreamLogHandler(label: label, stream: a, metadataProvider: nil))
        }
        var stream = Logger(label: "farad.test") { label in
            StreamLogHandler(label: label, stream: b, metadataProvider: nil)
        }
        setup(&lazy)
        setup(&stream)
        write(lazy)
        write(stream)
        return (body(a.text.withLock { $0 }), body(b.text.withLock { $0 }))
    }

    @Test func sameLinesAsStreamLogHandler() {
        let cases: [(inout Logger) -> Void] = [
            { _ in },
            { $0[metadataKey: "hb.request.id"] = "42" },
            { $0[metadataKey: "b"] = "1"; $0[metadataKey: "a"] = "2"; $0.logLevel = .debug },
        ]
        for setup in cases {
            let (lazy, stream) = Self.logBoth(setup) { logger in
                logger.info("plain")
                logger.warning("with metadata", metadata: ["a": "explicit", "c": "3"])
                logger.debug("debug")
                logger.trace("never")
            }
            #expect(lazy == stream)
            #expect(lazy.contains("[FaradServerTests] plain"))
            #expect(!lazy.contains("never"))
        }
    }

    @Test func explicitMetadataWins() {
        let (lazy, _) = Self.logBoth({ $0[metadataKey: "a"] = "logger" }) { logger in
            logger.error("x", metadata: ["a": "event"])
        }
        #expect(lazy.contains("a=event"))
        #expect(!lazy.contains("a=logger"))
    }
}
