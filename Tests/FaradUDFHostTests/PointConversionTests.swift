import FaradCore
import FaradUDFHost
import KapacitorUDFWire
import Testing

/// Engine points to UDF frames and back, as a task's UDF node converts them.
@Suite struct PointConversionTests {
    static let point = Point(
        measurement: "cpu", sortedTags: [("cpu", "cpu-total"), ("host", "server01")],
        fields: [("usage_user", .double(10.5)), ("procs", .int(1234)), ("state", .string("ok")), ("up", .bool(true))],
        time: 1_700_000_000_000_000_000)

    static func decode(_ frame: [UInt8]) throws -> UDFPoint {
        var decoder = FrameDecoder()
        decoder.append(frame)
        let payload = try #require(try decoder.next())
        guard case .point(let p) = try UDFRequest(decoding: payload) else { throw WireError(.malformedMessage, "not a point") }
        return p
    }

    @Test func streamFramesCarryEverythingKapacitorSends() throws {
        var frame: [UInt8] = []
        Self.point.appendUDFFrame(to: &frame, database: "telegraf", retentionPolicy: "autogen", group: "host=server01",
                                  dimensions: ["host"], byName: false)
        let p = try Self.decode(frame)
        // The same bytes the dictionary-based conversion gives.
        let reference = UDFPoint(Self.point, database: "telegraf", retentionPolicy: "autogen", group: "host=server01", dimensions: ["host"])
        #expect(p == reference)
        let back = UDFPointReader(p)
        #expect((back.name, back.database, back.retentionPolicy, back.dimensions, back.byName, back.time)
            == ("cpu", "telegraf", "autogen", ["host"], false, Self.point.time))
        #expect(back.tags.map(\.key) == ["cpu", "host"])
        #expect(back.fields.map(\.key) == ["procs", "state", "up", "usage_user"])
        #expect(back.fields.map(\.value) == [.int(1234), .string("ok"), .bool(true), .double(10.5)])
    }

    @Test func batchPointsCarryOnlyTimeGroupTagsAndFields() throws {
        var frame: [UInt8] = []
        Self.point.appendUDFBatchFrame(to: &frame, group: "host=server01")
        let p = try Self.decode(frame)
        #expect(p.name == "" && p.database == "" && p.retentionPolicy == "" && p.dimensions.isEmpty && !p.byName)
        #expect(p.group == "host=server01")
        #expect(p.tag("host") == "server01")
        #expect(p.double("usage_user") == 10.5)
        #expect(p.time == Self.point.time)
    }

    @Test func aKeyInSeveralMapsTakesKapacitorsMergeOrder() {
        // string < int < double < bool: the later type wins.
        let p = UDFPoint(fieldsDouble: ["a": 1.5, "b": 2.5], fieldsInt: ["a": 1, "c": 3], fieldsString: ["a": "s", "b": "t"], fieldsBool: ["c": true])
        let r = UDFPointReader(p)
        #expect(r.fields.map(\.key) == ["a", "b", "c"])
        #expect(r.fields.map(\.value) == [.double(1.5), .double(2.5), .bool(true)])
        var cache = UDFStringCache()
        #expect(UDFPointReader(p, cache: &cache).fields.map(\.value) == r.fields.map(\.value))
    }

    @Test(arguments: [[], ["a"], ["a", "b"], ["b"], ["a", "c"], ["a", "b", "c"]])
    func dimensionsComeOutTheSameWithOrWithoutAnExpectation(_ dimensions: [String]) {
        let p = UDFPoint(dimensions: dimensions)
        var cache = UDFStringCache()
        for expected in [[], ["a"], ["a", "b"], ["x"]] {
            #expect(UDFPointReader(p, cache: &cache, dimensions: expected).dimensions == dimensions)
        }
    }

    @Test func unsortedOutputIsSortedAndExtraTagsFillIn() {
        let p = UDFPoint(name: "m", tags: ["z": "1", "a": "2"], fieldsDouble: ["y": 1, "b": 2])
        let point = Point(p, extraTags: ["a": "ignored", "k": "kept"])
        #expect(point.tags.map(\.key) == ["a", "k", "z"])
        #expect(point.tag("a") == "2")
        #expect(point.fields.map(\.key) == ["b", "y"])
        #expect(Point(p, measurement: "renamed").measurement == "renamed")
    }
}
