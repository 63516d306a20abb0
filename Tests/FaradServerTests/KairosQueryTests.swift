import Foundation
import Testing

/// KairosDB's query API against the real `farad serve` (spec §2).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct KairosQueryTests {
    /// Points 1…10 at t₀, t₀+2 ms, … (KairosDB's `test_aggregators` fixture).
    static let t0: Int64 = 1_718_000_000_000

    private func seeded() async throws -> ServerProcess {
        let server = try ServerProcess.start()
        let points = (1...10).map { "[\(Self.t0 + Int64($0 - 1) * 2),\($0)]" }.joined(separator: ",")
        let body = """
            [{"name":"fix","datapoints":[\(points)],"tags":{"host":"a","dc":"x"}},
             {"name":"multi","datapoints":[[\(Self.t0),1],[\(Self.t0 + 1000),2]],"tags":{"host":"a","dc":"x"}},
             {"name":"multi","datapoints":[[\(Self.t0),10],[\(Self.t0 + 2000),20]],"tags":{"host":"b","dc":"x"}},
             {"name":"multi","datapoints":[[\(Self.t0 + 500),100]],"tags":{"host":"c"}}]
            """
        let reply = try await server.post("/api/v1/datapoints", body)
        #expect(reply.status == 204, "\(reply.text)")
        return server
    }

    private func query(_ server: ServerProcess, metric: String, extra: String = "") async throws -> String {
        let body = "{\"start_absolute\":\(Self.t0),\"end_absolute\":\(Self.t0 + 100_000),\"metrics\":[{\"name\":\"\(metric)\"\(extra)}]}"
        let reply = try await server.post("/api/v1/datapoints/query", body)
        #expect(reply.status == 200, "\(reply.text)")
        return reply.text
    }

    @Test func aggregatorsMatchKairosDBsFixtures() async throws {
        let server = try await seeded()
        defer { server.stop() }
        let t0 = Self.t0
        let cases: [(String, String)] = [
            (#"[{"name":"sum","sampling":{"value":10,"unit":"years"}}]"#, "[[\(t0),55]]"),
            (#"[{"name":"sum","sampling":{"value":4,"unit":"milliseconds"}},{"name":"avg","sampling":{"value":1,"unit":"years"}}]"#, "[[\(t0),11]]"),
            (#"[{"name":"avg","sampling":{"value":1,"unit":"hours"}}]"#, "[[\(t0),5.5]]"),
            (#"[{"name":"count","sampling":{"value":1,"unit":"hours"}}]"#, "[[\(t0),10]]"),
            (#"[{"name":"min","sampling":{"value":1,"unit":"hours"}}]"#, "[[\(t0),1]]"),
            (#"[{"name":"max","sampling":{"value":1,"unit":"hours"}}]"#, "[[\(t0),10]]"),
            (#"[{"name":"first","sampling":{"value":1,"unit":"hours"}}]"#, "[[\(t0),1]]"),
            (#"[{"name":"last","sampling":{"value":1,"unit":"hours"}}]"#, "[[\(t0),10]]"),
            (#"[{"name":"dev","sampling":{"value":1,"unit":"hours"}}]"#, "[[\(t0),3.0276503540974917]]"),
            (#"[{"name":"percentile","percentile":0.5,"sampling":{"value":1,"unit":"hours"}}]"#, "[[\(t0),5.5]]"),
            (#"[{"name":"sum","sampling":{"value":1,"unit":"hours"},"align_start_time":true}]"#, "[[1717999200000,55]]"),
            (#"[{"name":"sum","sampling":{"value":1,"unit":"hours"},"align_end_time":true}]"#, "[[1718002800000,55]]"),
            (#"[{"name":"div","divisor":2},{"name":"trim","trim":"both"},{"name":"count","sampling":{"value":1,"unit":"hours"}}]"#, "[[\(t0 + 2),8]]"),
            (#"[{"name":"scale","factor":0.5},{"name":"last","sampling":{"value":1,"unit":"days"}}]"#, "[[\(t0),5]]"),
            (#"[{"name":"diff"},{"name":"sum","sampling":{"value":1,"unit":"days"}}]"#, "[[\(t0 + 2),9]]"),
            (#"[{"name":"rate","unit":"seconds"},{"name":"max","sampling":{"value":1,"unit":"days"}}]"#, "[[\(t0 + 2),500]]"),
            (#"[{"name":"filter","filter_op":"lte","threshold":8},{"name":"count","sampling":{"value":1,"unit":"days"}}]"#, "[[\(t0 + 16),2]]"),
        ]
        for (aggregators, expected) in cases {
            let text = try await query(server, metric: "fix", extra: ",\"aggregators\":\(aggregators)")
            #expect(text.contains("\"values\":\(expected)"), "\(aggregators) → \(text)")
            #expect(text.contains("\"sample_size\":10"))
        }
    }

    @Test func seriesMergeUnlessGroupedAndTagsFilter() async throws {
        let server = try await seeded()
        defer { server.stop() }
        let t0 = Self.t0
        let merged = try await query(server, metric: "multi")
        #expect(merged.contains(#""tags":{"dc":["x"],"host":["a","b","c"]}"#), "\(merged)")
        #expect(merged.contains("\"values\":[[\(t0),1],[\(t0),10],[\(t0 + 500),100],[\(t0 + 1000),2],[\(t0 + 2000),20]]"), "\(merged)")

        let grouped = try await query(server, metric: "multi", extra: #","group_by":[{"name":"tag","tags":["dc"]}]"#)
        // The series without `dc` forms its own group, with no `dc` in its group object.
        #expect(grouped.contains(#"{"name":"tag","tags":["dc"],"group":{}}"#), "\(grouped)")
        #expect(grouped.contains(#"{"name":"tag","tags":["dc"],"group":{"dc":"x"}}"#))

        let filtered = try await query(server, metric: "multi", extra: #","tags":{"host":["a","c"]}"#)
        #expect(filtered.contains("\"values\":[[\(t0),1],[\(t0 + 500),100],[\(t0 + 1000),2]]"), "\(filtered)")
        let regex = try await query(server, metric: "multi", extra: #","tags":{"host":"regex:[bc]"}"#)
        #expect(regex.contains("\"values\":[[\(t0),10],[\(t0 + 500),100],[\(t0 + 2000),20]]"), "\(regex)")

        let valueGroups = try await query(server, metric: "multi", extra: #","group_by":[{"name":"value","range_size":10}]"#)
        #expect(valueGroups.contains(#"{"name":"value","range_size":10,"group":{"group_number":0}}"#), "\(valueGroups)")
        #expect(valueGroups.contains(#"{"name":"value","range_size":10,"group":{"group_number":10}}"#))

        let limited = try await query(server, metric: "multi", extra: #","order":"desc","limit":2"#)
        #expect(limited.contains("\"values\":[[\(t0 + 2000),20],[\(t0 + 1000),2]]"), "\(limited)")

        let empty = try await query(server, metric: "nothing")
        #expect(empty == #"{"queries":[{"sample_size":0,"results":[{"name":"nothing","tags":{},"values":[]}]}]}"#)

        let tags = try await server.post("/api/v1/datapoints/query/tags", "{\"start_absolute\":0,\"metrics\":[{\"name\":\"multi\",\"tags\":{\"dc\":\"x\"}}]}")
        #expect(tags.text == #"{"queries":[{"results":[{"name":"multi","tags":{"dc":["x"],"host":["a","b"]},"values":[]}]}]}"#)
    }

    @Test func queryErrorsAreKairosDBs() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let cases: [(String, String)] = [
            ("", "query json must not be null or empty"),
            (#"{"metrics":[{"name":"m"}]}"#, "query.metric[0].start_time relative or absolute time must be set"),
            (#"{"start_absolute":10,"end_absolute":5,"metrics":[{"name":"m"}]}"#, "query.metric[0].end_time must be greater than the start time"),
            (#"{"start_absolute":1,"metrics":[]}"#, "query.metric[] must have a size of at least 1"),
            (#"{"start_absolute":1,"metrics":[{"name":""}]}"#, "query.metric[0].name may not be empty"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","order":"up"}]}"#, "query.metric[0].order must be either 'asc' or 'desc'"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","aggregators":[{}]}]}"#, "query.metric[0].aggregators[0] must have a name"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","aggregators":[{"name":"bogus"}]}]}"#, "query.metric[0].aggregators[0].bogus invalid aggregators name"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","aggregators":[{"name":"sum","sampling":{"value":1,"unit":"fortnights"}}]}]}"#,
             "query.metric[0].aggregators[0].fortnights is not a valid time unit, must be one of MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","aggregators":[{"name":"sum","x":1}]}]}"#,
             "Property 'x' was specified for object 'sum' but no matching setter was found on 'org.kairosdb.core.aggregator.SumAggregator'"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","aggregators":[{"name":"div","divisor":0}]}]}"#, "query.metric[0].aggregators[0].m_divisor may not be zero"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","group_by":[{}]}]}"#, "query.metric[0].group_by[0] must have a name"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","group_by":[{"name":"bogus"}]}]}"#, "query.metric[0].group_by[0].bogus invalid group_by name"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","group_by":[{"name":"tag","tags":[]}]}]}"#, "query.metric[0].group_by[0].tags may not be empty"),
            (#"{"start_absolute":1,"metrics":[{"name":"m","tags":{"host":""}}]}"#, "query.metric[0].tags[0].host value must not be null or empty"),
        ]
        for (body, error) in cases {
            let reply = try await server.post("/api/v1/datapoints/query", body)
            #expect(reply.status == 400, "\(body)")
            let errors = (try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any])?["errors"] as? [String]
            #expect(errors == [error], "\(body) → \(reply.text)")
        }
    }

    @Test func deleteAndMetricNames() async throws {
        let server = try await seeded()
        defer { server.stop() }
        let t0 = Self.t0
        let delete = try await server.post("/api/v1/datapoints/delete",
            "{\"start_absolute\":\(t0),\"end_absolute\":\(t0 + 4),\"metrics\":[{\"name\":\"fix\"}]}")
        #expect(delete.status == 204)
        #expect(try await server.values("{\"start_absolute\":0,\"metrics\":[{\"name\":\"fix\"}]}").count == 7)
        let names = try await server.get("/api/v1/metricnames?prefix=mu")
        #expect(names.text == #"{"results":["multi"]}"#)
        let gone = try await server.request("DELETE", "/api/v1/metric/multi")
        #expect(gone.status == 204)
        #expect(try await server.get("/api/v1/metricnames").text == #"{"results":["fix"]}"#)
        // Re-created after a delete, the metric is visible at once (KairosDB #313).
        _ = try await server.post("/api/v1/datapoints", #"{"name":"multi","timestamp":5,"value":5,"tags":{"a":"b"}}"#)
        #expect(try await server.values(#"{"start_absolute":0,"metrics":[{"name":"multi"}]}"#).count == 1)
    }

    @Test func versionAndHealth() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        #expect(try await server.get("/api/v1/version").text.hasPrefix(#"{"version":"KairosDB "#))
        #expect(try await server.get("/api/v1/health/check").status == 204)
        let preflight = try await server.request("OPTIONS", "/api/v1/datapoints")
        #expect(preflight.status == 200)
        #expect(preflight.header("Access-Control-Allow-Origin") == nil)  // unless --cors-origin allows the page
        #expect(try await server.get("/api/v1/health/status").text == #"["JVM-Thread-Deadlock: OK","Datastore-Query: OK"]"#)
        for path in ["/health", "/health/ready", "/health/live"] {
            #expect(try await server.get(path).status == 200)
        }
        _ = try await server.post("/api/v1/datapoints", #"{"name":"m","timestamp":5,"value":5,"tags":{"a":"b"}}"#)
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains(#"farad_points_ingested_total{api="kairosdb"} 1"#), "\(metrics)")
        #expect(metrics.contains("farad_http_request_duration_seconds_bucket"))
        #expect(metrics.contains("farad_store_size_bytes"))
        #expect(metrics.contains("farad_write_queue_depth_points"))
    }
}
