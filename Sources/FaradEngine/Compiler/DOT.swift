/// The DOT graph of a task, as Kapacitor renders it.
public enum DOT {
    /// A task that is not executing: just the edges.
    /// ```
    /// digraph cpu {
    /// stream0 -> from1;
    /// }
    /// ```
    static func plain(id: String, _ nodes: [EngineNode]) -> String {
        var s = "digraph \(id) {\n"
        // A batch task's root is not drawn (Kapacitor's DOT starts at its queries).
        for n in nodes where n.type != "batch" {
            for c in n.children { s += "\(n.name) -> \(c.name);\n" }
        }
        return s + "}"
    }

    /// An executing task, with each node's statistics (sorted by name) and each edge's count.
    static func executing(id: String, throughput: Double, unit: String = "points", _ nodes: [NodeStatistics]) -> String {
        var s = "digraph \(id) {\ngraph [throughput=\"\(format2(throughput)) \(unit)/s\"];\n"
        for n in nodes where n.name != "batch0" {
            s += "\n\(n.name) ["
            for (k, v) in n.values where k != "collected" && k != "emitted" {
                s += k == "avg_exec_time_ns" ? "\(k)=\"\(goDuration(n.averageExecutionNanoseconds))\" " : "\(k)=\"\(v)\" "
            }
            s += "];\n"
            for c in n.children { s += "\(n.name) -> \(c) [processed=\"\(n.emitted)\"];\n" }
        }
        return s + "}"
    }

    /// Go's `time.Duration.String()`: `0s`, `850ns`, `1.92µs`, `1.665189ms`, `2.5s`, `1m30s`.
    public static func goDuration(_ ns: Int64) -> String {
        if ns == 0 { return "0s" }
        let sign = ns < 0 ? "-" : ""
        let v = ns.magnitude
        func decimal(_ value: UInt64, _ unit: UInt64, _ digits: Int) -> String {
            var text = "\(value / unit)"
            var fraction = value % unit
            guard fraction > 0 else { return text }
            var width = digits
            while fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
            let f = "\(fraction)"
            text += "." + String(repeating: "0", count: width - f.count) + f
            return text
        }
        if v < 1_000 { return "\(sign)\(v)ns" }
        if v < 1_000_000 { return "\(sign)\(decimal(v, 1_000, 3))µs" }
        if v < 1_000_000_000 { return "\(sign)\(decimal(v, 1_000_000, 6))ms" }
        let seconds = v % 60_000_000_000
        let minutes = v / 60_000_000_000
        let secondsText = "\(decimal(seconds, 1_000_000_000, 9))s"
        guard minutes > 0 else { return sign + secondsText }
        return minutes >= 60 ? "\(sign)\(minutes / 60)h\(minutes % 60)m\(secondsText)" : "\(sign)\(minutes)m\(secondsText)"
    }

    static func format2(_ x: Double) -> String {
        let hundredths = Int64((x * 100).rounded())
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
