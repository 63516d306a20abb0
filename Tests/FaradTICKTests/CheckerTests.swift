import FaradTICK
import Testing

@Suite struct CheckerTests {
    func check(_ source: String) throws -> Checker.Result {
        try Checker.check(try Parser.parse(source))
    }

    @Test func findsTypeAndDBRPs() throws {
        let result = try check("""
            dbrp "telegraf"."autogen"
            dbrp "telegraf"."long"
            var w = 10s
            stream|from().measurement('cpu').where(lambda: "host" == 'a' AND isPresent("x"))|window().period(w).every(w)
            """)
        #expect(result.type == .stream)
        #expect(result.dbrps.map { "\($0.database).\($0.retentionPolicy)" } == ["telegraf.autogen", "telegraf.long"])
        #expect(try check("batch|query('SELECT mean(\"v\") FROM cpu').period(1m).every(1m)|httpOut('x')").type == .batch)
    }

    @Test(arguments: [
        ("stream|from().measurement(\"cpu\")",
         "1:27: \"cpu\" is a reference to a field or tag, not a string: did you use double quotes instead of single quotes? Write 'cpu'"),
        ("stream|from().window()", "1:15: window is a chaining method: use |window() instead of .window()"),
        ("stream|from()|window()|period(10s)", "1:24: period is a property: use .period() instead of |period()"),
        ("stream|from().where(lambda: host == 'a')", "1:29: undefined variable host: fields and tags in a lambda are double-quoted, \"host\""),
        ("stream|from().where(lambda: \"up\" == true)", "1:37: true is not defined: booleans are upper case, TRUE"),
        ("var x = 5\nvar x = 6\nstream|from()", "2:1: var x is already defined at 1:1: variables cannot be redefined"),
        ("data|window()", "1:1: undefined variable data"),
        ("var s = stream\nbatch|query('q')", "2:1: a task is either stream or batch: this script uses stream at 1:9 and batch here"),
        ("var x = 5", "1:1: a task needs a stream or a batch: start a chain with stream|from() or batch|query(…)"),
    ])
    func mistakesGetHints(_ source: String, _ message: String) {
        let error = #expect(throws: TICKDiagnostic.self) { try check(source) }
        #expect(error?.description == message, "\(source)")
    }

    @Test func octalWarningsReachTheResult() throws {
        let result = try check("stream|from()|sample(010)")
        #expect(result.warnings.map(\.description) == ["1:22: 010 is octal (8) because of its leading 0"])
    }
}
