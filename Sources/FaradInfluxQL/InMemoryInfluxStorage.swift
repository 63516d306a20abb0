import Synchronization

/// An in-memory ``InfluxStorage``: what `farad replay` loads a batch task's line-protocol
/// data into, and what the engine's tests run on. It shows that a storage other than Farad's
/// store answers the same queries through the protocol alone.
///
/// Writes in time order append; an older time is put in its place (a second write at one time
/// replaces that field's value, as InfluxDB merges a point written twice).
public final class InMemoryInfluxStorage: InfluxStorage {
    private struct Series {
        var tags: [(key: String, value: String)]
        var fields: [String: Int64]
    }

    private struct Measurement {
        var series: [Series] = []
        /// Series index by their tags' text.
        var index: [String: Int] = [:]
    }

    private struct State {
        /// database → retention policy → measurement
        var databases: [String: [String: [String: Measurement]]] = [:]
        var columns: [InfluxColumn] = []
        var types: [String: [String: InfluxFieldType]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Writes one point; tags in any order, times in nanoseconds.
    public func write(database: String = "db", retentionPolicy: String = "autogen", _ measurement: String,
                      tags: [String: String] = [:], fields: [String: InfluxQLValue], time: Int64) {
        write(database: database, retentionPolicy: retentionPolicy, measurement,
              sortedTags: tags.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) },
              fields: fields.map { (key: $0.key, value: $0.value) }, time: time)
    }

    /// Writes one point whose tags are sorted by key.
    public func write(database: String, retentionPolicy: String, _ measurement: String, sortedTags: [(key: String, value: String)],
                      fields: [(key: String, value: InfluxQLValue)], time: Int64) {
        let key = sortedTags.map { $0.key + "\u{0}" + $0.value }.joined(separator: "\u{1}")
        state.withLock { s in
            var m = s.databases[database, default: [:]][retentionPolicy, default: [:]][measurement, default: Measurement()]
            let index = m.index[key] ?? {
                m.series.append(Series(tags: sortedTags, fields: [:]))
                m.index[key] = m.series.count - 1
                return m.series.count - 1
            }()
            for (name, value) in fields {
                let handle: Int64
                if let h = m.series[index].fields[name] {
                    handle = h
                } else {
                    handle = Int64(s.columns.count)
                    s.columns.append(InfluxColumn())
                    m.series[index].fields[name] = handle
                }
                Self.put(time, value, in: &s.columns[Int(handle)])
                let type: InfluxFieldType = switch value {
                case .float: .float
                case .integer: .integer
                case .string: .string
                case .boolean: .boolean
                }
                s.types[database + "\u{0}" + measurement, default: [:]][name] = s.types[database + "\u{0}" + measurement]?[name] ?? type
            }
            s.databases[database, default: [:]][retentionPolicy, default: [:]][measurement] = m
        }
    }

    private static func put(_ time: Int64, _ value: InfluxQLValue, in c: inout InfluxColumn) {
        if let last = c.times.last, last >= time {
            let low = firstIndex(atOrAfter: time, in: c.times)
            if c.times[low] == time {
                c.values[low] = value
            } else {
                c.times.insert(time, at: low)
                c.values.insert(value, at: low)
            }
        } else {
            c.times.append(time)
            c.values.append(value)
        }
    }

    public func databases() -> [String] { state.withLock { $0.databases.keys.sorted() } }

    public func retentionPolicies(database: String) -> [InfluxRetentionPolicy]? {
        state.withLock { s in
            guard let rps = s.databases[database] else { return nil }
            var out = [InfluxRetentionPolicy(name: "autogen", isDefault: true)]
            for name in rps.keys.sorted() where name != "autogen" { out.append(InfluxRetentionPolicy(name: name, isDefault: false)) }
            return out
        }
    }

    public func measurements(database: String, retentionPolicy: String?) -> [String] {
        state.withLock { s in
            var names = Set<String>()
            for (rp, ms) in s.databases[database] ?? [:] where retentionPolicy == nil || rp == retentionPolicy {
                names.formUnion(ms.keys)
            }
            return names.sorted()
        }
    }

    public func fields(of m: InfluxMeasurementRef) -> [(name: String, type: InfluxFieldType)] {
        state.withLock { s in
            let present = Set((s.databases[m.database]?[m.retentionPolicy]?[m.name]?.series ?? []).flatMap(\.fields.keys))
            return (s.types[m.database + "\u{0}" + m.name] ?? [:]).filter { present.contains($0.key) }
                .map { (name: $0.key, type: $0.value) }.sorted { $0.name < $1.name }
        }
    }

    public func series(of m: InfluxMeasurementRef, tagsEqual: [(key: String, value: String)]) -> [InfluxSeries] {
        state.withLock { s in
            (s.databases[m.database]?[m.retentionPolicy]?[m.name]?.series ?? []).filter { series in
                tagsEqual.allSatisfy { t in series.tags.contains { $0 == t } }
            }.map { InfluxSeries(tags: $0.tags, fields: $0.fields) }
        }
    }

    public func read(_ handles: [Int64], of m: InfluxMeasurementRef, start: Int64, end: Int64) -> [InfluxColumn] {
        state.withLock { s in
            handles.map { h in
                let c = s.columns[Int(h)]
                var out = InfluxColumn()
                var i = Self.firstIndex(atOrAfter: start, in: c.times)
                while i < c.times.count, c.times[i] <= end {
                    out.times.append(c.times[i])
                    out.values.append(c.values[i])
                    i += 1
                }
                return out
            }
        }
    }

    public func createDatabase(_ database: String, retention: InfluxRetentionPolicy?) {
        state.withLock { s in if s.databases[database] == nil { s.databases[database] = [:] } }
    }

    public func dropDatabase(_ database: String) {
        state.withLock { s in s.databases[database] = nil }
    }

    public func dropMeasurement(_ name: String, database: String) {
        state.withLock { s in
            for rp in (s.databases[database] ?? [:]).keys { s.databases[database]?[rp]?[name] = nil }
        }
    }

    private static func firstIndex(atOrAfter time: Int64, in times: [Int64]) -> Int {
        var (low, high) = (0, times.count)
        while low < high {
            let mid = (low + high) / 2
            if times[mid] < time { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
