import FaradCore
import FaradIngest
import FaradTICK

/// `|influxDBOut()`: writes points (or batch points) to InfluxDB; provides no edge.
/// Database, retention policy and measurement default to the point's; `.tag()` tags override.
final class InfluxDBOutNode: EngineNode {
    struct Settings {
        var database = ""
        var retentionPolicy = ""
        var measurement = ""
        var precision = ""
        var tags: [(String, String)] = []
    }

    let settings: Settings
    let writer: InfluxDBWriter

    init(name: String, settings: Settings, writer: InfluxDBWriter) {
        self.settings = settings
        self.writer = writer
        super.init(name: name, type: "influxDBOut", provides: nil)
    }

    override var extraStatistics: [(String, Int)] {
        [("points_written", writer.pointsWritten.load(ordering: .relaxed)), ("write_errors", writer.writeErrors.load(ordering: .relaxed)),
         ("outbox_points", writer.outboxPoints.load(ordering: .relaxed)), ("points_dropped", writer.pointsDropped.load(ordering: .relaxed))]
    }

    override func process(_ message: consuming Message) {
        switch message {
        case .point(let p): write(p.point, db: p.database, rp: p.retentionPolicy)
        case .batch(let b): for p in b.points { write(p, db: b.database, rp: b.retentionPolicy) }
        }
    }

    private func write(_ point: Point, db: String, rp: String) {
        var p = point
        if !settings.measurement.isEmpty { p.measurement = settings.measurement }
        for (k, v) in settings.tags { p.setTag(k, v) }
        let divisor: Int64 = switch settings.precision {
        case "u", "us": 1_000
        case "ms": 1_000_000
        case "s": 1_000_000_000
        case "m": 60_000_000_000
        case "h": 3_600_000_000_000
        default: 1
        }
        p.time = floorTime(p.time, divisor) / divisor
        writer.add(LineProtocolWriter.line(p), database: settings.database.isEmpty ? db : settings.database,
                   retentionPolicy: settings.retentionPolicy.isEmpty ? rp : settings.retentionPolicy, precision: settings.precision)
    }
}

extension InfluxDBOutNode: NodeKind {
    static let methods = [NodeMethod("influxDBOut", dotName: "influxdb_out")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        let spec = b.spec
        _ = try b.requireEdge()
        guard spec.arguments.isEmpty else { throw spec.argumentError("influxDBOut() takes no arguments; use .database('db')") }
        guard var config = b.environment.influxDB else {
            throw TICKDiagnostic(at: spec.position, "no InfluxDB is configured, so influxDBOut() cannot write: set [influxdb] url in the config or --influxdb-url")
        }
        var s = Settings()
        s.database = try b.props.string("database") ?? ""
        s.retentionPolicy = try b.props.string("retentionPolicy") ?? ""
        s.measurement = try b.props.string("measurement") ?? ""
        s.precision = try b.props.string("precision") ?? ""
        guard ["", "n", "ns", "u", "us", "ms", "s", "m", "h"].contains(s.precision) else {
            throw TICKDiagnostic(at: spec.position, "invalid precision '\(s.precision)': use ns, u, ms, s, m or h")
        }
        if let size = try b.props.int("buffer") {
            // Kapacitor writes when `len >= size`: 0 (every script of Intel's) writes each point at once.
            guard size >= 0 else { throw TICKDiagnostic(at: spec.position, ".buffer() cannot be negative") }
            config.bufferSize = Int(max(size, 1))
        }
        if let f = try b.props.duration("flushInterval") {
            guard f > 0 else { throw TICKDiagnostic(at: spec.position, ".flushInterval() must be positive") }
            config.flushInterval = .nanoseconds(f)
        }
        for call in b.props.calls("tag") {
            guard call.arguments.count == 2, case .string(let k) = call.arguments[0].value, case .string(let v) = call.arguments[1].value else {
                throw TICKDiagnostic(at: call.position, ".tag() takes a name and a value, e.g. .tag('source', 'farad')")
            }
            s.tags.append((k, v))
        }
        _ = b.props.calls("writeConsistency")  // single InfluxDB 1.x OSS: accepted, no effect
        _ = b.props.calls("cluster")
        let outbox = b.environment.outboxDirectory(forTask: b.taskID).map { "\($0)/\(b.name).outbox" }
        let writer = InfluxDBWriter(configuration: config, createDatabase: try b.props.flag("create"), outboxPath: outbox,
                                    logger: b.environment.logger)
        b.outputs.append(writer)
        return InfluxDBOutNode(name: b.name, settings: s, writer: writer)
    }
}
