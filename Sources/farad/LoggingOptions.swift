import ArgumentParser
import FaradServer
import FaradSystem
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (logs go to stderr).")
    var logLevel: String = "warning"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func makeLogger() -> Logger {
        bootstrapLogging(Logger.Level(rawValue: logLevel) ?? .warning)
        return Logger(label: "farad")
    }
}

/// Logs of every command go to standard error from `level` up.
func bootstrapLogging(_ level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = LazyMetadataLogHandler(StreamLogHandler.standardError(label: label))
        handler.logLevel = level
        return handler
    }
}

/// The signal being handled (0: none). Set before UDF children are ended, so that work failing
/// because of it does not decide the exit status.
let shutdownSignal = Atomic<Int32>(0)

/// On SIGTERM, SIGINT or SIGHUP: end every UDF child (SIGTERM to its process group, SIGKILL after a
/// grace period), then exit with 128 + the signal. No UDF process outlives `farad`.
func installShutdownHandlers() throws {
    signal(SIGPIPE, SIG_IGN)
    try SignalWatcher.start([SIGTERM, SIGINT, SIGHUP]) { sig in
        // A second signal while the first is handled waits here; the first one exits.
        shutdownSignal.store(sig, ordering: .releasing)
        ChildProcess.signalAllGroups(SIGTERM)
        let deadline = ContinuousClock.now + .seconds(2)
        while ChildProcess.liveCount > 0 && ContinuousClock.now < deadline { usleep(10_000) }
        ChildProcess.signalAllGroups(SIGKILL)
        let deadline2 = ContinuousClock.now + .seconds(2)
        while ChildProcess.liveCount > 0 && ContinuousClock.now < deadline2 { usleep(10_000) }
        exit(128 + sig)
    }
}
