import FaradCore
import FaradEngine
import FaradServer
import Testing

/// kapacitor.conf as Kapacitor's users and Intel's service write it, with KAPACITOR_* overrides.
@Suite struct ConfigFileSettingsTests {
    static let sample = """
        hostname = "edge-1"
        data_dir = "/var/lib/kapacitor"
        skip-config-overrides = false
        default-retention-policy = ""

        [http]
          bind-address = ":9092"
          auth-enabled = false
          log-enabled = true

        [logging]
          file = "STDERR"
          level = "INFO"

        [storage]
          boltdb = "/var/lib/kapacitor/kapacitor.db"

        [[influxdb]]
          enabled = true
          default = true
          name = "localhost"
          urls = ["http://localhost:8086"]

        [smtp]
          enabled = false
          host = "localhost"

        [[mqtt]]
          enabled = true
          name = "localhost"
          default = true
          url = "tcp://localhost:1883"

        [udf]
        [udf.functions]
          [udf.functions.windturbine_anomaly_detector]
            prog = "python3"
            args = ["-u", "/tmp/udfs/windturbine_anomaly_detector.py"]
            timeout = "60s"
            [udf.functions.windturbine_anomaly_detector.env]
              PYTHONPATH = "/tmp/py_package"
        """

    @Test func serverKeysAndWarnings() throws {
        let s = try ConfigFileSettings(toml: Self.sample, environment: [:])
        #expect(s.hostname == "edge-1")
        #expect(s.dataDirectory == "/var/lib/kapacitor")
        #expect(s.httpBind == ":9092")
        #expect(s.logLevel == "info")
        #expect(s.warnings == ["kapacitor.conf [smtp] is not used by Farad: ignored"])
    }

    @Test func deadmanSectionGivesTheTemplatesAndWarnsOfGlobal() throws {
        let text = """
            [deadman]
              interval = "10s"
              id = "dead:NODE_NAME"
              message = "{{ .ID }} quiet for INTERVAL"
              global = true
            """
        let s = try ConfigFileSettings(toml: text, environment: [:])
        #expect(s.warnings == ["kapacitor.conf [deadman] global = true is not supported by Farad: ignored (add |deadman(threshold, interval) to the tasks to watch)"])
        let file = try TaskEnvironment.FileConfiguration(root: s.root)
        #expect(file.deadman.id == "dead:NODE_NAME")
        #expect(file.deadman.message == "{{ .ID }} quiet for INTERVAL")
        #expect(TaskEnvironment.FileConfiguration().deadman == DeadmanDefaults())
    }

    @Test func kapacitorEnvironmentOverrides() throws {
        let s = try ConfigFileSettings(toml: Self.sample, environment: [
            "KAPACITOR_HTTP_BIND_ADDRESS": "127.0.0.1:9999", "KAPACITOR_LOGGING_LEVEL": "DEBUG", "KAPACITOR_DATA_DIR": "/data",
            "KAPACITOR_INFLUXDB_0_URLS_0": "http://influx:8086", "KAPACITOR_MQTT_0_URL": "tcp://ia-mqtt-broker:1883",
        ])
        #expect(s.httpBind == "127.0.0.1:9999")
        #expect(s.logLevel == "debug")
        #expect(s.dataDirectory == "/data")
        #expect(Self.first(s.root, "influxdb")?["urls"] == TOMLValue.array([.string("http://influx:8086")]))
        #expect(Self.first(s.root, "mqtt")?["url"]?.string == "tcp://ia-mqtt-broker:1883")
    }

    /// The first table of `[[section]]`.
    static func first(_ root: TOMLValue, _ section: String) -> [String: TOMLValue]? {
        guard case .array(let tables)? = root[section] else { return nil }
        return tables.first?.table
    }
}
