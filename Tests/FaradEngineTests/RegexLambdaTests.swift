import FaradCore
import FaradTICK
import Testing
@testable import FaradEngine

/// `=~` and `!~` in lambdas use ``LinearRegex``: Go's RE2 syntax, matched in linear time.
@Suite struct RegexLambdaTests {
    @Test func regexMatchingIsLinear() throws {
        let pipeline = try TaskCompiler.build(id: "t", script: #"stream|from()|where(lambda: "s" =~ /(a+)+$/)|httpOut('x')"#, environment: TaskEnvironment()).pipeline
        let hostile = Point(measurement: "m", fields: [("s", .string(String(repeating: "a", count: 10_000) + "!"))], time: 1)
        let fine = Point(measurement: "m", fields: [("s", .string("baaa"))], time: 2)
        pipeline.write([hostile, fine], database: "db", retentionPolicy: "rp")
        #expect(pipeline.node(named: "http_out3")?.processed == 1)
    }

    @Test(arguments: [
        (#""s" =~ /^web\d+$/"#, "web01", true),
        (#""s" =~ /eb/"#, "web01", true),          // unanchored, as Go's MatchString
        (#""s" !~ /^db/"#, "web01", true),
        (#""s" =~ /(?i)^WEB/"#, "web01", true),
        (#""s" =~ /a\/b/"#, "a/b", true),          // \/ is a slash in a TICKscript regex
        (#""s" =~ /^[[:alpha:]]+$/"#, "web01", false),
    ] as [(String, String, Bool)])
    func matches(lambda: String, value: String, expected: Bool) throws {
        let point = Point(measurement: "m", fields: [("s", .string(value))], time: 1)
        #expect(try CompiledLambda(parsing: lambda).evaluateBool(point) == expected)
    }

    @Test func anInvalidRegexIsADefineTimeErrorWithItsColumn() {
        do throws(TICKDiagnostic) {
            _ = try CompiledLambda(parsing: #""s" =~ /a{2000}/"#)
            Issue.record("compiled")
        } catch {
            #expect(error.description == "1:18: invalid regex /a{2000}/: invalid repeat count {2000}: counts are at most 1000 and the maximum is not below the minimum at column 2 of the pattern")
        }
    }
}
