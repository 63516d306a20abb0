@testable import FaradUDFHost
import FaradTestSupport
import KapacitorUDFTesting
import KapacitorUDFWire
import Logging
import MetricsTestKit
import Synchronization
import FaradSystem
import Testing

/// A log handler that keeps what it is given, for asserting logs.
final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    // @unchecked Sendable: `records` is a Mutex; the other properties are set before use.
    struct Record: Sendable {
        let message: String
        let metadata: [String: String]
    }

    let records: Mutex<[Record]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init() { records = Mutex([]) }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var flat: [String: String] = [:]
        for (k, v) in event.metadata ?? [:] { flat[k] = "\(v)" }
        records.withLock { $0.append(Record(message: event.message.description, metadata: flat)) }
    }

    var all: [Record] { records.withLock { $0 } }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct ObservabilityTests {
    @Test func stderrLinesAreLoggedWithTheUDFsNameAndLongLinesCut() async throws {
        let recorder = RecordingLogHandler()
        let logger = Logger(label: "test", factory: { _ in recorder })
        let script = "echo hello from the udf >&2; head -c 70000 /dev/zero | tr '\\0' y >&2; echo >&2; exec cat"
        let session = try await UDFSession.start(try processConfig("talker", "/bin/sh", ["-c", script]), logger: logger)
        try await session.send(UDFPoint(time: 1))
        async let outputs = collect(session)
        try await session.finish()
        #expect(try await outputs.count == 1)
        // The stderr thread may log its last line just after the process ended.
        #expect(await eventually { recorder.all.filter { $0.message == "UDF log" }.count >= 2 })
        let lines = recorder.all.filter { $0.message == "UDF log" }
        #expect(lines.allSatisfy { $0.metadata["udf"] == "talker" })
        #expect(lines.first?.metadata["text"] == "hello from the udf")
        let long = lines.first { $0.metadata["text"]?.hasPrefix("yyy") == true }
        #expect(long?.metadata["text"]?.hasSuffix(" …(line cut at 65536 bytes)") == true)
        #expect(long?.metadata["text"]?.utf8.count == 65536 + " …(line cut at 65536 bytes)".utf8.count)
    }

    @Test func aFloodOfStderrLinesIsRateLimitedAndCounted() async throws {
        let recorder = RecordingLogHandler()
        let logger = Logger(label: "test", factory: { _ in recorder })
        // 20,000 lines at once: the burst (50) is logged, then about 10 a second.
        let script = "seq 1 20000 >&2; exec cat"
        let session = try await UDFSession.start(try processConfig("flood", "/bin/sh", ["-c", script]), logger: logger)
        try await session.send(UDFPoint(time: 1))
        async let outputs = collect(session)
        try await session.finish()
        #expect(try await outputs.count == 1)
        func suppressed() -> Int {
            recorder.all.filter { $0.message.hasPrefix("UDF log lines suppressed") }.reduce(0) { $0 + (Int($1.metadata["suppressed"] ?? "") ?? 0) }
        }
        func logged() -> Int { recorder.all.filter { $0.message == "UDF log" }.count }
        // Every line is either logged or counted, once the stderr thread has read them all.
        #expect(await eventually { logged() + suppressed() == 20000 })
        #expect(logged() >= 50)
        #expect(logged() < 1000)
        #expect(recorder.all.first { $0.message == "UDF log" }?.metadata["text"] == "1")
    }

    @Test func rateLimiterLetsABurstThroughThenRefills() {
        var limiter = LogRateLimiter(burst: 3, perSecond: 2)
        let t0 = Duration.seconds(100)
        #expect((0..<3).map { _ in limiter.admit(at: t0) } == Array(repeating: .log(suppressedBefore: 0), count: 3))
        #expect(limiter.admit(at: t0) == .suppress)
        #expect(limiter.admit(at: t0 + .milliseconds(100)) == .suppress)
        // Half a second later one token is back; the two left out are reported with that line.
        #expect(limiter.admit(at: t0 + .milliseconds(600)) == .log(suppressedBefore: 2))
        #expect(limiter.admit(at: t0 + .milliseconds(600)) == .suppress)
        #expect(limiter.flush() == 1)
        #expect(limiter.flush() == 0)
        // A long quiet time refills up to the burst only.
        #expect((0..<4).map { _ in limiter.admit(at: t0 + .seconds(60)) }.filter { $0 == .suppress }.count == 1)
    }

    @Test func countersAndTimers() async throws {
        let metrics = TestMetrics()
        let udfMetrics = UDFMetrics(udf: "mirror", factory: metrics)
        let session = try await UDFSession.start(try swiftUDF("udf-mirror", ["--batch"]), logger: quietLogger, metrics: udfMetrics)
        try await session.initialize([], taskID: "t", nodeID: "mirror1")
        let points = (0..<10).map { UDFPoint(time: Int64($0)) }
        try await session.send(batch: BeginBatch(name: "cpu"), points: points, end: EndBatch(name: "cpu", tmax: 9))
        try await session.send(batch: BeginBatch(name: "cpu"), points: points, end: EndBatch(name: "cpu", tmax: 9))
        async let outputs = collect(session)
        try await session.finish()
        #expect(try await outputs.count == 2)
        let d = [("udf", "mirror")]
        #expect(try metrics.expectCounter("farad_udf_points_in_total", d).totalValue == 20)
        #expect(try metrics.expectCounter("farad_udf_points_out_total", d).totalValue == 20)
        #expect(try metrics.expectCounter("farad_udf_batches_in_total", d).totalValue == 2)
        #expect(try metrics.expectCounter("farad_udf_batches_out_total", d).totalValue == 2)
        #expect(try metrics.expectTimer("farad_udf_request_seconds", d).values.count == 1)  // the init round trip
    }

    @Test func restartPolicyGivesUpAfterItsLimit() async throws {
        let metrics = TestMetrics()
        let config = try processConfig("quitter", "/bin/true", restart: .onFailure(initialBackoff: .milliseconds(1), maximumRestarts: 2))
        let supervisor = UDFSupervisor(config: config, logger: quietLogger, metrics: UDFMetrics(udf: "quitter", factory: metrics))
        let inputs = ThreadToTaskQueue<[UDFInput]>(capacity: 1)
        inputs.finish()
        let error = await #expect(throws: UDFHostError.self) {
            try await supervisor.run(options: [], taskID: "t", nodeID: "q1", inputs: inputs.elements) { _ in }
        }
        #expect(error?.code == .exited || error?.code == .aborted)
        #expect(try metrics.expectCounter("farad_udf_restarts_total", [("udf", "quitter")]).totalValue == 2)
    }
}
