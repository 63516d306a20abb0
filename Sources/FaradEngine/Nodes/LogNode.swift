import FaradCore
import FaradTICK

/// `|log()`: writes every point or batch as a line (logfmt, as Kapacitor's log node) and
/// passes it on. `.level()` is DEBUG, INFO (default), WARN or ERROR; `.prefix()` is added.
final class LogNode: EngineNode {
    let level: String
    let prefix: String
    let sink: @Sendable (_ level: String, _ line: String) -> Void

    init(name: String, provides: EdgeType, level: String, prefix: String, sink: @escaping @Sendable (String, String) -> Void) {
        self.level = level
        self.prefix = prefix
        self.sink = sink
        super.init(name: name, type: "log", provides: provides)
    }

    override func process(_ message: consuming Message) {
        switch message {
        case .point(let p):
            sink(level, line("point", p.point, db: p.database, rp: p.retentionPolicy, group: p.group, dimensions: p.dimensions))
        case .batch(let b):
            var begin = "\(head("begin batch")) name=\(Self.quote(b.name)) group=\(Self.quote(b.group.rawValue)) tmax=\(CivilDate.rfc3339Nano(b.tmax))"
            for (k, v) in b.tags { begin += " tag_\(k)=\(Self.quote(v))" }
            sink(level, begin)
            for p in b.points {
                sink(level, line("batch point", p, db: b.database, rp: b.retentionPolicy, group: b.group, dimensions: b.dimensions))
            }
            sink(level, "\(head("end batch")) name=\(Self.quote(b.name)) group=\(Self.quote(b.group.rawValue))")
        }
        emit(message)
    }

    private func head(_ msg: String) -> String {
        "lvl=\(level.lowercased()) msg=\(Self.quote(msg)) node=\(name) prefix=\(Self.quote(prefix))"
    }

    private func line(_ msg: String, _ p: Point, db: String, rp: String, group: GroupID, dimensions: Dimensions) -> String {
        var s = "\(head(msg)) name=\(Self.quote(p.measurement)) db=\(Self.quote(db)) rp=\(Self.quote(rp)) group=\(Self.quote(group.rawValue))"
        for (i, d) in dimensions.tagNames.enumerated() { s += " dimension_\(i)=\(Self.quote(d))" }
        for (k, v) in p.tags { s += " tag_\(k)=\(Self.quote(v))" }
        for (k, v) in p.fields {
            let text = switch v {
            case .double(let d): JSONWriter.format(d)
            case .int(let n): "\(n)"
            case .string(let t): Self.quote(t)
            case .bool(let b): b ? "true" : "false"
            }
            s += " field_\(k)=\(text)"
        }
        return s + " time=\(CivilDate.rfc3339Nano(p.time))"
    }

    static func quote(_ s: String) -> String {
        if !s.isEmpty, !s.contains(where: { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\n" }) { return s }
        return s.debugDescription
    }
}

extension LogNode: NodeKind {
    static let methods = [NodeMethod("log", isAlsoProperty: true)]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        try b.noArguments()
        let level = (try b.props.string("level") ?? "INFO").uppercased()
        guard ["DEBUG", "INFO", "WARN", "ERROR"].contains(level) else {
            throw TICKDiagnostic(at: b.spec.position, "invalid log level \(level): use DEBUG, INFO, WARN or ERROR")
        }
        return LogNode(name: b.name, provides: try b.requireEdge(), level: level, prefix: try b.props.string("prefix") ?? "", sink: b.environment.log)
    }
}
