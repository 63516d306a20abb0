import FaradCore
import FaradEngine
import Testing

@Suite struct WindowBufferTests {
    static let s: Int64 = 1_000_000_000

    static func point(_ seconds: Int64, _ v: Double = 0) -> Point {
        Point(measurement: "cpu", fields: [("v", .double(v))], time: seconds * s)
    }

    /// Feeds points at the given seconds; returns each emitted batch as (time, point seconds).
    func run(_ spec: WindowSpec, _ seconds: [Int64]) -> [(Int64, [Int64])] {
        var window = WindowBuffer(spec)
        return seconds.compactMap { window.receive(Self.point($0)) }.map { ($0.time / Self.s, $0.points.map { $0.time / Self.s }) }
    }

    func expectBatches(_ actual: [(Int64, [Int64])], _ expected: [(Int64, [Int64])]) {
        #expect(actual.map(\.0) == expected.map(\.0))
        #expect(actual.map(\.1) == expected.map(\.1))
    }

    @Test func periodEqualsEvery() {
        // First emit = first point + every; the triggering point starts the next window.
        expectBatches(run(.time(period: 10 * Self.s, every: 10 * Self.s, align: false, fillPeriod: false), Array(0...20)),
                      [(10, Array(0...9)), (20, Array(10...19))])
    }

    @Test func alignedWindowsStartOnMultiplesOfEvery() {
        expectBatches(run(.time(period: 10 * Self.s, every: 10 * Self.s, align: true, fillPeriod: false), [3, 5, 9, 10, 14, 20]),
                      [(10, [3, 5, 9]), (20, [10, 14])])
    }

    @Test func overlappingWindows() {
        // period 10s every 5s: each batch holds [emit - 10s, emit).
        expectBatches(run(.time(period: 10 * Self.s, every: 5 * Self.s, align: false, fillPeriod: false), Array(0...15)),
                      [(5, [0, 1, 2, 3, 4]), (10, Array(0...9)), (15, Array(5...14))])
    }

    @Test func fillPeriodWaitsForAFullPeriod() {
        expectBatches(run(.time(period: 10 * Self.s, every: 5 * Self.s, align: false, fillPeriod: true), Array(0...15)),
                      [(10, Array(0...9)), (15, Array(5...14))])
        // With align: the first emit is aligned to every and after the first period.
        expectBatches(run(.time(period: 10 * Self.s, every: 5 * Self.s, align: true, fillPeriod: true), Array(3...20)),
                      [(15, Array(5...14)), (20, Array(10...19))])
    }

    @Test func everyZeroEmitsOnEveryPoint() {
        // The window (t - period, t], including the new point.
        expectBatches(run(.time(period: 3 * Self.s, every: 0, align: false, fillPeriod: false), [0, 1, 2, 3, 10]),
                      [(0, [0]), (1, [0, 1]), (2, [0, 1, 2]), (3, [1, 2, 3]), (10, [10])])
    }

    @Test func gapsProduceNoEmptyWindows() {
        expectBatches(run(.time(period: 10 * Self.s, every: 10 * Self.s, align: false, fillPeriod: false), [0, 1, 35, 36, 50]),
                      [(10, [0, 1]), (45, [35, 36])])
    }

    @Test func countWindows() {
        expectBatches(run(.count(period: 3, every: 2, fillPeriod: false), [1, 2, 3, 4, 5, 6]),
                      [(2, [1, 2]), (4, [2, 3, 4]), (6, [4, 5, 6])])
        expectBatches(run(.count(period: 3, every: 2, fillPeriod: true), [1, 2, 3, 4, 5, 6]),
                      [(3, [1, 2, 3]), (5, [3, 4, 5])])
    }

    @Test func memoryIsBoundedByTheWindowNotTheStream() {
        var window = WindowBuffer(.time(period: 10 * Self.s, every: 10 * Self.s, align: false, fillPeriod: false))
        for t in 0..<100_000 { _ = window.receive(Self.point(Int64(t))) }
        #expect(window.count <= 10)
    }
}

@Suite struct InfluxQLFunctionTests {
    static func points(_ values: [FieldValue]) -> [Point] {
        values.enumerated().map { Point(measurement: "m", fields: [("f", $1)], time: Int64($0)) }
    }

    static let ints = points([.int(3), .int(1), .int(4), .int(1), .int(5)])
    static let floats = points([.double(2.5), .double(0.5), .double(1.0), .double(4.0)])

    @Test(arguments: [
        (InfluxQLFunction.count, FieldValue.int(5), nil as Int64?),
        (.sum, .int(14), nil), (.mean, .double(2.8), nil), (.median, .double(3), nil), (.mode, .int(1), nil),
        (.min, .int(1), 1), (.max, .int(5), 4), (.first, .int(3), 0), (.last, .int(5), 4), (.spread, .int(4), nil),
    ])
    func integerFields(_ f: InfluxQLFunction, _ value: FieldValue, _ time: Int64?) throws {
        let result = try #require(try f.apply(field: "f", to: Self.ints))
        #expect(result.value == value)
        #expect(result.time == time)
    }

    @Test func floatFields() throws {
        #expect(try InfluxQLFunction.mean.apply(field: "f", to: Self.floats)?.value == .double(2))
        #expect(try InfluxQLFunction.median.apply(field: "f", to: Self.floats)?.value == .double(1.75))
        #expect(try InfluxQLFunction.sum.apply(field: "f", to: Self.floats)?.value == .double(8))
        let stddev = try #require(try InfluxQLFunction.stddev.apply(field: "f", to: Self.floats)?.value.doubleValue)
        #expect(abs(stddev - 1.5811388300841898) < 1e-12)
    }

    @Test func missingFieldsAndEmptyBatches() throws {
        #expect(try InfluxQLFunction.mean.apply(field: "nope", to: Self.ints) == nil)
        #expect(try InfluxQLFunction.count.apply(field: "nope", to: Self.ints)?.value == .int(0))
        #expect(try InfluxQLFunction.stddev.apply(field: "f", to: Array(Self.floats.prefix(1))) == nil)
    }

    @Test func stringsAreNotNumbers() {
        let error = #expect(throws: LambdaError.self) {
            try InfluxQLFunction.mean.apply(field: "f", to: Self.points([.string("x")]))
        }
        #expect(error?.message == "mean() needs a numeric field, \"f\" is \"x\"")
    }
}
