import FaradSystem
import Foundation
import Testing

/// InfluxDB 1.x writes: plain HTTP, the `influx` CLI and the `influxdb` Python client.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct LineProtocolTests {
    @Test func writeAnswersAsInfluxDB() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let body = "cpu,host=a usage_user=1.5,usage_system=2i,ok=true 1718000000000\ncpu,host=b usage_user=3 1718000001000\n"
        for path in ["/write", "/kapacitor/v1/write"] {
            let reply = try await server.post("\(path)?db=telegraf&rp=autogen&precision=ms", body)
            #expect(reply.status == 204, "\(path): \(reply.text)")
        }
        let values = try await server.values(#"{"start_absolute":0,"metrics":[{"name":"cpu.usage_user"}]}"#)
        #expect(values.map { "\($0)" } == ["[1718000000000, 1.5]", "[1718000001000, 3]"])
        let system = try await server.values(#"{"start_absolute":0,"metrics":[{"name":"cpu.usage_system"}]}"#)
        #expect(system.map { "\($0)" } == ["[1718000000000, 2]"])
        let bools = try await server.values(#"{"start_absolute":0,"metrics":[{"name":"cpu.ok"}]}"#)
        #expect(bools.map { $0[1] as? String } == ["true"])

        let noDB = try await server.post("/write", body)
        #expect(noDB.status == 400)
        #expect(noDB.text == #"{"error":"database is required"}"#)
        let bad = try await server.post("/write?db=x", "cpu value=")
        #expect(bad.status == 400)
        #expect(bad.text == #"{"error":"unable to parse 'cpu value=': missing field value"}"#)
        // Good lines of a body with a bad one are stored, and the answer names the bad line.
        let partial = try await server.post("/write?db=x&precision=s", "mem free=1 1718000000\nmem free=\nmem free=3 1718000002\n")
        #expect(partial.status == 400)
        #expect(partial.text == #"{"error":"partial write: unable to parse 'mem free=': missing field value dropped=1"}"#)
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"mem.free"}]}"#).count == 2)

        for method in ["GET", "HEAD"] {
            let ping = try await server.request(method, "/kapacitor/v1/ping")
            #expect(ping.status == 204)
        }
    }

    @Test func influxCLIWrites() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/influx") else {
            Issue.record("the influx CLI (Debian influxdb-client) is not installed; .ci/run installs it")
            return
        }
        let server = try ServerProcess.start()
        defer { server.stop() }
        let status = try run("/usr/bin/influx", ["-host", "127.0.0.1", "-port", "\(server.port)", "-database", "clidb",
                                                  "-precision", "s", "-execute", "INSERT weather,city=x temp=21.5 1718000000"])
        #expect(status == 0)
        let values = try await server.values(#"{"start_absolute":0,"metrics":[{"name":"weather.temp","tags":{"city":"x"}}]}"#)
        #expect(values.map { "\($0)" } == ["[1718000000000, 21.5]"])
    }

    @Test func pythonInfluxDBClientWrites() async throws {
        guard (try? run("/usr/bin/env", ["python3", "-c", "import influxdb"])) == 0 else {
            Issue.record("the influxdb Python client is not installed; .ci/run installs it from PyPI")
            return
        }
        let server = try ServerProcess.start()
        defer { server.stop() }
        let script = """
            from influxdb import InfluxDBClient
            c = InfluxDBClient(host='127.0.0.1', port=\(server.port), database='pydb')
            assert c.ping()
            assert c.write_points([{'measurement': 'mem', 'tags': {'host': 'p'}, 'time': 1718000000000000000,
                                    'fields': {'used': 42, 'free': 1.5}}])
            assert c.write_points(['mem,host=q used=7i 1718000001'], time_precision='s', protocol='line')
            """
        #expect(try run("/usr/bin/env", ["python3", "-c", script]) == 0)
        let values = try await server.values(#"{"start_absolute":0,"metrics":[{"name":"mem.used"}]}"#)
        #expect(values.map { "\($0)" } == ["[1718000000000, 42]", "[1718000001000, 7]"])
    }

    @Test func telnetPutWhenEnabled() async throws {
        let port = try freePort()
        let server = try ServerProcess.start(arguments: ["--telnet-bind", "127.0.0.1:\(port)"])
        defer { server.stop() }
        let lines = "putm rack.power 1718000000000 412.5 rack=r12 phase=b\nput rack.power 1718000001 413 rack=r12 phase=b\nput bad\nputm lonely 1718000000000 1\nversion\n"
        let script = """
            import socket
            s = socket.create_connection(('127.0.0.1', \(port)))
            s.sendall(b'''\(lines)''')
            data = b''
            while not data.endswith(b'\\n'):
                data += s.recv(100)
            print(data.decode().strip())
            """
        #expect(try run("/usr/bin/env", ["python3", "-c", script]) == 0)
        // Lines are stored asynchronously after they are read: poll with a deadline.
        let deadline = ContinuousClock.now + .seconds(20)
        var values: [[Any]] = []
        while ContinuousClock.now < deadline {
            values = try await server.values(#"{"start_absolute":0,"metrics":[{"name":"rack.power"}]}"#)
            if values.count == 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(values.map { "\($0)" } == ["[1718000000000, 412.5]", "[1718000001000, 413]"])
        let lonely = try await server.post("/api/v1/datapoints/query/tags", #"{"start_absolute":0,"metrics":[{"name":"lonely"}]}"#)
        #expect(lonely.text.contains(#""tags":{"add":["tag"]}"#), "\(lonely.text)")
    }
}

/// Runs a tool to completion with FaradSystem's ChildProcess (not Foundation's Process, whose
/// pipe handling must not race the UDF host tests' descriptors); returns its status and stdout.
@discardableResult
func runTool(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: [UInt8]) {
    let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment,
                                 standardInput: .null, standardOutput: .pipe, standardError: .inherit)
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let n = (try? buffer.withUnsafeMutableBytes { try child.standardOutput!.read(into: $0) }) ?? 0
        if n <= 0 { break }
        output += buffer[0..<n]
    }
    child.standardOutput!.close()
    let status = child.waitBlocking(timeout: .seconds(120)) ?? child.terminate(grace: .seconds(1))
    switch status {
    case .exited(let code): return (code, output)
    default: return (-1, output)
    }
}

func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
    try runTool(executable, arguments).status
}

/// A loopback port that was free a moment ago.
func freePort() throws -> Int {
    let script = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
    let (_, out) = try runTool("/usr/bin/env", ["python3", "-c", script])
    guard let port = Int(String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw ServerTestError("no free port")
    }
    return port
}
