/// Semantic checks of a parsed script, before any node is built: the mistakes Kapacitor users
/// make most, with hints.
///
/// It finds the task type (`stream` or `batch`, never both), collects `dbrp` statements, and
/// reports: a variable defined twice or used before definition, `true`/`false` (booleans are
/// upper case), a double-quoted reference where a string literal belongs (outside lambdas), a
/// chaining method called with `.` (`.window()`) or a property called with `|` (`|period()`).
public struct Checker {
    /// What the script is.
    public struct Result: Sendable, Hashable {
        public enum TaskType: String, Sendable, Hashable { case stream, batch }
        public var type: TaskType
        public var dbrps: [(database: String, retentionPolicy: String)]
        public var warnings: [TICKDiagnostic]

        public static func == (a: Result, b: Result) -> Bool {
            a.type == b.type && a.warnings == b.warnings && a.dbrps.elementsEqual(b.dbrps) { $0 == $1 }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(type)
            hasher.combine(warnings)
        }
    }

    /// Methods that only create nodes: `.window()` is a mistake for `|window()`. (`mode` and
    /// `max` are not: they are also properties, of an alert's `.log()` and of `combine`.)
    public static let chainingOnly: Set<String> = [
        "window", "mean", "sum", "count", "min", "first", "last", "median", "spread", "stddev",
        "distinct", "percentile", "top", "bottom", "difference", "movingAverage", "cumulativeSum", "derivative",
        "elapsed", "holtWinters", "holtWintersWithFit", "eval", "default", "sample", "shift", "join", "union",
        "alert", "httpOut", "httpPost", "influxDBOut", "stats", "barrier", "stateDuration", "stateCount",
        "changeDetect", "combine", "flatten", "deadman", "from", "query", "sideload", "trickle",
    ]

    /// Properties only: `|period()` is a mistake for `.period()`.
    public static let propertyOnly: Set<String> = [
        "period", "every", "align", "fillPeriod", "periodCount", "everyCount", "as", "tags", "keep", "quiet",
        "database", "retentionPolicy", "measurement", "truncate", "round", "usePointTimes", "crit", "warn",
        "info", "message", "id", "details", "topic", "noRecoveries", "stateChangesOnly", "unit", "nonNegative",
        "precision", "buffer", "flushInterval", "level", "prefix", "exclude", "byMeasurement",
        "groupByMeasurement", "tolerance", "fill", "rename", "qos", "offset", "cron",
    ]

    /// Checks `program`. `nodeMethods` are the chaining methods of the nodes the caller builds,
    /// besides Kapacitor's (``chainingOnly``): `.name()` is a mistake for them too.
    /// - Throws: ``TICKDiagnostic`` for the first error.
    public static func check(_ program: Program, nodeMethods: Set<String> = []) throws(TICKDiagnostic) -> Result {
        var checker = Checker(chaining: chainingOnly.union(nodeMethods))
        for statement in program.statements {
            try checker.visit(statement)
        }
        guard let type = checker.type else {
            throw TICKDiagnostic(at: Position(line: 1, column: 1, offset: 0), "a task needs a stream or a batch: start a chain with stream|from() or batch|query(…)")
        }
        return Result(type: type, dbrps: checker.dbrps, warnings: program.warnings)
    }

    private let chaining: Set<String>
    private var variables: [String: Position] = [:]
    private var type: Result.TaskType?
    private var typePosition: Position?
    private var dbrps: [(database: String, retentionPolicy: String)] = []

    private mutating func visit(_ statement: Statement) throws(TICKDiagnostic) {
        switch statement {
        case .variable(let name, let value, let position):
            try visit(value, inLambda: false)
            try define(name, at: position)
        case .declaration(let name, _, let position):
            try define(name, at: position)
        case .dbrp(let db, let rp, _):
            dbrps.append((db, rp))
        case .expression(let e):
            try visit(e, inLambda: false)
        }
    }

    private mutating func define(_ name: String, at position: Position) throws(TICKDiagnostic) {
        if let earlier = variables[name] {
            throw TICKDiagnostic(at: position, "var \(name) is already defined at \(earlier): variables cannot be redefined")
        }
        variables[name] = position
    }

    /// Recursion here is bounded: the parser refuses expressions nested deeper than
    /// ``TICKLimits/maximumDepth``, and chains are flat lists.
    private mutating func visit(_ e: Expression, inLambda: Bool) throws(TICKDiagnostic) {
        switch e {
        case .identifier(let name, let position):
            try identifier(name, position, inLambda: inLambda)
        case .reference(let name, let position) where !inLambda:
            throw TICKDiagnostic(at: position, "\"\(name)\" is a reference to a field or tag, not a string: did you use double quotes instead of single quotes? Write '\(name)'")
        case .list(let items, _):
            for item in items { try visit(item, inLambda: inLambda) }
        case .lambda(let body, _):
            try visit(body, inLambda: true)
        case .unary(_, let x, _):
            try visit(x, inLambda: inLambda)
        case .binary(_, let l, let r, _):
            try visit(l, inLambda: inLambda)
            try visit(r, inLambda: inLambda)
        case .call(let call):
            for a in call.arguments { try visit(a, inLambda: inLambda) }
        case .chain(let receiver, let links):
            try visit(receiver, inLambda: inLambda)
            for l in links {
                try link(l.op, l.call)
                for a in l.call.arguments { try visit(a, inLambda: inLambda) }
            }
        default:
            break
        }
    }

    private mutating func identifier(_ name: String, _ position: Position, inLambda: Bool) throws(TICKDiagnostic) {
        if name == "stream" || name == "batch" {
            let t: Result.TaskType = name == "stream" ? .stream : .batch
            if let type, type != t, let typePosition {
                throw TICKDiagnostic(at: position, "a task is either stream or batch: this script uses \(type.rawValue) at \(typePosition) and \(name) here")
            }
            type = t
            typePosition = typePosition ?? position
            return
        }
        if name == "true" || name == "false" {
            throw TICKDiagnostic(at: position, "\(name) is not defined: booleans are upper case, \(name.uppercased())")
        }
        if variables[name] == nil {
            let hint = inLambda ? ": fields and tags in a lambda are double-quoted, \"\(name)\"" : ""
            throw TICKDiagnostic(at: position, "undefined variable \(name)\(hint)")
        }
    }

    private func link(_ op: ChainOperator, _ call: Call) throws(TICKDiagnostic) {
        if op == .dot && chaining.contains(call.name) {
            throw TICKDiagnostic(at: call.position, "\(call.name) is a chaining method: use |\(call.name)() instead of .\(call.name)()")
        }
        if op == .pipe && Self.propertyOnly.contains(call.name) {
            throw TICKDiagnostic(at: call.position, "\(call.name) is a property: use .\(call.name)() instead of |\(call.name)()")
        }
    }
}
