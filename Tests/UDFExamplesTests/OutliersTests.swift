import KapacitorUDF
import KapacitorUDFTesting
import Testing
import UDFExamples

@Suite(.timeLimit(.minutes(1))) struct OutliersTests {
    /// The values of Kapacitor's outliers end-to-end test, shuffled.
    static let values: [Double] = [80, 5, 48, 100, 33, 46, 7, 85, 13, 52, 35, 50, 6, 53, 36, 90, 45, 47, 51, 54]

    func runBatch(_ agent: UDFTestAgent, _ values: [Double]) async throws -> (BeginBatch, [Double], EndBatch) {
        let begin = BeginBatch(name: "cpu", group: "count=1", tags: ["count": "1"], size: Int64(values.count))
        let end = EndBatch(name: "cpu", group: "count=1", tmax: 99, tags: ["count": "1"])
        try agent.send(.begin(begin))
        for (i, v) in values.enumerated() {
            try agent.send(.point(UDFPoint(time: Int64(i), tags: ["count": "1"], fieldsDouble: ["value": v])))
        }
        try agent.send(.end(end))
        guard case .begin(let outBegin) = try await agent.receive() else { throw UDFTestError("no begin") }
        var out: [Double] = []
        while true {
            switch try await agent.receive() {
            case .point(let p): out.append(p.double("value")!)
            case .end(let outEnd): return (outBegin, out, outEnd)
            case let other: throw UDFTestError("unexpected \(other.kind)")
            }
        }
    }

    @Test(arguments: AgentKind.allCases)
    func smallAndLargeBatches(_ kind: AgentKind) async throws {
        let agent = try makeAgent(kind, Outliers.self, executable: "udf-outliers")
        #expect(try await agent.initialize([option("field", .string("value")), option("scale", .double(1.5))]) == nil)
        for values in [[], [1.0], [1.0, 100.0], [1.0, 2.0, 3.0, 4.0, 5.0], [10, 11, 12, 13, 14, 15, 16, 200.0]] {
            let (begin, out, end) = try await runBatch(agent, values)
            let expected: [Double] = values.last == 200 ? [200] : []
            #expect(out == expected, "\(values)")
            #expect(begin.size == Int64(expected.count) && begin.name == "cpu" && begin.tags == ["count": "1"])
            #expect(end == EndBatch(name: "cpu", group: "count=1", tmax: 99, tags: ["count": "1"]))
        }
        // Twice, as Kapacitor's test sends it: the documented median method flags 85, 90, 100.
        for _ in 0..<2 {
            let (_, out, _) = try await runBatch(agent, Self.values)
            #expect(out == [85, 90, 100])
        }
        let (_, low, _) = try await runBatch(agent, [1, 50, 51, 52, 53, 54, 55, 500])
        #expect(low == [1, 500])
        #expect(try await agent.finish().exitStatus == .exited(0))
    }

    @Test func quartilesByTheMedianMethod() {
        #expect(Outliers.quartiles([]) == nil)
        #expect(Outliers.quartiles([4])! == (4, 4))
        #expect(Outliers.quartiles([1, 2])! == (1, 2))
        #expect(Outliers.quartiles([1, 2, 3, 4, 5])! == (1.5, 4.5))
        #expect(Outliers.quartiles(Self.values.sorted())! == (34, 53.5))
    }

    @Test(arguments: AgentKind.allCases)
    func invalidOptions(_ kind: AgentKind) async throws {
        let agent = try makeAgent(kind, Outliers.self, executable: "udf-outliers")
        #expect(try await agent.initialize([option("scale", .double(0.5))]) == "must supply field name; invalid scale must be >= 1.0, got 0.5")
        #expect(try await agent.finish().exitStatus == .exited(0))
    }
}
