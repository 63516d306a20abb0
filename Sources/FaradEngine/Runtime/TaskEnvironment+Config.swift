import FaradCore
import FaradMQTT
import FaradSystem
import FaradUDFHost
import Logging

extension TaskEnvironment {
    /// What a `farad.toml` configures for tasks: `[udf.functions.*]` sections (Kapacitor's keys)
    /// and `[influxdb] url = "http://127.0.0.1:8086"` (or Kapacitor's `urls = [...]`).
    public struct FileConfiguration: Sendable {
        public var udfs: [UDFFunctionConfig] = []
        public var influxDB: InfluxDBOutConfiguration?
        /// `[[mqtt]]` brokers (`enabled = true` ones; Kapacitor's keys `name`, `default`, `url`,
        /// `client-id`, `username`, `password`).
        public var mqtt: [MQTTClient.Configuration] = []
        /// `[[httppost]]` endpoints for `.post().endpoint(name)`.
        public var httpPost: [HTTPPostEndpoint] = []
        /// `[deadman]`'s `id` and `message`.
        public var deadman = DeadmanDefaults()

        public init() {}

        /// Reads the TOML text of a config file.
        public init(toml text: String) throws {
            try self.init(root: try TOMLParser.parse(text))
        }

        /// Reads a parsed config file (with `KAPACITOR_*` overrides applied, for `farad serve`).
        public init(root: TOMLValue) throws {
            udfs = try UDFFunctionConfig.load(root: root)
            mqtt = try Self.mqttBrokers(root["mqtt"])
            httpPost = try HTTPPostEndpoint.load(root["httppost"])
            if let id = root["deadman", "id"]?.string { deadman.id = id }
            if let message = root["deadman", "message"]?.string { deadman.message = message }
            guard let section = root["influxdb"] else { return }
            var url: String?
            var chosenTable: [String: TOMLValue]?
            switch section {
            case .table(let t):
                chosenTable = t
                url = t["url"]?.string
                if url == nil, case .array(let urls)? = t["urls"] { url = urls.first?.string }
            case .array(let tables):
                // [[influxdb]] urls = [...], as in kapacitor.conf: the enabled `default = true` one,
                // else the first enabled one.
                let enabled = tables.compactMap(\.table).filter { t in
                    if case .bool(false)? = t["enabled"] { return false }
                    return true
                }
                let chosen = enabled.first { t in
                    if case .bool(true)? = t["default"] { return true }
                    return false
                } ?? enabled.first
                chosenTable = chosen
                if let t = chosen, case .array(let urls)? = t["urls"] { url = urls.first?.string }
            default:
                break
            }
            if let url {
                guard let endpoint = HTTPPost.Endpoint(url: url) else {
                    throw UDFHostError(.invalidConfig, udf: "influxdb", "[influxdb] url must be http://host:port, got \(url)")
                }
                var configuration = InfluxDBOutConfiguration(endpoint: endpoint)
                if let user = chosenTable?["username"]?.string, !user.isEmpty {
                    configuration.credentials = .init(username: user, password: chosenTable?["password"]?.string ?? "")
                }
                influxDB = configuration
            }
        }
    }

    /// Takes a config file's task settings: its InfluxDB, `[[httppost]]` endpoints, `[deadman]`, `[[mqtt]]`
    /// brokers (connected) and UDFs (probed); returns the UDFs whose probe failed.
    public mutating func apply(_ file: FileConfiguration, logger: Logger) async -> [UDFHostError] {
        influxDB = file.influxDB
        httpPostEndpoints = file.httpPost
        deadman = file.deadman
        connect(file.mqtt, logger: logger)
        return await register(file.udfs, logger: logger)
    }

    /// Connects to every configured broker (in the background: a broker that is down is retried).
    public mutating func connect(_ brokers: [MQTTClient.Configuration], logger: Logger) {
        for config in brokers {
            do {
                let client = try MQTTClient(config)
                try client.start()
                mqttBrokers.append(client)
            } catch {
                logger.error("cannot start the MQTT client", metadata: ["broker": "\(config.name)", "error": "\(error)"])
            }
        }
    }

    /// Probes every configured UDF (Kapacitor's info request at start) and registers the ones
    /// that answer. Returns the failures: a UDF failing its probe is reported, not fatal.
    public mutating func register(_ udfs: [UDFFunctionConfig], logger: Logger) async -> [UDFHostError] {
        var failures: [UDFHostError] = []
        for config in udfs {
            do {
                let info = try await UDFSession.probe(config, logger: logger)
                self.udfs[config.name] = UDFRegistration(config: config, info: info)
            } catch {
                failures.append(error)
            }
        }
        return failures
    }
}

extension TaskEnvironment.FileConfiguration {
    /// `[[mqtt]]` tables (or one `[mqtt]` table).
    static func mqttBrokers(_ value: TOMLValue?) throws -> [MQTTClient.Configuration] {
        let tables: [[String: TOMLValue]]
        switch value {
        case nil: return []
        case .table(let t)?: tables = [t]
        case .array(let items)?: tables = items.compactMap { if case .table(let t) = $0 { t } else { nil } }
        default: throw UDFHostError(.invalidConfig, udf: "mqtt", "[[mqtt]] must be tables of name, url, default…")
        }
        var brokers: [MQTTClient.Configuration] = []
        for t in tables {
            if case .bool(false)? = t["enabled"] { continue }
            let name = t["name"]?.string ?? "default"
            let url = t["url"]?.string ?? ""
            guard let (host, port) = MQTTClient.Configuration.address(url) else {
                throw UDFHostError(.invalidConfig, udf: "mqtt", "[[mqtt]] \(name): url must be tcp://host:port, got \"\(url)\"")
            }
            var isDefault = false
            if case .bool(let d)? = t["default"] { isDefault = d }
            brokers.append(MQTTClient.Configuration(name: name, host: host, port: port, clientID: t["client-id"]?.string ?? "",
                                                    username: t["username"]?.string ?? "", password: t["password"]?.string ?? "",
                                                    isDefault: isDefault))
        }
        return brokers
    }
}
