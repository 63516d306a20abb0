import FaradTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The same points in a real `influxd` 1.6 and in `farad serve`, the same queries to both
/// (`InfluxQLCorpus/queries.txt`): every answer must be InfluxDB's, status and bytes.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct InfluxQLDifferentialTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("InfluxQLCorpus")

    private static func get(_ base: String, _ parameters: [(String, String)]) async throws -> (Int, String) {
        var components = URLComponents(string: base + "/query")!
        components.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
        // `+` is a space to Go's form parser and `;` a refused separator: send them escaped, as clients do.
        components.percentEncodedQuery = components.percentEncodedQuery?
            .replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: ";", with: "%3B")
        let (data, response) = try await URLSession.shared.data(for: URLRequest(url: components.url!))
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    private static func post(_ url: String, _ body: Data, form: Bool = false) async throws -> Int {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = body
        if form { request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type") }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as! HTTPURLResponse).statusCode
    }

    @Test func everyQueryOfTheCorpusIsAnsweredAsInfluxDBAnswersIt() async throws {
        let influxd: InfluxDProcess
        do {
            influxd = try await InfluxDProcess.start()
        } catch {
            Issue.record("\(error)")
            return
        }
        defer { influxd.stop() }
        let server = try ServerProcess.start()
        defer { server.stop() }
        let farad = "http://127.0.0.1:\(server.port)"

        let data = try Data(contentsOf: Self.corpus.appendingPathComponent("data.lp"))
        #expect(try await Self.post(influxd.url + "/query", Data("q=CREATE DATABASE diff".utf8), form: true) == 200)
        #expect(try await Self.post(influxd.url + "/write?db=diff", data) == 204)
        #expect(try await Self.post(farad + "/write?db=diff", data) == 204)
        // influxd answers a write once it is durable in its WAL, and reads see it: poll both
        // until they count the same points before comparing anything.
        let count = [("db", "diff"), ("q", "SELECT count(*) FROM /.*/")]
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, try await Self.get(influxd.url, count).1 != Self.get(farad, count).1 {
            try await Task.sleep(for: .milliseconds(50))
        }

        let lines = try String(contentsOf: Self.corpus.appendingPathComponent("queries.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(lines.count > 250)
        var equal = 0
        for line in lines {
            var parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let query = parts.removeLast()
            var parameters: [(String, String)] = [("db", "diff")]
            for option in parts {
                if option == "nodb" {
                    parameters.removeAll { $0.0 == "db" }
                } else if let eq = option.firstIndex(of: "=") {
                    let key = String(option[..<eq])
                    parameters.removeAll { $0.0 == key }
                    parameters.append((key, String(option[option.index(after: eq)...])))
                }
            }
            parameters.append(("q", query))
            let reference = try await Self.get(influxd.url, parameters)
            let answer = try await Self.get(farad, parameters)
            if answer == reference {
                equal += 1
            } else {
                Issue.record("\(line)\n  influxd \(reference.0): \(reference.1.prefix(600))\n  farad   \(answer.0): \(answer.1.prefix(600))")
            }
        }
        #expect(equal == lines.count)
    }
}
