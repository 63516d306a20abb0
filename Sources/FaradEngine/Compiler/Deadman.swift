import FaradCore
import FaradTICK

/// `[deadman]`'s templates: the ID and message `|deadman()` gives its alert, with `NODE_NAME`
/// replaced by the watched node's name and `INTERVAL` by the interval (Kapacitor's defaults).
public struct DeadmanDefaults: Sendable, Hashable {
    public var id = "{{ .Group }}:NODE_NAME for task '{{ .TaskName }}'"
    public var message = #"{{ .ID }} is {{ if eq .Level "OK" }}alive{{ else }}dead{{ end }}: {{ index .Fields "emitted" | printf "%0.3f" }} points/INTERVAL."#

    public init() {}
}

extension ScriptEvaluator {
    /// `node|deadman(threshold, interval[, lambda…])`, Kapacitor's helper: it stands for
    /// `node|stats(interval).align()|derivative('emitted').unit(interval).nonNegative()|alert()`
    /// with `.crit(lambda: "emitted" <= threshold AND lambda…)` and `[deadman]`'s ID and message.
    /// Returns the alert, which the script's further properties go to.
    mutating func deadman(on node: NodeSpec, _ arguments: [(value: ScriptValue, position: Position)], at position: Position) throws(TICKDiagnostic) -> NodeSpec {
        let usage = "deadman(threshold, interval[, lambda: …]), e.g. deadman(0.0, 5m)"
        guard arguments.count >= 2 else {
            throw TICKDiagnostic(at: position, "deadman() takes a threshold and an interval, got \(arguments.count) argument\(arguments.count == 1 ? "" : "s"): \(usage)")
        }
        let threshold: Double
        switch arguments[0].value {
        case .float(let x): threshold = x
        case .int(let n): threshold = Double(n)
        default: throw TICKDiagnostic(at: arguments[0].position, "deadman() takes the threshold (points per interval) as a number, got a \(arguments[0].value.typeName): \(usage)")
        }
        guard threshold.isFinite else { throw TICKDiagnostic(at: arguments[0].position, "deadman(): the threshold must be finite") }
        guard case .duration(let interval) = arguments[1].value, interval > 0 else {
            throw TICKDiagnostic(at: arguments[1].position, "deadman() takes a positive interval, got a \(arguments[1].value.typeName): \(usage)")
        }
        var crit = Expression.binary(.lessOrEqual, .reference("emitted", position), .float(threshold, position), position)
        var source = "\"emitted\" <= \(threshold)"
        for a in arguments.dropFirst(2) {
            guard case .lambda(let body, let text) = a.value else {
                throw TICKDiagnostic(at: a.position, "deadman() takes lambdas after the interval, got a \(a.value.typeName): \(usage)")
            }
            crit = .binary(.and, crit, body, a.position)
            source += " AND \(text)"
        }
        let watched = node.isUDF ? "\(node.method)\(node.index)" : "\(NodeRegistry.byMethod[node.method]?.method.dotName ?? node.method)\(node.index)"

        let stats = try pipe(node, "stats", [(.duration(interval), arguments[1].position)], at: position)
        stats.properties.append(("align", [], position))
        let derivative = try pipe(stats, "derivative", [(.string("emitted"), position)], at: position)
        derivative.properties.append(("unit", [(.duration(interval), arguments[1].position)], position))
        derivative.properties.append(("nonNegative", [], position))
        let alert = try pipe(derivative, "alert", [], at: position)
        alert.properties.append(("crit", [(.lambda(crit, source: source), position)], position))
        alert.properties.append(("id", [(.string(deadmanDefaults.id.replacingFirst("NODE_NAME", with: watched)), position)], position))
        let message = deadmanDefaults.message.replacingFirst("INTERVAL", with: DurationText.format(interval))
        alert.properties.append(("message", [(.string(message), position)], position))
        return alert
    }
}

extension String {
    /// The string with the first `target` replaced (Go's `strings.Replace(s, old, new, 1)`).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var result = self
        result.replaceSubrange(range, with: replacement)
        return result
    }
}
