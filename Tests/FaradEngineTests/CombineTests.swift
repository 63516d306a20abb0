import FaradCore
import Testing
@testable import FaradEngine

/// `combine`: Kapacitor's `streamer_test.go` combine cases on `TestStream_Combine.srpl`, the
/// combination limit, and the script errors.
@Suite struct CombineTests {
    typealias F = Fixture

    static let latencies = """
        request_latency,service=auth,dc=A value=700 0000000001
        request_latency,service=log,dc=A value=600 0000000001
        request_latency,service=cart,dc=A value=800 0000000001
        request_latency,service=auth,dc=B value=750 0000000001
        request_latency,service=log,dc=B value=650 0000000001
        request_latency,service=cart,dc=B value=850 0000000001
        request_latency,service=auth,dc=A value=500 0000000002
        request_latency,service=log,dc=A value=700 0000000002
        request_latency,service=cart,dc=A value=300 0000000002
        request_latency,service=auth,dc=B value=850 0000000002
        request_latency,service=log,dc=B value=450 0000000002
        request_latency,service=cart,dc=B value=950 0000000002
        """

    @Test func filtered() async throws {
        let json = try await F.run("""
            stream
                |from()
                    .measurement('request_latency')
                    .groupBy('dc')
                |combine(lambda: "service" == 'auth', lambda: TRUE)
                    .as('auth', 'other')
                    .tolerance(1s)
                    .delimiter('.')
                |groupBy('other.service','dc')
                |eval(lambda: "auth.value" / "other.value")
                    .as('ratio')
                |httpOut('TestStream_Combine')
            """, Self.latencies)
        for (dc, other, ratio) in [("A", "log", 7.0 / 6.0), ("A", "cart", 7.0 / 8.0), ("B", "log", 7.5 / 6.5), ("B", "cart", 7.5 / 8.5)] {
            let series = F.series("request_latency", tags: [("auth.service", "auth"), ("dc", dc), ("other.service", other)], ["time", "ratio"], [[0, ratio]])
            #expect(json.contains(series), "\(dc) \(other): \(json)")
        }
        #expect(json.components(separatedBy: #""name""#).count == 5, "\(json)")
    }

    @Test func allTriples() async throws {
        let json = try await F.run("""
            stream
                |from()
                    .measurement('request_latency')
                    .groupBy('dc')
                |combine(lambda: TRUE, lambda: TRUE, lambda: TRUE)
                    .as('first', 'second', 'third')
                    .tolerance(1s)
                    .delimiter('.')
                |groupBy('first.service', 'second.service', 'third.service', 'dc')
                |eval(lambda: "first.value" + "second.value" + "third.value")
                    .as('sum')
                |httpOut('TestStream_Combine')
            """, Self.latencies)
        let tags = { (dc: String) in [("dc", dc), ("first.service", "auth"), ("second.service", "log"), ("third.service", "cart")] }
        #expect(json == F.result(F.series("request_latency", tags: tags("A"), ["time", "sum"], [[0, 2100.0]]),
                                 F.series("request_latency", tags: tags("B"), ["time", "sum"], [[0, 2250.0]])))
    }

    @Test func pastTheLimitATimesPointsAreRefused() async throws {
        let script = "stream|from().measurement('request_latency').groupBy('dc')|combine(lambda: TRUE, lambda: TRUE).as('a', 'b').max(2)|httpOut('x')"
        let task = try TaskExecution(id: "combine", script: script, environment: TaskEnvironment())
        try await ReplayRecording(srpl: F.srpl(Self.latencies)).replay(into: task)
        let node = try #require(task.statistics().first { $0.name.hasPrefix("combine") })
        // 3 points choose 2 = 3 > 2, in each dc.
        #expect(node.values.first { $0.0 == "errors" }?.1 == 2)
        #expect(task.httpOut("x") == #"{"series":null}"#)
    }

    @Test(arguments: [
        ("combine(lambda: TRUE)", "at least two lambdas"),
        ("combine(lambda: TRUE, lambda: TRUE).as('a')", "one name per lambda"),
        ("combine(lambda: TRUE, lambda: TRUE).as('a.b', 'c')", "contains the delimiter"),
        ("combine(lambda: TRUE, 'x').as('a', 'b')", "combine() takes lambdas"),
        ("combine(lambda: TRUE, lambda: TRUE).as('a', 'a')", "must differ"),
    ])
    func scriptErrors(node: String, message: String) {
        #expect {
            _ = try TaskExecution(id: "c", script: "stream|from().measurement('m')|\(node)|httpOut('x')", environment: TaskEnvironment())
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
