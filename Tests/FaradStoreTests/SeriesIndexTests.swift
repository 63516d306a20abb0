import FaradCore
import Foundation
import Testing

@testable import FaradStore

/// The series index: posting lists per tag value, tag keys and values, metrics and their value
/// kinds, kept in the series file and read back at open.
@Suite struct SeriesIndexTests {
    private func withStore(_ body: (FaradStore, String) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "farad-index-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try FaradStore(directory: dir)
        try await body(store, dir)
        store.close()
    }

    private func filter(_ tags: [(String, [TagFilter.Pattern])]) -> TagFilter {
        TagFilter(tags.map { (key: $0.0, patterns: $0.1) })
    }

    private func regex(_ text: String) throws -> TagFilter.Pattern {
        .regex(try LinearRegex(text))
    }

    private static let keys: [SeriesKey] = [
        SeriesKey(metric: "cpu", tags: [.init("host", "a"), .init("dc", "x")]),
        SeriesKey(metric: "cpu", tags: [.init("host", "b"), .init("dc", "x")]),
        SeriesKey(metric: "cpu", tags: [.init("host", "c"), .init("dc", "y")]),
        SeriesKey(metric: "cpu", tags: [.init("host", "d")]),
        SeriesKey(metric: "cpu", tags: [.init("host", "a"), .init("dc", "x")], namespace: "db/rp"),
        SeriesKey(metric: "mem", tags: [.init("host", "a")]),
    ]

    private func seed(_ store: FaradStore) async throws {
        for (i, key) in Self.keys.enumerated() {
            let value: MetricValue = i == 5 ? .string("s") : (i % 2 == 0 ? .long(Int64(i)) : .double(0.5))
            try await store.append([SeriesWrite(key: key, times: [Int64(i)], values: [value])])
        }
    }

    @Test func filtersIntersectTagsAndUniteValues() async throws {
        try await withStore { store, _ in
            try await seed(store)
            func hosts(_ f: TagFilter, namespace: String? = nil) throws -> [String] {
                try store.findSeries(metric: "cpu", filter: f, namespace: namespace).map { $0.key.tag("host")! + ($0.key.namespace.isEmpty ? "" : "@") }
            }
            #expect(try hosts(TagFilter()) == ["a", "b", "c", "d", "a@"])
            #expect(try hosts(filter([("host", [.equals("a")])])) == ["a", "a@"])
            #expect(try hosts(filter([("host", [.equals("a"), .equals("c")])])) == ["a", "c", "a@"])
            #expect(try hosts(filter([("host", [.equals("a"), .equals("b")]), ("dc", [.equals("x")])])) == ["a", "b", "a@"])
            // A series without the tag never matches it.
            #expect(try hosts(filter([("dc", [.equals("x"), .equals("y")])])) == ["a", "b", "c", "a@"])
            #expect(try hosts(filter([("dc", [try regex("[xy]")]), ("host", [try regex("[b-d]")])])) == ["b", "c"])
            #expect(try hosts(filter([("host", [.equals("zz")])])).isEmpty)
            #expect(try hosts(filter([("nokey", [.equals("a")])])).isEmpty)
            #expect(try hosts(filter([("host", [.equals("a")])]), namespace: "db/rp") == ["a@"])
            #expect(try store.findSeries(metric: "nometric", filter: TagFilter()).isEmpty)
            // The non-throwing form agrees.
            #expect(store.series(metric: "cpu", filter: filter([("host", [.equals("b")])])).map(\.key) == [Self.keys[1]])
        }
    }

    @Test func tagKeysValuesAndMetricsForShowQueries() async throws {
        try await withStore { store, _ in
            try await seed(store)
            #expect(try store.tagKeys(metric: "cpu") == ["dc", "host"])
            #expect(try store.tagKeys(metric: "mem") == ["host"])
            #expect(try store.tagKeys(metric: "cpu", namespace: "db/rp") == ["dc", "host"])
            #expect(try store.tagKeys(metric: "mem", namespace: "db/rp").isEmpty)
            #expect(try store.tagValues(metric: "cpu", key: "host") == ["a", "b", "c", "d"])
            #expect(try store.tagValues(metric: "cpu", key: "host", namespace: "db/rp") == ["a"])
            #expect(try store.tagValues(metric: "cpu", key: "dc") == ["x", "y"])
            let metrics = try store.metrics()
            #expect(metrics.map(\.name) == ["cpu", "cpu", "mem"])
            #expect(metrics[0] == MetricInfo(name: "cpu", namespace: "", types: [.long, .double]))
            #expect(metrics[1] == MetricInfo(name: "cpu", namespace: "db/rp", types: [.long]))
            #expect(metrics[2].types == [.string])
            #expect(try store.metrics(namespace: "db/rp").map(\.name) == ["cpu"])
            #expect(try store.metrics(prefix: "me").map(\.name) == ["mem"])
            #expect(try store.metrics(prefix: "cpux").isEmpty)
            #expect(store.metricNames() == ["cpu", "mem"])
            // A new kind of value for a known series is recorded.
            try await store.append([SeriesWrite(key: Self.keys[5], times: [100], values: [.long(1)])])
            #expect(try store.metrics(prefix: "mem").first?.types == [.string, .long])
        }
    }

