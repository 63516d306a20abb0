import FaradCore
import FaradStore
import Testing

@testable import FaradQuery

/// KairosDB `regex:` tag filters: whole-match, RE2 syntax, linear time.
@Suite struct TagFilterRegexTests {
    func filter(_ pattern: String) throws -> TagFilter {
        let body = #"{"start_relative":{"value":1,"unit":"hours"},"metrics":[{"name":"m","tags":{"host":["regex:\#(pattern)"]}}]}"#
        return try QueryRequest.parse(Array(body.utf8), now: 10_000_000).metrics[0].tags
    }

    func key(_ host: String) -> SeriesKey {
        SeriesKey(metric: "m", tags: [.init("host", host)])
    }

    @Test func patternsMatchTheWholeValue() throws {
        let f = try filter("web[0-9]+")
        #expect(f.matches(key("web12")))
        #expect(!f.matches(key("aweb12")))
        #expect(!f.matches(key("web12a")))
    }

    @Test func aCatastrophicPatternAnswersAtOnce() throws {
        let f = try filter("(a+)+")
        #expect(!f.matches(key(String(repeating: "a", count: 10_000) + "!")))
        #expect(f.matches(key(String(repeating: "a", count: 10_000))))
    }

    @Test func anInvalidPatternNamesItsColumn() {
        #expect(throws: QueryError.self) { try filter("ab(") }
        do {
            _ = try filter("ab(")
        } catch let error as QueryError {
            #expect(error.errors == ["query.metric[0].tags[0].host invalid regex: ab(: missing closing ) at column 3"])
        } catch {
            Issue.record("\(error)")
        }
    }
}
