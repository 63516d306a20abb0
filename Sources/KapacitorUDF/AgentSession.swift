import FaradSystem
import KapacitorUDFWire
import Logging

/// How a session ended.
public enum SessionOutcome: Sendable, Hashable {
    /// The host ended the input at a frame boundary and all output was written.
    case completed
    /// The session ended with an error; its text was sent to the host as an `ErrorResponse`.
    case failed(String)
}

/// One conversation with a host over an input and an output descriptor (stdin/stdout, or both
/// directions of one socket connection).
///
/// Three parties share the work: a reader thread decodes frames and answers keepalives at once;
/// the handler runs in the calling task, one call at a time; a writer thread writes output as
/// soon as there is any. So keepalives are answered while a handler call is slow, and output
/// never waits for more input.
public struct AgentSession<Handler: UDFHandler>: Sendable {
    public let input: FileDescriptor
    public let output: FileDescriptor
    public let logger: Logger
    public let maximumFrameSize: Int

    public init(
        input: FileDescriptor,
        output: FileDescriptor,
        logger: Logger,
        maximumFrameSize: Int = FrameDecoder.defaultMaximumFrameSize
    ) {
        self.input = input
        self.output = output
        self.logger = logger
        self.maximumFrameSize = maximumFrameSize
    }

    /// Runs the session until the host ends its input or an error ends the session.
    ///
    /// Returns once every byte of output, including a final `ErrorResponse`, has been written.
    /// The descriptors stay open; closing them is the caller's job.
    public func run() async -> SessionOutcome {
        let channel: OutputChannel
        let waker: Waker
        // The requests of one read at a time: a handoff costs one lock for hundreds of points; at
        // most 4 reads wait, then the reader blocks and with it the host's writes (backpressure).
        let queue = ThreadToTaskQueue<[UDFRequest]>(capacity: 4)
        let reader: OSThread
        do {
            channel = try OutputChannel(fd: output, provides: Handler.info.provides)
            waker = try Waker()
            let (input, limit) = (input, maximumFrameSize)
            reader = try OSThread(name: "udf-reader") {
                Self.readLoop(input: input, waker: waker, queue: queue, channel: channel, maximumFrameSize: limit)
            }
        } catch {
            logger.error("cannot start UDF session", metadata: ["error": "\(error)"])
            return .failed("cannot start session: \(error)")
        }
        logger.debug("UDF session started")
        let outcome = await handle(queue: queue, channel: channel)
        queue.close()
        waker.wake()
        reader.join()
        if case .failed(let text) = outcome {
            logger.error("UDF session failed", metadata: ["error": "\(text)"])
            channel.send(.error(text))
        }
        channel.closeAndDrain()
        if let failure = channel.failure, outcome == .completed {
            return .failed("write error: \(failure)")
        }
        logger.debug("UDF session ended")
        return outcome
    }

    private func handle(queue: ThreadToTaskQueue<[UDFRequest]>, channel: OutputChannel) async -> SessionOutcome {
        var machine = AgentStateMachine(info: Handler.info)
        var handler: Handler?
        let emitter = Emitter(channel: channel)
        do {
            while let requests = try await queue.next() {
                for request in requests {
                    // Hot path: a point the rules allow goes straight to the handler.
                    if case .point(let p) = request, machine.acceptsPoints {
                        try await handler!.point(p, emitter: emitter)
                        continue
                    }
                    switch machine.receive(request) {
                    case .point(let p):
                        try await handler!.point(p, emitter: emitter)
                    case .reply(let response):
                        channel.send(response)
                    case .initialize(let r):
                        do {
                            handler = try Handler(options: try UDFOptions(r, info: Handler.info))
                            machine.didInitialize()
                            channel.send(.initialize(success: true, error: ""))
                        } catch {
                            logger.warning("UDF init failed", metadata: ["error": "\(error)"])
                            channel.send(.initialize(success: false, error: UDFError.text(of: error)))
                        }
                    case .snapshot:
                        channel.send(.snapshot(try await handler!.snapshot()))
                    case .restore(let blob):
                        do {
                            try await handler!.restore(blob)
                            channel.send(.restore(success: true, error: ""))
                        } catch {
                            channel.send(.restore(success: false, error: UDFError.text(of: error)))
                        }
                    case .beginBatch(let b):
                        try await handler!.beginBatch(b, emitter: emitter)
                    case .endBatch(let e):
                        try await handler!.endBatch(e, emitter: emitter)
                    case .fail(let error):
                        return .failed(error.message)
                    }
                }
                // The host may be waiting for this output before it sends more.
                channel.flush()
            }
            // End of input at a frame boundary.
            try await handler?.finish(emitter: emitter)
            return .completed
        } catch {
            // A handler error, or input that could not be read.
            return .failed(UDFError.text(of: error))
        }
    }

    /// Runs on the reader thread: read, split into frames, decode, answer keepalives, hand the
    /// rest to the handler task one read at a time.
    private static func readLoop(
        input: FileDescriptor,
        waker: Waker,
        queue: ThreadToTaskQueue<[UDFRequest]>,
        channel: OutputChannel,
        maximumFrameSize: Int
    ) {
        var decoder = FrameDecoder(maximumFrameSize: maximumFrameSize)
        while true {
            guard waker.waitReadable(input) else { return }
            let n: Int
            do {
                n = try decoder.read { (buffer) throws(SystemError) in try input.read(into: buffer) }
            } catch {
                queue.finish(throwing: UDFError(.io, "read error: \(error)"))
                return
            }
            var requests: [UDFRequest] = []
            do throws(WireError) {
                while let frame = try decoder.next() {
                    let request = try UDFRequest(decoding: frame)
                    if case .keepalive(let time) = request {
                        channel.send(.keepalive(time: time))
                    } else {
                        requests.append(request)
                    }
                }
                if n == 0 { try decoder.finish() }
            } catch {
                if !requests.isEmpty { queue.push(requests) }
                queue.finish(throwing: UDFError(.malformedInput, error.message))
                return
            }
            if !requests.isEmpty && !queue.push(requests) { return }
            if n == 0 {
                queue.finish()
                return
            }
        }
    }
}
