import FaradSystem
import FaradTestSupport
import Foundation
import KapacitorUDFTesting
import Testing

/// The binary in `kapacitord`'s and `kapacitor`'s place: the names (symlinks) as Intel's service
/// calls them, Kapacitor's output formats and exit statuses, and Intel's wind-turbine pipeline
/// (`Examples/tsa-wind-turbine/run.sh`) against a real influxd and mosquitto.
@Suite(.serialized) struct KapacitorDropInTests {
    /// A directory with `kapacitord` and `kapacitor` symlinks to the built `farad`.
    static func namedBinaries() throws -> String {
        let directory = ServerProcess.temporaryDirectory()
        let farad = try UDFTestAgent.builtExecutable(named: "farad")
        for name in ["kapacitord", "kapacitor"] {
            try FileManager.default.createSymbolicLink(atPath: directory + "/" + name, withDestinationPath: farad)
        }
        return directory
    }

    /// Runs `command` in a shell with `env` added; its status and stdout+stderr.
    static func shell(_ command: String, _ env: [String: String] = [:]) throws -> (Int32, String) {
        let environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new }
        let (status, output) = try runTool("/bin/sh", ["-c", command + " 2>&1"], environment: environment)
        return (status, String(decoding: output, as: UTF8.self))
    }

    @Test func theKapacitorCommandLineSpeaksKapacitorsFormatsAndStatuses() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let bin = try Self.namedBinaries()
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let env = ["KAPACITOR_URL": "http://127.0.0.1:\(server.port)", "TZ": "UTC"]
        let tick = bin + "/cpu_alert.tick"
        try "dbrp \"telegraf\".\"autogen\"\nstream|from().measurement('cpu')|alert().crit(lambda: \"v\" > 1).log('\(bin)/alerts.log')\n"
            .write(toFile: tick, atomically: true, encoding: .utf8)

        #expect(try Self.shell("\(bin)/kapacitor -skipVerify define cpu_alert -tick \(tick)", env) == (0, ""))
        #expect(try Self.shell("\(bin)/kapacitor -skipVerify enable cpu_alert", env) == (0, ""))
        let list = try Self.shell("\(bin)/kapacitor list tasks", env)
        #expect(list.1 == """
            ID        Type      Status    Executing Databases and Retention Policies
            cpu_alert stream    enabled   true      ["telegraf"."autogen"]

            """)
        let show = try Self.shell("\(bin)/kapacitor show cpu_alert", env).1
        #expect(show.hasPrefix("ID: cpu_alert\nError: \nTemplate: \nType: stream\nStatus: enabled\nExecuting: true\nCreated: "), "\(show)")
        #expect(show.contains("\nDatabases Retention Policies: [\"telegraf\".\"autogen\"]\nTICKscript:\ndbrp \"telegraf\".\"autogen\"\n"))
        #expect(show.contains("\nDOT:\ndigraph cpu_alert {"))
        let stats = try Self.shell("\(bin)/kapacitor stats general", env).1
        #expect(stats.contains("Tasks:                        1                             \nEnabled Tasks:                1"), "\(stats)")
        // The alert node's anonymous topic, as Kapacitor names it, once an event was collected.
        // (The topic is there from the start, as the handlers' registration makes it in Kapacitor.)
        #expect(try Self.shell("\(bin)/kapacitor list topics", env).1 == "ID                    Level     Collected\nmain:cpu_alert:alert2 OK                0\n")
        #expect(try await server.post("/write?db=telegraf", "cpu v=5 1000000000").status == 204)
        let topics = try await TaskPeerTests.eventually("the topic") { () -> String? in
            let out = try Self.shell("\(bin)/kapacitor list topics", env).1
            return out.contains("CRITICAL") ? out : nil
        }
        #expect(topics == "ID                    Level     Collected\nmain:cpu_alert:alert2 CRITICAL          1\n", "\(topics)")
        let topic = try Self.shell("\(bin)/kapacitor show-topic main:cpu_alert:alert2", env).1
        #expect(topic.hasPrefix("""
            ID: main:cpu_alert:alert2
            Level: CRITICAL
            Collected: 1
            Handlers: []
            Events:
            Event   Level    Message             Date                   \ncpu:nil CRITICAL cpu:nil is CRITICAL 01 Jan 70 00:00 UTC
            """), "\(topic)")
        // Glob patterns, as Kapacitor's: nothing matching is no error.
        #expect(try Self.shell("\(bin)/kapacitor disable 'cpu_*'", env).0 == 0)
        #expect(try Self.shell("\(bin)/kapacitor list tasks", env).1.contains("cpu_alert stream    disabled  false"))
        #expect(try Self.shell("\(bin)/kapacitor enable nothing_matches", env) == (0, ""))

        // Exit statuses: 1 a usage error, 2 a bad flag, 3 a failed command.
        #expect(try Self.shell("\(bin)/kapacitor", env).0 == 1)
        #expect(try Self.shell("\(bin)/kapacitor frobnicate", env).0 == 1)
        let badFlag = try Self.shell("\(bin)/kapacitor -nope list tasks", env)
        #expect(badFlag.0 == 2 && badFlag.1.hasPrefix("flag provided but not defined: -nope"))
        try "stream|from().measurement('cpu')|nonsense()\n".write(toFile: bin + "/bad.tick", atomically: true, encoding: .utf8)
        let bad = try Self.shell("\(bin)/kapacitor define bad -tick \(bin)/bad.tick -dbrp telegraf.autogen", env)
        #expect(bad.0 == 3 && bad.1.hasPrefix("invalid TICKscript:"), "\(bad)")
        let both = try Self.shell("\(bin)/kapacitor define other -tick \(tick) -dbrp telegraf.autogen", env)
        #expect(both == (3, "cannot specify dbrp in both implicitly and explicitly\n"))
        let missing = try Self.shell("\(bin)/kapacitor show nope", env)
        #expect(missing.0 == 3)
        #expect(try Self.shell("\(bin)/kapacitor delete tasks cpu_alert", env) == (0, ""))
        #expect(try Self.shell("\(bin)/kapacitor list tasks", env).1 == "ID Type      Status    Executing Databases and Retention Policies\n")
        // The same through farad's own name.
        let farad = try UDFTestAgent.builtExecutable(named: "farad")
        #expect(try Self.shell("\(farad) kapacitor version").1.hasPrefix("Kapacitor OSS "))
    }

    @Test func kapacitordRunsTheSampleConfigWithAPidfileAndALogFile() async throws {
        let bin = try Self.namedBinaries()
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let (status, sample) = try Self.shell("\(bin)/kapacitord config")
        #expect(status == 0 && sample.contains("[[influxdb]]") && sample.contains("[[mqtt]]"))
        try sample.write(toFile: bin + "/kapacitor.conf", atomically: true, encoding: .utf8)
        let port = try freePort()
        // Kapacitor's environment overrides on top of the sample, as in a container.
        let env = ProcessInfo.processInfo.environment.merging([
            "KAPACITOR_HTTP_BIND_ADDRESS": "127.0.0.1:\(port)", "KAPACITOR_DATA_DIR": bin + "/data",
            "KAPACITOR_LOGGING_FILE": bin + "/log/kapacitor/kapacitor.log", "KAPACITOR_INFLUXDB_0_ENABLED": "false",
        ]) { _, new in new }
        let daemon = try ChildProcess(
            executable: bin + "/kapacitord", arguments: ["-config", bin + "/kapacitor.conf", "-hostname", "edge-1", "-pidfile", bin + "/run/kapacitord.pid"],
            environment: env, standardInput: .null, standardOutput: .null, standardError: .inherit)
        let log = bin + "/log/kapacitor/kapacitor.log"
        let started = await eventually {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("msg=\"Server started and listening on 127.0.0.1:\(port)\"")
        }
        #expect(started, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "no log")")
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(text.contains(" lvl=warn msg=\"kapacitor.conf [smtp] is not used by Farad: ignored\" service=farad"))
        #expect((try? String(contentsOfFile: bin + "/run/kapacitord.pid", encoding: .utf8)) == "\(daemon.pid)")
        let stats = try Self.shell("\(bin)/kapacitor -url http://127.0.0.1:\(port) stats general").1
        #expect(stats.contains("Host:                         edge-1"), "\(stats)")
        #expect(daemon.terminate(grace: .seconds(10)) == .exited(0))
        #expect(!FileManager.default.fileExists(atPath: bin + "/run/kapacitord.pid"))
        #expect(try Self.shell("\(bin)/kapacitord version").1.hasPrefix("Kapacitor OSS "))
        #expect(try Self.shell("\(bin)/kapacitord -nope").0 == 2)
    }

    /// Intel's wind-turbine pipeline, started as Intel's service starts Kapacitor, with its
    /// Python UDF on the kapacitor.udf agent API: every point the UDF returns in InfluxDB, one
    /// MQTT message per anomalous point, no UDF process after SIGTERM (run.sh checks each).
    @Test func intelsWindTurbinePipelineRunsAsIntelsServiceStartsIt() async throws {
        let influx = try await InfluxDProcess.start()
        defer { influx.stop() }
        let mqtt = try await MosquittoProcess()
        defer { mqtt.stop() }
        let work = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let root = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        let (status, output) = try Self.shell("/\(root)/Examples/tsa-wind-turbine/run.sh", [
            "FARAD": try UDFTestAgent.builtExecutable(named: "farad"), "WORK": work, "KAPACITOR_PORT": "\(try freePort())",
            "INFLUXDB_URL": influx.url, "MQTT_BROKER_HOST": "127.0.0.1", "MQTT_BROKER_PORT": "\(mqtt.port)", "TIMEOUT": "90",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("InfluxDB: 300 points; MQTT alerts/wind_turbine: 25 messages"), "\(output)")
        #expect(output.contains("no UDF process left. OK"))
    }
}
