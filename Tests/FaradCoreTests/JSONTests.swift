import Testing

@testable import FaradCore

@Suite struct JSONTests {
    @Test func parsesKeepingNumberTextAndOrder() throws {
        let v = try JSONValue.parse(Array(#"{"b":[1,1.0,-2e3,"x\n\u00e9\ud83d\ude00"],"a":{"t":true,"n":null}}"#.utf8))
        #expect(v["b"] == .array([.number("1"), .number("1.0"), .number("-2e3"), .string("x\né😀")]))
        #expect(v["a"]?["t"] == .bool(true))
        #expect(v.objectValue?.map(\.0) == ["b", "a"])
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "01x", "[1 2]", "\"abc", "{\"a\":tru}", "[--1]"])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func errorsCarryLineAndColumn() {
        do {
            _ = try JSONValue.parse(Array("{\n  \"a\": ?}".utf8))
            Issue.record("should fail")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func writerFormatsDoublesAsKairosDB() {
        #expect(JSONWriter.format(55.0) == "55")
        #expect(JSONWriter.format(5.5) == "5.5")
        #expect(JSONWriter.format(-0.0) == "0")
        #expect(JSONWriter.format(.nan) == "null")
        var w = JSONWriter()
        w.string("a\"b\\c\u{01}")
        #expect(w.text == #""a\"b\\c\u0001""#)
    }
}
