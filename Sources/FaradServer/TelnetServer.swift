import FaradCore
import FaradIngest
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// KairosDB's telnet listener: `put`/`putm`/`puts` lines, no replies (errors are logged with the
/// client's address), `version` answered with one line. Lines over 1,024 bytes are dropped.
struct TelnetServer: Service {
    let host: String
    let port: Int
    let context: ServerContext
    static let maxLine = 1024

    func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        context.logger.info("telnet listening", metadata: ["address": "\(host):\(server.channel.localAddress?.port ?? port)"])
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await handle(connection) }
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
