@testable import KapacitorUDF
import Testing

@Suite struct AgentStateMachineTests {
    static let stream = UDFInfo(wants: .stream, provides: .stream)
    static let batch = UDFInfo(wants: .batch, provides: .batch)

    func failure(_ action: AgentStateMachine.Action) -> String? {
        if case .fail(let e) = action { return e.message }
        return nil
    }

    @Test func infoIsAnsweredWithoutInit() {
        var m = AgentStateMachine(info: Self.stream)
        #expect(m.receive(.info) == .reply(.info(Self.stream)))
        #expect(m.receive(.keepalive(time: 7)) == .reply(.keepalive(time: 7)))
    }

    @Test func initNeedsNoInfoButDataNeedsInit() {
        var m = AgentStateMachine(info: Self.stream)
        #expect(failure(m.receive(.point(UDFPoint()))) == "point received before init")
        #expect(m.receive(.initialize(InitRequest())) == .initialize(InitRequest()))
        m.didInitialize()
        #expect(m.receive(.point(UDFPoint(time: 1))) == .point(UDFPoint(time: 1)))
        #expect(failure(m.receive(.initialize(InitRequest()))) == "init received twice")
    }

    @Test func streamUDFRejectsBatches() {
        var m = AgentStateMachine(info: Self.stream)
        m.didInitialize()
        #expect(failure(m.receive(.begin(BeginBatch()))) == "batching not supported: this UDF wants a stream")
    }

    @Test func batchRules() {
        var m = AgentStateMachine(info: Self.batch)
        m.didInitialize()
        #expect(failure(m.receive(.end(EndBatch()))) == "end batch received without begin batch")
        #expect(failure(m.receive(.point(UDFPoint()))) == "point received outside a batch, but this UDF wants batches")
        #expect(failure(m.receive(.begin(BeginBatch(size: -1)))) == "begin batch received with negative size -1")
        #expect(m.receive(.begin(BeginBatch(name: "cpu"))) == .beginBatch(BeginBatch(name: "cpu")))
        #expect(failure(m.receive(.begin(BeginBatch()))) == "begin batch received while batch \"cpu\" is open")
        #expect(m.receive(.point(UDFPoint())) == .point(UDFPoint()))
        #expect(m.receive(.end(EndBatch())) == .endBatch(EndBatch()))
    }

    @Test func snapshotAndRestoreNeedInit() {
        var m = AgentStateMachine(info: Self.stream)
        #expect(failure(m.receive(.snapshot)) == "snapshot requested before init")
        #expect(failure(m.receive(.restore(snapshot: [1]))) == "restore requested before init")
        m.didInitialize()
        #expect(m.receive(.snapshot) == .snapshot)
        #expect(m.receive(.restore(snapshot: [1])) == .restore([1]))
    }

    @Test func outputOrderRules() throws {
        var open = false
        #expect(throws: UDFError.self) { try OutputChannel.checkOrder(.end(EndBatch()), batchOpen: &open, provides: .batch) }
        #expect(throws: UDFError.self) { try OutputChannel.checkOrder(.point(UDFPoint()), batchOpen: &open, provides: .batch) }
        try OutputChannel.checkOrder(.point(UDFPoint()), batchOpen: &open, provides: .stream)
        #expect(throws: UDFError.self) { try OutputChannel.checkOrder(.begin(BeginBatch(size: -2)), batchOpen: &open, provides: .batch) }
        try OutputChannel.checkOrder(.begin(BeginBatch()), batchOpen: &open, provides: .batch)
        #expect(throws: UDFError.self) { try OutputChannel.checkOrder(.begin(BeginBatch()), batchOpen: &open, provides: .batch) }
        try OutputChannel.checkOrder(.point(UDFPoint()), batchOpen: &open, provides: .batch)
        try OutputChannel.checkOrder(.end(EndBatch()), batchOpen: &open, provides: .batch)
        #expect(open == false)
    }
}

@Suite struct UDFOptionsTests {
    static let info = UDFInfo(wants: .stream, provides: .stream, options: [
        "opt1": [.string], "opt2": [.bool, .int, .double, .string, .duration], "flag": [],
    ])

    @Test func typedAccessAfterValidation() throws {
        // Kapacitor's TestStream_CustomFunctions options: .opt1('count').opt2(FALSE, 1, 1.0, '1.0', 1s)
        let request = InitRequest(options: [
            UDFOption(name: "opt1", values: [.string("count")]),
            UDFOption(name: "opt2", values: [.bool(false), .int(1), .double(1.0), .string("1.0"), .duration(1_000_000_000)]),
            UDFOption(name: "flag", values: []),
        ], taskID: "testStreamerWithOutput", nodeID: "customFunc4")
        let options = try UDFOptions(request, info: Self.info)
        #expect(options.string("opt1") == "count")
        #expect(options.values("opt2") == [.bool(false), .int(1), .double(1.0), .string("1.0"), .duration(1_000_000_000)])
        #expect(options.isSet("flag"))
        #expect(!options.isSet("missing"))
        #expect(options.int("opt1") == nil)
        #expect(options.nodeID == "customFunc4")
    }

    @Test(arguments: [
        (UDFOption(name: "nope", values: []), "unknown option nope (options: flag, opt1, opt2)"),
        (UDFOption(name: "opt1", values: []), "unexpected number of args to opt1, got 0 expected 1"),
        (UDFOption(name: "opt1", values: [.int(2)]), "unexpected arg to opt1, got INT expected STRING"),
        (UDFOption(name: "opt2", values: [.bool(true), .double(1), .double(1), .string(""), .duration(0)]),
         "unexpected arg to opt2, got DOUBLE expected INT"),
    ])
    func invalidOptionsAreNamed(_ option: UDFOption, _ message: String) {
        let error = #expect(throws: UDFError.self) { try UDFOptions(InitRequest(options: [option]), info: Self.info) }
        #expect(error?.message == message)
    }

    @Test func lastCallWins() throws {
        let options = try UDFOptions(InitRequest(options: [
            UDFOption(name: "opt1", values: [.string("a")]), UDFOption(name: "opt1", values: [.string("b")]),
        ]), info: Self.info)
        #expect(options.string("opt1") == "b")
        #expect(options.all.count == 2)
    }
}
