import FaradSystem
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves a UDF on a Unix socket: every connection is an independent session with its own
/// handler instance, as Kapacitor opens one per info probe and one per task node.
///
/// ```swift
/// let server = UDFSocketServer<Mirror>(path: "/tmp/mirror.sock", logger: logger)
/// try await server.run()   // until stop() or cancellation
/// ```
public final class UDFSocketServer<Handler: UDFHandler>: Sendable {
    public let path: String
    private let logger: Logger
    private let maximumFrameSize: Int
    private let waker: Waker
    private let connections = Mutex<Set<Int32>>([])

    public init(path: String, logger: Logger, maximumFrameSize: Int = 64 << 20) throws(SystemError) {
        self.path = path
        self.logger = logger
        self.maximumFrameSize = maximumFrameSize
        waker = try Waker()
    }

    /// Listens at ``path`` (removing a stale socket file first) and serves connections until
    /// ``stop()`` is called or the task is cancelled. Then it stops accepting, ends every open
    /// session as if its host had closed the connection (output is flushed), removes the socket
    /// file and returns.
    /// - Throws: ``SystemError`` if the socket cannot be created (path in use, no permission, …).
    public func run() async throws {
        let listener = try UnixSocket.listen(path: path)
        defer {
            listener.close()
            unlink(path)
        }
        logger.info("UDF socket server listening", metadata: ["path": "\(path)"])
        let (incoming, continuation) = AsyncStream.makeStream(of: FileDescriptor.self)
        let acceptor = try OSThread(name: "udf-accept") { [self] in
            while true {
                do {
                    guard let conn = try UnixSocket.accept(listener, waker: waker) else { break }
                    connections.withLock { _ = $0.insert(conn.rawValue) }
                    continuation.yield(conn)
                } catch {
                    logger.error("accept failed", metadata: ["error": "\(error)"])
                    usleep(50_000)
                }
            }
            continuation.finish()
        }
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for await conn in incoming {
                    group.addTask { [self] in
                        var sessionLogger = logger
                        sessionLogger[metadataKey: "connection"] = "\(conn.rawValue)"
                        let session = AgentSession<Handler>(
                            input: conn, output: conn, logger: sessionLogger, maximumFrameSize: maximumFrameSize)
                        _ = await session.run()
                        connections.withLock { _ = $0.remove(conn.rawValue) }
                        conn.close()
                    }
                }
            }
        } onCancel: {
            self.stop()
        }
        acceptor.join()
        logger.info("UDF socket server stopped", metadata: ["path": "\(path)"])
    }

    /// Stops accepting and ends open sessions gracefully. Safe to call from any thread, any time.
    public func stop() {
        waker.wake()
        connections.withLock { open in
            for fd in open { FileDescriptor(rawValue: fd).shutdown(.read) }
        }
    }
}
