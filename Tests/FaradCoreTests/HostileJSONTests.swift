import Testing

@testable import FaradCore

/// JSON inputs that trapped or recursed without a bound: each is a clean error with its position.
@Suite struct HostileJSONTests {
    @Test(arguments: [
        (#"["\ud800\u0041"]"#, "invalid \\u escape: high surrogate not followed by a low surrogate", 3),
        (#"["\ud800"]"#, "invalid \\u escape: unpaired high surrogate", 3),
        (#"["ab\ud800x"]"#, "invalid \\u escape: unpaired high surrogate", 5),
        (#"["\udc00"]"#, "invalid \\u escape: unpaired low surrogate", 3),
        (#"["\ud800\udbff"]"#, "invalid \\u escape: high surrogate not followed by a low surrogate", 3),
        (#"["\ud800\u"]"#, "truncated \\u escape", 11),
    ])
    func badSurrogatesAreErrors(_ text: String, _ message: String, _ column: Int) {
        #expect(throws: JSONError(message: message, line: 1, column: column, atEnd: false)) {
            try JSONValue.parse(Array(text.utf8))
        }
    }

    @Test func validPairsAndEscapesDecode() throws {
        #expect(try JSONValue.parse(Array(#"["\ud83d\ude00","\u00e9","\u0000"]"#.utf8)) == .array([.string("😀"), .string("é"), .string("\0")]))
    }

    @Test(arguments: [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80]] as [[UInt8]])
    func invalidUTF8InAStringIsAnError(_ bad: [UInt8]) {
        for escaped in [false, true] {
            let body = Array(#"["a"#.utf8) + (escaped ? Array(#"\n"#.utf8) : []) + bad + Array(#""]"#.utf8)
            #expect(throws: JSONError(message: "invalid UTF-8 in string", line: 1, column: escaped ? 6 : 4, atEnd: false)) {
                try JSONValue.parse(body)
            }
        }
    }

    @Test func nestingIsBounded() throws {
        let ok = String(repeating: "[", count: JSONReader.maxDepth) + String(repeating: "]", count: JSONReader.maxDepth)
        #expect(throws: Never.self) { try JSONValue.parse(Array(ok.utf8)) }
        // 100,000 levels: an error, not a stack overflow.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError(message: "nesting deeper than 512 levels", line: 1, column: 513, atEnd: false)) {
            try JSONValue.parse(Array(deep.utf8))
        }
        let objects = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(throws: JSONError.self) { try JSONValue.parse(Array(objects.utf8)) }
    }
}

@Suite struct HostileTOMLTests {
    @Test func nestingAndDottedKeysAreBounded() {
        let deep = "a = " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
        #expect(throws: TOMLError.self) { try TOMLParser.parse(deep) }
        let inline = "a = " + String(repeating: "{b = ", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(throws: TOMLError.self) { try TOMLParser.parse(inline) }
        let dotted = (0..<10_000).map { "k\($0)" }.joined(separator: ".") + " = 1"
        #expect(throws: TOMLError.self) { try TOMLParser.parse(dotted) }
        #expect(throws: Never.self) { try TOMLParser.parse("a = [[1, 2], [3]]\nb.c.d = {e = 1}") }
    }
}
