import FaradCore
import FaradTICK
import Testing
@testable import FaradEngine

/// stateDuration, stateCount and changeDetect with Kapacitor's semantics (state_tracking.go,
/// change_detect.go): per group, on streams and on batches.
@Suite struct StateTrackingTests {
    static let values: [Double] = [6, 7, 3, 8, 9, 10]
    static func points(host: String = "a", _ values: [Double] = values) -> [Point] {
        values.enumerated().map { NodeTests.point(Int64($0.offset) * NodeTests.second, $0.element, host: host) }
    }

    /// The `field` column of every row an httpOut collected through a window of all points.
    static func column(_ task: TaskExecution, _ field: String) throws -> [String] {
        let json = try #require(task.httpOut("x"))
        let object = try JSONValue.parse(Array(json.utf8)) as JSONValue
        let series = try #require(object["series"]?.arrayValue?.first)
        let names = (series["columns"]?.arrayValue ?? []).map { $0.stringValue ?? "" }
        let columns = names
        let i = try #require(columns.firstIndex(of: field))
        return (series["values"]?.arrayValue ?? []).map { row in
            switch row.arrayValue?[i] {
            case .number(let t)?: t
            case .string(let s)?: s
            default: "null"
            }
        }
    }

    @Test(arguments: [
        ("stateDuration(lambda: \"value\" > 5)", "state_duration", ["0", "1", "-1", "0", "1", "2"]),
        ("stateDuration(lambda: \"value\" > 5).unit(500ms).as('d')", "d", ["0", "2", "-1", "0", "2", "4"]),
        ("stateCount(lambda: \"value\" > 5)", "state_count", ["1", "2", "-1", "1", "2", "3"]),
        ("stateCount(lambda: \"value\" > 5).as('n')", "n", ["1", "2", "-1", "1", "2", "3"]),
    ])
    func stateTrackingCountsTheRunOfTrue(node: String, field: String, expected: [String]) async throws {
        let task = try await NodeTests.run("stream|from()|\(node)|window().periodCount(6)|httpOut('x')", Self.points())
        #expect(try Self.column(task, field) == expected)
    }

    @Test func stateTrackingIsPerGroupAndTypesAsKapacitor() async throws {
        let points = zip(Self.points(host: "a"), Self.points(host: "b", [1, 6, 6, 1, 6, 1])).flatMap { [$0, $1] }
        let task = try await NodeTests.run("stream|from().groupBy('host')|stateCount(lambda: \"value\" > 5)|window().periodCount(6)|httpOut('x')", points)
        let json = try #require(task.httpOut("x"))
        #expect(json.contains(#""tags":{"host":"a"}"#) && json.contains(#""tags":{"host":"b"}"#), "\(json)")
        // A lambda that fails drops its point and counts an error on the node.
        let bad = try await NodeTests.run("stream|from()|stateDuration(lambda: \"missing\" > 5)|httpOut('x')", Self.points())
        let stats = try #require(bad.statistics().first { $0.name == "state_duration2" })
        #expect(stats.values.first { $0.0 == "errors" }?.1 == 6)
    }

    @Test func stateDurationOnBatchesCarriesAcrossThem() async throws {
        let points = Self.points(host: "a", [6, 7, 8, 9, 10, 3])
        let task = try await NodeTests.run("stream|from()|window().periodCount(3).everyCount(3)|stateDuration(lambda: \"value\" > 5)|httpOut('x')", points)
        // The second batch (9, 10, 3): the run began at 0 s, in the first batch.
        #expect(try Self.column(task, "state_duration") == ["3", "4", "-1"])
    }

    @Test func changeDetectPassesOnlyChanges() async throws {
        let points = Self.points(host: "a", [1, 1, 2, 2, 2, 1])
        let task = try await NodeTests.run("stream|from()|changeDetect('value')|window().periodCount(3)|httpOut('x')", points)
        #expect(try Self.column(task, "value") == ["1", "2", "1"])
        // A field that is not there on the first point and then appears is a change too.
        let mixed = [Point(measurement: "cpu", fields: [("other", .int(1))], time: 0)] + Self.points(host: "a", [5, 5])
        let seen = try await NodeTests.run("stream|from()|changeDetect('value')|window().periodCount(2)|httpOut('x')", mixed.map { var p = $0; p.setTag("host", "a"); return p })
        #expect(try Self.column(seen, "value") == ["null", "5"])
        #expect(throws: TICKDiagnostic.self) { try TaskExecution(id: "t", script: "stream|from()|changeDetect()", environment: TaskEnvironment()) }
    }
}
