import FaradCore
import FaradEngine
import Testing

@Suite struct GroupIDTests {
    static let point = Point(measurement: "cpu", tags: ["host": "a", "region": "eu"], fields: [("v", .int(1))], time: 0)

    @Test func kapacitorsFormat() {
        #expect(GroupID(Self.point, dimensions: ["region", "host"]).rawValue == "host=a,region=eu")
        #expect(GroupID(Self.point, dimensions: ["host", "dc"]).rawValue == "dc=,host=a")
        #expect(GroupID(Self.point, dimensions: ["host"], byName: true).rawValue == "cpu\nhost=a")
        #expect(GroupID(Self.point, dimensions: [], byName: true).rawValue == "cpu")
        #expect(GroupID(Self.point, dimensions: []) == .none)
        #expect(GroupID.none.description == "nil")
    }
}
