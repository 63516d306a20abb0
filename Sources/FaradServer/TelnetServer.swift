import FaradCore
import FaradIngest
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// KairosDB's telnet listener: `put`/`putm`/`puts` lines, no replies (errors are logged with the
/// client's address), `version` answered with one line. Lines over 1,024 bytes are dropped.
/// Connections count against `--max-connections` as HTTP ones do (the two limits are separate),
/// and one that sends nothing for `--idle-timeout` is closed.
struct TelnetServer: Service {
    let host: String
    let port: Int
    let context: ServerContext
    static let maxLine = 1024
    private let open = OpenConnections()

    init(host: String, port: Int, context: ServerContext) {
        self.host = host
        self.port = port
        self.context = context
    }

    func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { [idle = context.configuration.timeouts.idle] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: TimeAmount(idle)))
                    try channel.pipeline.syncOperations.addHandler(CloseOnIdle())
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        context.logger.info("telnet listening", metadata: ["address": "\(host):\(server.channel.localAddress?.port ?? port)"])
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    let limit = context.configuration.maxConnections
                    for try await connection in inbound {
                        guard open.count.add(1, ordering: .relaxed).newValue <= limit else {
                            open.count.subtract(1, ordering: .relaxed)
                            context.logger.warning("telnet connection refused: connection limit reached", metadata: ["limit": "\(limit)"])
                            connection.channel.close(promise: nil)
                            continue
                        }
                        group.addTask {
                            defer { open.count.subtract(1, ordering: .relaxed) }
                            await handle(connection)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    private func handle(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let peer = connection.channel.remoteAddress?.description ?? "?"
        try? await connection.executeThenClose { inbound, outbound in
            var pending: [UInt8] = []
            var dropping = false
            for try await chunk in inbound {
                var writes: [SeriesWrite] = []
                for byte in chunk.readableBytesView {
                    if byte == 0x0A {
                        if !dropping, let line = String(validating: pending.last == 0x0D ? pending.dropLast() : pending[...], as: UTF8.self) {
                            if let reply = process(line, into: &writes, peer: peer) {
                                try await outbound.write(ByteBuffer(string: reply + "\n"))
                            }
                        }
                        pending.removeAll(keepingCapacity: true)
                        dropping = false
                    } else if pending.count >= Self.maxLine {
                        dropping = true
                    } else {
                        pending.append(byte)
                    }
                }
                await store(writes)
            }
        }
    }

    private func process(_ line: String, into writes: inout [SeriesWrite], peer: String) -> String? {
        do {
            switch try TelnetParser.parse(line) {
            case .version: return KairosRoutes.version
            case .empty: return nil
            case .put(let key, let time, let value, let ttl):
                writes.append(SeriesWrite(key: key, ttl: ttl, times: [time], values: [value]))
            }
        } catch {
            context.metrics.rejected(.telnet, 1)
            context.logger.warning("telnet line refused", metadata: ["client": "\(peer)", "error": "\(error)"])
        }
        return nil
    }

    private func store(_ writes: [SeriesWrite]) async {
        guard !writes.isEmpty else { return }
        do {
            try await context.store.append(writes)
            context.metrics.ingested(.telnet, writes.count)
        } catch {
            context.metrics.rejected(.telnet, writes.count)
            context.logger.error("telnet points not stored", metadata: ["error": "\(error)"])
        }
    }
}

/// Closes a telnet connection once `IdleStateHandler` reports it idle.
final class CloseOnIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// The telnet connections open now.
final class OpenConnections: Sendable {
    let count = Atomic<Int>(0)
}
