import Foundation

/// The scale benchmark's queries, each asked the way its server is asked: KairosDB JSON for Farad
/// (metrics `m.v` and `big.v`, every namespace), InfluxQL over `/query` for InfluxDB.
struct ScaleQueries {
    let flavor: ScaleFlavor
    let connection: ScaleConnection

    /// Points of measurement `metric` (`m` or `big`) over all time.
    func count(metric: String, database: String) throws -> Int {
        switch flavor {
        case .farad:
            let values = try kairos(#"{"start_absolute":0,"metrics":[{"name":"\#(metric).v","aggregators":[{"name":"count","sampling":{"value":100,"unit":"years"}}]}]}"#)
            return values.reduce(0) { $0 + integer($1, 1) }
        case .influxdb:
            let rows = try influx("SELECT count(v) FROM \(metric)", database: database)
            return rows.reduce(0) { $0 + integer($1, 1) }
        }
    }

    /// The mean of `big.v` over all time.
    func mean() throws -> Double {
        let values: [[Any]]
        switch flavor {
        case .farad:
            values = try kairos(#"{"start_absolute":0,"metrics":[{"name":"big.v","aggregators":[{"name":"avg","sampling":{"value":100,"unit":"years"}}]}]}"#)
        case .influxdb:
            values = try influx("SELECT mean(v) FROM big", database: "big")
        }
        guard values.count == 1 else { throw BenchError("mean: \(values.count) values, expected 1") }
        return number(values[0], 1)
    }

    /// Points of the series of `host` (one of a million).
    func seriesByHost(_ host: String) throws -> Int {
        switch flavor {
        case .farad:
            return try kairos(#"{"start_absolute":0,"metrics":[{"name":"m.v","tags":{"host":["\#(host)"]}}]}"#).count
        case .influxdb:
            return try influx("SELECT * FROM m WHERE host='\(host)'", database: "bench").count
        }
    }

    /// The newest `n` points of `big`: how many came back, and the newest one's time in seconds.
    func newest(_ n: Int) throws -> (Int, Int64) {
        switch flavor {
        case .farad:
            let values = try kairos(#"{"start_absolute":0,"metrics":[{"name":"big.v","order":"desc","limit":\#(n)}]}"#)
            return (values.count, values.first.map { Int64(integer($0, 0) / 1000) } ?? -1)
        case .influxdb:
            let values = try influx("SELECT * FROM big ORDER BY time DESC LIMIT \(n)", database: "big")
            return (values.count, values.first.map { Int64(integer($0, 0)) } ?? -1)
        }
    }

    /// The `values` of every result of a KairosDB query.
    private func kairos(_ query: String) throws -> [[Any]] {
        let (status, body, _) = try connection.send("POST", "/api/v1/datapoints/query", body: Array(query.utf8), contentType: "application/json")
        guard status == 200 else { throw BenchError("query \(status): \(String(decoding: body.prefix(300), as: UTF8.self))") }
        guard let root = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let queries = root["queries"] as? [[String: Any]] else { throw BenchError("unexpected answer: \(body.prefix(300))") }
        var values: [[Any]] = []
        for q in queries {
            for r in q["results"] as? [[String: Any]] ?? [] { values += r["values"] as? [[Any]] ?? [] }
        }
        return values
    }

    /// The rows of every series of an InfluxQL statement (times in seconds).
    private func influx(_ statement: String, database: String) throws -> [[Any]] {
        let q = statement.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? statement
        let (status, body, _) = try connection.send("GET", "/query?db=\(database)&epoch=s&q=\(q)")
        guard status == 200 else { throw BenchError("query \(status): \(String(decoding: body.prefix(300), as: UTF8.self))") }
        guard let root = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let results = root["results"] as? [[String: Any]] else { throw BenchError("unexpected answer: \(body.prefix(300))") }
        var values: [[Any]] = []
        for r in results {
            if let error = r["error"] as? String { throw BenchError("InfluxQL error: \(error)") }
            for s in r["series"] as? [[String: Any]] ?? [] { values += s["values"] as? [[Any]] ?? [] }
        }
        return values
    }

    /// A whole number from a row, or -1 when it is missing or not finite (never a trap).
    private func integer(_ row: [Any], _ index: Int) -> Int {
        let d = number(row, index)
        return d.isFinite && abs(d) < 9e18 ? Int(d) : -1
    }

    private func number(_ row: [Any], _ index: Int) -> Double {
        guard index < row.count else { return .nan }
        if let n = row[index] as? NSNumber { return n.doubleValue }
        return .nan
    }
}
