import Foundation
import Testing

/// Every request of issue #12's list against the real `farad serve`: each gets an answer (an
/// error where it is bad), the server keeps serving, and every point acknowledged before, during
/// and after is counted back, also after a restart.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct HostileRequestTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var path: String
        var body: String
        /// Acceptable answers: the request may be refused (400/413) or, where it is legitimate
        /// input that merely used to crash, answered; never a dropped connection.
        var statuses: Set<Int>
        var description: String { name }
    }

    static let parens = String(repeating: "(", count: 7_000) + "1" + String(repeating: ")", count: 7_000)
    static let ands = (0..<20_000).map { _ in "\"v\" > 0" }.joined(separator: " AND ")
    static let lists = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    static let chain = "stream|from()" + String(repeating: "|where(lambda: TRUE)", count: 30_000)

    static func task(_ id: String, _ script: String) -> String {
        let body: [String: Any] = ["id": id, "script": "dbrp \"hostile\".\"autogen\"\n" + script, "status": "enabled"]
        return String(decoding: try! JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    static let query = "/api/v1/datapoints/query"
    static let cases: [Case] = [
        Case(name: "ttl beyond the millisecond range", path: "/api/v1/datapoints",
             body: #"[{"name":"hostile.m","timestamp":1718000000000,"value":1,"ttl":9300000000000000,"tags":{"a":"b"}}]"#, statuses: [400]),
        Case(name: "line-protocol time -2^63", path: "/write?db=hostile", body: "m v=1 -9223372036854775808", statuses: [400]),
        Case(name: "line-protocol time in hours beyond 2^63 ns", path: "/write?db=hostile&precision=h", body: "m v=1 9223372036854775807", statuses: [400]),
        Case(name: "lone surrogate in datapoints", path: "/api/v1/datapoints",
             body: #"[{"name":"m\ud800\u0041","timestamp":1,"value":1,"tags":{"a":"b"}}]"#, statuses: [400]),
        Case(name: "lone surrogate in a query", path: query, body: #"{"start_absolute":0,"metrics":[{"name":"m\ud800\u0041"}]}"#, statuses: [400]),
        Case(name: "lone surrogate in a task", path: "/kapacitor/v1/tasks", body: #"{"id":"s","script":"\ud800\u0041"}"#, statuses: [400]),
        Case(name: "start_relative of 2^63 years", path: query,
             body: #"{"start_relative":{"value":9223372036854775807,"unit":"years"},"metrics":[{"name":"m"}]}"#, statuses: [400]),
        Case(name: "start_absolute -2^63", path: query, body: #"{"start_absolute":-9223372036854775808,"metrics":[{"name":"m"}]}"#, statuses: [200, 400]),
        Case(name: "end_relative of 2^63 years", path: query,
             body: #"{"start_absolute":0,"end_relative":{"value":9223372036854775807,"unit":"years"},"metrics":[{"name":"m"}]}"#, statuses: [200, 400]),
        Case(name: "sampling of 2^63 years", path: query,
             body: #"{"start_absolute":0,"metrics":[{"name":"hostile.base.v","aggregators":[{"name":"avg","sampling":{"value":9223372036854775807,"unit":"years"}}]}]}"#,
             statuses: [200, 400]),
        Case(name: "group_by time range_size of 2^63 years", path: query,
             body: #"{"start_absolute":0,"metrics":[{"name":"hostile.base.v","group_by":[{"name":"time","range_size":{"value":9223372036854775807,"unit":"years"},"group_count":2}]}]}"#,
             statuses: [200, 400]),
        Case(name: "gaps at 1 ms over 100 years", path: query,
             body: #"{"start_absolute":0,"end_absolute":3155760000000,"metrics":[{"name":"hostile.base.v","aggregators":[{"name":"gaps","sampling":{"value":1,"unit":"milliseconds"}}]}]}"#,
             statuses: [400]),
        Case(name: "catastrophic regex in a tag filter", path: query,
             body: #"{"start_absolute":0,"metrics":[{"name":"hostile.base.v","tags":{"host":["regex:(a+)+$"]}}]}"#, statuses: [200]),
        Case(name: "100,000 fields on one line", path: "/write?db=hostile",
             body: "wide " + (0..<100_000).map { "f\($0)=1" }.joined(separator: ","), statuses: [400]),
        Case(name: "NUL in a measurement", path: "/write?db=hostile", body: "mem\u{0} a=1,b=2", statuses: [400]),
        Case(name: "NUL in a metric name", path: "/api/v1/datapoints",
             body: #"[{"name":"victim\u0000evil","timestamp":1,"value":1,"tags":{"a":"b"}}]"#, statuses: [400]),
        Case(name: "7,000 nested parentheses", path: "/kapacitor/v1/tasks", body: task("parens", "stream|from()|where(lambda: \(parens) == 1)"), statuses: [400]),
        Case(name: "20,000 AND terms", path: "/kapacitor/v1/tasks", body: task("ands", "stream|from()|where(lambda: \(ands))"), statuses: [200, 400]),
        Case(name: "10,000 nested lists", path: "/kapacitor/v1/tasks", body: task("lists", "var x = \(lists)\nstream|from()"), statuses: [400]),
        Case(name: "30,000 chained nodes", path: "/kapacitor/v1/tasks", body: task("chain", chain), statuses: [200, 400]),
    ]

    @Test func noRequestStopsTheServerAndNoAcknowledgedPointIsLost() async throws {
        let telnet = try freePort()
        let server = try ServerProcess.start(arguments: ["--telnet-bind", "127.0.0.1:\(telnet)"])
        var acknowledged = 0
        func writeBase(_ from: Int) async throws {
            let lines = (from..<(from + 100)).map { "base,host=aaaaaaaaaaaaaaaaaaaaa! v=\($0) \(1_718_000_000 + $0)" }.joined(separator: "\n")
            let reply = try await server.post("/write?db=hostile&precision=s", lines)
            #expect(reply.status == 204, "\(reply.text)")
            if reply.status == 204 { acknowledged += 100 }
        }
        try await writeBase(0)
        // Tasks that used to trap on every write, and a catastrophic regex in a lambda.
        for (id, script) in [
            ("modulo", "stream|from().measurement('base')|where(lambda: (-9223372036854775807 - 1) % -1 == 0)|httpOut('x')"),
            ("divide", "stream|from().measurement('pair')|eval(lambda: \"a\" / \"b\").as('q')|httpOut('x')"),
            ("regex", "stream|from().measurement('base')|where(lambda: \"host\" =~ /(a+)+$/)|httpOut('x')"),
        ] {
            let reply = try await server.post("/kapacitor/v1/tasks", Self.task(id, script))
            #expect([200, 400].contains(reply.status), "\(id): \(reply.text)")
        }
        #expect(try await server.post("/write?db=hostile", "pair a=-9223372036854775808i,b=-1i").status == 204)
        try await writeBase(100)

        for c in Self.cases {
            let reply = try await server.post(c.path, c.body)
            #expect(c.statuses.contains(reply.status), "\(c.name): \(reply.status) \(reply.text.prefix(300))")
            #expect(try await server.get("/health").status == 200, "after \(c.name)")
            try await writeBase(acknowledged)
        }
        // Telnet: an overflowing time and TTL are refused lines, not a crash.
        try sendTelnet(port: telnet, "put m -9223372036854775808 1 a=b\nput m 1718000000 1 a=b kairos_opt.ttl=9223372036854775807\n")
        #expect(try await server.get("/health").status == 200)
        try await writeBase(acknowledged)

        #expect(try await count(server) == acknowledged)
        server.stop(removingData: false)
        let again = try ServerProcess.start(dataDirectory: server.dataDirectory)
        defer {
            again.stop()
            try? FileManager.default.removeItem(atPath: server.dataDirectory)
        }
        #expect(try await count(again) == acknowledged)
        // Nothing of the NUL names reached the store, cut or whole.
        let names = try await again.get("/api/v1/metricnames").text
        #expect(!names.contains("victim") && !names.contains("mem"), "\(names)")
    }

    private func count(_ server: ServerProcess) async throws -> Int {
        let values = try await server.values(#"""
            {"start_absolute":0,"metrics":[{"name":"base.v","aggregators":[{"name":"count","sampling":{"value":100,"unit":"years"}}]}]}
            """#)
        return values.reduce(0) { $0 + (($1[1] as? NSNumber)?.intValue ?? 0) }
    }

    private func sendTelnet(port: Int, _ text: String) throws {
        let c = try RawConnection(port: port)
        try c.send(text + "version\n")
        // `version` is answered after the lines before it were handled.
        var reply = [UInt8](repeating: 0, count: 256)
        _ = reply.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
    }
}
