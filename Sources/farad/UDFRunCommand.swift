import ArgumentParser
import FaradCore
import FaradIngest
import FaradSystem
import FaradUDFHost
import KapacitorUDFWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct UDFRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Stream line protocol from stdin through a UDF and print its output as line protocol.",
        discussion: """
            Options are typed from the UDF's info: --option size=10 is an INT for an INT option, \
            --option scale=1.5 a DOUBLE, --option period=10s a DURATION; several arguments are \
            comma-separated (--option opt2=false,1,1.0,x,1s). Batch UDFs get consecutive points of \
            the same measurement in batches of --batch-size.

            Examples:
              farad udf run --prog udf-moving-avg --option field=v --option size=10 <in.lp
              farad udf run --prog python3 --arg -u --arg udf.py --option field=v <in.lp
              farad udf run --socket /tmp/mirror.sock <in.lp
            """
    )

    @OptionGroup var udf: UDFSelection
    @OptionGroup var logging: LoggingOptions

    @Option(name: .customLong("option"), help: "A UDF option: name=value (repeat for several).")
    var options: [String] = []

    @Option(name: .customLong("batch-size"), help: "Points per batch for batch UDFs.")
    var batchSize: Int = 100

    @Option(name: .customLong("database"), help: "Database the points are said to come from.")
    var database: String = "farad"

    @Option(name: .customLong("retention-policy"), help: "Retention policy the points are said to come from.")
    var retentionPolicy: String = "autogen"

    @Option(name: .customLong("precision"), help: "Timestamp precision of the input: n, u, ms, s, m or h.")
    var precision: String = "n"

    @Option(name: .customLong("group-by"), help: "Group points by these tags (comma-separated, or * for all), like TICKscript's groupBy().")
    var groupBy: String?

    @Option(name: .customLong("restart"), help: "off, or on-failure: restart a failed UDF and restore its last snapshot.")
    var restart: String = "off"

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard Precision(name: precision) != nil else { throw ValidationError("--precision must be one of n, u, ms, s, m, h") }
        guard restart == "off" || restart == "on-failure" else { throw ValidationError("--restart must be off or on-failure") }
    }

    func run() async throws {
        let logger = logging.makeLogger()
        try installShutdownHandlers()
        let config = try udf.functionConfig(restart: restart == "off" ? .off : .onFailure())

        // Kapacitor asks a UDF for its info once, in a session of its own.
        let info = try await UDFSession.probe(config, logger: logger)
        let typed = try options.map { try UDFOption(assignment: $0, info: info, udf: config.name) }

        let input = ThreadToTaskQueue<[UDFInput]>(capacity: 8)
        let badLines = BadLineCount()
        let reader = StdinPointReader(
            queue: input, parser: LineProtocolParser(precision: Precision(name: precision)!, defaultTime: 0),
            batchSize: info.wants == .batch ? batchSize : 0, database: database, retentionPolicy: retentionPolicy,
            groupBy: groupBy.map { $0.split(separator: ",").map(String.init) } ?? [], badLines: badLines)
        try OSThread.detached(name: "stdin-reader") { reader.run() }

        let supervisor = UDFSupervisor(config: config, logger: logger)
        do {
            // A failed session wakes the supervisor at once, even while stdin is quiet: it
            // restarts the UDF or gives up, instead of waiting for the next line.
            try await supervisor.run(
                options: typed, taskID: "farad-udf-run", nodeID: "\(config.name)1", inputs: input.elements,
                wake: { input.offer([]) }, inputEnded: { input.isFinished }
            ) { outputs in
                try FileDescriptor.standardOutput.writeAll(Array(Self.lines(outputs).utf8))
            }
        } catch {
            input.close()
            throw error
        }
        if badLines.total > 0 { throw ExitCode(1) }
    }

    static func lines(_ outputs: [UDFOutput]) -> String {
        var text = ""
        for output in outputs {
            switch output {
            case .point(let p):
                text += LineProtocolWriter.line(Point(p)) + "\n"
            case .batch(let begin, let points, let end):
                let name = end.name.isEmpty ? begin.name : end.name
                for p in points { text += LineProtocolWriter.line(Point(p, measurement: name, extraTags: end.tags)) + "\n" }
            }
        }
        return text
    }
}

