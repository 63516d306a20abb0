import Testing

@testable import FaradCore

@Suite struct SeriesKeyTests {
    @Test func equalKeysHashAlikeAndBoundariesMatter() {
        let a = SeriesKey(metric: "cpu", tags: [.init("host", "a"), .init("dc", "x")], namespace: "db/rp")
        let b = SeriesKey(metric: "cpu", sortedTags: [.init("dc", "x"), .init("host", "a")], namespace: "db/rp")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        // The same bytes split differently are different keys.
        #expect(SeriesKey(metric: "ab", tags: [.init("c", "d")]) != SeriesKey(metric: "a", tags: [.init("bc", "d")]))
        #expect(SeriesKey(metric: "m", tags: [.init("k", "v")], namespace: "") != SeriesKey(metric: "m", tags: [.init("k", "v")], namespace: "n"))
        #expect(SeriesKey(metric: "m", tags: [.init("k", "v1"), .init("k", "v2")]).tags == [.init("k", "v2")])
    }
}
