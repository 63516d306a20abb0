import Foundation
import Testing

/// What a web page, a slow client or a crowd of idle connections can do to `farad serve`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BrowserAndConnectionTests {
    @Test func crossSiteWritesAreRefusedAndNothingIsStored() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let evil = ["Origin": "http://evil.example", "Content-Type": "text/plain"]
        let write = try await server.post("/write?db=d", "cpu v=1 1000000000", headers: evil)
        #expect(write.status == 403)
        #expect(write.text.contains("cross-site request from 'http://evil.example' refused"), "\(write.text)")
        let datapoints = try await server.post("/api/v1/datapoints", #"[{"name":"m","timestamp":1,"value":1,"tags":{"a":"b"}}]"#, headers: evil)
        #expect(datapoints.status == 403)
        let task = try await server.post("/kapacitor/v1/tasks", #"{"id":"t","script":"dbrp \"d\".\"autogen\"\nstream|from()"}"#, headers: evil)
        #expect(task.status == 403)
        let fetchSite = try await server.post("/write?db=d", "cpu v=1 1000000000", headers: ["Sec-Fetch-Site": "cross-site"])
        #expect(fetchSite.status == 403)
        #expect(try await server.get("/api/v1/metricnames").text == #"{"results":[]}"#)
        #expect(try await server.get("/kapacitor/v1/tasks").text == #"{"tasks":[]}"#)

        // Clients that are not browsers, and pages of Farad's own origin, write as before.
        #expect(try await server.post("/write?db=d", "cpu v=1 1000000000", headers: ["Content-Type": "text/plain"]).status == 204)
        let same = try await server.post("/write?db=d", "cpu v=2 2000000000", headers: ["Origin": "http://127.0.0.1:\(server.port)"])
        #expect(same.status == 204)
        // No wildcard CORS by default: a page elsewhere cannot read answers.
        let read = try await server.request("GET", "/api/v1/metricnames", headers: ["Origin": "http://evil.example"])
        #expect(read.header("Access-Control-Allow-Origin") == nil)
    }

    @Test func configuredOriginsGetCORS() async throws {
        let server = try ServerProcess.start(arguments: ["--cors-origin", "http://grafana.example:3000"])
        defer { server.stop() }
        let origin = ["Origin": "http://grafana.example:3000"]
        let preflight = try await server.request("OPTIONS", "/api/v1/datapoints/query", headers: origin.merging(["Access-Control-Request-Method": "POST"]) { a, _ in a })
        #expect(preflight.status == 200)
        #expect(preflight.header("Access-Control-Allow-Origin") == "http://grafana.example:3000")
        let write = try await server.post("/api/v1/datapoints", #"[{"name":"m","timestamp":1,"value":1,"tags":{"a":"b"}}]"#, headers: origin)
        #expect(write.status == 204)
        #expect(write.header("Access-Control-Allow-Origin") == "http://grafana.example:3000")
        #expect(try await server.post("/write?db=d", "cpu v=1", headers: ["Origin": "http://other.example"]).status == 403)
    }

    @Test func foreignHostNamesAreRefusedOnLoopback() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        for (host, status) in [("evil.example", 403), ("evil.example:\(server.port)", 403), ("localhost:\(server.port)", 200),
                               ("127.0.0.1:\(server.port)", 200), ("[::1]:\(server.port)", 200)] {
            let c = try RawConnection(port: server.port)
            try c.send("GET /api/v1/metricnames HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
            let reply = try c.readResponse()
            #expect(reply.status == status, "Host \(host): \(reply.head)")
        }
        let allowed = try ServerProcess.start(arguments: ["--allowed-hosts", "farad.internal"])
        defer { allowed.stop() }
        let c = try RawConnection(port: allowed.port)
        try c.send("GET /api/v1/metricnames HTTP/1.1\r\nHost: farad.internal:9092\r\nConnection: close\r\n\r\n")
        #expect(try c.readResponse().status == 200)
    }

    @Test func oversizedBodyIsRefusedFromItsContentLength() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let c = try RawConnection(port: server.port)
        // Two gigabytes announced, none sent: the answer comes before any body byte.
        try c.send("POST /write?db=d HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000000000\r\n\r\n")
        let reply = try c.readResponse()
        #expect(reply.status == 413)
        #expect(reply.body.contains("2000000000 bytes is larger than the limit"), "\(reply.body)")
        #expect(try await server.get("/health").status == 200)
    }

    @Test func slowHeadsSlowBodiesAndIdleConnectionsAreClosed() async throws {
        let server = try ServerProcess.start(arguments: ["--idle-timeout", "1s", "--header-timeout", "1s", "--body-timeout", "1s"])
        defer { server.stop() }
        let idle = try RawConnection(port: server.port)
        #expect(idle.readToEnd().closed)
        let head = try RawConnection(port: server.port)
        try head.send("POST /write?db=d HTTP/1.1\r\nHost: local")
        #expect(head.readToEnd().closed)
        let body = try RawConnection(port: server.port)
        try body.send("POST /write?db=d HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\ncpu v=1")
        #expect(body.readToEnd().closed)
        #expect(try await server.get("/api/v1/metricnames").text == #"{"results":[]}"#)
        // A kept-alive connection answers several requests, each within the limits.
        let kept = try RawConnection(port: server.port)
        for _ in 0..<3 {
            try kept.send("GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(try kept.readResponse().status == 204)
        }
    }

    @Test func connectionsBeyondTheLimitWaitForRoom() async throws {
        let server = try ServerProcess.start(arguments: ["--max-connections", "4", "--idle-timeout", "2s"])
        defer { server.stop() }
        let hogs = try (0..<4).map { _ in try RawConnection(port: server.port) }
        // The fifth is answered once the idle ones are closed.
        let late = try RawConnection(port: server.port)
        try late.send("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        #expect(try late.readResponse().status == 200)
        for hog in hogs { #expect(hog.readToEnd().closed) }
    }

    @Test func bodiesInFlightAreBoundedServerWide() async throws {
        let server = try ServerProcess.start(arguments: ["--max-bodies-in-flight", "1000000"])
        defer { server.stop() }
        // 2 MB of line protocol gzipped to a few KB: within --max-inflated-size, beyond the budget.
        let line = "cpu,host=a v=1 1000000000\n"
        let gz = try gzip(Data(String(repeating: line, count: 2_000_000 / line.utf8.count).utf8))
        let reply = try await server.request("POST", "/write?db=d", body: gz, headers: ["Content-Encoding": "gzip"])
        #expect(reply.status == 503)
        #expect(reply.header("Retry-After") == "1")
        #expect(reply.text.contains("request bodies in memory would exceed 1000000 bytes"), "\(reply.text)")
        // Smaller bodies go through.
        #expect(try await server.post("/write?db=d", line).status == 204)
    }

    @Test func dataFilesAreTheOwnersAlone() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        #expect(try await server.post("/write?db=d", "cpu v=1").status == 204)
        let dir = try FileManager.default.attributesOfItem(atPath: server.dataDirectory)
        #expect((dir[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        for name in try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory) {
            let file = try FileManager.default.attributesOfItem(atPath: server.dataDirectory + "/" + name)
            #expect((file[.posixPermissions] as? NSNumber)!.intValue & 0o077 == 0, "\(name)")
        }
    }

    @Test func taskIDsAreBounded() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let long = String(repeating: "a", count: 257)
        let reply = try await server.post("/kapacitor/v1/tasks", #"{"id":"\#(long)","script":"dbrp \"d\".\"autogen\"\nstream|from()"}"#)
        #expect(reply.status == 400)
        #expect(reply.text.contains("at most 256 bytes"), "\(reply.text)")
    }

    private func gzip(_ data: Data) throws -> Data {
        let dir = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/body"
        try data.write(to: URL(fileURLWithPath: path))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-9", path]
        try p.run()
        p.waitUntilExit()
        return try Data(contentsOf: URL(fileURLWithPath: path + ".gz"))
    }
}
