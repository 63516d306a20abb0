import FaradCore
import FaradTICK
import FaradUDFHost
import KapacitorUDFWire
import Logging

/// Builds a running node from its spec: reads and checks its arguments and properties, checks
/// the edge it sits on, and names it as Kapacitor does (`<type><index>`).
struct NodeFactory {
    let environment: TaskEnvironment
    private(set) var writers: [InfluxDBWriter] = []
    private(set) var udfNodes: [UDFNode] = []

    init(environment: TaskEnvironment) {
        self.environment = environment
    }

    /// The most lambdas one `eval()` may compute.
    static let maximumEvalExpressions = 1_000

    static let influxQLMethods: Set<String> = [
        "count", "sum", "mean", "median", "mode", "min", "max", "first", "last", "spread", "stddev", "percentile",
        "top", "bottom", "distinct", "difference", "movingAverage", "cumulativeSum",
    ]

    mutating func make(_ spec: NodeSpec, input: EdgeType?) throws(TICKDiagnostic) -> EngineNode {
        var props = PropertyReader(spec)
        let node: EngineNode
        func requireEdge() throws(TICKDiagnostic) -> EdgeType {
            guard let input else {
                throw TICKDiagnostic(at: spec.position, "\(spec.method)() cannot follow a node that provides no edge (influxDBOut ends a chain)")
            }
            return input
        }
        func noArguments() throws(TICKDiagnostic) {
            guard spec.arguments.isEmpty else { throw spec.argumentError("\(spec.method)() takes no arguments; set its properties with .name(…)") }
        }
        let name = { (desc: String) in "\(desc)\(spec.index)" }
        if spec.isUDF {
            return try makeUDF(spec, &props, input: try requireEdge())
        }
        switch spec.method {
        case "stream":
            node = StreamNode()
        case "from":
            try noArguments()
            guard spec.parents.count == 1, spec.parents[0].method == "stream" else {
                throw TICKDiagnostic(at: spec.position, "from() must follow stream: stream|from()")
            }
            var c = FromNode.Configuration()
            c.database = try props.string("database") ?? ""
            c.retentionPolicy = try props.string("retentionPolicy") ?? ""
            c.measurement = try props.string("measurement") ?? ""
            for call in props.calls("where") {
                guard call.arguments.count == 1, case .lambda(let body, let source) = call.arguments[0].value else {
                    throw TICKDiagnostic(at: call.position, ".where() takes one lambda, e.g. .where(lambda: \"host\" == 'a')")
                }
                c.wheres.append(try CompiledLambda(body, source: source))
            }
            (c.groupBy, c.groupByAll) = try groupBy(props.calls("groupBy").flatMap(\.arguments))
            c.excluded = Set(try props.strings("exclude") ?? [])
            c.byMeasurement = try props.flag("groupByMeasurement")
            c.truncate = try positive(props.duration("truncate"), "truncate", spec)
            c.round = try positive(props.duration("round"), "round", spec)
            node = FromNode(name: name("from"), c)
        case "where":
            try spec.expectArguments(1...1, "where(lambda: \"value\" > 10)")
            guard case .lambda(let body, let source) = spec.arguments[0].value else {
                throw spec.argumentError("where() takes a lambda, e.g. where(lambda: \"value\" > 10)", at: 0)
            }
            node = WhereNode(name: name("where"), provides: try requireEdge(), lambda: try CompiledLambda(body, source: source))
        case "window":
            try noArguments()
            guard try requireEdge() == .stream else {
                throw TICKDiagnostic(at: spec.position, "cannot window a batch edge: window() needs a stream (put it before the node that makes batches)")
            }
            node = WindowNode(name: name("window"), spec: try windowSpec(&props, spec))
        case "groupBy":
            let (tags, all) = try groupBy(spec.arguments)
            node = GroupByNode(name: name("groupby"), provides: try requireEdge(), tagNames: tags, all: all,
                               excluded: try props.strings("exclude") ?? [], byMeasurement: try props.flag("byMeasurement"))
        case "eval":
            node = try makeEval(spec, &props, name: name("eval"), input: try requireEdge())
        case "default":
            try noArguments()
            var fields: [(String, FieldValue)] = []
            var tags: [(String, String)] = []
            for call in props.calls("field") {
                guard call.arguments.count == 2, case .string(let f) = call.arguments[0].value else {
                    throw TICKDiagnostic(at: call.position, ".field() takes a name and a value, e.g. .field('value', 0.0)")
                }
                fields.append((f, try fieldValue(call.arguments[1])))
            }
            for call in props.calls("tag") {
                guard call.arguments.count == 2, case .string(let t) = call.arguments[0].value, case .string(let v) = call.arguments[1].value else {
                    throw TICKDiagnostic(at: call.position, ".tag() takes a name and a string value, e.g. .tag('host', 'unknown')")
                }
                tags.append((t, v))
            }
            node = DefaultNode(name: name("default"), provides: try requireEdge(), fields: fields, tags: tags)
        case "delete":
            try noArguments()
            node = DeleteNode(name: name("delete"), provides: try requireEdge(), fields: try props.strings("field") ?? [], tags: try props.strings("tag") ?? [])
        case "shift":
            try spec.expectArguments(1...1, "shift(10s) or shift(-5m)")
            guard case .duration(let d) = spec.arguments[0].value else { throw spec.argumentError("shift() takes a duration, e.g. shift(10s)", at: 0) }
            node = ShiftNode(name: name("shift"), provides: try requireEdge(), shift: d)
        case "sample":
            try spec.expectArguments(1...1, "sample(10) or sample(10s)")
            let rule: SampleNode.Rule
            switch spec.arguments[0].value {
            case .int(let n) where n > 0: rule = .count(Int(n))
            case .duration(let d) where d > 0: rule = .duration(d)
            default: throw spec.argumentError("sample() takes a positive count or duration, e.g. sample(10) or sample(10s)", at: 0)
            }
            node = SampleNode(name: name("sample"), provides: try requireEdge(), rule: rule)
        case "derivative":
            try spec.expectArguments(1...1, "derivative('value')")
            let field = try spec.stringArgument(0, "the field")
            node = DerivativeNode(name: name("derivative"), provides: try requireEdge(), field: field,
                                  unit: try positive(props.duration("unit"), "unit", spec, default: 1_000_000_000),
                                  nonNegative: try props.flag("nonNegative"), as: try props.string("as") ?? field)
        case let method where Self.influxQLMethods.contains(method):
            node = try makeInfluxQL(spec, &props, input: try requireEdge())
        case "log":
            try noArguments()
            let level = (try props.string("level") ?? "INFO").uppercased()
            guard ["DEBUG", "INFO", "WARN", "ERROR"].contains(level) else {
                throw TICKDiagnostic(at: spec.position, "invalid log level \(level): use DEBUG, INFO, WARN or ERROR")
            }
            node = LogNode(name: name("log"), provides: try requireEdge(), level: level, prefix: try props.string("prefix") ?? "", sink: environment.log)
        case "httpOut":
            try spec.expectArguments(1...1, "httpOut('endpoint')")
            node = HTTPOutNode(name: name("http_out"), provides: try requireEdge(), endpoint: try spec.stringArgument(0, "the endpoint name"))
        case "influxDBOut":
            node = try makeInfluxDBOut(spec, &props, name: name("influxdb_out"), input: try requireEdge())
        case "union":
            guard !spec.arguments.isEmpty else { throw spec.argumentError("union() takes the nodes to merge, e.g. a|union(b, c)") }
            for (i, a) in spec.arguments.enumerated() {
                guard case .node = a.value else { throw spec.argumentError("union() takes nodes, got a \(a.value.typeName)", at: i) }
            }
            node = UnionNode(name: name("union"), provides: try requireEdge(), rename: try props.string("rename"))
        default:
            throw TICKDiagnostic(at: spec.position, "\(spec.method)() is not a node Farad knows: supported are from, where, window, groupBy, eval, default, delete, shift, sample, derivative, \(Self.influxQLMethods.sorted().joined(separator: ", ")), log, httpOut, influxDBOut, union and @udf()")
        }
        try props.finish()
        return node
    }

