import ArgumentParser
import FaradCore
import FaradEngine
import FaradServer
import FaradSystem
import Foundation
import Logging

/// `farad serve`: KairosDB and InfluxDB-compatible ingest and query on the embedded store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve KairosDB's /api/v1, InfluxDB's /write and Kapacitor's task API on an embedded, durable store.",
        discussion: """
            Every flag has an environment variable; the flag wins. With no arguments Farad listens on \
            127.0.0.1:9092 and keeps its data in ./farad-data. An answer 2xx to a write means the points \
            are committed to disk. SIGTERM or SIGINT finishes the requests in flight, commits and exits.

            TICKscript tasks (farad define …) read the points written to /write and /kapacitor/v1/write \
            for their dbrps; their definitions are stored and come back enabled after a restart. --config \
            takes Kapacitor's kapacitor.conf as it is: UDFs from its [udf.functions.NAME] sections (each \
            probed at start; one that fails is reported without stopping the server), influxDBOut's \
            [[influxdb]], alerts' [[mqtt]] brokers, and its server keys under Farad's own flags.
            """
    )

    @Option(name: .customLong("http-bind"), help: "HTTP address host:port; port 0 picks a free one. [FARAD_HTTP_BIND, default 127.0.0.1:9092]")
    var httpBind: String?

    @Option(name: .customLong("data-dir"), help: "Directory of the store. [FARAD_DATA_DIR, default ./farad-data]")
    var dataDir: String?

    @Option(name: .customLong("telnet-bind"), help: "KairosDB telnet (put/putm) address host:port; off unless given. [FARAD_TELNET_BIND]")
    var telnetBind: String?

    @Option(name: .customLong("max-body-size"), help: "Largest request body in bytes (413 beyond). [FARAD_MAX_BODY_SIZE, default 67108864]")
    var maxBodySize: Int?

    @Option(name: .customLong("max-inflated-size"), help: "Largest gzip body once inflated, in bytes (413 beyond). [FARAD_MAX_INFLATED_SIZE, default 268435456]")
    var maxInflatedSize: Int?

    @Option(name: .customLong("max-points-per-request"), help: "Most points in one request (413 beyond). [FARAD_MAX_POINTS_PER_REQUEST, default 1000000]")
    var maxPointsPerRequest: Int?

    @Option(name: .customLong("write-queue-points"), help: "Points waiting for commit beyond which writes get 503 + Retry-After. [FARAD_WRITE_QUEUE_POINTS, default 4000000]")
    var writeQueuePoints: Int?

    @Option(name: .customLong("sync"), help: "full: fsync every commit (survives power loss); normal: survives a crash of farad only. [FARAD_SYNC, default full]")
    var sync: String?

    @Flag(name: .customLong("kairosdb-complex"), help: "Register KairosDB's 'complex' data type (stock KairosDB does not). [FARAD_KAIROSDB_COMPLEX=1]")
    var kairosComplex = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. [FARAD_LOG_LEVEL, default info]")
    var logLevel: String?

    @Option(name: .customLong("log-file"), help: "Write logs to this file (created with its directory; STDERR and STDOUT as in Kapacitor) instead of stderr. [FARAD_LOG_FILE, or [logging] file]")
    var logFile: String?

    @Option(name: .customLong("log-format"), help: "text, or logfmt as Kapacitor writes its log (ts=… lvl=info msg=…). [FARAD_LOG_FORMAT, default text on stderr, logfmt in a file]")
    var logFormat: String?

    @Option(name: .customLong("hostname"), help: "This server's name in alert templates and /kapacitor/v1/debug/vars. [FARAD_HOSTNAME, or hostname in --config]")
    var hostname: String?

    @Option(name: .customLong("pidfile"), help: "Write the process ID to this file while serving.")
    var pidFile: String?

    /// `kapacitor` under the kapacitord name: Kapacitor's defaults (`:9092`, `~/.kapacitor`, the
    /// `KAPACITOR_*` variables applied even without a file) under the file and the flags.
    @Option(name: .customLong("defaults"), help: .hidden)
    var defaults: String?

    @Option(name: .customLong("config"), help: "A kapacitor.conf or farad.toml: hostname, data_dir, [http] bind-address, [logging] level, [udf.functions.NAME], [[influxdb]] urls, [[mqtt]] brokers (KAPACITOR_* variables override it; flags and FARAD_* win over it). [FARAD_CONFIG]")
    var configFile: String?

    @Option(name: .customLong("influxdb-url"), help: "InfluxDB 1.x that influxDBOut nodes write to, e.g. http://127.0.0.1:8086. [FARAD_INFLUXDB_URL]")
    var influxDBURL: String?

    @OptionGroup(title: "Limits")
    var limits: ServeLimitOptions

    @Option(name: .customLong("group-idle"), help: "Default for tasks: forget groups not seen for this long by the data clock, e.g. 1h (default: never, as Kapacitor). [FARAD_GROUP_IDLE]")
    var groupIdle: String?

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        func setting(_ flag: String?, _ name: String) -> String? { flag ?? env[name].flatMap { $0.isEmpty ? nil : $0 } }

        // A kapacitor.conf (or farad.toml): its server keys come under the flags and FARAD_* variables.
        var file: ConfigFileSettings?
        if let path = setting(configFile, "FARAD_CONFIG") {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read --config \(path)") }
            do {
                file = try ConfigFileSettings(toml: String(decoding: data, as: UTF8.self), environment: env)
            } catch {
                throw ValidationError("--config \(path): \(error)")
            }
        }
        let kapacitorDefaults = defaults == "kapacitor"
        if file == nil && kapacitorDefaults { file = try? ConfigFileSettings(toml: "", environment: env) }
        var config = ServerConfiguration()
        if kapacitorDefaults {
            (config.host, config.port) = ("0.0.0.0", 9092)
            config.dataDirectory = (env["HOME"].map { $0 + "/.kapacitor" }) ?? config.dataDirectory
        }
        if let bind = setting(httpBind, "FARAD_HTTP_BIND") ?? file?.httpBind {
            guard let (host, port) = ServerConfiguration.parseAddress(bind) else {
                throw ValidationError("--http-bind '\(bind)' is not host:port")
            }
            (config.host, config.port) = (host, port)
        }
        if let telnet = setting(telnetBind, "FARAD_TELNET_BIND") {
            guard let (host, port) = ServerConfiguration.parseAddress(telnet) else {
                throw ValidationError("--telnet-bind '\(telnet)' is not host:port")
            }
            (config.telnetHost, config.telnetPort) = (host, port)
        }
        config.dataDirectory = setting(dataDir, "FARAD_DATA_DIR") ?? file?.dataDirectory ?? config.dataDirectory
        if let v = try intSetting(maxBodySize, "FARAD_MAX_BODY_SIZE", env) { config.maxBodyBytes = v }
        if let v = try intSetting(maxInflatedSize, "FARAD_MAX_INFLATED_SIZE", env) { config.maxInflatedBytes = v }
        if let v = try intSetting(maxPointsPerRequest, "FARAD_MAX_POINTS_PER_REQUEST", env) { config.maxPointsPerRequest = v }
        if let v = try intSetting(writeQueuePoints, "FARAD_WRITE_QUEUE_POINTS", env) { config.store.maxQueuedPoints = v }
        switch setting(sync, "FARAD_SYNC") ?? "full" {
        case "full": config.store.syncEveryCommit = true
        case "normal": config.store.syncEveryCommit = false
        case let other: throw ValidationError("--sync must be full or normal, not '\(other)'")
        }
        config.registerComplexType = kairosComplex || env["FARAD_KAIROSDB_COMPLEX"] == "1"
        try limits.apply(to: &config, environment: env)

        let levelName = setting(logLevel, "FARAD_LOG_LEVEL") ?? file?.logLevel ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        let logPath = setting(logFile, "FARAD_LOG_FILE") ?? file?.logFile
        let format = setting(logFormat, "FARAD_LOG_FORMAT") ?? (logPath == nil || logPath == "STDERR" ? "text" : "logfmt")
        switch format {
        case "text":
            guard logPath == nil || logPath == "STDERR" else { throw ValidationError("--log-format text writes to stderr only: leave --log-format out (logfmt) or --log-file") }
            bootstrapLogging(level)
        case "logfmt":
            let output: LogOutput
            do { output = try LogOutput.open(logPath ?? "STDERR") } catch { throw ValidationError("\(error)") }
            LoggingSystem.bootstrap { label in
                var handler = LogfmtLogHandler(label: label, output: output)
                handler.logLevel = level
                return handler
            }
        default:
            throw ValidationError("--log-format must be text or logfmt, not '\(format)'")
        }
        let logger = Logger(label: "farad")
        let metrics = ServerMetrics()
        metrics.bootstrapMetricsSystem()
        config.tasks = TaskEnvironment(log: { level, line in
            let l = Logger(label: "farad.task.log")
            switch level {
            case "DEBUG": l.debug("\(line)")
            case "WARN": l.warning("\(line)")
            case "ERROR": l.error("\(line)")
            default: l.info("\(line)")
            }
        }, logger: Logger(label: "farad.task"))
        if let idle = setting(groupIdle, "FARAD_GROUP_IDLE") {
            guard let ns = DurationText.parse(idle), ns > 0 else { throw ValidationError("--group-idle must be a duration such as 1h, not '\(idle)'") }
            config.tasks.groupIdleTimeout = ns
        }
        if let file {
            for warning in file.warnings { logger.warning("\(warning)") }
            if let hostname = file.hostname { config.tasks.hostname = hostname }
            let tasks = try TaskEnvironment.FileConfiguration(root: file.root)
            for failure in await config.tasks.apply(tasks, logger: logger) {
                logger.error("UDF unavailable: its info probe failed", metadata: ["udf": "\(failure.udf)", "error": "\(failure.message)"])
            }
        }
        if let name = setting(hostname, "FARAD_HOSTNAME") { config.tasks.hostname = name }
        if let url = setting(influxDBURL, "FARAD_INFLUXDB_URL") {
            guard let endpoint = HTTPPost.Endpoint(url: url) else { throw ValidationError("--influxdb-url must be http://host:port, not '\(url)'") }
            config.tasks.influxDB = InfluxDBOutConfiguration(endpoint: endpoint)
        }
        let dataDirectory = config.dataDirectory
        let server = FaradServer(configuration: config, logger: logger, metrics: metrics) { host, port in
            // Tests and scripts read this line to find the port (the flag may say 0).
            let line = "farad serve: listening on http://\(host):\(port) (data in \(dataDirectory))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        if let pidFile { try PIDFile.write(pidFile) }
        defer { if let pidFile { PIDFile.remove(pidFile) } }
        try await server.run()
    }

    private func intSetting(_ flag: Int?, _ name: String, _ env: [String: String]) throws -> Int? {
        if let flag { return flag }
        guard let text = env[name], !text.isEmpty else { return nil }
        guard let v = Int(text), v > 0 else { throw ValidationError("\(name)='\(text)' is not a positive integer") }
        return v
    }
}
