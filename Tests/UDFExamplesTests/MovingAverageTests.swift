import KapacitorUDF
import KapacitorUDFTesting
import Testing
import UDFExamples

@Suite(.timeLimit(.minutes(1))) struct MovingAverageTests {
    /// Kapacitor's server_test moving_avg data: groups a and b, values 1 and 2 for t = 0…9 s,
    /// then a: 0, 0 and b: 1, 0 at t = 10, 11 s.
    static func points() -> [UDFPoint] {
        var out: [UDFPoint] = []
        let second: Int64 = 1_000_000_000
        for t in 0..<12 {
            for (group, value) in [("a", t < 10 ? 1.0 : 0.0), ("b", t < 10 ? 2.0 : (t == 10 ? 1.0 : 0.0))] {
                out.append(UDFPoint(
                    time: Int64(t) * second, name: "test", database: "mydb", retentionPolicy: "myrp",
                    group: "group=\(group)", dimensions: ["group"], tags: ["group": group],
                    fieldsDouble: ["value": value], fieldsInt: ["n": 1], fieldsBool: ["ok": true]))
            }
        }
        return out
    }

    static let options = [option("field", .string("value")), option("size", .int(10)), option("as", .string("mean"))]

    @Test(arguments: AgentKind.allCases)
    func kapacitorsEndToEndExample(_ kind: AgentKind) async throws {
        let agent = try makeAgent(kind, MovingAverage.self, executable: "udf-moving-avg")
        #expect(try await agent.initialize(Self.options) == nil)
        for p in Self.points() { try agent.send(.point(p)) }
        let result = try await agent.finish()
        #expect(result.exitStatus == .exited(0))
        let out = result.responses.compactMap { r -> UDFPoint? in if case .point(let p) = r { return p } else { return nil } }
        #expect(out.count == 24)
        // At t = 10 s (the last point of an 11 s window): a = 0.9, b = 1.9.
        let atTen = out.filter { $0.time == 10_000_000_000 }
        #expect(atTen.map { $0.tag("group") } == ["a", "b"])
        #expect(abs(atTen[0].fieldsDouble["mean"]! - 0.9) < 1e-9)
        #expect(abs(atTen[1].fieldsDouble["mean"]! - 1.9) < 1e-9)
        // Output keeps grouping and bool fields, drops int fields, replaces float fields.
        #expect(atTen[0].dimensions == ["group"] && atTen[0].database == "mydb" && atTen[0].name == "test")
        #expect(atTen[0].fieldsInt.isEmpty && atTen[0].fieldsBool == ["ok": true] && atTen[0].fieldsDouble.keys.sorted() == ["mean"])
    }

    @Test(arguments: AgentKind.allCases)
    func initErrorsNameEveryProblem(_ kind: AgentKind) async throws {
        let agent = try makeAgent(kind, MovingAverage.self, executable: "udf-moving-avg")
        #expect(try await agent.initialize([]) == "must supply field; must supply window size")
        #expect(try await agent.initialize([option("field", .string("v")), option("size", .int(0)), option("as", .string(""))])
            == "window size must be > 0, got 0; invalid as name provided")
        #expect(try await agent.finish().exitStatus == .exited(0))
    }

    @Test(arguments: AgentKind.allCases)
    func snapshotRestoreContinuesTheWindows(_ kind: AgentKind) async throws {
        let all = Self.points()
        // Uninterrupted run.
        let whole = try makeAgent(kind, MovingAverage.self, executable: "udf-moving-avg")
        #expect(try await whole.initialize(Self.options) == nil)
        for p in all { try whole.send(.point(p)) }
        // Keepalive answers depend on timing (a loaded machine); the data answers must not.
        func data(_ rs: [UDFResponse]) -> [UDFResponse] { rs.filter { if case .keepalive = $0 { false } else { true } } }
        let expected = data(try await whole.finish().responses)

        // Run half, snapshot, restart, restore, run the rest.
        let first = try makeAgent(kind, MovingAverage.self, executable: "udf-moving-avg")
        #expect(try await first.initialize(Self.options) == nil)
        for p in all[..<10] { try first.send(.point(p)) }
        try first.send(.snapshot)
        var before: [UDFResponse] = []
        var blob: [UInt8] = []
        while true {
            let r = try await first.receive()
            if case .snapshot(let b) = r { blob = b; break }
            if case .keepalive = r { continue }
            before.append(r)
        }
        _ = try await first.finish()
        #expect(!blob.isEmpty)

        let second = try makeAgent(kind, MovingAverage.self, executable: "udf-moving-avg")
        #expect(try await second.initialize(Self.options) == nil)
        try second.send(.restore(snapshot: blob))
        var reply = try await second.receive()
        while case .keepalive = reply { reply = try await second.receive() }
        #expect(reply == .restore(success: true, error: ""))
        for p in all[10...] { try second.send(.point(p)) }
        let after = data(try await second.finish().responses)
        #expect(before + after == expected)
    }

    @Test func windowRingAndDrift() {
        var w = MovingAverage.Window()
        #expect(w.add(1, size: 3) == 1)
        #expect(w.add(2, size: 3) == 1.5)
        #expect(w.add(3, size: 3) == 2)
        #expect(w.add(4, size: 3) == 3)
        for i in 0..<10_000 { _ = w.add(Double(i % 7) * 0.1, size: 3) }
        let average = w.add(0.5, size: 3)
        let exact = w.values.reduce(0, +) / 3
        #expect(abs(average - exact) < 1e-12)
    }
}
