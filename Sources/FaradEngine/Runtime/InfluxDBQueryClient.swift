import FaradCore
import FaradInfluxQL
import FaradSystem

/// Batch queries sent to the `[[influxdb]]` cluster, as Kapacitor sends them: a POST to
/// `/query` with the statement as `q` (times asked as nanoseconds, so none is rounded).
/// The blocking HTTP exchange runs on a thread of its own, never on the task's executor.
public struct InfluxDBQueryClient: BatchSource {
    public let configuration: InfluxDBOutConfiguration
    /// The cluster's name in the config (`[[influxdb]] name`), which `.cluster()` may give.
    public let name: String
    public var timeoutSeconds = 60

    public init(configuration: InfluxDBOutConfiguration, name: String = "default") {
        self.configuration = configuration
        self.name = name
    }

    public func knows(cluster: String) -> Bool { cluster.isEmpty || cluster == name }

    public func query(_ statement: InfluxQLSelect, cluster: String) async throws(BatchSourceError) -> [InfluxQLResultSeries] {
        let body = Array("q=\(InfluxDBWriter.escape(statement.description))&epoch=ns".utf8)
        let (configuration, timeout) = (configuration, timeoutSeconds)
        let answer: Result<(status: Int, body: [UInt8]), SystemError> = await withCheckedContinuation { continuation in
            do throws(SystemError) {
                try OSThread.detached(name: "farad-batch-query") {
                    continuation.resume(returning: Result { () throws(SystemError) in
                        try HTTPPost.send("POST", to: configuration.endpoint, path: "/query", body: body,
                                          contentType: "application/x-www-form-urlencoded", headers: configuration.authorizationHeaders,
                                          timeoutSeconds: timeout)
                    })
                }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        let (status, response): (Int, [UInt8])
        switch answer {
        case .success(let r): (status, response) = r
        case .failure(let error): throw BatchSourceError("cannot query InfluxDB at \(configuration.endpoint): \(error)")
        }
        return try Self.decode(status: status, response)
    }

    /// The series of InfluxDB's JSON answer to one statement (`epoch=ns`).
    static func decode(status: Int, _ body: [UInt8]) throws(BatchSourceError) -> [InfluxQLResultSeries] {
        let json: JSONValue
        do { json = try JSONValue.parse(body) } catch {
            throw BatchSourceError("InfluxDB answered \(status) with a body that is not JSON: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        if let error = json["error"]?.stringValue { throw BatchSourceError("InfluxDB: \(error)") }
        guard status == 200 else { throw BatchSourceError("InfluxDB answered \(status)") }
        let result = json["results"]?.arrayValue?.first
        if let error = result?["error"]?.stringValue { throw BatchSourceError("InfluxDB: \(error)") }
        var out: [InfluxQLResultSeries] = []
        for s in result?["series"]?.arrayValue ?? [] {
            let columns = (s["columns"]?.arrayValue ?? []).map { $0.stringValue ?? "" }
            let tags = s["tags"]?.objectValue?.map { (key: $0.0, value: $0.1.stringValue ?? "") }
            var series = InfluxQLResultSeries(name: s["name"]?.stringValue, tags: tags, columns: columns)
            for row in s["values"]?.arrayValue ?? [] {
                let cells = row.arrayValue ?? []
                series.values.append(cells.enumerated().map { i, cell in
                    if i < columns.count, columns[i] == "time", case .number(let t) = cell, let ns = Int64(t) { return .time(ns) }
                    switch cell {
                    case .number(let t): return Int64(t).map { .value(.integer($0)) } ?? Double(t).map { .value(.float($0)) } ?? .null
                    case .string(let s): return .value(.string(s))
                    case .bool(let b): return .value(.boolean(b))
                    default: return .null
                    }
                })
            }
            out.append(series)
        }
        return out
    }
}
