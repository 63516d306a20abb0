import Foundation
import Testing

/// KairosDB's ingest contract (spec §1 and the §8 checklist) against the real `farad serve`.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct KairosIngestTests {
    /// Bodies with KairosDB's exact 400 texts.
    static let errorCases: [(body: String, errors: [String])] = [
        ("", ["Invalid json. No content due to end of input."]),
        ("  ", ["Invalid json. No content due to end of input."]),
        ("\"x\"", ["Invalid start of json."]),
        ("[{\"timestamp\":1,\"value\":1,\"tags\":{\"a\":\"b\"}}]", ["metric[0].name may not be null."]),
        ("[{\"name\":\"\",\"timestamp\":1,\"value\":1,\"tags\":{\"a\":\"b\"}}]", ["metric[0].name may not be empty."]),
        ("[{\"name\":\"m\",\"timestamp\":1,\"value\":1}]", ["metric[0](name=m).tags count must be greater than or equal to 1."]),
        ("[{\"name\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":{}}]", ["metric[0](name=m).tags count must be greater than or equal to 1."]),
        ("[{\"name\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":{\"\":\"b\"}}]", ["metric[0](name=m).tag[0].name may not be empty."]),
        ("[{\"name\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":{\"host\":\"\"}}]", ["metric[0](name=m).tag[host].value may not be empty."]),
        ("[{\"name\":\"m\",\"timestamp\":1,\"tags\":{\"a\":\"b\"}}]", ["metric[0](name=m).value may not be null."]),
        ("[{\"name\":\"m\",\"value\":1,\"tags\":{\"a\":\"b\"}}]", ["metric[0](name=m).timestamp may not be null."]),
        ("[{\"name\":\"m\",\"timestamp\":1,\"value\":\"\",\"tags\":{\"a\":\"b\"}}]", ["metric[0](name=m).value may not be empty."]),
        ("[{\"name\":\"m\",\"timestamp\":1,\"value\":null,\"tags\":{\"a\":\"b\"}}]", ["metric[0](name=m).value may not be empty."]),
        ("[{\"name\":\"m\",\"datapoints\":[[]],\"tags\":{\"a\":\"b\"}}]", ["metric[0](name=m).datapoints[0].timestamp cannot be null or empty."]),
        ("[{\"name\":\"m\",\"datapoints\":[[1]],\"tags\":{\"a\":\"b\"}}]", ["metric[0](name=m).datapoints[0].value cannot be null or empty."]),
        ("[{\"name\":\"m\",\"datapoints\":[[1,null]],\"tags\":{\"a\":\"b\"}}]", ["metric[0](name=m).datapoints[0].value may not be empty."]),
        ("[{\"name\":\"m\",\"datapoints\":[[null,1]],\"tags\":{\"a\":\"b\"}}]", ["metric[0](name=m).datapoints[0].timestamp may not be null."]),
        ("[{\"name\":\"m\",\"timestamp\":1,\"value\":{\"a\":1},\"tags\":{\"a\":\"b\"}}]", ["metric[0](name=m) value is an invalid type"]),
        ("[{\"name\":\"m\",\"type\":\"xyz\",\"timestamp\":1,\"value\":1,\"tags\":{\"a\":\"b\"}}]", ["Unregistered data point type 'xyz'"]),
        ("[{\"name\":\"m\",\"type\":\"complex-number\",\"timestamp\":1,\"value\":1,\"tags\":{\"a\":\"b\"}}]", ["Unregistered data point type 'complex-number'"]),
        ("[{\"name\":\"m\",\"timestamp\":1700000000000.9,\"value\":1,\"tags\":{\"a\":\"b\"}}]", ["java.lang.NumberFormatException: Expected a long but was 1700000000000.9"]),
    ]

    @Test func validationErrorsAreKairosDBs() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        for (body, errors) in Self.errorCases {
            let reply = try await server.post("/api/v1/datapoints", body)
            #expect(reply.status == 400, "\(body)")
            let object = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
            #expect(object?["errors"] as? [String] == errors, "\(body) → \(reply.text)")
        }
        // Nothing of those bodies was stored.
        let names = try await server.get("/api/v1/metricnames")
        #expect(names.text == #"{"results":[]}"#)
    }

    @Test func successIs204WithKairosHeadersAndTheSpecExampleIsStored() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let body = """
            [
              {"name": "disk.used", "timestamp": 1718000000000, "value": 731, "tags": {"host": "web-3"}},
              {"name": "temp.c", "type": "double",
               "datapoints": [[1718000000000, 21], [1718000060000, 21.5]],
               "tags": {"site": "lab", "probe": "p7"}, "ttl": 86400},
              {"name": "build.status",
               "datapoints": [[1718000000000, "green"], [1718000100000, "red", "string"]],
               "tags": {"job": "nightly"}},
              {"name": "signal.z", "type": "complex",
               "datapoints": [[1718000000000, {"real": 0.5, "imaginary": -2}]],
               "tags": {"ant": "a1"}}
            ]
            """
        // A stock server rejects the complex metric and stores the other three.
        let reply = try await server.post("/api/v1/datapoints", body)
        #expect(reply.status == 400)
        #expect(reply.text == #"{"errors":["Unregistered data point type 'complex'"]}"#)
        let names = try await server.get("/api/v1/metricnames")
        #expect(names.text == #"{"results":["build.status","disk.used","temp.c"]}"#)
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"temp.c"}]}"#).map { "\($0)" }
            == ["[1718000000000, 21]", "[1718000060000, 21.5]"])
        let text = try await server.values(#"{"start_absolute":0,"metrics":[{"name":"build.status"}]}"#)
        #expect(text.map { $0[1] as? String } == ["green", "red"])

        let ok = try await server.post("/api/v1/datapoints", #"{"name":"m","timestamp":1,"value":2,"tags":{"a":"b"}}"#)
        #expect(ok.status == 204)
        #expect(ok.body.isEmpty)
        // KairosDB answers every origin (`*`); Farad only origins given with --cors-origin.
        #expect(ok.header("Access-Control-Allow-Origin") == nil)
        #expect(ok.header("Cache-Control") == "no-cache")
        #expect(ok.header("Pragma") == "no-cache")
        #expect(ok.header("Expires") == "0")
    }

    @Test func complexIsAcceptedWhenRegistered() async throws {
        let server = try ServerProcess.start(arguments: ["--kairosdb-complex"])
        defer { server.stop() }
        let reply = try await server.post("/api/v1/datapoints",
            #"[{"name":"signal.z","type":"complex","datapoints":[[1718000000000,{"real":0.5,"imaginary":-2}]],"tags":{"ant":"a1"}}]"#)
        #expect(reply.status == 204)
        let query = try await server.post("/api/v1/datapoints/query", #"{"start_absolute":0,"metrics":[{"name":"signal.z"}]}"#)
        #expect(query.text.contains(#""values":[[1718000000000,{"real":0.5,"imaginary":-2}]]"#), "\(query.text)")
        #expect(query.text.contains(#"{"name":"type","type":"complex"}"#))
    }

    /// Typing by the number's text (spec §1.3).
    @Test func valuesAreTypedByTheirText() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let cases: [(json: String, expected: String)] = [
            ("42", "42"), ("42.0", "42"), ("\"123\"", "123"), ("\"123.3\"", "123.3"), ("1E3", "1000"),
            ("1.5e3", "1500"), ("1E-3", "0"), ("9223372036854775808", "-9223372036854775808"),
            ("\"1e3\"", "\"1e3\""), ("true", "\"true\""), ("\"hello\"", "\"hello\""), ("NaN", "\"NaN\""),
        ]
        for (i, (json, _)) in cases.enumerated() {
            let reply = try await server.post("/api/v1/datapoints",
                "{\"name\":\"t\(i)\",\"timestamp\":1000,\"value\":\(json),\"tags\":{\"a\":\"b\"}}")
            #expect(reply.status == 204, "\(json): \(reply.text)")
        }
        for (i, (json, expected)) in cases.enumerated() {
            let reply = try await server.post("/api/v1/datapoints/query", "{\"start_absolute\":0,\"metrics\":[{\"name\":\"t\(i)\"}]}")
            #expect(reply.text.contains("\"values\":[[1000,\(expected)]]"), "\(json) → \(reply.text)")
        }
        // 42.0 is a double and 42 a long: both in group `number`, merged at query time.
        let merged = try await server.post("/api/v1/datapoints", #"{"name":"t0","timestamp":2000,"value":2.5,"tags":{"a":"c"}}"#)
        #expect(merged.status == 204)
        let both = try await server.post("/api/v1/datapoints/query", #"{"start_absolute":0,"metrics":[{"name":"t0"}]}"#)
        #expect(both.text.contains(#""tags":{"a":["b","c"]},"values":[[1000,42],[2000,2.5]]"#), "\(both.text)")
    }

    /// Not atomic: a bad metric or point drops only itself (spec §1.1).
    @Test func partialWritesKeepTheValidParts() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let body = """
            [{"name":"good1","timestamp":1,"value":1,"tags":{"a":"b"}},
             {"name":"bad","timestamp":1,"value":1},
             {"name":"good2","datapoints":[[1,1],[2,null],[3,3]],"tags":{"a":"b"}},
             {"name":"empty","tags":{"a":"b"}},
             {"name":"both","timestamp":5,"value":5,"datapoints":[[6,6]],"tags":{"a":"b"}}]
            """
        let reply = try await server.post("/api/v1/datapoints", body)
        #expect(reply.status == 400)
        let errors = (try JSONSerialization.jsonObject(with: reply.body) as! [String: Any])["errors"] as! [String]
        #expect(errors == ["metric[1](name=bad).tags count must be greater than or equal to 1.",
                           "metric[2](name=good2).datapoints[1].value may not be empty."])
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"good2"}]}"#).count == 2)
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"both"}]}"#).count == 2)
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"good1"}]}"#).count == 1)
        // Malformed JSON: what was parsed before the error is kept.
        let broken = try await server.post("/api/v1/datapoints", #"[{"name":"early","timestamp":1,"value":1,"tags":{"a":"b"}}, {"name": "#)
        #expect(broken.status == 400)
        #expect(broken.text.contains("Invalid json. No content due to end of input."))
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"early"}]}"#).count == 1)
    }

    @Test func gzipBodiesAndLimits() async throws {
        let server = try ServerProcess.start(arguments: ["--max-body-size", "16384", "--max-inflated-size", "1000000", "--max-points-per-request", "3"])
        defer { server.stop() }
        let json = #"[{"name":"gz","datapoints":[[1,1],[2,2]],"tags":{"a":"b"}}]"#
        let gz = try gzip(Data(json.utf8))
        let encoded = try await server.request("POST", "/api/v1/datapoints", body: gz, headers: ["Content-Encoding": "gzip"])
        #expect(encoded.status == 204)
        let legacy = try await server.request("POST", "/api/v1/datapoints", body: gz, headers: ["Content-Type": "application/gzip"])
        #expect(legacy.status == 204)
        // Not gzip: 500 with Content-Encoding, 400 with the legacy Content-Type (as KairosDB).
        let notGzip = try await server.request("POST", "/api/v1/datapoints", body: Data(json.utf8), headers: ["Content-Encoding": "gzip"])
        #expect(notGzip.status == 500)
        #expect(notGzip.text.contains("Not in GZIP format"))
        let notGzipLegacy = try await server.request("POST", "/api/v1/datapoints", body: Data(json.utf8), headers: ["Content-Type": "application/gzip"])
        #expect(notGzipLegacy.status == 400)
        // Too big as sent, too big inflated (a gzip bomb), too many points.
        let big = try await server.post("/api/v1/datapoints", String(repeating: " ", count: 20000) + json)
        #expect(big.status == 413)
        let bomb = try gzip(Data(repeating: 0x20, count: 10_000_000))
        #expect(bomb.count < 16384)
        let bombed = try await server.request("POST", "/api/v1/datapoints", body: bomb, headers: ["Content-Encoding": "gzip"])
        #expect(bombed.status == 413)
        let many = try await server.post("/api/v1/datapoints", #"[{"name":"many","datapoints":[[1,1],[2,2],[3,3],[4,4]],"tags":{"a":"b"}}]"#)
        #expect(many.status == 413)
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"many"}]}"#).isEmpty)
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"gz"}]}"#).count == 2)
    }

    private func gzip(_ data: Data) throws -> Data {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("farad-gz-\(UUID().uuidString)")
        try data.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        return Data(try runTool("/bin/gzip", ["-c", "-9", input.path]).output)
    }
}
