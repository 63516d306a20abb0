import FaradCore
import FaradTICK
import FaradUDFHost
import KapacitorUDFWire
import Synchronization

/// `@name().option(…)`: a UDF in the chain. The node encodes what it receives straight into
/// request frames; the task hands them to the UDF's supervised session and injects the UDF's
/// output into the node's children (``TaskExecution``).
///
/// What goes out is what Kapacitor's host sends: stream points with their name, database,
/// retention policy, group and dimensions; batches as `begin` (name, group, group tags, size,
/// byName), points with time, group, tags and fields only, and `end` (name, group, tmax, tags).
/// What comes back is regrouped as Kapacitor does: the UDF's `group` is ignored and computed
/// again from the point's dimensions and tags (a batch's from the tags of its `end`).
final class UDFNode: EngineNode {
    let udf: String
    let config: UDFFunctionConfig
    let options: [UDFOption]
    let wants: EdgeType
    /// Request frames received and not yet handed to the session.
    private var frames: [UInt8] = []
    private var points = 0
    private var batches = 0
    /// Each group's encoded header (name, database, retention policy, group, dimensions), with
    /// what it was made from; bounded, it starts over past `headerLimit` groups.
    private var headers = GroupTable<GroupID, CachedHeader>()
    private let headerLimit = 1 << 16

    /// A reference, so that a lookup per point copies one pointer, not five fields.
    private final class CachedHeader {
        let name: String, database: String, retentionPolicy: String, dimensions: [String]
        let header: UDFPointHeader

        init(_ sp: StreamPoint) {
            (name, database, retentionPolicy, dimensions) = (sp.point.measurement, sp.database, sp.retentionPolicy, sp.dimensions.tagNames)
            header = UDFPointHeader(name: name, database: database, retentionPolicy: retentionPolicy, group: sp.group.rawValue,
                                    dimensions: dimensions)
        }

        func matches(_ sp: StreamPoint) -> Bool {
            name == sp.point.measurement && database == sp.database && retentionPolicy == sp.retentionPolicy
                && dimensions == sp.dimensions.tagNames
        }
    }

    init(name: String, config: UDFFunctionConfig, info: UDFInfo, options: [UDFOption], wants: EdgeType) {
        udf = config.name
        self.config = config
        self.options = options
        self.wants = wants
        super.init(name: name, type: config.name, provides: info.provides == .stream ? .stream : .batch)
    }

    override func process(_ message: consuming Message) {
        switch message {
        case .point(let sp):
            sp.point.appendUDFFrame(to: &frames, header: header(of: sp), byName: sp.dimensions.byName)
            points += 1
        case .batch(let b):
            var tags: [String: String] = [:]
            for (k, v) in b.tags { tags[k] = v }
            let group = b.group.rawValue
            UDFRequest.begin(BeginBatch(name: b.name, group: group, tags: tags, size: Int64(b.points.count), byName: b.dimensions.byName))
                .appendFrame(to: &frames)
            for p in b.points { p.appendUDFBatchFrame(to: &frames, group: group) }
            UDFRequest.end(EndBatch(name: b.name, group: group, tmax: b.tmax, tags: tags)).appendFrame(to: &frames)
            points += b.points.count
            batches += 1
        }
    }

    /// The encoded header of `sp`, from the cache when its group's points look the same.
    private func header(of sp: StreamPoint) -> UDFPointHeader {
        if let i = headers.slot(of: sp.group) {
            if !headers[i].matches(sp) { headers[i] = CachedHeader(sp) }
            return headers[i].header
        }
        if headers.count >= headerLimit { headers.removeAll() }
        return headers[headers.slot(of: sp.group) { CachedHeader(sp) }].header
    }

    /// What the node received since the last call, as one input for the session.
    func takeInput() -> (input: UDFInput, points: Int)? {
        guard !frames.isEmpty else { return nil }
        let size = frames.count
        defer {
            // The next hand-off is likely the same size: one allocation instead of growing.
            frames = []
            frames.reserveCapacity(min(size, 1 << 22))
            (points, batches) = (0, 0)
        }
        return (.frames(frames, points: points, batches: batches), points)
    }
}

/// Turns a UDF's output into messages on its node's edge. Runs outside the pipeline's lock, on
/// the task that reads the UDF, so decoding overlaps with the pipeline's work.
final class UDFOutputDecoder: Sendable {
    private struct Caches {
        var groups = GroupIDCache()
        var strings = UDFStringCache()
        /// The last dimensions seen: points that share them share one array.
        var dimensions = Dimensions.none
        /// The last point's sizes, to size the next one's arrays.
        var counts: (dimensions: Int, tags: Int, fields: Int)?
    }