    private func positive(_ value: Int64?, _ name: String, _ spec: NodeSpec, default fallback: Int64 = 0) throws(TICKDiagnostic) -> Int64 {
        guard let value else { return fallback }
        guard value > 0 else { throw TICKDiagnostic(at: spec.position, ".\(name)() must be a positive duration") }
        return value
    }

    private func groupBy(_ arguments: [(value: ScriptValue, position: Position)]) throws(TICKDiagnostic) -> ([String], Bool) {
        var tags: [String] = []
        var all = false
        for a in arguments {
            switch a.value {
            case .string(let s): tags.append(s)
            case .star: all = true
            case .list(let items, _):
                for item in items {
                    if case .string(let s) = item { tags.append(s) } else if case .star = item { all = true }
                }
            default: throw TICKDiagnostic(at: a.position, "groupBy takes tag names ('host') or *, got a \(a.value.typeName)")
            }
        }
        return (tags, all)
    }

    private func fieldValue(_ a: (value: ScriptValue, position: Position)) throws(TICKDiagnostic) -> FieldValue {
        switch a.value {
        case .float(let x): return .double(x)
        case .int(let n): return .int(n)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        default: throw TICKDiagnostic(at: a.position, "a field value must be a float, int, string or bool, got a \(a.value.typeName)")
        }
    }

