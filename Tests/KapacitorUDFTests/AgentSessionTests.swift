import KapacitorUDF
import KapacitorUDFTesting
import Testing

/// The protocol obligations of the issue, each against the SDK's real session code on real pipes.
@Suite(.timeLimit(.minutes(1))) struct AgentSessionTests {
    static let point = UDFPoint(time: 31_536_000_000_000_000, name: "test", database: "db", retentionPolicy: "rp",
                                tags: ["t1": "v1", "t2": "v2"], fieldsDouble: ["f1": 1.0, "f2": 2.0])

    @Test func infoWithoutInitThenEOFExitsZero() async throws {
        let agent = try UDFTestAgent.inProcess(Failing.self)
        let info = try await agent.info()
        #expect(info == UDFInfo(wants: .stream, provides: .stream, options: ["limit": [.int]]))
        let result = try await agent.finish()
        #expect(result.responses.isEmpty)
        #expect(result.exitStatus == .exited(0))
    }

    @Test func initWithoutInfoAndStreamRoundTrip() async throws {
        let agent = try UDFTestAgent.inProcess(Failing.self)
        #expect(try await agent.initialize([]) == nil)
        try agent.send(.point(Self.point))
        // Output arrives while the input stays open: nothing waits in a buffer.
        #expect(try await agent.receive() == .point(Self.point))
        let result = try await agent.finish()
        #expect(result.exitStatus == .exited(0))
    }

    @Test func initFailureIsAnInitResponseNotAnError() async throws {
        let agent = try UDFTestAgent.inProcess(Failing.self)
        #expect(try await agent.initialize([UDFOption(name: "limit", values: [.int(-1)])]) == "limit must be >= 0, got -1")
        #expect(try await agent.initialize([UDFOption(name: "limit", values: [.double(1)])])
            == "unexpected arg to limit, got DOUBLE expected INT")
        #expect(try await agent.finish().exitStatus == .exited(0))
    }

    @Test func keepaliveIsAnsweredWhileAHandlerCallIsSlow() async throws {
        let agent = try UDFTestAgent.inProcess(GatedEcho.self)
        #expect(try await agent.initialize([]) == nil)
        try agent.send(.point(Self.point), .keepalive(time: 42))
        // The point call is parked at the gate; the keepalive is answered anyway.
        #expect(try await agent.receive() == .keepalive(time: 42))
        pointGate.continuation.yield()
        #expect(try await agent.receive() == .point(Self.point))
        #expect(try await agent.finish().exitStatus == .exited(0))
    }

    @Test func batchOutputKeepsOrderAndRepliesNeverOvertakeData() async throws {
        let agent = try UDFTestAgent.inProcess(OrderedBatchEcho.self)
        #expect(try await agent.initialize([]) == nil)
        let begin = BeginBatch(name: "test", group: "t1=v1", tags: ["t1": "v1"], size: 3)
        let points = (1...3).map { UDFPoint(time: Int64($0), tags: ["t1": "v1"], fieldsInt: ["f3": Int64($0)], fieldsString: ["f4": "str"]) }
        let end = EndBatch(name: "test", group: "t1=v1", tmax: 3, tags: ["t1": "v1"])
        try agent.send(.begin(begin), .point(points[0]), .point(points[1]), .point(points[2]), .end(end), .snapshot, .restore(snapshot: [42]))
        let result = try await agent.finish()
        #expect(result.responses == [.begin(begin)] + points.map(UDFResponse.point) + [.end(end), .snapshot([42]), .restore(success: true, error: "")])
        #expect(result.exitStatus == .exited(0))
        // Every frame decoded: in particular none was an empty Response (which crashes Kapacitor).
        #expect(result.outputError == nil)
    }

    @Test func snapshotOfCodableStateRestoresInANewSession() async throws {
        let first = try UDFTestAgent.inProcess(Failing.self)
        #expect(try await first.initialize([]) == nil)
        try first.send(.point(Self.point), .point(Self.point), .snapshot)
        _ = try await first.receive()
        _ = try await first.receive()
        guard case .snapshot(let blob) = try await first.receive() else { Issue.record("no snapshot"); return }
        #expect(String(decoding: blob, as: UTF8.self) == #"{"seen":2}"#)
        _ = try await first.finish()

        let second = try UDFTestAgent.inProcess(Failing.self)
        #expect(try await second.initialize([]) == nil)
        try second.send(.restore(snapshot: blob), .snapshot)
        #expect(try await second.receive() == .restore(success: true, error: ""))
        #expect(try await second.receive() == .snapshot(blob))
        try second.send(.restore(snapshot: Array("not json".utf8)))
        guard case .restore(false, let error) = try await second.receive() else { Issue.record("restore accepted garbage"); return }
        #expect(error.hasPrefix("cannot restore snapshot:"))
        _ = try await second.finish()
    }

    @Test func handlerErrorBecomesErrorResponseAndEndsTheSession() async throws {
        let agent = try UDFTestAgent.inProcess(Failing.self)
        #expect(try await agent.initialize([]) == nil)
        try agent.send(.point(UDFPoint(time: 7, fieldsBool: ["fail": true])), .point(Self.point))
        let result = try await agent.finish()
        #expect(result.responses == [.error("point 7 asked to fail")])
        #expect(result.exitStatus == .exited(1))
    }

    @Test func invalidOutputIsRefusedBeforeItReachesTheHost() async throws {
        let agent = try UDFTestAgent.inProcess(BadBatchOutput.self)
        #expect(try await agent.initialize([]) == nil)
        try agent.send(.begin(BeginBatch(name: "cpu")), .end(EndBatch(name: "cpu")))
        let result = try await agent.finish()
        #expect(result.responses == [.error("end batch emitted without begin batch")])
        #expect(result.exitStatus == .exited(1))
    }

    static let badInputs: [(String, [UInt8], String)] = [
        ("truncated frame", Array(UDFRequest.point(point).frame.dropLast(5)),
         "unexpected EOF, expected \(UDFRequest.point(point).frame[0]) more bytes"),
        ("truncated length", [0xFF], "unexpected EOF reading a frame length"),
        ("oversize length", [0x80, 0x80, 0x80, 0x80, 0x01], "frame of 268435456 bytes exceeds the maximum of 67108864 bytes"),
        ("unknown message", [0x02, 0x3A, 0x00], "request message number 7 is not part of the UDF protocol"),
        ("empty request", [0x00], "empty request: no message set"),
        ("garbage", [0x03, 0xFF, 0xFF, 0xFF], "malformed protobuf: varint runs past the end of the message"),
        ("end without begin", UDFRequest.end(EndBatch(name: "cpu")).frame, "batching not supported: this UDF wants a stream"),
        ("point before init", UDFRequest.point(point).frame, "point received before init"),
    ]

    @Test(arguments: badInputs.indices)
    func badInputGivesANamedErrorAndNonZeroExit(_ i: Int) async throws {
        let (name, bytes, message) = Self.badInputs[i]
        let agent = try UDFTestAgent.inProcess(Failing.self)
        if name != "point before init" { #expect(try await agent.initialize([]) == nil) }
        try agent.sendRaw(bytes)
        let result = try await agent.finish()
        #expect(result.responses == [.error(message)], "\(name)")
        #expect(result.exitStatus == .exited(1), "\(name)")
    }
}
