import FaradTICK

/// Builds a task's nodes from their specs through ``NodeRegistry`` (and UDF nodes from the
/// task's UDF registrations), naming each as Kapacitor does (`<type><index>`), and collects what
/// the task owns: the I/O threads of its sinks and its UDF nodes.
struct NodeBuilder {
    let environment: TaskEnvironment
    let taskID: String
    private(set) var outputs: [any TaskOutput] = []
    private(set) var udfNodes: [UDFNode] = []

    init(environment: TaskEnvironment, taskID: String) {
        self.environment = environment
        self.taskID = taskID
    }

    mutating func make(_ spec: NodeSpec, input: EdgeType?) throws(TICKDiagnostic) -> EngineNode {
        if spec.isUDF, let registration = environment.udfs[spec.method] {
            var b = NodeBuild(spec: spec, input: input, name: "\(spec.method)\(spec.index)", environment: environment, taskID: taskID)
            let node = try UDFNode.make(&b, registration: registration)
            udfNodes.append(node)
            return node
        }
        guard let entry = NodeRegistry.byMethod[spec.method] else {
            throw TICKDiagnostic(at: spec.position, "\(spec.method)() is not a node Farad knows: supported are \(NodeRegistry.supportedText)")
        }
        var b = NodeBuild(spec: spec, input: input, name: "\(entry.method.dotName)\(spec.index)", environment: environment, taskID: taskID)
        let node = try entry.kind.make(&b)
        try b.props.finish()
        outputs += b.outputs
        return node
    }
}
