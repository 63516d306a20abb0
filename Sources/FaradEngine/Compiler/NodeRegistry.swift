import FaradTICK

/// Every node kind Farad builds, in one list: the compiler looks methods up here, and the texts
/// that name the supported nodes are derived from it.
enum NodeRegistry {
    /// The kinds, in the order the "supported are" text lists them.
    static let kinds: [any NodeKind.Type] = [
        StreamNode.self, BatchRootNode.self, QueryNode.self, FromNode.self, WhereNode.self, WindowNode.self, GroupByNode.self, EvalNode.self,
        DefaultNode.self, DeleteNode.self, ShiftNode.self, SampleNode.self, DerivativeNode.self, InfluxQLNode.self,
        LogNode.self, HTTPOutNode.self, InfluxDBOutNode.self, UnionNode.self, JoinNode.self, FlattenNode.self, CombineNode.self, AlertNode.self, StateTrackingNode.self, ChangeDetectNode.self, StatsNode.self,
    ]

    /// Each method's kind and name stem.
    static let byMethod: [String: (kind: any NodeKind.Type, method: NodeMethod)] = {
        var table: [String: (kind: any NodeKind.Type, method: NodeMethod)] = [:]
        for kind in kinds {
            for m in kind.methods {
                precondition(table[m.method] == nil, "node method \(m.method) registered twice")
                table[m.method] = (kind, m)
            }
        }
        return table
    }()

    /// Chaining methods that stand for several nodes (``ScriptEvaluator/deadman(on:_:at:)``).
    static let helpers = ["deadman"]

    /// The methods that are only chained with `|`, for the checker (`.window()` is a mistake).
    static var chainingMethods: Set<String> {
        Set(byMethod.values.filter { !$0.method.isAlsoProperty }.map(\.method.method) + helpers)
    }

    /// "from, where, window, …, union and @udf()": the chained methods, in registry order.
    static let supportedText: String = {
        let names = kinds.flatMap { $0.methods.map(\.method) }.filter { $0 != "stream" && $0 != "batch" } + helpers
        return names.joined(separator: ", ") + " and @udf()"
    }()
}
