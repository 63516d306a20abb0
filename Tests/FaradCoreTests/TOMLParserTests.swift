import FaradCore
import Testing

@Suite struct TOMLParserTests {
    @Test func kapacitorConfShapes() throws {
        let text = #"""
            # Kapacitor's own sections are read and left alone.
            hostname = "localhost"
            data_dir = '/var/lib/kapacitor'

            [http]
              bind-address = ":9092"
              log-enabled = true

            [[influxdb]]
              enabled = true
              urls = ["http://localhost:8086",
                      "http://backup:8086", # trailing comma and comment
                     ]
              timeout = 0
              [influxdb.subscriptions]
                telegraf = [ "autogen" ]

            [[influxdb]]
              name = "second"

            [udf]
            [udf.functions]
                [udf.functions.movingAvg]
                    prog = "/usr/bin/python3"
                    args = ["-u", "/etc/kapacitor/udf/moving_avg.py"]
                    timeout = "10s"
                    [udf.functions.movingAvg.env]
                        PYTHONPATH = "/tmp/kapacitor_udf/kapacitor/udf/agent/py"
                [udf.functions."my-mirror"]
                    socket = "/tmp/mirror.sock"
                    timeout = "10s"
            [smtp]
              port = 25
              ratio = 1.5e3
              hex = 0xff
              big = 1_000
              when = 1979-05-27T07:32:00Z
              inline = { a = 1, b.c = "x" }
              multi = """
            line one
            line two"""
              unicode = "caf\u00e9"
            """#
        let root = try TOMLParser.parse(text)
        #expect(root["hostname"] == .string("localhost"))
        #expect(root["data_dir"] == .string("/var/lib/kapacitor"))
        #expect(root["http", "log-enabled"] == .bool(true))
        guard case .array(let influx)? = root["influxdb"] else { Issue.record("no influxdb array"); return }
        #expect(influx.count == 2)
        #expect(influx[0]["urls"] == .array([.string("http://localhost:8086"), .string("http://backup:8086")]))
        #expect(influx[0]["subscriptions", "telegraf"] == .array([.string("autogen")]))
        #expect(influx[1]["name"] == .string("second"))
        #expect(root["udf", "functions", "movingAvg", "args"] == .array([.string("-u"), .string("/etc/kapacitor/udf/moving_avg.py")]))
        #expect(root["udf", "functions", "movingAvg", "env", "PYTHONPATH"] == .string("/tmp/kapacitor_udf/kapacitor/udf/agent/py"))
        #expect(root["udf", "functions", "my-mirror", "socket"] == .string("/tmp/mirror.sock"))
        #expect(root["smtp", "port"] == .integer(25))
        #expect(root["smtp", "ratio"] == .float(1500))
        #expect(root["smtp", "hex"] == .integer(255))
        #expect(root["smtp", "big"] == .integer(1000))
        #expect(root["smtp", "when"] == .datetime("1979-05-27T07:32:00Z"))
        #expect(root["smtp", "inline", "b", "c"] == .string("x"))
        #expect(root["smtp", "multi"] == .string("line one\nline two"))
        #expect(root["smtp", "unicode"] == .string("café"))
    }

    @Test(arguments: [
        ("a = ", "line 1, column 5: expected a value"),
        ("a = 1\na = 2", "line 2, column 1: duplicate key a"),
        ("[t]\nx = \"open", "line 2, column 10: unterminated string"),
        ("a = 1 b = 2", "line 1, column 7: expected the end of the line"),
        ("a = [1, 2", "line 1, column 10: expected , or ] in array"),
        ("a = 1\n[a]", "line 2, column 1: a is already defined and is not a table"),
        ("x = 'one\ntwo'", "line 1, column 9: newline in a literal string"),
    ])
    func errorsNameLineAndColumn(_ text: String, _ message: String) {
        let error = #expect(throws: TOMLError.self) { try TOMLParser.parse(text) }
        #expect(error?.description == message)
    }
}

@Suite struct DurationTextTests {
    @Test(arguments: [("10s", 10_000_000_000), ("1m30s", 90_000_000_000), ("500ms", 500_000_000), ("1.5h", 5_400_000_000_000),
                      ("2d", 172_800_000_000_000), ("1w", 604_800_000_000_000), ("250us", 250_000), ("0", 0), ("-5s", -5_000_000_000)] as [(String, Int64)])
    func parses(_ text: String, _ ns: Int64) {
        #expect(DurationText.parse(text) == ns)
    }

    @Test(arguments: ["", "10", "s", "10x", "1..5s"])
    func rejects(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test(arguments: [(0, "0s"), (10_000_000_000, "10s"), (90_000_000_000, "1m30s"), (1_500_000_000, "1.5s"),
                      (250_000_000, "250ms"), (3_600_000_000_000, "1h0m0s"), (500, "500ns")] as [(Int64, String)])
    func formatsLikeGo(_ ns: Int64, _ text: String) {
        #expect(DurationText.format(ns) == text)
    }
}
