import FaradCore
import FaradTICK
import Testing
@testable import FaradEngine

/// Every place where a number from a script or a point meets arithmetic in the engine: each
/// input gives a value or an error (a dropped point, counted on its node), never a trap.
@Suite struct OverflowTests {
    static let point = Point(
        measurement: "m", tags: ["host": "h"],
        fields: [("min", .int(.min)), ("max", .int(.max)), ("minus1", .int(-1)), ("zero", .int(0)), ("nan", .double(.nan)),
                 ("inf", .double(.infinity)), ("big", .double(1e300)), ("f", .double(2.5))],
        time: 9_223_372_036_854_775_000)

    /// The lambda's value, or its error's text.
    func eval(_ text: String) throws -> String {
        let lambda = try CompiledLambda(parsing: text)
        do throws(LambdaError) {
            return "\(try lambda.evaluate(Self.point))"
        } catch {
            return "error: \(error.message)"
        }
    }

    static let range = "is out of range (64-bit integers, durations and times are at most ±9223372036854775807)"

    @Test(arguments: [
        // The two lambdas of the issue.
        ("(-9223372036854775807 - 1) % -1 == 0", "TRUE"),
        (#""min" / "minus1""#, "error: integer overflow: -9223372036854775808 / -1 \(range)"),
        (#""min" % "minus1""#, "0"),
        (#""max" % "minus1""#, "0"),
        (#""min" % 7"#, "-1"),
        (#""max" + 1"#, "error: integer overflow: 9223372036854775807 + 1 \(range)"),
        (#""min" - 1"#, "error: integer overflow: -9223372036854775808 - 1 \(range)"),
        (#""max" * 2"#, "error: integer overflow: 9223372036854775807 * 2 \(range)"),
        (#""min" * -1"#, "error: integer overflow: -9223372036854775808 * -1 \(range)"),
        (#""max" - "min""#, "error: integer overflow: 9223372036854775807 - -9223372036854775808 \(range)"),
        (#""max" / "zero""#, "error: integer division by zero"),
        (#""max" % "zero""#, "error: integer modulo by zero"),
        (#"-"min""#, "error: integer overflow: -(-9223372036854775808) is out of range (64-bit integers are at most 9223372036854775807)"),
        (#"-"max""#, "-9223372036854775807"),
        (#""max" - 1 + 1"#, "9223372036854775807"),
        // Float to int.
        (#"int("nan")"#, "error: cannot convert nan to int: it is not finite or not within 64 bits"),
        (#"int("inf")"#, "error: cannot convert inf to int: it is not finite or not within 64 bits"),
        (#"int(-1.0 * "inf")"#, "error: cannot convert -inf to int: it is not finite or not within 64 bits"),
        (#"int("big")"#, "error: cannot convert 1e+300 to int: it is not finite or not within 64 bits"),
        ("int(9223372036854775807.0)", "error: cannot convert 9.223372036854776e+18 to int: it is not finite or not within 64 bits"),
        ("int(-9223372036854775808.0)", "-9223372036854775808"),
        (#"int("f")"#, "2"),
        (#"float("max") / 0.0"#, "inf"),
        // Durations.
        ("2562047h + 1h", "error: integer overflow: 2562047h0m0s + 1h0m0s \(range)"),
        ("-2562047h - 1h", "error: integer overflow: -2562047h0m0s - 1h0m0s \(range)"),
        ("1h * 9223372036854775807", "error: integer overflow: 1h0m0s * 9223372036854775807 \(range)"),
        ("9223372036854775807 * 1h", "error: integer overflow: 9223372036854775807 * 1h0m0s \(range)"),
        ("1h / 0", "error: duration division by zero"),
        ("1h / 0s", "error: duration division by zero"),
        ("1h / 2", "30m0s"),
        (#"1h * "big""#, "error: duration overflow: 1h0m0s * 1e+300 is not a duration (at most ±9223372036854775807ns)"),
        (#"1h * "nan""#, "error: duration overflow: 1h0m0s * nan is not a duration (at most ±9223372036854775807ns)"),
        ("1h / 0.0", "error: duration overflow: 1h0m0s / 0.0 is not a duration (at most ±9223372036854775807ns)"),
        ("1h * 1.5", "1h30m0s"),
        ("duration(9223372036854775807, 1s)", "error: duration(9223372036854775807, 1s) is out of range: durations are at most 9223372036854775807ns"),
        (#"duration("big", 1s)"#, "error: duration(1e+300, 1s) is out of range: durations are at most 9223372036854775807ns"),
        (#"duration("nan", 1s)"#, "error: duration(nan, 1s) is out of range: durations are at most 9223372036854775807ns"),
        ("duration(90, 1s)", "1m30s"),
        // Times (the point is at 9223372036854775000 ns).
        (#""time" + 1s"#, "error: integer overflow: time(9223372036854775000) + 1s \(range)"),
        (#""time" - 1s > "time" - 2s"#, "TRUE"),
        (#"unixNano("time")"#, "9223372036854775000"),
        (#"year("time")"#, "2262"),
    ] as [(String, String)])
    func lambdaArithmetic(lambda: String, expected: String) throws {
        #expect(try eval(lambda) == expected, "\(lambda)")
    }

    @Test func int64ConversionBoundaries() {
        #expect(LambdaOperators.int64(9_223_372_036_854_774_784.0) == 9_223_372_036_854_774_784)  // the largest Double below 2⁶³
        #expect(LambdaOperators.int64(9_223_372_036_854_775_808.0) == nil)
        #expect(LambdaOperators.int64(-9_223_372_036_854_775_808.0) == .min)
        #expect(LambdaOperators.int64(-9_223_372_036_854_777_856.0) == nil)
        #expect(LambdaOperators.int64(-0.0) == 0)
    }

    /// A failing lambda drops its point and counts an error on its node; the task goes on.
    @Test(arguments: [
        (#"stream|from()|where(lambda: (-9223372036854775807 - 1) % -1 == 0)|httpOut('x')"#, "where2", 0, 2),
        (#"stream|from()|where(lambda: "a" / "b" < 0)|httpOut('x')"#, "where2", 1, 1),
        (#"stream|from()|eval(lambda: "a" / "b").as('r')|httpOut('x')"#, "eval2", 1, 1),
        (#"stream|from()|eval(lambda: -"a").as('r')|httpOut('x')"#, "eval2", 1, 1),
        (#"stream|from()|eval(lambda: "a" * "a").as('r')|httpOut('x')"#, "eval2", 1, 1),
        (#"stream|from()|eval(lambda: "a" * 1s).as('r')|httpOut('x')"#, "eval2", 1, 1),
        (#"stream|from().where(lambda: "a" - 1 > 0)|httpOut('x')"#, "from1", 1, 1),
    ] as [(String, String, Int, Int)])
    func aFailingLambdaDropsThePoint(script: String, node: String, errors: Int, passed: Int) throws {
        let pipeline = try TaskCompiler.build(id: "t", script: script, environment: TaskEnvironment()).pipeline
        let hostile = Point(measurement: "m", fields: [("a", .int(.min)), ("b", .int(-1))], time: 1_000)
        let fine = Point(measurement: "m", fields: [("a", .int(6)), ("b", .int(-2))], time: 2_000)
        pipeline.write([hostile, fine], database: "db", retentionPolicy: "rp")
        let n = try #require(pipeline.node(named: node))
        #expect(n.errors == errors)
        #expect(pipeline.nodes.last?.processed == passed)
    }

    /// Node arithmetic on point times near the ends of the range clamps or drops, never traps.
    @Test(arguments: [
        ("stream|from()|window().period(10s).every(10s)|httpOut('x')", 0),
        ("stream|from()|window().period(10s).every(10s).align()|httpOut('x')", 0),
        ("stream|from()|window().period(10s).every(10s).align().fillPeriod()|httpOut('x')", 0),
        ("stream|from()|window().period(10s).every(0s)|httpOut('x')", 0),
        ("stream|from().truncate(1h)|httpOut('x')", 0),
        ("stream|from().round(1h)|httpOut('x')", 0),
        ("stream|from()|shift(1h)|httpOut('x')", 2),
        ("stream|from()|shift(-1h)|httpOut('x')", 2),
        ("stream|from()|window().periodCount(2)|shift(1h)|httpOut('x')", 2),
        ("stream|from()|derivative('v')|httpOut('x')", 0),
        ("stream|from()|sample(7s)|httpOut('x')", 0),
    ] as [(String, Int)])
    func extremeTimesDoNotTrap(script: String, errors: Int) throws {
        let environment = TaskEnvironment(groupIdleTimeout: 3_600_000_000_000)
        let pipeline = try TaskCompiler.build(id: "t", script: script, environment: environment).pipeline
        let points = [Int64.min, .min + 1, -1, 0, .max - 1, .max].map {
            Point(measurement: "m", fields: [("v", .double(1))], time: $0)
        }
        pipeline.write(points, database: "db", retentionPolicy: "rp")
        let total = pipeline.nodes.reduce(0) { $0 + $1.errors }
        #expect(total == errors)
    }

    @Test func clampedArithmetic() {
        #expect(Int64.max.clampedAdding(1) == .max)
        #expect(Int64.min.clampedAdding(-1) == .min)
        #expect(Int64.min.clampedSubtracting(1) == .min)
        #expect(Int64.max.clampedSubtracting(-1) == .max)
        #expect(Int64(5).clampedAdding(-7) == -2)
        #expect(floorTime(.min, 3_600_000_000_000) == .min)
        #expect(floorTime(-1, 10) == -10)
        #expect(floorTime(19, 10) == 10)
    }
}
