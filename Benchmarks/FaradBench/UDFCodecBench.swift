import FaradCore
import FaradUDFHost
import KapacitorUDFWire

/// The host's side of a UDF node, stage by stage: an engine `Point` encoded straight into a
/// request frame, the frame read back as a UDF point (validated, lazy), and that point turned
/// into an engine `Point` again (what the task does with a UDF's output).
func udfCodecBenchmark(points n: Int) throws {
    let hosts = (0..<1_000).map { "server\($0)" }
    let input = (0..<n).map { i in
        Point(measurement: "cpu", sortedTags: [("cpu", "cpu-total"), ("host", hosts[i % hosts.count])],
              fields: [("usage_user", .double(Double(i % 100))), ("usage_system", .double(5.25)), ("procs", .int(1234))],
              time: Int64(i) * 1_000_000_000)
    }
    var frames: [UInt8] = []
    measure("engine Point -> frame", points: n) {
        frames.removeAll(keepingCapacity: true)
        for p in input {
            p.appendUDFFrame(to: &frames, database: "telegraf", retentionPolicy: "autogen", group: "host=" + (p.tag("host") ?? ""),
                             dimensions: ["host"], byName: false)
        }
    }.report(extra: "  \(frames.count / n) bytes a frame")
    let headers = hosts.map { UDFPointHeader(name: "cpu", database: "telegraf", retentionPolicy: "autogen", group: "host=" + $0, dimensions: ["host"]) }
    measure("engine Point -> frame, header cached", points: n) {
        frames.removeAll(keepingCapacity: true)
        for (i, p) in input.enumerated() { p.appendUDFFrame(to: &frames, header: headers[i % hosts.count], byName: false) }
    }.report()
    var udfPoints: [UDFPoint] = []
    try measure("frame -> UDF point (validated)", points: n) {
        udfPoints.removeAll(keepingCapacity: true)
        try forEachFramePayload(frames) { payload in
            if case .point(let p) = try UDFResponse(decoding: payload) { udfPoints.append(p) }
        }
    }.report()
    var sink = 0
    measure("UDF point -> engine Point (cached strings)", points: n) {
        var cache = UDFStringCache()
        var counts: (dimensions: Int, tags: Int, fields: Int)?
        for p in udfPoints {
            let r = UDFPointReader(p, cache: &cache, capacities: counts)
            counts = r.counts
            let point = Point(measurement: r.name, sortedTags: r.tags, fields: r.fields, time: r.time)
            sink &+= point.fields.count
        }
    }.report()
    measure("  of which: counts", points: n) {
        for p in udfPoints { sink &+= p.elementCounts.fields }
    }.report()
    measure("  of which: scan with cache, empty visitor", points: n) {
        var cache = UDFStringCache()
        for p in udfPoints { p.forEachElement(cache: &cache) { _ in sink &+= 1 } }
    }.report()
    measure("  of which: scan + appends", points: n) {
        var cache = UDFStringCache()
        var tags: [(key: String, value: String)] = []
        var fields: [(key: String, value: FieldValue)] = []
        for p in udfPoints {
            tags.removeAll(keepingCapacity: true)
            fields.removeAll(keepingCapacity: true)
            p.forEachElement(cache: &cache) { e in
                switch e {
                case .tag(let k, let v): tags.append((k, v))
                case .double(let k, let v): fields.append((k, .double(v)))
                case .int(let k, let v): fields.append((k, .int(v)))
                default: break
                }
            }
            sink &+= tags.count + fields.count
        }
    }.report()
    measure("UDF point -> engine Point", points: n) {
        for p in udfPoints {
            let r = UDFPointReader(p)
            sink &+= r.fields.count
        }
    }.report()
    if sink == -1 { print(sink) }
}
