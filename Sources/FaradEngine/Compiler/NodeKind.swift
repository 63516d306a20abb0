import FaradTICK

/// One kind of TICKscript node: the methods that create it and how a checked spec becomes a
/// running node.
///
/// Each kind's file holds both halves: its properties (read in ``make(_:)``) and its per-group
/// state machine (the ``EngineNode`` subclass). Kinds are listed once, in ``NodeRegistry``; the
/// compiler, the checker's list of chaining methods, the "not a node Farad knows" text and the
/// node names in DOT and statistics all come from there.
///
/// ```swift
/// extension ShiftNode: NodeKind {
///     static let methods = [NodeMethod("shift")]
///     static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode { … }
/// }
/// ```
protocol NodeKind {
    /// The TICKscript methods that create this kind (`mean`, `sum`, … share one).
    static var methods: [NodeMethod] { get }

    /// Reads `b.spec`'s arguments and properties (through `b.props`, so that a property the
    /// kind does not have is reported), checks the edge it sits on and builds the node.
    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode
}

/// A method that creates nodes, and the name Kapacitor gives those nodes in DOT and statistics
/// (`httpOut` → `http_out3`).
struct NodeMethod: Sendable {
    /// The name in scripts, e.g. `httpOut`.
    let method: String
    /// The name's stem in DOT and statistics, e.g. `http_out`.
    let dotName: String
    /// Whether some node also has a property of this name (`from().where(…)`, `.groupBy(…)`,
    /// an alert's `.log(…)`): then `.name()` is not a mistake the checker reports.
    let isAlsoProperty: Bool

    init(_ method: String, dotName: String? = nil, isAlsoProperty: Bool = false) {
        self.method = method
        self.dotName = dotName ?? method
        self.isAlsoProperty = isAlsoProperty
    }
}
