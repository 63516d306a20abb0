import FaradCore
import FaradTICK

/// What a script is, once checked and built.
public struct TaskSummary: Sendable, Hashable {
    public enum TaskType: String, Sendable, Hashable { case stream, batch }
    public var type: TaskType
    /// The `dbrp` statements of the script.
    public var dbrps: [DBRP]
    /// The DOT graph of the nodes (without statistics).
    public var dot: String
    public var warnings: [TICKDiagnostic]
    /// The databases and retention policies the batch queries read (`rp` empty: the default).
    public var queryDBRPs: [DBRP] = []
}

/// A database and retention policy a task reads.
public struct DBRP: Sendable, Hashable, Codable, CustomStringConvertible {
    public var db: String
    public var rp: String

    public init(db: String, rp: String) {
        self.db = db
        self.rp = rp
    }

    /// Kapacitor's rendering: `"db"."rp"`.
    public var description: String { "\(db.debugDescription).\(rp.debugDescription)" }
}

/// Parses, checks and builds TICKscripts into pipelines.
public enum TaskCompiler {
    /// Checks `script` completely (syntax, names, properties, lambdas, UDF options and edges)
    /// without starting anything.
    /// - Throws: ``TICKDiagnostic`` naming line and column.
    public static func validate(id: String, script: String, environment: TaskEnvironment) throws(TICKDiagnostic) -> TaskSummary {
        let built = try build(id: id, script: script, environment: environment)
        return built.summary
    }

    struct Built {
        var summary: TaskSummary
        var pipeline: Pipeline
        var udfNodes: [UDFNode]
        var outputs: [any TaskOutput]
    }

    static func build(id: String, script: String, environment: TaskEnvironment) throws(TICKDiagnostic) -> Built {
        let program = try Parser.parse(script)
        let checked = try Checker.check(program, nodeMethods: NodeRegistry.chainingMethods)
        var evaluator = ScriptEvaluator(source: script, udfNames: Set(environment.udfs.keys), deadman: environment.deadman)
        try evaluator.run(program)
        let specs = evaluator.specs
        guard specs.count > 1 else {
            throw TICKDiagnostic(at: specs.first?.position ?? Position(line: 1, column: 1, offset: 0), "task does nothing: add nodes, e.g. stream|from().measurement('cpu')|httpOut('cpu')")
        }
        var builder = NodeBuilder(environment: environment, taskID: id)
        var nodes: [EngineNode] = []
        for spec in specs {
            let input: EdgeType? = spec.parents.isEmpty ? .stream : nodes[spec.parents[0].index].provides
            if spec.parents.count > 1 {
                for p in spec.parents where nodes[p.index].provides != input {
                    throw TICKDiagnostic(at: spec.position, "\(spec.method)() cannot merge a stream and a batch edge: \(nodes[spec.parents[0].index].name) provides \(input.map(\.rawValue) ?? "no edge"), \(nodes[p.index].name) provides \(nodes[p.index].provides.map(\.rawValue) ?? "no edge")")
                }
            }
            nodes.append(try builder.make(spec, input: input))
        }
        for spec in specs {
            nodes[spec.index].children = spec.children.map { nodes[$0.index] }
            if let join = nodes[spec.index] as? JoinNode { join.parents = spec.parents.map { ObjectIdentifier(nodes[$0.index]) } }
        }
        var summary = TaskSummary(type: checked.type == .batch ? .batch : .stream,
                                  dbrps: checked.dbrps.map { DBRP(db: $0.database, rp: $0.retentionPolicy) },
                                  dot: DOT.plain(id: id, nodes), warnings: checked.warnings)
        for node in nodes {
            guard let q = node as? QueryNode else { continue }
            for (db, rp) in q.query.dbrps where !summary.queryDBRPs.contains(DBRP(db: db, rp: rp)) {
                summary.queryDBRPs.append(DBRP(db: db, rp: rp))
            }
        }
        return Built(summary: summary, pipeline: Pipeline(taskID: id, nodes: nodes, groupIdleTimeout: environment.groupIdleTimeout),
                     udfNodes: builder.udfNodes, outputs: builder.outputs)
    }
}
