import Dispatch
import FaradSystem
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The entry point of a UDF executable.
///
/// ```swift
/// // main.swift
/// import KapacitorUDF
/// await UDFAgent.main(MovingAverage.self)
/// ```
///
/// Without arguments the UDF speaks on stdin/stdout, as Kapacitor's `prog` UDFs do; with
/// `--socket PATH` it serves sessions on a Unix socket (Kapacitor's `socket` UDFs) until SIGTERM
/// or SIGINT. Logs go to stderr, never stdout.
public enum UDFAgent {
    /// Runs `handler` as the process's UDF and exits: 0 when the host ended the session cleanly
    /// (or the socket server was stopped), 1 after an error, 2 for bad arguments.
    public static func main<H: UDFHandler>(
        _ handler: H.Type,
        name: String = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "udf") } ?? "udf",
        arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) async -> Never {
        let options: Arguments
        do {
            options = try Arguments(arguments)
        } catch {
            writeStderr("\(name): \(error.message)\n\(usage(name))")
            exit(2)
        }
        if options.help {
            writeStderr(usage(name))
            exit(0)
        }
        // A host that goes away must surface as a write error, not kill the UDF silently.
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = options.logLevel
            return handler
        }
        let logger = Logger(label: name)
        if let path = options.socket {
            do {
                let server = try UDFSocketServer<H>(path: path, logger: logger, maximumFrameSize: options.maximumFrameSize)
                let signals = stopOnSignals([SIGTERM, SIGINT], server.stop)
                try await server.run()
                withExtendedLifetime(signals) {}
                exit(0)
            } catch {
                logger.error("UDF socket server failed", metadata: ["error": "\(error)"])
                exit(1)
            }
        }
        FileDescriptor.standardInput.setPipeBufferSize(1 << 20)
        FileDescriptor.standardOutput.setPipeBufferSize(1 << 20)
        let session = AgentSession<H>(
            input: .standardInput, output: .standardOutput, logger: logger, maximumFrameSize: options.maximumFrameSize)
        switch await session.run() {
        case .completed: exit(0)
        case .failed: exit(1)
        }
    }

    static func usage(_ name: String) -> String {
        """
        usage: \(name) [--socket PATH] [--log-level LEVEL] [--max-frame-size BYTES]

        A Kapacitor UDF. Without --socket it talks on stdin/stdout (kapacitor.conf: prog = "\(name)").
          --socket PATH          serve sessions on a Unix socket (kapacitor.conf: socket = "PATH")
          --log-level LEVEL      trace, debug, info, notice, warning, error or critical (default info;
                                 env UDF_LOG_LEVEL); logs go to stderr
          --max-frame-size N     largest accepted frame in bytes (default 67108864)

        """
    }

    private static func writeStderr(_ text: String) {
        try? FileDescriptor.standardError.writeAll(Array(text.utf8))
    }

    private static func stopOnSignals(_ signals: [Int32], _ stop: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        signals.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: stop)
            source.resume()
            return source
        }
    }

    struct Arguments {
        var socket: String?
        var help = false
        var logLevel: Logger.Level
        var maximumFrameSize = 64 << 20

        struct Problem: Error { let message: String }

        init(_ arguments: [String]) throws(Problem) {
            let env = getenv("UDF_LOG_LEVEL").map { String(cString: $0) }
            logLevel = env.flatMap(Logger.Level.init(rawValue:)) ?? .info
            var rest = arguments[...]
            while let arg = rest.popFirst() {
                switch arg {
                case "-h", "--help": help = true
                case "--socket", "-socket":
                    guard let v = rest.popFirst() else { throw Problem(message: "\(arg) needs a path") }
                    socket = v
                case "--log-level":
                    guard let v = rest.popFirst(), let level = Logger.Level(rawValue: v) else {
                        throw Problem(message: "--log-level needs one of trace, debug, info, notice, warning, error, critical")
                    }
                    logLevel = level
                case "--max-frame-size":
                    guard let v = rest.popFirst(), let n = Int(v), n > 0 else {
                        throw Problem(message: "--max-frame-size needs a positive number of bytes")
                    }
                    maximumFrameSize = n
                default:
                    throw Problem(message: "unknown argument \(arg)")
                }
            }
        }
    }
}