/// Reads line protocol from stdin on its own thread and queues it as UDF input: one point at a
/// time, or batches of consecutive points of one measurement. Bad lines are reported on stderr.
struct StdinPointReader: Sendable {
    let queue: ThreadToTaskQueue<[UDFInput]>
    let parser: LineProtocolParser
    let batchSize: Int
    let database: String
    let retentionPolicy: String
    /// Tag keys to group by; `["*"]` for all tags.
    let groupBy: [String]
    let badLines: BadLineCount

    /// The point in the UDF protocol's form, with Kapacitor's group ID and dimensions.
    func udfPoint(_ p: Point) -> UDFPoint {
        var point = UDFPoint(p, database: database, retentionPolicy: retentionPolicy)
        guard !groupBy.isEmpty else { return point }
        let dimensions = groupBy == ["*"] ? p.tags.map(\.key) : groupBy.filter { p.tag($0) != nil }
        point.dimensions = dimensions
        point.group = dimensions.map { "\($0)=\(p.tag($0)!)" }.joined(separator: ",")
        return point
    }

    func run() {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var lineNumber = 0
        var batch: [UDFPoint] = []
        var batchName = ""
        var batchGroup = ""
        var batchMax: Int64 = 0
        func closeBatch(into group: inout [UDFInput]) {
            guard let first = batch.first else { return }
            let tags = Dictionary(uniqueKeysWithValues: first.dimensions.compactMap { k in first.tag(k).map { (k, $0) } })
            group.append(.batch(
                BeginBatch(name: batchName, group: batchGroup, tags: tags, size: Int64(batch.count)), batch,
                EndBatch(name: batchName, group: batchGroup, tmax: batchMax, tags: tags)))
            batch = []
        }
        while true {
            let n = (try? chunk.withUnsafeMutableBytes { try FileDescriptor.standardInput.read(into: $0) }) ?? 0
            if n > 0 { pending += chunk[..<n] }
            // Complete lines only, unless at end of input.
            let cut = n > 0 ? (pending.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) : pending.count
            var group: [UDFInput] = []
            if cut > 0 {
                let body = Array(pending[..<cut])
                pending.removeFirst(cut)
                var parsed = parser
                parsed.defaultTime = currentTimeNanoseconds()
                let (points, errors) = parsed.parse(body)
                for e in errors {
                    let message = "farad: line \(lineNumber + e.lineNumber): \(e)\n"
                    try? FileDescriptor.standardError.writeAll(Array(message.utf8))
                }
                badLines.add(errors.count)
                lineNumber += body.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                for p in points {
                    let point = udfPoint(p)
                    guard batchSize > 0 else {
                        group.append(.point(point))
                        continue
                    }
                    let pointGroup = point.group
                    if !batch.isEmpty && (p.measurement != batchName || pointGroup != batchGroup || batch.count >= batchSize) {
                        closeBatch(into: &group)
                    }
                    if batch.isEmpty {
                        batchName = p.measurement
                        batchGroup = pointGroup
                        batchMax = p.time
                    }
                    batch.append(point)
                    batchMax = max(batchMax, p.time)
                }
            }
            if n == 0 { closeBatch(into: &group) }
            if !group.isEmpty && !queue.push(group) { return }
            if n == 0 {
                queue.finish()
                return
            }
        }
    }
}

/// How many input lines could not be parsed (they make `farad udf run` exit 1 at the end).
final class BadLineCount: Sendable {
    private let count = Mutex(0)
    func add(_ n: Int) { if n > 0 { count.withLock { $0 += n } } }
    var total: Int { count.withLock { $0 } }
}

func currentTimeNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
