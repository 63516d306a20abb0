@testable import FaradTICK
import Testing

/// Hostile scripts: each is refused with an error naming where it went over a limit, or parsed
/// without recursion proportional to its length. None may crash (stack overflow) or trap.
@Suite struct LimitsTests {
    /// The first error's text, or nil when the script parses and checks.
    func failure(_ source: String) -> String? {
        do throws(TICKDiagnostic) {
            _ = try Checker.check(try Parser.parse(source))
            return nil
        } catch {
            return error.description
        }
    }

    func lambda(_ body: String) -> String {
        "stream|from()|where(lambda: \(body))"
    }

    @Test func parenthesesNestedSevenThousandDeepAreRefused() {
        let source = lambda(String(repeating: "(", count: 7_000) + "TRUE" + String(repeating: ")", count: 7_000))
        let message = failure(source)
        // The 100th parenthesis opens the 101st level (the where() argument is the first).
        #expect(message == "1:128: expression nested too deeply: at most 100 levels of parentheses, lists, calls, lambdas and operators are allowed; simplify it")
    }

    @Test func nestingWithinTheLimitParses() {
        let source = lambda(String(repeating: "(", count: 90) + "TRUE" + String(repeating: ")", count: 90))
        #expect(failure(source) == nil)
    }

    @Test func twentyThousandANDTermsParseShallow() throws {
        let terms = (0..<20_000).map { "\"f\" > \($0)" }.joined(separator: " AND ")
        let program = try Parser.parse(lambda(terms))
        #expect(failure(lambda(terms)) == nil)
        // A balanced tree: log2(20,000) ≈ 15 levels of AND, not 20,000.
        guard case .expression(.chain(_, let links))? = program.statements.first,
              case .lambda(let body, _)? = links.last?.call.arguments.first else {
            Issue.record("not a chain with a lambda")
            return
        }
        var depth = 0
        var e = body
        while case .binary(.and, let l, _, _) = e {
            depth += 1
            e = l
        }
        #expect(depth == 15)
    }

    @Test func longORChainMixedWithANDKeepsPrecedence() throws {
        let terms = (0..<1_000).map { "\"a\" == \($0) AND \"b\" == \($0)" }.joined(separator: " OR ")
        #expect(failure(lambda(terms)) == nil)
    }

    @Test func longArithmeticChainsAreRefused() {
        let sum = (0..<5_000).map(String.init).joined(separator: " + ")
        #expect(failure(lambda(sum + " > 0"))?.hasSuffix("expression nested too deeply: at most 100 levels of parentheses, lists, calls, lambdas and operators are allowed; simplify it") == true)
        let negations = String(repeating: "!", count: 10_000) + "TRUE"
        #expect(failure(lambda(negations)) == "1:129: expression nested too deeply: at most 100 levels of parentheses, lists, calls, lambdas and operators are allowed; simplify it")
        let minus = String(repeating: "- ", count: 10_000) + "1"
        #expect(failure("var x = " + minus)?.contains("nested too deeply") == true)
    }

    @Test func tenThousandNestedListsAreRefused() {
        let source = "var x = " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(failure(source) == "1:109: expression nested too deeply: at most 100 levels of parentheses, lists, calls, lambdas and operators are allowed; simplify it")
    }

    @Test func thirtyThousandChainedNodesParseAsOneFlatChain() throws {
        let source = "stream|from()" + String(repeating: "|where(lambda: \"v\" > 0)", count: 30_000)
        let program = try Parser.parse(source)
        guard case .expression(.chain(.identifier("stream", _), let links))? = program.statements.first else {
            Issue.record("not one chain")
            return
        }
        #expect(links.count == 30_001)
        #expect(failure(source) == nil)  // the node limit is the evaluator's
    }

    @Test func aScriptOverOneMebibyteIsRefused() {
        let source = "stream|from()" + String(repeating: " ", count: 1 << 20)
        #expect(failure(source) == "1:1: the script is 1048589 bytes: at most 1048576 are allowed")
    }

    @Test(arguments: [
        ("var x = 9223372036854775807", nil),
        ("var x = -9223372036854775807", nil),
        ("var x = 9223372036854775808",
         "1:9: integer 9223372036854775808 is out of range: integers are 64-bit, from -9223372036854775808 to 9223372036854775807"),
        ("var x = -9223372036854775808",
         "1:10: integer 9223372036854775808 is out of range: integers are 64-bit, from -9223372036854775808 to 9223372036854775807"),
        ("var x = 99999999999999999999999999", "1:9: integer 99999999999999999999999999 is out of range: integers are 64-bit, from -9223372036854775808 to 9223372036854775807"),
        ("var x = 0777777777777777777777", nil),
        ("var x = 01777777777777777777777", "1:9: octal number 01777777777777777777777 is out of range: integers are 64-bit, at most 0777777777777777777777"),
        ("var x = 09", "1:9: invalid octal number 09: a leading 0 makes a number octal"),
        ("var x = 10000000000000000000d",
         "1:9: duration 10000000000000000000d is out of range: durations are at most 9223372036854775807ns (about 292 years: 2562047h, 106751d or 15250w)"),
        ("var x = 99999999999h",
         "1:9: duration 99999999999h is out of range: durations are at most 9223372036854775807ns (about 292 years: 2562047h, 106751d or 15250w)"),
        ("var x = 2562047h", nil),
        ("var x = 2562048h",
         "1:9: duration 2562048h is out of range: durations are at most 9223372036854775807ns (about 292 years: 2562047h, 106751d or 15250w)"),
        ("var x = 15250w", nil),
        ("var x = 15251w",
         "1:9: duration 15251w is out of range: durations are at most 9223372036854775807ns (about 292 years: 2562047h, 106751d or 15250w)"),
        ("var x = 9223372036854775u", nil),
        ("var x = " + String(repeating: "9", count: 400) + ".5", "1:9: float " + String(repeating: "9", count: 400) + ".5 is out of range"),
    ] as [(String, String?)])
    func numberLiteralsOutOfRange(source: String, expected: String?) {
        #expect(failure(source + "\nstream|from()") == expected)
    }

    @Test func durationsAreExact() throws {
        let program = try Parser.parse("var x = 9223372036854775u")
        guard case .variable(_, .duration(let ns, _, _), _)? = program.statements.first else {
            Issue.record("not a duration")
            return
        }
        #expect(ns == 9_223_372_036_854_775_000)
    }
}
