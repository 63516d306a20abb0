import ArgumentParser
import FaradCore
import FaradEngine
import FaradInfluxQL
import Foundation

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run a TICKscript on recorded points and print what its httpOut and log nodes produce.",
        discussion: """
            A unit-test harness for TICKscripts: the task runs in this process on a fast clock (the \
            points' own times), then the result of every httpOut node is printed as Kapacitor's JSON \
            (`{"series":[…]}`; with several httpOut nodes, one `endpoint<TAB>json` line each). Log \
            node lines go to stdout as they happen.

            Data: line protocol (`--precision` gives its time unit), or a Kapacitor test recording \
            (.srpl: repeated lines db, rp, point, in seconds), whose first point is moved to \
            1971-01-01T00:00:00Z exactly as Kapacitor's test harness does.

            A batch task's queries read the data instead, through Farad's InfluxQL engine: the \
            points are stored in their database and retention policy (line protocol: --db/--rp, \
            by default the first "db"."rp" the script queries), then every tick whose window \
            overlaps them runs in time order, as if the clock passed over the recording. \
            Kapacitor's batch recordings (.brpl, one JSON batch a line) stand in for the queries' \
            answers instead: -data once per query node, in script order, each moved to start at \
            1971-01-01T00:00:00Z as Kapacitor's test harness does.

            Examples:
              farad replay -tick cpu.tick -data cpu.lp
              farad replay -tick window.tick -data TestStream_Window.srpl
              farad replay -tick udf.tick -data points.lp --config farad.toml
              farad replay -tick batch.tick -data cpu.lp --precision s
              farad replay -tick join.tick -data TestBatch_Join.0.brpl -data TestBatch_Join.1.brpl
            """
    )

    @Option(name: [.customLong("tick"), .customLong("tick", withSingleDash: true)], help: "The TICKscript file.")
    var tick: String

    @Option(name: [.customLong("data"), .customLong("data", withSingleDash: true)],
            help: "Points: line protocol, a .srpl recording, or for a batch task .brpl recordings (repeat: the i-th feeds the i-th query).")
    var data: [String] = []

    @Option(name: .customLong("config"), help: "A farad.toml with [udf.functions.*] and [influxdb] sections.")
    var config: String?

    @Option(name: .customLong("precision"), help: "Time unit of line-protocol data: n, u, ms, s, m or h.")
    var precision: String = "n"

    @Option(name: .customLong("db"), help: "Database of line-protocol points (default: the script's first dbrp).")
    var database: String?

    @Option(name: .customLong("rp"), help: "Retention policy of line-protocol points (default: the script's first dbrp).")
    var retentionPolicy: String?

    @Option(name: .customLong("group-idle"), help: "Forget groups idle this long by the data clock, e.g. 10m (default: never).")
    var groupIdle: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.makeLogger()
        let script = try readText(tick, "TICKscript")
        var environment = TaskEnvironment(log: { _, line in print(line) }, logger: logger)
        // A batch task's queries read the recording from memory, on a clock that stays at the
        // epoch: the replay, not the clock, runs their ticks.
        let memory = InMemoryInfluxStorage()
        environment.batchSource = StorageBatchSource(storage: memory, clock: ManualWallClock(start: 0))
        if let groupIdle {
            guard let ns = DurationText.parse(groupIdle), ns > 0 else { throw ValidationError("--group-idle must be a duration such as 10m") }
            environment.groupIdleTimeout = ns
        }
        if let config {
            let file = try TaskEnvironment.FileConfiguration(toml: try readText(config, "config"))
            for failure in await environment.apply(file, logger: logger) {
                FileHandle.standardError.write(Data("farad replay: \(failure)\n".utf8))
            }
        }
        if (try? TaskCompiler.validate(id: "replay", script: script, environment: environment))?.type == .batch {
            environment.wallClock = ManualWallClock(start: 0)
        }
        let task: TaskExecution
        do {
            task = try TaskExecution(id: "replay", script: script, environment: environment)
        } catch {
            throw ValidationError("\(tick):\(error)")
        }
        let batch = task.summary.type == .batch
        guard !data.isEmpty else { throw ValidationError("give the points to replay with -data FILE") }
        if data.allSatisfy({ $0.hasSuffix(".brpl") }) {
            guard batch else { throw ValidationError(".brpl recordings feed a batch task's queries: \(tick) is a stream task") }
            guard data.count <= task.queryCount else {
                throw ValidationError("\(data.count) batch recordings for \(task.queryCount) query node\(task.queryCount == 1 ? "" : "s") in \(tick)")
            }
            var recordings: [BatchRecording] = []
            for path in data {
                guard let bytes = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read the data file \(path)") }
                do { recordings.append(try BatchRecording(brpl: Array(bytes))) } catch { throw ValidationError("\(path):\(error)") }
            }
            try await BatchRecording.replay(recordings, into: task)
            printOutputs(task)
            return
        }
        guard data.count == 1, let data = data.first else {
            throw ValidationError("only .brpl recordings come several to a replay (one per query node); give one line-protocol or .srpl file")
        }
        guard let bytes = FileManager.default.contents(atPath: data) else { throw ValidationError("cannot read the data file \(data)") }
        guard let unit = Precision(rawValue: precision) else { throw ValidationError("--precision must be n, u, ms, s, m or h") }
        let recording: ReplayRecording
        let dbrp = (batch ? task.summary.queryDBRPs.first : nil) ?? task.summary.dbrps.first
        do {
            recording = data.hasSuffix(".srpl")
                ? try ReplayRecording(srpl: Array(bytes))
                : try ReplayRecording(lineProtocol: Array(bytes), precision: unit, database: database ?? dbrp?.db ?? "",
                                      retentionPolicy: retentionPolicy ?? dbrp?.rp ?? "")
        } catch {
            throw ValidationError("\(data):\(error)")
        }
        if batch {
            recording.load(into: memory)
            try await recording.replayBatch(into: task)
        } else {
            try await recording.replay(into: task)
        }
        printOutputs(task)
    }

    /// Each httpOut's JSON (with its endpoint when there are several).
    private func printOutputs(_ task: TaskExecution) {
        let endpoints = task.endpoints
        for endpoint in endpoints {
            let json = task.httpOut(endpoint) ?? ""
            print(endpoints.count == 1 ? json : "\(endpoint)\t\(json)")
        }
    }

    private func readText(_ path: String, _ what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read the \(what) file \(path)") }
        return String(decoding: data, as: UTF8.self)
    }
}

