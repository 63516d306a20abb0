import FaradCore
import FaradIngest

/// Line protocol: both parsers must accept and refuse the same lines, a parsed point must
/// survive write → parse unchanged, and a second pass (the series parser's fast path, with its
/// cache warm) must give what the first gave.
enum LineProtocolFuzz {
    static func run(_ bytes: [UInt8]) {
        for precision in [Precision.nanoseconds, .hours] {
            let parser = LineProtocolParser(precision: precision, defaultTime: 1_700_000_000_000_000_000)
            let (points, errors) = parser.parse(bytes)
            for p in points {
                let line = LineProtocolWriter.line(p)
                do {
                    // The writer's line carries nanoseconds.
                    let again = try LineProtocolParser(precision: .nanoseconds, defaultTime: 0).parseLine(line)
                    invariant(again == p, "round trip changed \(p) into \(again.map(String.init(describing:)) ?? "nothing") via \(line)")
                } catch {
                    invariant(false, "the writer's line \(line) does not parse: \(error)")
                }
            }
            let cache = SeriesTextCache(capacity: 64)
            let series = LineProtocolSeriesParser(parser: parser, namespace: "db/rp", cache: cache)
            let first = series.parse(bytes)
            invariant(first.points == points.count, "series parser accepted \(first.points) lines, point parser \(points.count)")
            invariant(first.errors == errors, "series parser errors \(first.errors) differ from \(errors)")
            let expected = PointSeries.writes(points, namespace: "db/rp")
            invariant(same(first.writes, expected), "series writes differ from the points' writes")
            let second = series.parse(bytes)
            invariant(second.points == first.points && second.errors == first.errors, "a second pass accepted other lines")
            invariant(same(second.writes, expected), "a second pass (fast path) wrote other values")
        }
    }

    /// The same values per series, whatever the order of the series.
    static func same(_ a: [SeriesWrite], _ b: [SeriesWrite]) -> Bool {
        func table(_ w: [SeriesWrite]) -> [SeriesKey: [String]] {
            var t: [SeriesKey: [String]] = [:]
            for x in w {
                for i in x.times.indices { t[x.key, default: []].append("\(x.times[i]) \(x.values[i])") }
            }
            return t
        }
        return table(a) == table(b)
    }
}
