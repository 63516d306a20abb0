@testable import FaradTICK
import Testing

@Suite struct ParserTests {
    let p = Position(line: 1, column: 1, offset: 0)

    /// A compact rendering of an expression, for readable assertions.
    func render(_ e: Expression) -> String {
        switch e {
        case .identifier(let s, _): s
        case .string(let s, _): "'\(s)'"
        case .reference(let s, _): "\"\(s)\""
        case .integer(let v, _): "\(v)"
        case .float(let v, _): "\(v)"
        case .boolean(let v, _): v ? "TRUE" : "FALSE"
        case .duration(let ns, let text, _): "\(text)=\(ns)ns"
        case .regex(let r, _): "/\(r)/"
        case .star: "*"
        case .list(let items, _): "[" + items.map(render).joined(separator: ", ") + "]"
        case .lambda(let body, _): "lambda: " + render(body)
        case .unary(let op, let x, _): "(\(op.rawValue)\(render(x)))"
        case .binary(let op, let l, let r, _): "(\(render(l)) \(op.rawValue) \(render(r)))"
        case .call(let c): render(c)
        case .chain(let receiver, let links): render(receiver) + links.map { $0.op.rawValue + render($0.call) }.joined()
        }
    }

    func render(_ c: Call) -> String {
        c.name + (c.hasParentheses ? "(" + c.arguments.map(render).joined(separator: ", ") + ")" : "")
    }

    func parseOne(_ source: String) throws -> String {
        let program = try Parser.parse(source)
        guard case .expression(let e)? = program.statements.first else { return "?" }
        return render(e)
    }

    @Test func aStreamTaskWithEveryKindOfLink() throws {
        let program = try Parser.parse("""
            // CPU alert
            dbrp "telegraf"."autogen"
            var period = 10s
            var data = stream
                |from()
                    .measurement('cpu')
                    .groupBy('host', *)
                    .where(lambda: "cpu" == 'cpu-total' AND "usage_idle" < 10.0)
                |window()
                    .period(period)
                    .every(10s)
                    .align()
            data
                |mean('usage_user')
                    .as('mean')
                @movingAvg()
                    .field('mean').size(10)
                |httpOut('avg')
            """)
        #expect(program.statements.count == 4)
        #expect(program.statements[0] == .dbrp(database: "telegraf", retentionPolicy: "autogen", position: Position(line: 2, column: 1, offset: 13)))
        guard case .variable("data", let value, _) = program.statements[2] else { Issue.record("no var data"); return }
        #expect(render(value) == "stream|from().measurement('cpu').groupBy('host', *).where(lambda: ((\"cpu\" == 'cpu-total') AND (\"usage_idle\" < 10.0)))|window().period(period).every(10s=10000000000ns).align()")
        guard case .expression(let e) = program.statements[3] else { Issue.record("no expression"); return }
        #expect(render(e) == "data|mean('usage_user').as('mean')@movingAvg().field('mean').size(10)|httpOut('avg')")
    }

    @Test(arguments: [
        ("f(lambda: 1 + 2 * 3)", "f(lambda: (1 + (2 * 3)))"),
        ("f(lambda: (1 + 2) * 3)", "f(lambda: ((1 + 2) * 3))"),
        ("f(lambda: 1 - 2 - 3)", "f(lambda: ((1 - 2) - 3))"),
        ("f(lambda: \"a\" > 1 OR \"b\" < 2 AND \"c\" == 3)", "f(lambda: ((\"a\" > 1) OR ((\"b\" < 2) AND (\"c\" == 3))))"),
        ("f(lambda: !(\"a\" == 1) AND -\"b\" < 2)", "f(lambda: ((!(\"a\" == 1)) AND ((-\"b\") < 2)))"),
        ("f(lambda: \"host\" =~ /^web/ AND \"x\" % 2 == 0)", "f(lambda: ((\"host\" =~ /^web/) AND ((\"x\" % 2) == 0)))"),
        ("f(lambda: sigma(\"value\") > 3.5)", "f(lambda: (sigma(\"value\") > 3.5))"),
        ("f(lambda: if(isPresent(\"x\"), \"x\", 0.0))", "f(lambda: if(isPresent(\"x\"), \"x\", 0.0))"),
        ("batch|query('SELECT 1').groupBy(time(1m), 'host')", "batch|query('SELECT 1').groupBy(time(1m=60000000000ns), 'host')"),
        ("a@dynamicMethod(1,'str', 10s).sad(FALSE)", "a@dynamicMethod(1, 'str', 10s=10000000000ns).sad(FALSE)"),
        ("x|eval(lambda: \"a\" * 2).as('b').keep()", "x|eval(lambda: (\"a\" * 2)).as('b').keep()"),
        ("x.delete", "x.delete"),
        ("f(010)", "f(8)"),
    ])
    func expressions(_ source: String, _ expected: String) throws {
        #expect(try parseOne(source) == expected)
    }

    @Test func typedDeclarationsForTemplates() throws {
        let program = try Parser.parse("var measurement string\nvar threshold = 90.0")
        #expect(program.statements.first == .declaration(name: "measurement", type: "string", position: p))
    }

    @Test(arguments: [
        ("stream|from", "1:12: expected ( after |from: chaining methods and UDFs are called, e.g. |from()"),
        ("stream|from(", "1:13: unexpected end of input: an expression is missing"),
        ("stream|window().period(10s", "1:27: expected , or ) in the arguments of period( opened at 1:23, got end of input"),
        ("dbrp 'telegraf'.'autogen'", "1:6: dbrp names are double-quoted: write dbrp \"telegraf\".\"autogen\" (single quotes make a string)"),
        ("dbrp \"telegraf\"", "1:16: expected . between database and retention policy in dbrp, got end of input"),
        ("var = 5", "1:5: expected a variable name after var, got \"=\""),
        ("var x 5", "1:7: expected = or a type (string, int, float, duration, lambda, list, star, regex, bool) after var x, got \"5\""),
        ("f(lambda: \"a\" > 1 and \"b\" < 2)", "1:19: unexpected and: logical operators are upper case (AND, OR)"),
        ("f(lambda 1)", "1:3: expected : after lambda, e.g. lambda: \"usage_idle\" < 10.0"),
        ("stream|", "1:8: expected a chaining method name after |, e.g. |window(), got end of input"),
        ("x = 1", "1:3: unexpected \"=\": expected a value, a name or a function call"),
        ("[1, 2", "1:6: expected ] to close the list opened at 1:1, got end of input"),
        ("f((1 + 2)", "1:10: expected , or ) in the arguments of f( opened at 1:2, got end of input"),
    ])
    func syntaxErrorsSayWhereAndWhat(_ source: String, _ message: String) {
        let error = #expect(throws: TICKDiagnostic.self) { try Parser.parse(source) }
        #expect(error?.description == message, "\(source)")
    }
}
