/// What `kapacitord config` prints: a kapacitor.conf with Kapacitor's sections and defaults,
/// commented where Farad reads a key, which `kapacitord -config` (and `farad serve --config`)
/// loads as it is. Sections Farad does not use are kept, so that the file also serves a Kapacitor.
enum SampleConfig {
    static let text = #"""
        # The hostname of this node. Alert templates see it as .ServerInfo.Hostname.
        hostname = "localhost"
        # Directory for storing a small amount of metadata about the server.
        # Farad keeps its store, task definitions and alert state here.
        data_dir = "/var/lib/kapacitor"

        # Do not apply configuration overrides during startup.
        skip-config-overrides = false

        # Default retention-policy, if a write is made to Kapacitor and
        # it does not have a retention policy associated with it,
        # then the retention policy will be set to this value
        default-retention-policy = ""

        [http]
          # HTTP API Server for Kapacitor (Farad: the task API, /write, /kapacitor/v1/write,
          # KairosDB's /api/v1). ":9092" listens on every interface.
          bind-address = ":9092"
          log-enabled = true
          write-tracing = false
          pprof-enabled = false
          https-enabled = false
          https-certificate = "/etc/ssl/kapacitor.pem"
          shared-secret = ""

        [config-override]
          enabled = true

        [logging]
            # Destination for logs: a file path, STDERR or STDOUT.
            file = "/var/log/kapacitor/kapacitor.log"
            # Logging level: DEBUG, INFO, WARN, ERROR or OFF.
            level = "INFO"

        [load]
          enabled = true
          dir = "/etc/kapacitor/load"

        [replay]
          dir = "/var/lib/kapacitor/replay"

        [storage]
          boltdb = "/var/lib/kapacitor/kapacitor.db"

        [task]
          # Farad checkpoints tasks on its own schedule; these keys are accepted.
          dir = "/var/lib/kapacitor/tasks"
          snapshot-interval = "60s"

        # Multiple InfluxDB configurations can be defined. Exactly one must be marked as
        # the default. Each one is given a name; influxDBOut writes to the default one,
        # or to the one its .cluster() names.
        [[influxdb]]
          enabled = true
          default = true
          name = "localhost"
          urls = ["http://localhost:8086"]
          username = ""
          password = ""
          timeout = 0
          insecure-skip-verify = false
          startup-timeout = "5m"
          disable-subscriptions = false
          subscription-mode = "cluster"
          subscription-protocol = "http"
          subscriptions-sync-interval = "1m0s"
          kapacitor-hostname = ""
          http-port = 0
          udp-bind = ""
          udp-buffer = 1000
          udp-read-buffer = 0
          [influxdb.subscriptions]
          [influxdb.excluded-subscriptions]
            _kapacitor = ["autogen"]

        # Alert handler settings.
        [alert]
          persist-topics = true

        # User defined functions: each a program spoken to over stdin/stdout with Kapacitor's
        # UDF protocol, or a unix socket.
        [udf]
        [udf.functions]
            # Example go UDF.
            # First compile example:
            #   go build -o avg_udf ./udf/agent/examples/moving_avg.go
            #
            # Use in TICKscript like:
            #   stream.goavg()
            #           .field('value')
            #           .size(10)
            #           .as('m_average')
            #
            # uncomment to enable
            #[udf.functions.goavg]
            #   prog = "./avg_udf"
            #   args = []
            #   timeout = "10s"

            # Example python UDF.
            # Use in TICKscript like:
            #   stream.pyavg()
            #           .field('value')
            #           .size(10)
            #           .as('m_average')
            #
            # uncomment to enable
            #[udf.functions.pyavg]
            #   prog = "/usr/bin/python3"
            #   args = ["-u", "./udf/agent/examples/moving_avg.py"]
            #   timeout = "10s"
            #   [udf.functions.pyavg.env]
            #       PYTHONPATH = "./udf/agent/py"

        # MQTT brokers for the .mqtt() alert handler; the default one unless .brokerName() says.
        [[mqtt]]
          enabled = false
          name = "localhost"
          default = false
          url = "tcp://localhost:1883"
          ssl-ca = ""
          ssl-cert = ""
          ssl-key = ""
          insecure-skip-verify = false
          client-id = ""
          username = ""
          password = ""

        # Endpoints for .post().endpoint(name).
        [[httppost]]
          endpoint = "example"
          url = "http://example.com"
          headers = { Example = "your-key" }
          basic-auth = { username = "my-user", password = "my-pass" }
          alert-template = ""
          row-template = ""

        [smtp]
          enabled = false
          host = "localhost"
          port = 25
          username = ""
          password = ""
          no-verify = false
          global = false
          state-changes-only = false
          from = ""
          idle-timeout = "30s"

        [slack]
          enabled = false
          url = ""
          channel = ""
          username = "kapacitor"
          icon-emoji = ""
          global = false
          state-changes-only = false

        [reporting]
          enabled = true
          url = "https://usage.influxdata.com"

        [stats]
          enabled = true
          stats-interval = "10s"
          database = "_kapacitor"
          retention-policy= "autogen"

        [deadman]
          interval = "10s"
          threshold = 0.0
          id = "{{ .Group }}:NODE_NAME for task '{{ .TaskName }}'"
          message = "{{ .ID }} is {{ if eq .Level \"OK\" }}alive{{ else }}dead{{ end }}: {{ index .Fields \"emitted\" | printf \"%0.3f\" }} points/INTERVAL."
          global = false

        """#
}
