import FaradCore
import FaradTICK

/// `|httpOut('endpoint')`: keeps the latest point or batch of each group (groups in the order
/// first seen) for `GET /kapacitor/v1/tasks/<id>/<endpoint>`, and passes data on.
final class HTTPOutNode: EngineNode {
    let endpoint: String
    // Unchecked: see EngineNode.children.
    @exclusivity(unchecked) private var index = GroupTable<GroupID, Int>()
    /// The latest message of each group and when the group was last seen, in the order groups
    /// first appeared; turned into rows when the endpoint is read, not for every message.
    @exclusivity(unchecked) private var latest: [(message: Message, lastSeen: Int64)] = []

    init(name: String, provides: EdgeType, endpoint: String) {
        self.endpoint = endpoint
        super.init(name: name, type: "httpOut", provides: provides)
    }

    override var cardinality: Int { latest.count }

    override func process(_ message: consuming Message) {
        let slot = index.slot(of: message.group) { latest.count }
        if index[slot] < latest.count {
            latest[index[slot]] = (copy message, clock.now)
        } else {
            latest.append((copy message, clock.now))
        }
        emit(message)
    }

    /// An idle group's row leaves the result, as its state leaves every other node.
    override func expire(idleBefore time: Int64, now: Int64) {
        guard latest.contains(where: { $0.lastSeen < time }) else { return }
        latest.removeAll { $0.lastSeen < time }
        index.removeAll()
        for (i, entry) in latest.enumerated() { _ = index.slot(of: entry.message.group) { i } }
    }

    /// The cached result's rows.
    var rows: [ResultRow] {
        latest.map { entry in
            switch entry.message {
            case .point(let p): ResultRow(p.point)
            case .batch(let b): ResultRow(b)
            }
        }
    }

    /// The cached result as JSON.
    var resultJSON: String { ResultRow.result(rows) }
}

extension HTTPOutNode: NodeKind {
    static let methods = [NodeMethod("httpOut", dotName: "http_out")]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        try b.spec.expectArguments(1...1, "httpOut('endpoint')")
        return HTTPOutNode(name: b.name, provides: try b.requireEdge(), endpoint: try b.spec.stringArgument(0, "the endpoint name"))
    }
}
