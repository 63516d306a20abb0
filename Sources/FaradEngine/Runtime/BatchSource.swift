import FaradCore
import FaradInfluxQL

/// Where batch tasks' queries run: an `[[influxdb]]` cluster over HTTP, or Farad's own store
/// through the InfluxQL engine. The server chooses one for every task.
public protocol BatchSource: Sendable {
    /// The series `statement` answers on `cluster` (`""`: the default), as InfluxDB shapes them.
    /// - Throws: ``BatchSourceError`` when the query cannot run or InfluxDB answers an error.
    func query(_ statement: InfluxQLSelect, cluster: String) async throws(BatchSourceError) -> [InfluxQLResultSeries]

    /// Whether `cluster` names a cluster this source can ask (`""` always does).
    func knows(cluster: String) -> Bool
}

extension BatchSource {
    public func knows(cluster: String) -> Bool { cluster.isEmpty }
}

/// A batch query that failed: the task logs it and counts it as an error of its query node,
/// and the next tick runs again.
public struct BatchSourceError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension BatchQuery {
    /// The batches of one tick's answer, as Kapacitor makes them: one per series, named and
    /// tagged as the series, numbers as floats, rows whose every value is null dropped, and
    /// stamped with the window's `stop` unless grouped by time (then with the last row's time).
    public func batches(from series: [InfluxQLResultSeries], stop: Int64, database: String, retentionPolicy: String) -> [Batch] {
        series.map { s in
            let tags = (s.tags ?? []).sorted { $0.key < $1.key }
            let name = s.name ?? ""
            let dimensions = Dimensions(tagNames: tags.map(\.key), byName: byMeasurement)
            let timeColumn = s.columns.firstIndex(of: "time")
            var points: [Point] = []
            points.reserveCapacity(s.values.count)
            var tmax = Int64.min
            for row in s.values {
                var fields: [(key: String, value: FieldValue)] = []
                var time: Int64 = 0
                for (i, cell) in row.enumerated() where i < s.columns.count {
                    if i == timeColumn {
                        if case .time(let t) = cell { time = t }
                        continue
                    }
                    guard case .value(let v) = cell else { continue }
                    let value: FieldValue
                    switch v {
                    case .float(let x): value = .double(x)
                    case .integer(let n): value = .double(Double(n))
                    case .string(let text): value = .string(text)
                    case .boolean(let b): value = .bool(b)
                    }
                    fields.append((s.columns[i], value))
                }
                guard !fields.isEmpty else { continue }
                fields.sort { $0.key < $1.key }
                tmax = max(tmax, time)
                points.append(Point(measurement: name, sortedTags: tags, fields: fields, time: time))
            }
            let stamp = tmax == .min || groupByTime == nil ? stop : tmax
            return Batch(name: name, database: database, retentionPolicy: retentionPolicy,
                         group: GroupID(name: name, sortedTags: tags, dimensions), dimensions: dimensions,
                         tags: tags, tmax: stamp, points: points)
        }
    }
}