    @Test func aRestartReadsTheSeriesFileBackIntoTheIndex() async throws {
        let dir = NSTemporaryDirectory() + "farad-index-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try FaradStore(directory: dir)
            try await seed(store)
            store.close()
        }
        let store = try FaradStore(directory: dir)
        defer { store.close() }
        #expect(store.index.count == Self.keys.count)
        // Writing to a known series after the restart finds its id: no second series.
        try await store.append([SeriesWrite(key: Self.keys[0], times: [50], values: [.long(50)])])
        let found = try store.findSeries(metric: "cpu", filter: filter([("host", [.equals("a")]), ("dc", [.equals("x")])]), namespace: "")
        #expect(found.count == 1)
        #expect(try store.read(series: found, start: .min, end: .max).first?.times == [0, 50])
        #expect(store.index.count == Self.keys.count)
        #expect(try store.metrics(prefix: "mem").first?.types == [.string])
        #expect(try store.tagValues(metric: "cpu", key: "dc") == ["x", "y"])
    }

    @Test func deletingTheLastSeriesOfAValueRemovesItsIndexRows() async throws {
        try await withStore { store, _ in
            try await seed(store)
            let b = try store.findSeries(metric: "cpu", filter: filter([("host", [.equals("b")])]))
            #expect(try store.delete(series: b, start: .min, end: .max) == 1)
            #expect(try store.tagValues(metric: "cpu", key: "host") == ["a", "c", "d"])
            #expect(try store.findSeries(metric: "cpu", filter: filter([("dc", [.equals("x")])])).count == 2)
            let mem = try store.findSeries(metric: "mem", filter: TagFilter())
            try store.delete(series: mem, start: .min, end: .max)
            #expect(store.metricNames() == ["cpu"])
            #expect(try store.tagKeys(metric: "mem").isEmpty)
            // Writing the deleted series again makes a new one, indexed again.
            try await store.append([SeriesWrite(key: Self.keys[5], times: [7], values: [.long(7)])])
            #expect(try store.findSeries(metric: "mem", filter: filter([("host", [.equals("a")])])).count == 1)
        }
    }

    @Test func aFieldOriginSurvivesARestartAndSplitsTheMetric() async throws {
        let dir = NSTemporaryDirectory() + "farad-index-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The measurement "a.b" with the field "c", and a boolean field of "a".
        let dotted = SeriesKey(metric: "a.b.c", tags: [], namespace: "db/autogen", origin: FieldOrigin(measurementLength: 3))
        let flag = SeriesKey(metric: "a.ok", tags: [], namespace: "db/autogen", origin: FieldOrigin(measurementLength: 1, isBoolean: true))
        do {
            let store = try FaradStore(directory: dir)
            try await store.append([
                SeriesWrite(key: dotted, times: [1], values: [.double(1)]),
                SeriesWrite(key: flag, times: [1], values: [.string("true")]),
                SeriesWrite(key: Self.keys[5], times: [1], values: [.long(1)]),
            ])
            store.close()
        }
        let store = try FaradStore(directory: dir)
        defer { store.close() }
        let metrics = try store.metrics(namespace: "db/autogen")
        #expect(metrics.map(\.name) == ["a.b.c", "a.ok"])
        #expect(metrics[0].origin?.split("a.b.c")?.measurement == "a.b")
        #expect(metrics[0].origin?.split("a.b.c")?.field == "c")
        #expect(metrics[1].origin == FieldOrigin(measurementLength: 1, isBoolean: true))
        #expect(try store.findSeries(metric: "a.ok", filter: TagFilter()).first?.key.origin?.isBoolean == true)
        // A KairosDB series has none.
        #expect(try store.metrics(prefix: "mem").first?.origin == nil)
    }
}
