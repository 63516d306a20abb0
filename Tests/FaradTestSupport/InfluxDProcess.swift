import FaradSystem
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real InfluxDB 1.x (`influxd`, Debian's `influxdb` package) on a free loopback port, with
/// its data in a temporary directory: the target of influxDBOut in end-to-end tests.
public final class InfluxDProcess: Sendable {
    public let port: Int
    private let process: Mutex<ChildProcess?>
    let directory: String

    /// Starts `influxd` and waits (polling its log, with a deadline) until it listens.
    /// With `authEnabled`, InfluxDB asks for credentials (create the first admin user without).
    public static func start(authEnabled: Bool = false) async throws -> InfluxDProcess {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/influxd") else {
            throw AgentSetupError("influxd is not installed: apt-get install influxdb (.ci/run installs it)")
        }
        let directory = NSTemporaryDirectory() + "farad-influxd-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = """
            reporting-disabled = true
            bind-address = "127.0.0.1:0"
            [meta]
              dir = "\(directory)/meta"
            [data]
              dir = "\(directory)/data"
              wal-dir = "\(directory)/wal"
              query-log-enabled = false
            [http]
              bind-address = "127.0.0.1:0"
              log-enabled = false
              auth-enabled = \(authEnabled)
            [monitor]
              store-enabled = false
            """
        try config.write(toFile: directory + "/influxdb.conf", atomically: true, encoding: .utf8)
        let log = directory + "/influxd.log"
        let process = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "exec /usr/bin/influxd -config '\(directory)/influxdb.conf' 2> '\(log)'"],
            standardInput: .null, standardOutput: .null, standardError: .null)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("Listening on HTTP") }),
               let range = line.range(of: #"addr=127\.0\.0\.1:\d+"#, options: .regularExpression),
               let port = Int(line[range].split(separator: ":").last ?? "") {
                return InfluxDProcess(port: port, process: process, directory: directory)
            }
            if process.exitStatus != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        _ = process.terminate(grace: .seconds(5))
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: directory)
        throw AgentSetupError("influxd did not start: \(text.suffix(500))")
    }

    private init(port: Int, process: ChildProcess, directory: String) {
        self.port = port
        self.process = Mutex(process)
        self.directory = directory
    }

    /// Stops the server and keeps its data (a restart finds it).
    public func stopServer() {
        let running = process.withLock { p in
            defer { p = nil }
            return p
        }
        _ = running?.terminate(grace: .seconds(10))
    }

    /// Starts the server again on the same port and data, and waits until it listens.
    public func restart() async throws {
        var config = try String(contentsOfFile: directory + "/influxdb.conf", encoding: .utf8)
        config = config.replacingOccurrences(of: "  bind-address = \"127.0.0.1:0\"", with: "  bind-address = \"127.0.0.1:\(port)\"")
        try config.write(toFile: directory + "/influxdb.conf", atomically: true, encoding: .utf8)
        let log = directory + "/influxd-restart.log"
        try? FileManager.default.removeItem(atPath: log)
        let child = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "exec /usr/bin/influxd -config '\(directory)/influxdb.conf' 2> '\(log)'"],
            standardInput: .null, standardOutput: .null, standardError: .null)
        process.withLock { $0 = child }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("Listening on HTTP") { return }
            if child.exitStatus != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw AgentSetupError("influxd did not restart: \(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(500))")
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Runs an InfluxQL statement through `/query` and returns the JSON text.
    public func query(_ statement: String, database: String = "", user: String? = nil, password: String = "") async throws -> String {
        var components = URLComponents(string: url + "/query")!
        components.queryItems = [URLQueryItem(name: "q", value: statement), URLQueryItem(name: "epoch", value: "s")]
            + (database.isEmpty ? [] : [URLQueryItem(name: "db", value: database)])
            + (user.map { [URLQueryItem(name: "u", value: $0), URLQueryItem(name: "p", value: password)] } ?? [])
        var request = URLRequest(url: components.url!)
        request.httpMethod = "POST"
        let (data, _) = try await URLSession.shared.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }

    /// SIGTERM, wait, remove the data directory.
    public func stop() {
        stopServer()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