    private let caches = Mutex(Caches())

    func messages(_ outputs: [UDFOutput]) -> [Message] {
        caches.withLock { caches in outputs.map { Self.message($0, &caches) } }
    }

    private static func message(_ output: UDFOutput, _ caches: inout Caches) -> Message {
        switch output {
        case .point(let udfPoint):
            let r = UDFPointReader(udfPoint, cache: &caches.strings, capacities: caches.counts, dimensions: caches.dimensions.tagNames)
            caches.counts = r.counts
            let point = Point(measurement: r.name, sortedTags: r.tags, fields: r.fields, time: r.time)
            if r.dimensions != caches.dimensions.tagNames || r.byName != caches.dimensions.byName {
                caches.dimensions = Dimensions(tagNames: r.dimensions, byName: r.byName)
            }
            return .point(StreamPoint(point, database: r.database, retentionPolicy: r.retentionPolicy,
                                      group: caches.groups.group(of: point, caches.dimensions), dimensions: caches.dimensions))
        case .batch(let begin, let udfPoints, let end):
            let tags = end.tags.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
            let dimensions = Dimensions(tagNames: tags.map(\.key), byName: begin.byName)
            var database = "", retentionPolicy = ""
            let points = udfPoints.enumerated().map { i, p in
                let r = UDFPointReader(p, cache: &caches.strings, capacities: caches.counts)
                caches.counts = r.counts
                if i == 0 { (database, retentionPolicy) = (r.database, r.retentionPolicy) }
                return Point(measurement: end.name, sortedTags: r.tags, fields: r.fields, time: r.time)
            }
            return .batch(Batch(
                name: end.name, database: database, retentionPolicy: retentionPolicy,
                group: GroupID(name: end.name, sortedTags: tags, dimensions), dimensions: dimensions,
                tags: tags, tmax: end.tmax, points: points))
        }
    }
}

extension UDFNode {
    /// A `@name()` node: its properties are the UDF's options, checked against the types its
    /// `info` response declared, and its edge must be the one the UDF wants.
    static func make(_ b: inout NodeBuild, registration: UDFRegistration) throws(TICKDiagnostic) -> UDFNode {
        let spec = b.spec
        let input = try b.requireEdge()
        let info = registration.info
        var options: [UDFOption] = []
        for p in spec.properties {
            guard let types = info.options[p.name] else {
                let known = info.options.keys.sorted().map { ".\($0)()" }.joined(separator: ", ")
                throw TICKDiagnostic(at: p.position, "no property \"\(p.name)\" on UDF \(spec.method)\(known.isEmpty ? " (it takes no options)" : ": its options are \(known)")")
            }
            guard p.arguments.count == types.count else {
                throw TICKDiagnostic(at: p.position, "unexpected number of args to \(p.name), got \(p.arguments.count) expected \(types.count)")
            }
            var values: [OptionValue] = []
            for (a, type) in zip(p.arguments, types) {
                let value: OptionValue? = switch (a.value, type) {
                case (.bool(let v), .bool): .bool(v)
                case (.int(let n), .int): .int(n)
                case (.float(let x), .double): .double(x)
                case (.string(let s), .string): .string(s)
                case (.duration(let d), .duration): .duration(d)
                default: nil
                }
                guard let value else {
                    throw TICKDiagnostic(at: a.position, "unexpected arg to \(p.name), got \(optionTypeName(a.value)) expected \(type)")
                }
                values.append(value)
            }
            options.append(UDFOption(name: p.name, values: values))
        }
        let wants: EdgeType = info.wants == .stream ? .stream : .batch
        guard wants == input else {
            throw TICKDiagnostic(at: spec.position, "cannot add child mismatched edges: \(spec.parents[0].method)\(spec.parents[0].index):\(input) -> \(spec.method)\(spec.index):\(wants) (UDF \(spec.method) wants a \(wants) edge: \(wants == .batch ? "put a window() before it" : "it cannot follow a window()"))")
        }
        return UDFNode(name: b.name, config: registration.config, info: info, options: options, wants: wants)
    }

    /// Kapacitor's name of a value's type in option errors.
    static func optionTypeName(_ v: ScriptValue) -> String {
        switch v {
        case .bool: "BOOL"
        case .int: "INT"
        case .float: "DOUBLE"
        case .string: "STRING"
        case .duration: "DURATION"
        default: v.typeName
        }
    }
}
