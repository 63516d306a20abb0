import FaradCore
import FaradEngine
import FaradTICK
import Testing

@Suite struct CompiledLambdaTests {
    /// 2023-11-14T22:13:20Z, a Tuesday.
    static let point = Point(
        measurement: "cpu", tags: ["host": "web01", "region": "us-west"],
        fields: [("usage_idle", .double(7.5)), ("count", .int(7)), ("state", .string("ok")), ("up", .bool(true)), ("host2", .string("x"))],
        time: 1_700_000_000_000_000_000)

    func eval(_ text: String) throws -> LambdaValue {
        try CompiledLambda(parsing: text).evaluate(Self.point)
    }

    @Test(arguments: [
        (#""usage_idle" < 10.0"#, LambdaValue.bool(true)),
        (#""usage_idle" < 10"#, .bool(true)),            // comparisons may mix int and float
        (#""count" >= 7.0"#, .bool(true)),
        (#""count" / 2"#, .int(3)),                     // int / int is integer division
        (#""usage_idle" / 2.0"#, .double(3.75)),
        (#""count" % 4"#, .int(3)),
        (#""host" == 'web01' AND "region" =~ /^us-/"#, .bool(true)),
        (#""host" !~ /^db/"#, .bool(true)),
        (#""state" + '!'"#, .string("ok!")),
        (#""up" == TRUE"#, .bool(true)),
        (#"!"up" OR "count" > 100"#, .bool(false)),
        (#"-"count""#, .int(-7)),
        (#"float("count") * 1.5"#, .double(10.5)),
        (#"int("usage_idle")"#, .int(7)),
        (#"string("count")"#, .string("7")),
        (#"bool('true')"#, .bool(true)),
        (#"isPresent("usage_idle") AND !isPresent("nope")"#, .bool(true)),
        (#"if("count" > 5, 'big', 'small')"#, .string("big")),
        (#"hour("time")"#, .int(22)),
        (#"weekday("time")"#, .int(2)),
        (#"year("time")"#, .int(2023)),
        (#"abs(-2.5)"#, .double(2.5)),
        (#"pow(2.0, 10.0)"#, .double(1024)),
        (#"strLength("host")"#, .int(5)),
        (#"strHasPrefix("host", 'web')"#, .bool(true)),
        (#"strIndex("region", '-')"#, .int(2)),
        (#"10s + 5s"#, .duration(15_000_000_000)),
        (#"10s * 3"#, .duration(30_000_000_000)),
        (#"duration(90, 1s)"#, .duration(90_000_000_000)),
        (#"010 + 1"#, .int(9)),
        (#"1 + 2 * 3 == 7"#, .bool(true)),
    ])
    func kapacitorsTypeRules(_ text: String, _ expected: LambdaValue) throws {
        #expect(try eval(text) == expected, "\(text)")
    }

    @Test(arguments: [
        (#""count" * 1.5"#, "mismatched type to binary operator. got int * float. see bool(), int(), float(), string(), duration()"),
        (#""usage_idle" % 2.0"#, "invalid math operator % for type float"),
        (#""count" / 0"#, "integer division by zero"),
        (#""missing" > 1"#, #"no field or tag "missing" in this point: test with isPresent("missing")"#),
        (#""state" - 'x'"#, "invalid math operator - for type string"),
        (#""up" > FALSE"#, "invalid comparison operator > for type bool"),
        (#""up" AND 1"#, "invalid logical operator AND: operands must be bool"),
        (#"abs("count")"#, "abs() takes a float: convert ints with float()"),
        (#"if("up", 1, 2.0)"#, "if() branches must have the same type, got int and float"),
        (#"int("state")"#, "cannot convert string 'ok' to int"),
        (#""host" =~ /web/ AND "state" == 1"#, "mismatched type to binary operator. got string == int. see bool(), int(), float(), string(), duration()"),
    ])
    func runtimeErrorsAreReadable(_ text: String, _ message: String) throws {
        let lambda = try CompiledLambda(parsing: text)
        let error = #expect(throws: LambdaError.self) { try lambda.evaluate(Self.point) }
        #expect(error?.message == message, "\(text)")
    }

    @Test(arguments: [
        ("string(0.0)", "0"), ("string(1.5)", "1.5"), ("string(-2.0)", "-2"), ("string(0.00001)", "0.00001"),
        ("string(100000000000000000000.0)", "100000000000000000000"), ("string(123.456)", "123.456"),
    ])
    func floatsBecomeStringsAsGoWritesThem(_ text: String, _ expected: String) throws {
        // Kapacitor's string() is strconv.FormatFloat(x, 'f', -1, 64): no exponent, no ".0".
        #expect(try eval(text) == .string(expected))
    }

    @Test func aFieldThatIsAlsoATagIsAnError() throws {
        var p = Self.point
        p.fields.append(("host", .string("dup")))
        let error = #expect(throws: LambdaError.self) { try CompiledLambda(parsing: #""host" == 'x'"#).evaluate(p) }
        #expect(error?.message == #""host" is both a field and a tag: rename one of them"#)
    }

    @Test func conditionsMustBeBool() throws {
        let error = #expect(throws: LambdaError.self) { try CompiledLambda(parsing: #""count" + 1"#).evaluateBool(Self.point) }
        #expect(error?.message == "the lambda must be a condition (bool), but it is a int")
        #expect(try CompiledLambda(parsing: #""count" > 1"#).evaluateBool(Self.point))
    }

    @Test(arguments: [
        (#"usage > 1"#, #"1:11: usage is not defined in a lambda: fields and tags are double-quoted, "usage""#),
        (#"sigmoid("v") > 3"#, "1:11: unknown function sigmoid() in a lambda"),
        (#"sigma() > 3"#, "1:11: sigma() takes 1 argument, got 0"),
        (#"abs(1.0, 2.0)"#, "1:11: abs() takes 1 argument, got 2"),
        (#"isPresent('v')"#, #"1:11: isPresent() takes a double-quoted field or tag name, e.g. isPresent("value")"#),
        (#""h" =~ 'web'"#, #"1:18: =~ needs a regex on its right, e.g. "host" =~ /^web/"#),
        (#""h" =~ /(/"#, "1:18: invalid regex /(/: "),
    ])
    func compileErrorsComeAtDefineTime(_ text: String, _ message: String) {
        let error = #expect(throws: TICKDiagnostic.self) { try CompiledLambda(parsing: text) }
        #expect(error?.description.hasPrefix(message) == true, "\(text): \(error?.description ?? "-")")
    }
}
