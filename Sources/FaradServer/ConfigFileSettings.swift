import FaradCore

/// What `farad serve --config` takes from a `kapacitor.conf` (or a `farad.toml`, its subset) for
/// the server itself — `hostname`, `data_dir`, `[http] bind-address`, `[logging] level` — after
/// Kapacitor's `KAPACITOR_*` environment overrides; and a warning for each section Farad does
/// not use. Flags and `FARAD_*` variables still win over the file.
///
/// ```swift
/// let settings = try ConfigFileSettings(toml: text, environment: ProcessInfo.processInfo.environment)
/// settings.httpBind   // ":9092" from [http] bind-address
/// ```
public struct ConfigFileSettings: Sendable {
    public var hostname: String?
    public var dataDirectory: String?
    /// `host:port` (`:9092` is every interface, as in Kapacitor).
    public var httpBind: String?
    /// A swift-log level name (Kapacitor's `DEBUG INFO WARN ERROR OFF` mapped).
    public var logLevel: String?
    /// `[logging] file`: a path, or `STDERR` / `STDOUT`.
    public var logFile: String?
    /// The file with the environment's overrides applied, for the task settings.
    public var root: TOMLValue
    /// One line per section Farad ignores.
    public var warnings: [String] = []

    /// Sections (and top-level keys) Farad reads, or accepts silently as having no effect.
    static let used: Set<String> = [
        "hostname", "data_dir", "http", "logging", "udf", "influxdb", "mqtt", "storage", "skip-config-overrides",
        "default-retention-policy", "alert", "httppost", "deadman",
    ]

    /// - Throws: ``TOMLError`` for text that is not TOML.
    public init(toml text: String, environment: [String: String]) throws {
        var root = try TOMLParser.parse(text)
        Self.applyOverrides(&root, environment)
        self.root = root
        guard case .table(let top) = root else { return }
        hostname = top["hostname"]?.string
        dataDirectory = top["data_dir"]?.string
        httpBind = root["http", "bind-address"]?.string
        logFile = root["logging", "file"]?.string
        if let level = root["logging", "level"]?.string {
            logLevel = Self.swiftLogLevel(kapacitor: level)
            if logLevel == nil { warnings.append("[logging] level \"\(level)\" is not DEBUG, INFO, WARN, ERROR or OFF: ignored") }
        }
        if case .bool(true)? = root["deadman", "global"] {
            warnings.append("kapacitor.conf [deadman] global = true is not supported by Farad: ignored (add |deadman(threshold, interval) to the tasks to watch)")
        }
        for key in top.keys.sorted() where !Self.used.contains(key) {
            warnings.append("kapacitor.conf [\(key)] is not used by Farad: ignored")
        }
    }

    /// Kapacitor's log level names (`DEBUG INFO WARN ERROR OFF`, any case) as swift-log's.
    public static func swiftLogLevel(kapacitor name: String) -> String? {
        switch name.uppercased() {
        case "DEBUG": "debug"
        case "INFO": "info"
        case "WARN", "WARNING": "warning"
        case "ERROR": "error"
        case "OFF": "critical"
        default: nil
        }
    }

    /// Kapacitor's environment overrides for the keys Farad reads: `KAPACITOR_HOSTNAME`,
    /// `KAPACITOR_DATA_DIR`, `KAPACITOR_HTTP_BIND_ADDRESS`, `KAPACITOR_LOGGING_LEVEL`, `KAPACITOR_LOGGING_FILE`,
    /// `KAPACITOR_INFLUXDB_<i>_URLS_<j>` (and `_ENABLED`, `_NAME`, `_DEFAULT`), `KAPACITOR_MQTT_<i>_URL`
    /// (and `_NAME`, `_ENABLED`, `_DEFAULT`, `_USERNAME`, `_PASSWORD`, `_CLIENT_ID`).
    static func applyOverrides(_ root: inout TOMLValue, _ environment: [String: String]) {
        guard case .table(var top) = root else { return }
        let plain: [(String, [String])] = [
            ("KAPACITOR_HOSTNAME", ["hostname"]), ("KAPACITOR_DATA_DIR", ["data_dir"]),
            ("KAPACITOR_HTTP_BIND_ADDRESS", ["http", "bind-address"]), ("KAPACITOR_LOGGING_LEVEL", ["logging", "level"]),
            ("KAPACITOR_LOGGING_FILE", ["logging", "file"]),
        ]
        for (name, path) in plain {
            if let v = environment[name] { set(&top, path, .string(v)) }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            let parts = name.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 4, parts[0] == "KAPACITOR", let section = ["INFLUXDB": "influxdb", "MQTT": "mqtt"][parts[1]],
                  let index = Int(parts[2]), index >= 0, index < 100 else { continue }
            let key = parts[3...].joined(separator: "-").lowercased()
            var tables = top[section].flatMap { v -> [TOMLValue]? in
                if case .array(let a) = v { return a }
                if case .table = v { return [v] }
                return nil
            } ?? []
            while tables.count <= index { tables.append(.table([:])) }
            guard case .table(var t) = tables[index] else { continue }
            if section == "influxdb", key.hasPrefix("urls-"), let j = Int(key.dropFirst(5)), j >= 0, j < 100 {
                var urls: [TOMLValue] = []
                if case .array(let a)? = t["urls"] { urls = a }
                while urls.count <= j { urls.append(.string("")) }
                urls[j] = .string(value)
                t["urls"] = .array(urls)
            } else if ["enabled", "default"].contains(key) {
                t[key] = .bool(value.lowercased() == "true")
            } else {
                t[key] = .string(value)
            }
            tables[index] = .table(t)
            top[section] = .array(tables)
        }
        root = .table(top)
    }

    private static func set(_ table: inout [String: TOMLValue], _ path: [String], _ value: TOMLValue) {
        guard let first = path.first else { return }
        if path.count == 1 {
            table[first] = value
            return
        }
        var inner = table[first]?.table ?? [:]
        set(&inner, Array(path.dropFirst()), value)
        table[first] = .table(inner)
    }
}
