import FaradInfluxQL
import Synchronization

/// An in-memory ``InfluxStorage``: the engine's tests run on it, and it shows that a storage
/// other than Farad's store answers the same queries through the protocol alone.
final class MemoryInfluxStorage: InfluxStorage {
    private struct Series {
        var tags: [(key: String, value: String)]
        var fields: [String: Int64]
    }

    private struct State {
        /// database → retention policy → measurement → series
        var databases: [String: [String: [String: [Series]]]] = [:]
        var columns: [InfluxColumn] = []
        var types: [String: [String: InfluxFieldType]] = [:]
    }

    private let state = Mutex(State())

    /// Writes one point; tags in any order, times in nanoseconds (a second write at one time
    /// replaces that field's value, as InfluxDB merges a point written twice).
    func write(database: String = "db", retentionPolicy: String = "autogen", _ measurement: String,
               tags: [String: String] = [:], fields: [String: InfluxQLValue], time: Int64) {
        state.withLock { s in
            let sortedTags = tags.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
            var list = s.databases[database, default: [:]][retentionPolicy, default: [:]][measurement, default: []]
            var index = list.firstIndex { $0.tags.elementsEqual(sortedTags, by: { $0 == $1 }) }
            if index == nil {
                list.append(Series(tags: sortedTags, fields: [:]))
                index = list.count - 1
            }
            for (name, value) in fields {
                let handle: Int64
                if let h = list[index!].fields[name] {
                    handle = h
                } else {
                    handle = Int64(s.columns.count)
                    s.columns.append(InfluxColumn())
                    list[index!].fields[name] = handle
                }
                var c = s.columns[Int(handle)]
                if let at = c.times.firstIndex(of: time) {
                    c.values[at] = value
                } else {
                    let at = c.times.firstIndex { $0 > time } ?? c.times.count
                    c.times.insert(time, at: at)
                    c.values.insert(value, at: at)
                }
                s.columns[Int(handle)] = c
                let type: InfluxFieldType = switch value {
                case .float: .float
                case .integer: .integer
                case .string: .string
                case .boolean: .boolean
                }
                s.types[database + "\u{0}" + measurement, default: [:]][name] = s.types[database + "\u{0}" + measurement]?[name] ?? type
            }
            s.databases[database, default: [:]][retentionPolicy, default: [:]][measurement] = list
        }
    }

    func databases() -> [String] { state.withLock { $0.databases.keys.sorted() } }

    func retentionPolicies(database: String) -> [InfluxRetentionPolicy]? {
        state.withLock { s in
            guard let rps = s.databases[database] else { return nil }
            var out = [InfluxRetentionPolicy(name: "autogen", isDefault: true)]
            for name in rps.keys.sorted() where name != "autogen" { out.append(InfluxRetentionPolicy(name: name, isDefault: false)) }
            return out
        }
    }

    func measurements(database: String, retentionPolicy: String?) -> [String] {
        state.withLock { s in
            var names = Set<String>()
            for (rp, ms) in s.databases[database] ?? [:] where retentionPolicy == nil || rp == retentionPolicy {
                names.formUnion(ms.keys)
            }
            return names.sorted()
        }
    }

    func fields(of m: InfluxMeasurementRef) -> [(name: String, type: InfluxFieldType)] {
        state.withLock { s in
            let present = Set((s.databases[m.database]?[m.retentionPolicy]?[m.name] ?? []).flatMap(\.fields.keys))
            return (s.types[m.database + "\u{0}" + m.name] ?? [:]).filter { present.contains($0.key) }
                .map { (name: $0.key, type: $0.value) }.sorted { $0.name < $1.name }
        }
    }

    func series(of m: InfluxMeasurementRef, tagsEqual: [(key: String, value: String)]) -> [InfluxSeries] {
        state.withLock { s in
            (s.databases[m.database]?[m.retentionPolicy]?[m.name] ?? []).filter { series in
                tagsEqual.allSatisfy { t in series.tags.contains { $0 == t } }
            }.map { InfluxSeries(tags: $0.tags, fields: $0.fields) }
        }
    }

    func read(_ handles: [Int64], of m: InfluxMeasurementRef, start: Int64, end: Int64) -> [InfluxColumn] {
        state.withLock { s in
            handles.map { h in
                let c = s.columns[Int(h)]
                var out = InfluxColumn()
                for (t, v) in zip(c.times, c.values) where t >= start && t <= end {
                    out.times.append(t)
                    out.values.append(v)
                }
                return out
            }
        }
    }

    func createDatabase(_ database: String, retention: InfluxRetentionPolicy?) {
        state.withLock { s in if s.databases[database] == nil { s.databases[database] = [:] } }
    }

    func dropDatabase(_ database: String) {
        state.withLock { s in s.databases[database] = nil }
    }

    func dropMeasurement(_ name: String, database: String) {
        state.withLock { s in
            for rp in (s.databases[database] ?? [:]).keys { s.databases[database]?[rp]?[name] = nil }
        }
    }
}
