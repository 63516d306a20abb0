import FaradTestSupport
import KapacitorUDFProto
import KapacitorUDFWire
import SwiftProtobuf
import Testing

/// The host-side point codec (``UDFPointEncoder``, ``UDFPoint/forEachElement(_:)``,
/// ``UDFStringCache``) against SwiftProtobuf, on random points.
@Suite struct PointEncoderTests {
    typealias D = DifferentialTests

    /// What forEachElement visited, gathered back into SwiftProtobuf's form.
    static func gather(_ visit: ((UDFPointElement) -> Void) -> Void) -> Agent_Point {
        var p = Agent_Point()
        visit { element in
            switch element {
            case .time(let t): p.time = t
            case .name(let s): p.name = s
            case .database(let s): p.database = s
            case .retentionPolicy(let s): p.retentionPolicy = s
            case .dimension(let d): p.dimensions.append(d)
            case .tag(let k, let v): p.tags[k] = v
            case .double(let k, let v): p.fieldsDouble[k] = v
            case .int(let k, let v): p.fieldsInt[k] = v
            case .string(let k, let v): p.fieldsString[k] = v
            case .bool(let k, let v): p.fieldsBool[k] = v
            case .byName(let b): p.byName = b
            }
        }
        return p
    }

    @Test(arguments: 0..<3)
    func encoderWritesWhatSwiftProtobufReads(_ seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) &* 31 &+ 5)
        for _ in 0..<1_000 {
            let message = D.point(&rng)
            var frame: [UInt8] = []
            UDFPoint.appendFrame(to: &frame) { e in
                e.time(message.time)
                e.name(message.name)
                e.database(message.database)
                e.retentionPolicy(message.retentionPolicy)
                e.group(message.group)
                for d in message.dimensions { e.dimension(d) }
                for (k, v) in message.tags.sorted(by: { $0.key < $1.key }) { e.tag(k, v) }
                for (k, v) in message.fieldsDouble { e.double(k, v) }
                for (k, v) in message.fieldsInt { e.int(k, v) }
                for (k, v) in message.fieldsString { e.string(k, v) }
                e.byName(message.byName)
                for (k, v) in message.fieldsBool { e.bool(k, v) }
            }
            var decoder = FrameDecoder()
            decoder.append(frame)
            let payload = try #require(try decoder.next())
            #expect(try Agent_Response(serializedBytes: [UInt8](payload)).point == message)
            guard case .point(let ours) = try UDFResponse(decoding: payload) else {
                Issue.record("not a point frame")
                continue
            }
            #expect(ours.group == message.group)
        }
    }

    @Test func bigPointsOutgrowTheStackScratch() throws {
        let long = String(repeating: "x", count: 5_000)
        var frame: [UInt8] = []
        UDFPoint.appendFrame(to: &frame) { e in
            e.name("cpu")
            e.string("blob", long)
        }
        var decoder = FrameDecoder()
        decoder.append(frame)
        let point = try Agent_Response(serializedBytes: [UInt8](try #require(try decoder.next()))).point
        #expect(point.fieldsString["blob"] == long)
    }

    @Test func elementsOfEncodedAndDecodedPointsAgree() throws {
        var rng = SplitMix64(seed: 4242)
        var cache = UDFStringCache()
        for _ in 0..<2_000 {
            var message = D.point(&rng)
            let bytes: [UInt8] = try message.serializedBytes()
            let encoded = try UDFPoint(validating: bytes[...])
            var decoded = encoded
            decoded.time = message.time  // any mutation decodes the point
            // Hosts ignore the UDF's group: it is not visited.
            message.group = ""
            #expect(Self.gather { encoded.forEachElement($0) } == message)
            #expect(Self.gather { encoded.forEachElement(cache: &cache, $0) } == message)
            #expect(Self.gather { decoded.forEachElement($0) } == message)
            let counts = encoded.elementCounts
            #expect(counts.dimensions == message.dimensions.count)
            #expect(counts.tags == message.tags.count)
            #expect(counts.fields == message.fieldsDouble.count + message.fieldsInt.count + message.fieldsString.count + message.fieldsBool.count)
        }
    }

    @Test func theStringCacheNeverConfusesStrings() throws {
        // Many short strings, most sharing slots with others: each must come back as itself.
        var cache = UDFStringCache()
        let names = (0..<20_000).map { "k\($0)" } + ["", "a", "ab", "abcdefgh", "abcdefghijklmno", "abcdefghijklmnop", "ü", "日本"]
        for round in 0..<2 {
            for name in names.shuffled() {
                var message = Agent_Point()
                message.tags[name] = "\(name)-\(round)"
                let bytes: [UInt8] = try message.serializedBytes()
                let point = try UDFPoint(validating: bytes[...])
                #expect(Self.gather { point.forEachElement(cache: &cache, $0) }.tags == [name: "\(name)-\(round)"])
            }
        }
    }
}
