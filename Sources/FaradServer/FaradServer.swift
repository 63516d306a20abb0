import FaradEngine
import FaradIngest
import Foundation
import FaradStore
import FaradSystem
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// `farad serve`: the HTTP server (KairosDB `/api/v1`, InfluxDB `/write`, health, `/metrics`) in
/// front of the embedded store, run as services of one `ServiceGroup`. SIGTERM and SIGINT stop
/// accepting, finish in-flight requests, commit what was accepted and close the store.
///
/// ```swift
/// var configuration = ServerConfiguration()
/// configuration.port = 9092
/// try await FaradServer(configuration: configuration, logger: logger).run()
/// ```
public struct FaradServer: Sendable {
    public let configuration: ServerConfiguration
    public let logger: Logger
    public let metrics: ServerMetrics
    private let onListening: @Sendable (String, Int) async -> Void

    /// - Parameter onListening: called with the bound host and port once the server accepts
    ///   connections (the port is the real one when `configuration.port` is 0).
    public init(
        configuration: ServerConfiguration,
        logger: Logger,
        metrics: ServerMetrics = ServerMetrics(),
        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.onListening = onListening
    }

    /// Opens the store and serves until a shutdown signal.
    public func run() async throws {
        try DataDirectory.secure(configuration.dataDirectory)
        var configuration = configuration
        let descriptors = DescriptorLimit.raise(toAtMost: UInt64(configuration.maxConnections + DescriptorLimit.reserved))
        if descriptors < UInt64(configuration.maxConnections + DescriptorLimit.reserved) {
            let fitting = max(16, Int(descriptors) - DescriptorLimit.reserved)
            logger.warning("the descriptor limit is too low for --max-connections; using fewer", metadata: [
                "max-connections": "\(configuration.maxConnections)", "using": "\(fitting)", "nofile": "\(descriptors)",
            ])
            configuration.maxConnections = fitting
        }
        let store = try FaradStore(directory: configuration.dataDirectory, configuration: configuration.store, logger: logger)
        if configuration.tasks.outboxDirectory == nil { configuration.tasks.outboxDirectory = configuration.dataDirectory + "/outbox" }
        if configuration.tasks.batchSource == nil {
            // Batch queries go to the configured InfluxDB, as Kapacitor's do, else to the store.
            configuration.tasks.batchSource = configuration.tasks.influxDB.map { InfluxDBQueryClient(configuration: $0) }
                ?? StorageBatchSource(storage: StoreInfluxStorage(store: store), clock: configuration.tasks.wallClock)
        }
        let tasks = try TaskService(store: store, environment: configuration.tasks, logger: logger)
        let context = ServerContext(store: store, tasks: tasks, configuration: configuration, metrics: metrics, logger: logger)
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: LatencyMiddleware(metrics: metrics))
        router.add(middleware: BrowserGuard(configuration: configuration))
        KairosRoutes(context).register(on: router)
        InfluxRoutes(context).register(on: router)
        QueryRoutes(context).register(on: router)
        HealthRoutes(context).register(on: router)
        let topicHandlers = TopicHandlers(store: store, environment: configuration.tasks, logger: logger)
        topicHandlers.restore()
        defer { topicHandlers.topics.stopAll() }
        AlertRoutes(tasks: tasks, handlers: topicHandlers, bodies: context.bodies).register(on: router)
        TaskRoutes(tasks: tasks, bodies: context.bodies, identity: try ServerIdentity.load(from: store),
                   hostname: configuration.tasks.hostname ?? ProcessInfo.processInfo.hostName).register(on: router)

        let host = configuration.host
        let onListening = self.onListening
        let timeouts = configuration.timeouts
        let connectionLogger = logger
        let app = Application(
            router: router,
            server: .http1(configuration: .init(
                additionalChannelHandlers: [RequestDeadlineHandler(timeouts: timeouts, logger: connectionLogger)])),
            configuration: .init(
                address: .hostname(host, port: configuration.port), serverName: nil,
                availableConnectionsDelegate: ConnectionLimit(limit: configuration.maxConnections, logger: logger)),
            onServerRunning: { channel in
                await onListening(host, channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
        var services: [any Service] = [StoreService(store: store, metrics: metrics, interval: configuration.reclaimInterval, logger: logger), tasks]
        if let telnetHost = configuration.telnetHost {
            services.append(TelnetServer(host: telnetHost, port: configuration.telnetPort, context: context))
        }
        services.append(app)
        // SIGTERM and SIGINT through ``SignalWatcher``, not the group's own signal handling: that
        // uses a dispatch signal source, which on Linux can lose a signal delivered to a thread
        // that does not block it (see SignalWatcher).
        let group = ServiceGroup(
            configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [], logger: logger))
        let (signals, received) = AsyncStream.makeStream(of: Int32.self)
        try SignalWatcher.start([SIGTERM, SIGINT]) { received.yield($0) }
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await group.run()
                return true
            }
            tasks.addTask {
                for await sig in signals {
                    logger.notice("shutting down", metadata: ["signal": "\(sig)"])
                    await group.triggerGracefulShutdown()
                    break
                }
                return false
            }
            // The group ends last (it drains and closes the store); then the signal task goes.
            while let groupEnded = try await tasks.next() {
                if groupEnded {
                    tasks.cancelAll()
                    break
                }
            }
        }
    }
}

/// What every route needs.
struct ServerContext: Sendable {
    let store: FaradStore
    /// `nil` in servers without tasks (tests of the ingest path).
    var tasks: TaskService?
    let seriesTextCache = SeriesTextCache()
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let logger: Logger
    /// Every route reads its body through this, within the server-wide budget.
    let bodies: BodyReader

    init(store: FaradStore, tasks: TaskService?, configuration: ServerConfiguration, metrics: ServerMetrics, logger: Logger) {
        self.store = store
        self.tasks = tasks
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        bodies = BodyReader(
            maxBodyBytes: configuration.maxBodyBytes, maxInflatedBytes: configuration.maxInflatedBytes,
            budget: BodyBudget(limit: configuration.maxBodiesInFlightBytes))
    }
}

/// Keeps the store open while the server runs: reclaims points past their TTL and refreshes the
/// store gauges; on shutdown (after the HTTP server has drained) commits what is queued and closes.
struct StoreService: Service {
    let store: FaradStore
    let metrics: ServerMetrics
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var sinceReclaim: Duration = .zero
        let tick: Duration = min(.seconds(1), interval)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            metrics.storeBytes.set(Double(store.sizeOnDisk()))
            metrics.queuedPoints.set(Double(store.queuedPoints))
            if sinceReclaim >= interval {
                sinceReclaim = .zero
                do {
                    let removed = try store.reclaimExpired()
                    if removed > 0 { logger.debug("reclaimed expired chunks", metadata: ["chunks": "\(removed)"]) }
                } catch {
                    logger.error("reclaiming expired points failed", metadata: ["error": "\(error)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
            sinceReclaim += tick
        }
        store.close()
        logger.debug("store closed")
    }
}

/// Records each request's latency under its route.
struct LatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        defer {
            let path = request.uri.path
            let route = switch path {
            case "/api/v1/datapoints": "datapoints"
            case "/api/v1/datapoints/query": "query"
            case "/write", "/kapacitor/v1/write": "write"
            default: "other"
            }
            metrics.record(route: route, ContinuousClock.now - start)
        }
        return try await next(request, context)
    }
}
