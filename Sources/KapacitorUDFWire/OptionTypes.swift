/// The kind of edge a UDF consumes or produces (`agent.EdgeType`).
public enum EdgeType: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case stream = 0
    case batch = 1

    public var description: String { self == .stream ? "STREAM" : "BATCH" }
}

/// The declared type of an option argument (`agent.ValueType`).
public enum ValueType: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case bool = 0
    case int = 1
    case double = 2
    case string = 3
    case duration = 4

    public var description: String {
        switch self {
        case .bool: "BOOL"
        case .int: "INT"
        case .double: "DOUBLE"
        case .string: "STRING"
        case .duration: "DURATION"
        }
    }
}

/// One option argument as TICKscript set it (`agent.OptionValue`).
public enum OptionValue: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// A duration in nanoseconds.
    case duration(Int64)

    /// The declared type of this value.
    public var type: ValueType {
        switch self {
        case .bool: .bool
        case .int: .int
        case .double: .double
        case .string: .string
        case .duration: .duration
        }
    }

    public var description: String {
        switch self {
        case .bool(let v): v ? "TRUE" : "FALSE"
        case .int(let v): "\(v)"
        case .double(let v): "\(v)"
        case .string(let v): "'\(v)'"
        case .duration(let v): "\(v)ns"
        }
    }
}

/// One `.name(values…)` property call on a UDF node (`agent.Option`).
public struct UDFOption: Sendable, Hashable {
    public var name: String
    public var values: [OptionValue]

    public init(name: String, values: [OptionValue]) {
        self.name = name
        self.values = values
    }
}

/// What a UDF says about itself (`agent.InfoResponse`).
public struct UDFInfo: Sendable, Hashable {
    public var wants: EdgeType
    public var provides: EdgeType
    /// Option name → exact positional argument types.
    public var options: [String: [ValueType]]

    public init(wants: EdgeType, provides: EdgeType, options: [String: [ValueType]] = [:]) {
        self.wants = wants
        self.provides = provides
        self.options = options
    }
}

/// The `init` request of a task-node session (`agent.InitRequest`).
public struct InitRequest: Sendable, Hashable {
    /// Options in TICKscript call order; an option set twice appears twice.
    public var options: [UDFOption]
    public var taskID: String
    /// The node's name: UDF name plus node number, e.g. `movingAvg2`.
    public var nodeID: String

    public init(options: [UDFOption] = [], taskID: String = "", nodeID: String = "") {
        self.options = options
        self.taskID = taskID
        self.nodeID = nodeID
    }
}
