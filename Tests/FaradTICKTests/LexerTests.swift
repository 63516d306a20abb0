@testable import FaradTICK
import Testing

@Suite struct LexerTests {
    func kinds(_ source: String) throws -> [String] {
        try Lexer.tokenize(source).tokens.dropLast().map { "\($0.kind):\($0.value)" }
    }

    @Test(arguments: [
        ("stream", ["identifier:stream"]),
        ("var x = 5", ["keyword:var", "identifier:x", "punctuation:=", "integer:5"]),
        ("'it\\'s'", ["string:it's"]),
        ("'''multi\nline \\n'''", ["string:multi\nline \\n"]),
        ("\"usage \\\"idle\\\"\"", ["reference:usage \"idle\""]),
        ("10s 1m 5ms 2u 3µ 1h 2d 1w 0s", ["duration:10s", "duration:1m", "duration:5ms", "duration:2u", "duration:3µ", "duration:1h", "duration:2d", "duration:1w", "duration:0s"]),
        ("1.5 42 010", ["float:1.5", "integer:42", "integer:010"]),
        ("TRUE FALSE true AND OR and", ["keyword:TRUE", "keyword:FALSE", "identifier:true", "keyword:AND", "keyword:OR", "identifier:and"]),
        ("lambda: x lambda", ["keyword:lambda", "punctuation::", "identifier:x", "identifier:lambda"]),
        ("\"host\" =~ /^web\\/[0-9]+$/", ["reference:host", "operator:=~", "regex:^web/[0-9]+$"]),
        ("\"a\" / 2", ["reference:a", "operator:/", "integer:2"]),
        ("a|b().c @d", ["identifier:a", "punctuation:|", "identifier:b", "punctuation:(", "punctuation:)", "punctuation:.", "identifier:c", "punctuation:@", "identifier:d"]),
        ("<= >= == != !~ ! % *", ["operator:<=", "operator:>=", "operator:==", "operator:!=", "operator:!~", "operator:!", "operator:%", "operator:*"]),
        ("// comment\nstream // tail", ["identifier:stream"]),
        ("[a, 'b', *]", ["punctuation:[", "identifier:a", "punctuation:,", "string:b", "punctuation:,", "operator:*", "punctuation:]"]),
    ])
    func tokens(_ source: String, _ expected: [String]) throws {
        #expect(try kinds(source) == expected)
    }

    @Test func positionsAreLineAndColumn() throws {
        let tokens = try Lexer.tokenize("stream\n  |from()").tokens
        #expect(tokens[1].position == Position(line: 2, column: 3, offset: 9))
        #expect(tokens[2].position.description == "2:4")
    }

    @Test func octalNumbersWarn() throws {
        let (_, warnings) = try Lexer.tokenize("x(010)")
        #expect(warnings.map(\.description) == ["1:3: 010 is octal (8) because of its leading 0"])
    }

    @Test(arguments: [
        ("x = 1.5s", "1:5: invalid duration 1.5s: durations must be whole numbers (write 1500ms, not 1.5s)"),
        ("x = 10ns", "1:5: invalid duration 10ns: unit must be one of u, µ, ms, s, m, h, d, w"),
        ("x = 09", "1:5: invalid octal number 09: a leading 0 makes a number octal"),
        ("x = 'open", "1:5: unterminated string: add a closing ' (use ''' for strings over several lines)"),
        ("x = \"open", "1:5: unterminated reference: add a closing \""),
        ("x = 1 # 2", "1:7: unexpected character \"#\""),
    ])
    func errorsNameThePosition(_ source: String, _ message: String) {
        let error = #expect(throws: TICKDiagnostic.self) { try Lexer.tokenize(source) }
        #expect(error?.description == message)
    }
}
