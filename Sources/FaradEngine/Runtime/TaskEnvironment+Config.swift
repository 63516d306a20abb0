import FaradCore
import FaradSystem
import FaradUDFHost
import Logging

extension TaskEnvironment {
    /// What a `farad.toml` configures for tasks: `[udf.functions.*]` sections (Kapacitor's keys)
    /// and `[influxdb] url = "http://127.0.0.1:8086"` (or Kapacitor's `urls = [...]`).
    public struct FileConfiguration: Sendable {
        public var udfs: [UDFFunctionConfig] = []
        public var influxDB: InfluxDBOutConfiguration?

        public init() {}

        /// Reads the TOML text of a config file.
        public init(toml text: String) throws {
            udfs = try UDFFunctionConfig.load(toml: text)
            let root = try TOMLParser.parse(text)
            guard let section = root["influxdb"] else { return }
            var url: String?
            switch section {
            case .table(let t):
                url = t["url"]?.string
                if url == nil, case .array(let urls)? = t["urls"] { url = urls.first?.string }
            case .array(let tables):
                // [[influxdb]] urls = [...], as in kapacitor.conf.
                if case .table(let t)? = tables.first, case .array(let urls)? = t["urls"] { url = urls.first?.string }
            default:
                break
            }
            if let url {
                guard let endpoint = HTTPPost.Endpoint(url: url) else {
                    throw UDFHostError(.invalidConfig, udf: "influxdb", "[influxdb] url must be http://host:port, got \(url)")
                }
                influxDB = InfluxDBOutConfiguration(endpoint: endpoint)
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
