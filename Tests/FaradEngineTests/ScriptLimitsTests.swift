import FaradCore
import FaradTICK
import Testing
@testable import FaradEngine

/// Hostile scripts through the whole compiler (parse, check, evaluate, build): refused with an
/// error naming line and column, or built, never a crash.
@Suite struct ScriptLimitsTests {
    func failure(_ script: String) -> String? {
        do throws(TICKDiagnostic) {
            _ = try TaskCompiler.build(id: "t", script: script, environment: TaskEnvironment())
            return nil
        } catch {
            return error.description
        }
    }

    @Test func thirtyThousandChainedNodesAreRefused() {
        let script = "stream|from()" + String(repeating: "|where(lambda: \"v\" > 0)", count: 30_000)
        // stream and from are nodes 0 and 1; the 999th where would be node 1,000.
        #expect(failure(script) == "1:\(14 + 998 * 23 + 1): too many nodes: a task has at most 1000")
    }

    @Test func aTaskAtTheNodeLimitBuildsAndRuns() throws {
        let script = "stream|from()" + String(repeating: "|where(lambda: \"v\" > 0)", count: 997) + "|httpOut('x')"
        let pipeline = try TaskCompiler.build(id: "t", script: script, environment: TaskEnvironment()).pipeline
        #expect(pipeline.nodes.count == 1_000)
        pipeline.write([Point(measurement: "m", fields: [("v", .int(1))], time: 1)], database: "db", retentionPolicy: "rp")
        #expect(pipeline.nodes.last?.processed == 1)
    }

    @Test func lambdaVariablesThatDoubleAreBounded() {
        var script = #"var a0 = lambda: "v" > 0"# + "\n"
        for i in 1...40 { script += "var a\(i) = lambda: a\(i - 1) AND a\(i - 1)\n" }
        script += "stream|from()|where(a40)|httpOut('x')"
        let message = failure(script)
        #expect(message?.contains("lambdas too large once their variables are substituted") == true || message?.contains("lambda nested too deeply") == true, "\(message ?? "built")")
    }

    @Test func lambdaVariablesThatNestAreBounded() {
        var script = #"var a0 = lambda: "v" > 0"# + "\n"
        for i in 1...300 { script += "var a\(i) = lambda: !a\(i - 1)\n" }
        script += "stream|from()|where(a300)|httpOut('x')"
        #expect(failure(script)?.hasSuffix("lambda nested too deeply once its variables are substituted: at most 100 levels are allowed") == true)
    }

    @Test func listVariablesThatNestAreBounded() {
        var script = "var l0 = ['a']\n"
        for i in 1...300 { script += "var l\(i) = [l\(i - 1), l\(i - 1)]\n" }
        script += "stream|from().groupBy(l300)|httpOut('x')"
        #expect(failure(script) == "101:12: lists nested too deeply: at most 100 levels are allowed")
    }

    @Test func manyANDTermsCompileAndEvaluate() throws {
        let terms = (0..<20_000).map { "\"v\" != \($0 + 1)" }.joined(separator: " AND ")
        let pipeline = try TaskCompiler.build(id: "t", script: "stream|from()|where(lambda: \(terms))|httpOut('x')", environment: TaskEnvironment()).pipeline
        pipeline.write([Point(measurement: "m", fields: [("v", .int(0))], time: 1), Point(measurement: "m", fields: [("v", .int(7))], time: 2)],
                       database: "db", retentionPolicy: "rp")
        #expect(pipeline.node(named: "http_out3")?.processed == 1)
    }

    @Test func evalTakesAtMostAThousandLambdas() {
        let lambdas = (0..<1_001).map { "lambda: \($0)" }.joined(separator: ", ")
        let names = (0..<1_001).map { "'f\($0)'" }.joined(separator: ", ")
        #expect(failure("stream|from()|eval(\(lambdas)).as(\(names))|httpOut('x')") == "1:15: eval() takes at most 1000 lambdas, got 1001: split it into several eval nodes")
    }

    @Test func aNodeErrorQuotesTheWholeLambda() throws {
        // From after "lambda:" to its closing parenthesis (an AND chain's tree starts at its middle AND).
        let pipeline = try TaskCompiler.build(id: "t", script: #"stream|from()|where(lambda: "a" > 1 AND ("b" > 2 OR "c" > 3))|httpOut('x')"#, environment: TaskEnvironment()).pipeline
        pipeline.write([Point(measurement: "m", fields: [("v", .int(1))], time: 1)], database: "db", retentionPolicy: "rp")
        #expect(pipeline.node(named: "where2")?.lastError == #"where "a" > 1 AND ("b" > 2 OR "c" > 3): no field or tag "a" in this point: test with isPresent("a")"#)
    }

    @Test func aLineOfManyLambdaVariablesIsBuiltInLinearTime() throws {
        // Each lambda's text for messages is cut at 1,000 characters, not scanned to the line's end.
        let line = (0..<20_000).map { "var l\($0) = lambda: TRUE " }.joined()
        let script = line + "\nstream|from()|where(l19999)|httpOut('x')"
        #expect(throws: Never.self) { try TaskCompiler.build(id: "t", script: script, environment: TaskEnvironment()) }
    }
}
