import KapacitorUDF
import KapacitorUDFTesting
import Testing
import UDFExamples

@Suite(.timeLimit(.minutes(1))) struct WindTurbineTests {
    static let csv = """
        # speed (m/s), power (kW)
        wind_speed,power
        3,0
        5,200
        10,2000
        14,3000
        """

    @Test func curveInterpolatesAndClamps() throws {
        let curve = try PowerCurve(csv: Self.csv)
        #expect(curve.power(at: 1) == 0)
        #expect(curve.power(at: 4) == 100)
        #expect(curve.power(at: 7.5) == 1100)
        #expect(curve.power(at: 14) == 3000)
        #expect(curve.power(at: 30) == 3000)
    }

    @Test func curveErrorsNameTheLine() {
        let error = #expect(throws: PowerCurveError.self) { try PowerCurve(csv: "speed,power\n3,0\n5,abc\n") }
        #expect(error?.description == #"power curve line 3: expected two numbers, wind speed and power, got "5,abc""#)
        #expect(throws: PowerCurveError.self) { try PowerCurve(csv: "speed,power\n") }
    }

    static func reading(_ speed: Double, _ power: Double, time: Int64 = 1) -> UDFPoint {
        UDFPoint(time: time, name: "wind-turbine-data", database: "datain", retentionPolicy: "autogen",
                 tags: ["source": "t1"], fieldsDouble: ["wind_speed": speed, "grid_active_power": power])
    }

    @Test(arguments: AgentKind.allCases)
    func anomalyStatusBySeverity(_ kind: AgentKind) async throws {
        let dir = TemporaryDirectory()
        let curve = dir.write("curve.csv", Self.csv)
        let agent = try makeAgent(kind, WindTurbineAnomaly.self, executable: "udf-wind-turbine")
        #expect(try await agent.initialize([option("curve", .string(curve))]) == nil)
        // Expected power at 10 m/s is 2000.
        let cases: [(Double, Double, Double)] = [
            (10, 2000, 0.0),   // on the curve
            (10, 1850, 0.0),   // 7.5 % short: within threshold
            (10, 1600, 0.3),   // 20 % short: low
            (10, 1000, 0.6),   // 50 % short: medium
            (10, 400, 1.0),    // 80 % short: high
            (2.5, 400, 0.0),   // below cut-in
            (20, 400, 0.0),    // above cut-out
            (10, 20, 0.0),     // below min power
        ]
        for (i, c) in cases.enumerated() { try agent.send(.point(Self.reading(c.0, c.1, time: Int64(i)))) }
        try agent.send(.point(UDFPoint(time: 99, fieldsString: ["note": "no readings"])))
        let result = try await agent.finish()
        #expect(result.exitStatus == .exited(0))
        let out = result.responses.compactMap { r -> UDFPoint? in if case .point(let p) = r { return p } else { return nil } }
        #expect(out.map { $0.double("anomaly_status") } == cases.map(\.2) + [0.0])
        #expect(out[0].double("wind_speed") == 10 && out[0].tag("source") == "t1" && out[0].database == "datain")
        #expect(out.last?.string("note") == "no readings")
    }

    @Test(arguments: AgentKind.allCases)
    func curveFromTheEnvironment(_ kind: AgentKind) async throws {
        let dir = TemporaryDirectory()
        let curve = dir.write("curve.csv", Self.csv)
        // In-process agents read this process's environment; the executable gets it explicitly.
        guard kind == .process else { return }
        let agent = try UDFTestAgent.process(
            executable: try UDFTestAgent.builtExecutable(named: "udf-wind-turbine"),
            environment: ["WIND_TURBINE_POWER_CURVE": curve])
        #expect(try await agent.initialize([]) == nil)
        try agent.send(.point(Self.reading(10, 400)))
        #expect(try await agent.receive() == .point({ var p = Self.reading(10, 400); p.fieldsDouble["anomaly_status"] = 1.0; return p }()))
        _ = try await agent.finish()
    }

    @Test(arguments: AgentKind.allCases)
    func initErrors(_ kind: AgentKind) async throws {
        let agent = try makeAgent(kind, WindTurbineAnomaly.self, executable: "udf-wind-turbine", environment: [:])
        let missing = try await agent.initialize([])
        if kind == .process {
            #expect(missing == "must supply a power curve: option curve or env WIND_TURBINE_POWER_CURVE")
        }
        let unreadable = try await agent.initialize([option("curve", .string("/nonexistent/curve.csv"))])
        #expect(unreadable?.hasPrefix("cannot read power curve /nonexistent/curve.csv") == true)
        let dir = TemporaryDirectory()
        let curve = dir.write("curve.csv", Self.csv)
        #expect(try await agent.initialize([option("curve", .string(curve)), option("cut_in", .double(20))])
            == "cut_in (20.0) must be below cut_out (14.0)")
        _ = try await agent.finish()
    }
}