    private func windowSpec(_ props: inout PropertyReader, _ spec: NodeSpec) throws(TICKDiagnostic) -> WindowSpec {
        let period = try props.duration("period")
        let every = try props.duration("every")
        let periodCount = try props.int("periodCount")
        let everyCount = try props.int("everyCount")
        let align = try props.flag("align")
        let fillPeriod = try props.flag("fillPeriod")
        if let periodCount {
            guard period == nil, every == nil, !align else {
                throw TICKDiagnostic(at: spec.position, "window: use either .period()/.every() or .periodCount()/.everyCount(), not both (and no .align() with counts)")
            }
            guard periodCount > 0, (everyCount ?? 1) > 0 else { throw TICKDiagnostic(at: spec.position, "window: counts must be positive") }
            return .count(period: Int(periodCount), every: Int(everyCount ?? periodCount), fillPeriod: fillPeriod)
        }
        guard let period, period > 0 else {
            throw TICKDiagnostic(at: spec.position, "window needs a .period() (e.g. .period(10s).every(10s)) or a .periodCount()")
        }
        guard everyCount == nil else { throw TICKDiagnostic(at: spec.position, "window: .everyCount() goes with .periodCount()") }
        let e = every ?? 0
        guard e >= 0 else { throw TICKDiagnostic(at: spec.position, "window: .every() cannot be negative") }
        return .time(period: period, every: e, align: align, fillPeriod: fillPeriod)
    }

    private func makeEval(_ spec: NodeSpec, _ props: inout PropertyReader, name: String, input: EdgeType) throws(TICKDiagnostic) -> EngineNode {
        guard !spec.arguments.isEmpty else { throw spec.argumentError("eval() takes one or more lambdas, e.g. eval(lambda: \"a\" / \"b\").as('ratio')") }
        // Each lambda's result is looked up among the earlier ones per point: bound the count.
        guard spec.arguments.count <= Self.maximumEvalExpressions else {
            throw spec.argumentError("eval() takes at most \(Self.maximumEvalExpressions) lambdas, got \(spec.arguments.count): split it into several eval nodes")
        }
        var lambdas: [CompiledLambda] = []
        for (i, a) in spec.arguments.enumerated() {
            guard case .lambda(let body, let source) = a.value else { throw spec.argumentError("eval() takes lambdas, got a \(a.value.typeName)", at: i) }
            lambdas.append(try CompiledLambda(body, source: source))
        }
        let names = try props.strings("as") ?? []
        guard names.count == lambdas.count else {
            throw TICKDiagnostic(at: spec.position, "must specify same number of expressions and .as() names: got \(names.count) as names, and \(lambdas.count) expressions.")
        }
        let tags = try props.strings("tags") ?? []
        for t in tags where !names.contains(t) {
            throw TICKDiagnostic(at: spec.position, "invalid tag name \"\(t)\", name is not present is .as() names")
        }
        return EvalNode(name: name, provides: input, lambdas: lambdas, names: names, tags: tags,
                        keep: try props.strings("keep"), quiet: try props.flag("quiet"))
    }

    private func makeInfluxQL(_ spec: NodeSpec, _ props: inout PropertyReader, input: EdgeType) throws(TICKDiagnostic) -> EngineNode {
        let method = spec.method
        let operation: InfluxQLNode.Operation
        let field: String
        switch method {
        case "percentile":
            try spec.expectArguments(2...2, "percentile('value', 95.0)")
            field = try spec.stringArgument(0, "the field")
            let p = try spec.numberArgument(1, "the percentile")
            guard (0...100).contains(p) else { throw spec.argumentError("percentile must be between 0 and 100, got \(p)", at: 1) }
            operation = .percentile(p)
        case "top", "bottom":
            guard spec.arguments.count >= 2 else { throw spec.argumentError("\(method)() takes a count and a field, e.g. \(method)(3, 'value', 'host')") }
            let n = try spec.intArgument(0, "the count")
            field = try spec.stringArgument(1, "the field")
            var extra: [String] = []
            for i in spec.arguments.indices.dropFirst(2) { extra.append(try spec.stringArgument(i, "extra tags or fields")) }
            operation = .top(count: n, extra: extra, bottom: method == "bottom")
        case "movingAverage":
            try spec.expectArguments(2...2, "movingAverage('value', 10)")
            field = try spec.stringArgument(0, "the field")
            operation = .movingAverage(try spec.intArgument(1, "the window size"))
        default:
            try spec.expectArguments(1...1, "\(method)('value')")
            field = try spec.stringArgument(0, "the field")
            switch method {
            case "distinct": operation = .distinct
            case "difference": operation = .difference
            case "cumulativeSum": operation = .cumulativeSum
            default: operation = .reduce(InfluxQLFunction(rawValue: method)!)
            }
        }
        return InfluxQLNode(name: "\(method)\(spec.index)", type: method, wants: input, operation: operation, field: field,
                            as: try props.string("as") ?? method, usePointTimes: try props.flag("usePointTimes"))
    }

