import FaradMQTT
import FaradUDFHost
import KapacitorUDFWire
import Logging

/// A configured UDF and what its info probe answered.
public struct UDFRegistration: Sendable {
    public var config: UDFFunctionConfig
    public var info: UDFInfo

    public init(config: UDFFunctionConfig, info: UDFInfo) {
        self.config = config
        self.info = info
    }
}

/// What tasks may use: UDFs, the InfluxDB to write to, where log nodes write, group expiry.
public struct TaskEnvironment: Sendable {
    /// UDFs by TICKscript name (`@name()`), probed.
    public var udfs: [String: UDFRegistration]
    /// Where influxDBOut writes; `nil` makes influxDBOut an error at define time.
    public var influxDB: InfluxDBOutConfiguration?
    /// Receives every line a log node writes, with its level.
    public var log: @Sendable (_ level: String, _ line: String) -> Void
    public var logger: Logger
    /// Forget groups not seen for this long by the task's data clock (ns); `nil`: never (Kapacitor).
    public var groupIdleTimeout: Int64?
    /// The server's name in alert templates (`.ServerInfo.Hostname`): kapacitor.conf's `hostname`,
    /// else the machine's.
    public var hostname: String?
    /// Where influxDBOut nodes keep what InfluxDB has not taken
    /// (`<dir>/task-<task>/<node>.outbox`); `nil`: in memory only.
    public var outboxDirectory: String?

    /// The directory of task `id`'s outboxes: `task-<id>`, so that no task ID (`..` is a valid
    /// one) names a directory outside ``outboxDirectory``.
    public func outboxDirectory(forTask id: String) -> String? {
        outboxDirectory.map { "\($0)/task-\(id)" }
    }
    /// The `.inhibit()`s of the running tasks, one registry for all tasks of a server.
    public var inhibitors = AlertInhibitors()
    /// The named alert topics (`.topic('cpu')`) and their handlers, one registry per server.
    public var topics = AlertTopics()
    /// Where alert nodes keep their state across restarts and reloads (`nil`: not kept).
    public var alertStateStore: (any AlertStateStore)?
    /// `[[httppost]]` endpoints, for `.post().endpoint(name)`.
    public var httpPostEndpoints: [HTTPPostEndpoint] = []
    /// The `[[mqtt]]` brokers, connected once and shared by every task's `.mqtt()` handlers.
    public var mqttBrokers: [MQTTClient] = []
    /// The clock of `stats` nodes (and so of `deadman`), the only ones that act on real time.
    public var wallClock: any WallClock = SystemWallClock()
    /// Where batch tasks' queries run; `nil` makes `batch|query()` an error at define time.
    public var batchSource: (any BatchSource)?
    /// `[deadman]`'s `id` and `message`, the templates `|deadman()` gives its alert.
    public var deadman = DeadmanDefaults()

    /// The broker `.mqtt()` uses: the one named, else the `default = true` one, else the only one.
    func mqttBroker(named name: String?) -> MQTTClient? {
        if let name, !name.isEmpty { return mqttBrokers.first { $0.configuration.name == name } }
        return mqttBrokers.first { $0.configuration.isDefault } ?? (mqttBrokers.count == 1 ? mqttBrokers[0] : nil)
    }

    public init(
        udfs: [String: UDFRegistration] = [:], influxDB: InfluxDBOutConfiguration? = nil,
        log: @escaping @Sendable (String, String) -> Void = { _, _ in }, logger: Logger = Logger(label: "farad.task"),
        groupIdleTimeout: Int64? = nil
    ) {
        self.udfs = udfs
        self.influxDB = influxDB
        self.log = log
        self.logger = logger
        self.groupIdleTimeout = groupIdleTimeout
    }
}
