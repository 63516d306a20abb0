import FaradSystem
import Foundation
import KapacitorUDFTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `farad serve` binary on a free loopback port with a temporary data directory.
final class ServerProcess: Sendable {
    let process: ChildProcess
    let port: Int
    let dataDirectory: String
    private let ownsDirectory: Bool

    /// Starts `farad serve` and waits for its "listening" line.
    static func start(dataDirectory: String? = nil, arguments: [String] = []) throws -> ServerProcess {
        let directory = dataDirectory ?? Self.temporaryDirectory()
        let farad = try UDFTestAgent.builtExecutable(named: "farad")
        let process = try ChildProcess(
            executable: farad,
            arguments: ["serve", "--http-bind", "127.0.0.1:0", "--data-dir", directory, "--log-level", "warning"] + arguments,
            standardInput: .null, standardOutput: .pipe, standardError: .inherit)
        // Read stdout until the line with the port (or EOF if the server failed to start).
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 512)
        while !text.contains("\n") {
            let n = (try? buffer.withUnsafeMutableBytes { try process.standardOutput!.read(into: $0) }) ?? 0
            if n <= 0 { break }
            text += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        guard let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(text[range].split(separator: ":").last ?? "") else {
            _ = process.terminate(grace: .seconds(1))
            throw ServerTestError("farad serve did not start: \(text)")
        }
        return ServerProcess(process: process, port: port, dataDirectory: directory, ownsDirectory: dataDirectory == nil)
    }

    private init(process: ChildProcess, port: Int, dataDirectory: String, ownsDirectory: Bool) {
        self.process = process
        self.port = port
        self.dataDirectory = dataDirectory
        self.ownsDirectory = ownsDirectory
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "farad-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// SIGTERM, then wait; removes the data directory if this process made it.
    @discardableResult
    func stop(removingData: Bool = true) -> ProcessExitStatus {
        let status = process.terminate(grace: .seconds(10))
        process.standardOutput?.close()
        if removingData && ownsDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
        return status
    }

    func kill9() {
        process.signalGroup(SIGKILL)
        _ = process.waitBlocking(timeout: .seconds(10))
        process.standardOutput?.close()
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields["\(k)"] = "\(v)" }
        return Reply(status: http.statusCode, headers: fields, body: data)
    }

    func post(_ path: String, _ text: String, headers: [String: String] = [:]) async throws -> Reply {
        try await request("POST", path, body: Data(text.utf8), headers: headers)
    }

    func get(_ path: String) async throws -> Reply {
        try await request("GET", path)
    }

    /// Runs a KairosDB query and returns the JSON object.
    func query(_ json: String) async throws -> [String: Any] {
        let reply = try await post("/api/v1/datapoints/query", json)
        guard reply.status == 200 else { throw ServerTestError("query failed \(reply.status): \(reply.text)") }
        return try JSONSerialization.jsonObject(with: reply.body) as! [String: Any]
    }

    /// `values` of the first result of the first query.
    func values(_ json: String) async throws -> [[Any]] {
        let object = try await query(json)
        let queries = object["queries"] as! [[String: Any]]
        let results = queries[0]["results"] as! [[String: Any]]
        return results[0]["values"] as! [[Any]]
    }
}

struct ServerTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