    private mutating func makeInfluxDBOut(_ spec: NodeSpec, _ props: inout PropertyReader, name: String, input: EdgeType) throws(TICKDiagnostic) -> EngineNode {
        guard spec.arguments.isEmpty else { throw spec.argumentError("influxDBOut() takes no arguments; use .database('db')") }
        guard var config = environment.influxDB else {
            throw TICKDiagnostic(at: spec.position, "no InfluxDB is configured, so influxDBOut() cannot write: set [influxdb] url in the config or --influxdb-url")
        }
        var s = InfluxDBOutNode.Settings()
        s.database = try props.string("database") ?? ""
        s.retentionPolicy = try props.string("retentionPolicy") ?? ""
        s.measurement = try props.string("measurement") ?? ""
        s.precision = try props.string("precision") ?? ""
        guard ["", "n", "ns", "u", "us", "ms", "s", "m", "h"].contains(s.precision) else {
            throw TICKDiagnostic(at: spec.position, "invalid precision '\(s.precision)': use ns, u, ms, s, m or h")
        }
        if let b = try props.int("buffer") {
            guard b > 0 else { throw TICKDiagnostic(at: spec.position, ".buffer() must be positive") }
            config.bufferSize = Int(b)
        }
        if let f = try props.duration("flushInterval") {
            guard f > 0 else { throw TICKDiagnostic(at: spec.position, ".flushInterval() must be positive") }
            config.flushInterval = .nanoseconds(f)
        }
        for call in props.calls("tag") {
            guard call.arguments.count == 2, case .string(let k) = call.arguments[0].value, case .string(let v) = call.arguments[1].value else {
                throw TICKDiagnostic(at: call.position, ".tag() takes a name and a value, e.g. .tag('source', 'farad')")
            }
            s.tags.append((k, v))
        }
        _ = props.calls("writeConsistency")  // single InfluxDB 1.x OSS: accepted, no effect
        _ = props.calls("cluster")
        let writer = InfluxDBWriter(configuration: config, createDatabase: try props.flag("create"), logger: environment.logger)
        writers.append(writer)
        return InfluxDBOutNode(name: name, settings: s, writer: writer)
    }

    private mutating func makeUDF(_ spec: NodeSpec, _ props: inout PropertyReader, input: EdgeType) throws(TICKDiagnostic) -> EngineNode {
        let registration = environment.udfs[spec.method]!
        let info = registration.info
        var options: [UDFOption] = []
        for p in spec.properties {
            guard let types = info.options[p.name] else {
                let known = info.options.keys.sorted().map { ".\($0)()" }.joined(separator: ", ")
                throw TICKDiagnostic(at: p.position, "no property \"\(p.name)\" on UDF \(spec.method)\(known.isEmpty ? " (it takes no options)" : ": its options are \(known)")")
            }
            guard p.arguments.count == types.count else {
                throw TICKDiagnostic(at: p.position, "unexpected number of args to \(p.name), got \(p.arguments.count) expected \(types.count)")
            }
            var values: [OptionValue] = []
            for (a, type) in zip(p.arguments, types) {
                let value: OptionValue? = switch (a.value, type) {
                case (.bool(let b), .bool): .bool(b)
                case (.int(let n), .int): .int(n)
                case (.float(let x), .double): .double(x)
                case (.string(let s), .string): .string(s)
                case (.duration(let d), .duration): .duration(d)
                default: nil
                }
                guard let value else {
                    throw TICKDiagnostic(at: a.position, "unexpected arg to \(p.name), got \(Self.optionTypeName(a.value)) expected \(type)")
                }
                values.append(value)
            }
            options.append(UDFOption(name: p.name, values: values))
        }
        let wants: EdgeType = info.wants == .stream ? .stream : .batch
        guard wants == input else {
            throw TICKDiagnostic(at: spec.position, "cannot add child mismatched edges: \(spec.parents[0].method)\(spec.parents[0].index):\(input) -> \(spec.method)\(spec.index):\(wants) (UDF \(spec.method) wants a \(wants) edge: \(wants == .batch ? "put a window() before it" : "it cannot follow a window()"))")
        }
        let node = UDFNode(name: "\(spec.method)\(spec.index)", config: registration.config, info: info, options: options, wants: wants)
        udfNodes.append(node)
        return node
    }

    static func optionTypeName(_ v: ScriptValue) -> String {
        switch v {
        case .bool: "BOOL"
        case .int: "INT"
        case .float: "DOUBLE"
        case .string: "STRING"
        case .duration: "DURATION"
        default: v.typeName
        }
    }
}
