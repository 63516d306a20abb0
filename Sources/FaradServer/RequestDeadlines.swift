import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// How long a connection may take over each part of a request before it is closed.
public struct RequestTimeouts: Sendable, Equatable {
    /// Waiting for the next request on a kept-alive connection (and for the first one).
    public var idle: Duration = .seconds(60)
    /// From a request's first byte until its head (request line and headers) is complete.
    public var header: Duration = .seconds(10)
    /// From a request's head until its body is complete, however the bytes trickle.
    public var body: Duration = .seconds(300)

    public init() {}
}

/// Closes a connection that idles, trickles its headers or trickles its body past
/// ``RequestTimeouts``. A request whose body has arrived is never timed out: a long query runs
/// to its end.
///
/// It sits after the HTTP decoder, where request boundaries are known; a small companion handler
/// at the front of the pipeline (``FirstByteHandler``) tells it when the first byte of the next
/// request arrives, which separates idling from a slow head.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    enum Phase: Equatable {
        /// No byte of the next request yet.
        case idle
        /// Bytes of a request, not its whole head.
        case head
        /// The head, not yet the end of the body.
        case body
        /// The whole request is in; the route is answering.
        case answering
    }

    private let timeouts: RequestTimeouts
    private let logger: Logger
    private(set) var phase = Phase.idle
    private var deadline: Scheduled<Void>?
    private weak var context: ChannelHandlerContext?

    init(timeouts: RequestTimeouts, logger: Logger) {
        self.timeouts = timeouts
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        try? context.pipeline.syncOperations.addHandler(FirstByteHandler(owner: self), position: .first)
        enter(.idle)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    /// Bytes arrived at the front of the pipeline.
    func bytesArrived() {
        if phase == .idle { enter(.head) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: enter(.body)
        case .body: break
        case .end: enter(.answering)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), phase == .answering { enter(.idle) }
        context.write(data, promise: promise)
    }

    private func enter(_ next: Phase) {
        phase = next
        deadline?.cancel()
        deadline = nil
        let limit: Duration? = switch next {
        case .idle: timeouts.idle
        case .head: timeouts.header
        case .body: timeouts.body
        case .answering: nil
        }
        guard let limit, let context else { return }
        let expected = next
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: TimeAmount(limit)) { [weak self] in
            guard let self, self.phase == expected, let context = self.context else { return }
            self.logger.debug("connection closed: request timeout", metadata: [
                "phase": "\(expected)", "peer": "\(context.channel.remoteAddress?.description ?? "?")",
            ])
            context.close(promise: nil)
        }
    }
}

/// Tells the ``RequestDeadlineHandler`` that bytes arrived (before they are decoded).
final class FirstByteHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private weak var owner: RequestDeadlineHandler?

    init(owner: RequestDeadlineHandler) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.bytesArrived()
        context.fireChannelRead(data)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let clamped = min(max(seconds, -9_000_000_000), 9_000_000_000)
        self = .nanoseconds(clamped * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
