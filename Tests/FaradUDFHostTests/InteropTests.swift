import FaradSystem
import FaradTestSupport
@testable import FaradUDFHost
import KapacitorUDFTesting
import KapacitorUDFWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The host against a Python agent on Google's protobuf runtime, the restart policy, and the
/// `farad udf` command line as a user runs it.
@Suite(.serialized, .timeLimit(.minutes(2))) struct InteropTests {
    static func pythonConfig(_ dir: TemporaryDirectory, _ mode: String, restart: RestartPolicy = .off) throws -> UDFFunctionConfig {
        let agent = try PythonAgent.prepare(in: dir.path)
        var config = try processConfig("py_\(mode)", "python3", ["-u", agent, mode], restart: restart)
        config.endpoint = .process(prog: "python3", args: ["-u", agent, mode], env: ["PYTHONPATH": dir.path])
        return config
    }

    @Test func pythonMirrorRoundTrip() async throws {
        let dir = TemporaryDirectory()
        let session = try await UDFSession.start(try Self.pythonConfig(dir, "mirror"), logger: quietLogger)
        #expect(try await session.info() == UDFInfo(wants: .stream, provides: .stream))
        try await session.finish()
        let node = try await UDFSession.start(try Self.pythonConfig(dir, "mirror"), logger: quietLogger)
        try await node.initialize([], taskID: "t", nodeID: "mirror1")
        let points = (0..<200).map { i in
            UDFPoint(time: Int64(i), name: "cpu", database: "db", retentionPolicy: "rp", group: "host=a", dimensions: ["host"],
                     tags: ["host": "a"], fieldsDouble: ["v": Double(i)], fieldsInt: ["n": Int64(-i)], fieldsString: ["s": "ü\(i)"],
                     fieldsBool: ["b": i % 2 == 0])
        }
        try await node.send(points)
        async let outputs = collect(node)
        try await node.finish()
        #expect(try await outputs == points.map(UDFOutput.point))
    }

    @Test func restartRestoresTheLastSnapshotAndKeepsGoing() async throws {
        let dir = TemporaryDirectory()
        var config = try Self.pythonConfig(dir, "moving_avg", restart: .onFailure(initialBackoff: .milliseconds(10)))
        config.snapshotInterval = .nanoseconds(1)  // a snapshot after every input group
        let supervisor = UDFSupervisor(config: config, logger: quietLogger)
        func point(_ v: Double, crash: Bool = false) -> UDFInput {
            .point(UDFPoint(time: Int64(v), group: "g", fieldsDouble: ["value": v], fieldsBool: crash ? ["crash": true] : [:]))
        }
        let inputs = ThreadToTaskQueue<[UDFInput]>(capacity: 4)
        inputs.push((1...5).map { point(Double($0)) })
        inputs.push([point(0, crash: true)])
        inputs.push((6...10).map { point(Double($0)) })
        inputs.finish()
        let collected = Mutex<[Double]>([])
        try await supervisor.run(
            options: [UDFOption(name: "field", values: [.string("value")]), UDFOption(name: "size", values: [.int(10)])],
            taskID: "t", nodeID: "movingAvg1", inputs: inputs.elements
        ) { outputs in
            for case .point(let p) in outputs { collected.withLock { $0.append(p.double("avg")!) } }
        }
        let averages = collected.withLock { $0 }
        // 1…5 before the crash; after the restart the restored window goes on: 6 → avg(1…6) … avg(1…10).
        #expect(averages == [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5])
    }

    @Test func restartPolicyOffFailsTheNode() async throws {
        let dir = TemporaryDirectory()
        let supervisor = UDFSupervisor(config: try Self.pythonConfig(dir, "mirror"), logger: quietLogger)
        let inputs = ThreadToTaskQueue<[UDFInput]>(capacity: 2)
        inputs.push([.point(UDFPoint(time: 1, fieldsBool: ["crash": true]))])
        inputs.finish()
        let error = await #expect(throws: UDFHostError.self) {
            try await supervisor.run(options: [], taskID: "t", nodeID: "m1", inputs: inputs.elements) { _ in }
        }
        #expect(error?.message == "process exited unexpectedly: exit status 3 (last stderr line: python agent mirror started)")
    }

    @Test func socketUDFReconnectsAfterItsServerDies() async throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/avg.sock"
        let binary = try UDFTestAgent.builtExecutable(named: "udf-moving-avg")
        func startServer() throws -> ChildProcess {
            try ChildProcess(executable: binary, arguments: ["--socket", path], standardInput: .null, standardOutput: .null, standardError: .null)
        }
        var config = try UDFFunctionConfig(name: "avg", endpoint: .socket(path: path), timeout: .seconds(5),
                                           restart: .onFailure(initialBackoff: .milliseconds(10)))
        config.snapshotInterval = .nanoseconds(1)
        let first = try startServer()
        let inputs = ThreadToTaskQueue<[UDFInput]>(capacity: 2)
        let averages = Mutex<[Double]>([])
        let supervisor = UDFSupervisor(config: config, logger: quietLogger)
        func point(_ v: Double) -> UDFInput { .point(UDFPoint(time: Int64(v), group: "g", fieldsDouble: ["v": v])) }
        let run = Task {
            try await supervisor.run(
                options: [UDFOption(name: "field", values: [.string("v")]), UDFOption(name: "size", values: [.int(10)])],
                taskID: "t", nodeID: "avg1", inputs: inputs.elements
            ) { outputs in
                for case .point(let p) in outputs { averages.withLock { $0.append(p.double("avg")!) } }
            }
        }
        inputs.push([point(1), point(2)])
        #expect(await eventually { averages.withLock { $0.count } == 2 })
        // The server dies; a new one comes up at the same path.
        first.signalGroup(SIGKILL)
        _ = await first.wait()
        let second = try startServer()
        inputs.push([point(3)])  // lost in the dead session, or reaches the new one
        inputs.push([point(4)])
        inputs.finish()
        try await run.value
        // The restored window went on from 1, 2: the last average covers 1…4, or 1, 2, 4 when 3
        // was in flight in the dead session.
        let last = averages.withLock { $0.last }
        #expect(last == 2.5 || last == 7.0 / 3.0, "\(averages.withLock { $0 })")
        second.signalGroup(SIGTERM)
        #expect(await second.wait() == .exited(0))
    }

    // MARK: The command line

    static func farad(_ arguments: [String], program: String? = nil, stdin: String? = nil) throws -> (ChildProcess, String) {
        let child = try ChildProcess(executable: try program ?? UDFTestAgent.builtExecutable(named: "farad"), arguments: arguments,
                                     standardInput: .pipe, standardOutput: .pipe, standardError: .pipe)
        if let stdin {
            try child.standardInput!.writeAll(Array(stdin.utf8))
            child.standardInput!.close()
        }
        return (child, "")
    }

    /// Runs `farad` to the end: exit status, stdout, stderr (outputs here are small).
    /// `program` runs instead of `farad` (e.g. `/usr/bin/env` with an environment before it).
    static func runFarad(_ arguments: [String], program: String? = nil, stdin: String) async throws -> (status: ProcessExitStatus, out: String, err: String) {
        let (child, _) = try farad(arguments, program: program, stdin: stdin)
        let out = readAll(child.standardOutput!)
        let err = readAll(child.standardError!)
        return (await child.wait(), out, err)
    }

    static func readAll(_ fd: FileDescriptor) -> String {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = (try? chunk.withUnsafeMutableBytes { try fd.read(into: $0) }) ?? 0
            if n <= 0 { break }
            out += chunk[..<n]
        }
        fd.close()
        return String(decoding: out, as: UTF8.self)
    }

    static let input = """
        cpu,host=a usage_user=1 1000000000
        cpu,host=b usage_user=10 1000000000
        cpu,host=a usage_user=3 2000000000
        cpu,host=b usage_user=20 2000000000

        """

    @Test func udfRunWithTheSwiftMovingAverage() async throws {
        let run = try await Self.runFarad(["udf", "run", "--prog", try UDFTestAgent.builtExecutable(named: "udf-moving-avg"),
                                           "--option", "field=usage_user", "--option", "size=10", "--group-by", "host"], stdin: Self.input)
        #expect(run.status == .exited(0), "\(run.err)")
        #expect(run.out == "cpu,host=a avg=1 1000000000\ncpu,host=b avg=10 1000000000\ncpu,host=a avg=2 2000000000\ncpu,host=b avg=15 2000000000\n")
    }

    @Test func udfRunWithAPythonUDFAndAConfigFile() async throws {
        let dir = TemporaryDirectory()
        let agent = try PythonAgent.prepare(in: dir.path)
        let conf = dir.write("kapacitor.conf", Array("""
            [udf.functions.pyAvg]
                prog = "python3"
                args = ["-u", "\(agent)", "moving_avg"]
                timeout = "10s"
                [udf.functions.pyAvg.env]
                    PYTHONPATH = "\(dir.path)"
            """.utf8))
        let info = try await Self.runFarad(["udf", "info", "--config", conf, "--name", "pyAvg"], stdin: "")
        #expect(info.status == .exited(0), "\(info.err)")
        #expect(info.out.contains("wants:    STREAM") && info.out.contains("  size   INT"))

        let run = try await Self.runFarad(["udf", "run", "--config", conf, "--name", "pyAvg", "--option", "field=usage_user",
                                           "--option", "size=2", "--option", "as=mean", "--group-by", "*"], stdin: Self.input)
        #expect(run.status == .exited(0), "\(run.err)")
        #expect(run.out == "cpu,host=a mean=1 1000000000\ncpu,host=b mean=10 1000000000\ncpu,host=a mean=2 2000000000\ncpu,host=b mean=15 2000000000\n")
    }

    @Test func udfRunReportsBadOptionsAndBadLines() async throws {
        let mirror = try UDFTestAgent.builtExecutable(named: "udf-moving-avg")
        let bad = try await Self.runFarad(["udf", "run", "--prog", mirror, "--option", "size=ten"], stdin: "")
        #expect(bad.status == .exited(1))
        #expect(bad.err.contains("UDF udf-moving-avg: size: \"ten\" is not an INT"))

        let lines = try await Self.runFarad(["udf", "run", "--prog", try UDFTestAgent.builtExecutable(named: "udf-mirror")],
                                            stdin: "cpu v=1 1\ncpu v=\n")
        #expect(lines.status == .exited(1))
        #expect(lines.out == "cpu v=1 1\n")
        #expect(lines.err.contains("farad: line 2: unable to parse 'cpu v=': missing field value"))
    }

    @Test func sigtermToUDFRunLeavesNoUDFBehind() async throws {
        let (child, _) = try Self.farad(["udf", "run", "--prog", try UDFTestAgent.builtExecutable(named: "udf-mirror")])
        // Wait until the task-node UDF runs (the info probe's process has come and gone).
        var udfs: [pid_t] = []
        #expect(await eventually {
            udfs = Self.children(of: child.pid)
            return !udfs.isEmpty && Self.readyForData(child)
        })
        kill(child.pid, SIGTERM)
        #expect(await child.wait() == .exited(128 + SIGTERM))
        for pid in udfs { #expect(await eventually { !processExists(pid) }, "UDF \(pid) outlived farad") }
        child.standardInput!.close()
        _ = Self.readAll(child.standardOutput!)
        _ = Self.readAll(child.standardError!)
    }

    /// Child pids of `pid` (all threads), from /proc.
    static func children(of pid: pid_t) -> [pid_t] {
        guard let dir = opendir("/proc/\(pid)/task") else { return [] }
        defer { closedir(dir) }
        var result: [pid_t] = []
        while let entry = readdir(dir) {
            let tid = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let f = fopen("/proc/\(pid)/task/\(tid)/children", "r") else { continue }
            var buffer = [CChar](repeating: 0, count: 4096)
            if fgets(&buffer, Int32(buffer.count), f) != nil {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                result += text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters()) }
            }
            fclose(f)
        }
        return result
    }

    /// True once the probe is over: a single UDF child that is not exiting.
    static func readyForData(_ farad: ChildProcess) -> Bool {
        children(of: farad.pid).count == 1
    }
}

extension Substring {
    func trimmingCharacters() -> Substring {
        var s = self
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return s
    }
}
