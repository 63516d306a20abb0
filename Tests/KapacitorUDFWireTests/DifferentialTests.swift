import FaradTestSupport
import KapacitorUDFWire
import KapacitorUDFProto
import SwiftProtobuf
import Testing

/// Farad's codec against SwiftProtobuf's generated code, on thousands of random messages, both ways.
@Suite struct DifferentialTests {

    static let alphabet: [String] = ["", "a", "cpu", "host", "usage_user", "ü", "日本", "with space", "x=y,z", "\n", "🚀"]

    static func string(_ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...3, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    static func int64(_ rng: inout SplitMix64) -> Int64 {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: 0
        case 1: Int64.random(in: -300...300, using: &rng)
        case 2: Int64.random(in: .min ... .max, using: &rng)
        default: [Int64.min, Int64.max, -1, 1_700_000_000_000_000_000].randomElement(using: &rng)!
        }
    }

    static func double(_ rng: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: 0
        case 1: Double.random(in: -1e6...1e6, using: &rng)
        default: [Double.infinity, -Double.infinity, .leastNonzeroMagnitude, -0.0, 1.5].randomElement(using: &rng)!
        }
    }

    static func map<V>(_ rng: inout SplitMix64, _ value: (inout SplitMix64) -> V) -> [String: V] {
        var m: [String: V] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &rng) { m[string(&rng)] = value(&rng) }
        return m
    }

    static func point(_ rng: inout SplitMix64) -> Agent_Point {
        .with {
            $0.time = int64(&rng)
            $0.name = string(&rng)
            $0.database = string(&rng)
            $0.retentionPolicy = string(&rng)
            $0.group = string(&rng)
            $0.dimensions = (0..<Int.random(in: 0...3, using: &rng)).map { _ in string(&rng) }
            $0.tags = map(&rng, string)
            $0.fieldsDouble = map(&rng, double)
            $0.fieldsInt = map(&rng, int64)
            $0.fieldsString = map(&rng, string)
            $0.fieldsBool = map(&rng) { Bool.random(using: &$0) }
            $0.byName = Bool.random(using: &rng)
        }
    }

    static func begin(_ rng: inout SplitMix64) -> Agent_BeginBatch {
        .with {
            $0.name = string(&rng)
            $0.group = string(&rng)
            $0.tags = map(&rng, string)
            $0.size = int64(&rng)
            $0.byName = Bool.random(using: &rng)
        }
    }

    static func end(_ rng: inout SplitMix64) -> Agent_EndBatch {
        .with {
            $0.name = string(&rng)
            $0.group = string(&rng)
            $0.tmax = int64(&rng)
            $0.tags = map(&rng, string)
            $0.byName = Bool.random(using: &rng)
        }
    }

    static func optionValue(_ rng: inout SplitMix64) -> Agent_OptionValue {
        .with {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: $0.type = .bool; $0.boolValue = Bool.random(using: &rng)
            case 1: $0.type = .int; $0.intValue = int64(&rng)
            case 2: $0.type = .double; $0.doubleValue = double(&rng)
            case 3: $0.type = .string; $0.stringValue = string(&rng)
            default: $0.type = .duration; $0.durationValue = int64(&rng)
            }
        }
    }

    static func request(_ rng: inout SplitMix64) -> Agent_Request {
        .with {
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: $0.info = .init()
            case 1:
                $0.init_p = .with {
                    $0.taskID = string(&rng)
                    $0.nodeID = string(&rng)
                    $0.options = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                        .with {
                            $0.name = string(&rng)
                            $0.values = (0..<Int.random(in: 0...4, using: &rng)).map { _ in optionValue(&rng) }
                        }
                    }
                }
            case 2: $0.keepalive = .with { $0.time = int64(&rng) }
            case 3: $0.snapshot = .init()
            case 4: $0.restore = .with { $0.snapshot = .init((0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
            case 5: $0.begin = begin(&rng)
            case 6: $0.end = end(&rng)
            default: $0.point = point(&rng)
            }
        }
    }

    static func response(_ rng: inout SplitMix64) -> Agent_Response {
        .with {
            switch Int.random(in: 0..<9, using: &rng) {
            case 0:
                $0.info = .with {
                    $0.wants = Bool.random(using: &rng) ? .stream : .batch
                    $0.provides = Bool.random(using: &rng) ? .stream : .batch
                    $0.options = map(&rng) { r in
                        Agent_OptionInfo.with { $0.valueTypes = (0..<Int.random(in: 0...3, using: &r)).map { _ in Agent_ValueType(rawValue: Int.random(in: 0...4, using: &r))! } }
                    }
                }
            case 1: $0.init_p = .with { $0.success = Bool.random(using: &rng); $0.error = string(&rng) }
            case 2: $0.keepalive = .with { $0.time = int64(&rng) }
            case 3: $0.snapshot = .with { $0.snapshot = .init((0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
            case 4: $0.restore = .with { $0.success = Bool.random(using: &rng); $0.error = string(&rng) }
            case 5: $0.error = .with { $0.error = string(&rng) }
            case 6: $0.begin = begin(&rng)
            case 7: $0.end = end(&rng)
            default: $0.point = point(&rng)
            }
        }
    }

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        Varint.append(UInt64(payload.count), to: &bytes)
        return bytes + payload
    }

    @Test(arguments: 0..<4)
    func requestsAgreeBothWays(_ seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) &* 7919)
        for _ in 0..<1_000 {
            let message = Self.request(&rng)
            // SwiftProtobuf encodes, Farad decodes, Farad re-encodes, SwiftProtobuf decodes.
            let theirs: [UInt8] = try message.serializedBytes()
            let ours = try UDFRequest(decoding: theirs[...])
            let reencoded = ours.frame
            var decoder = FrameDecoder()
            decoder.append(reencoded)
            let payload = try #require(try decoder.next())
            #expect(try Agent_Request(serializedBytes: [UInt8](payload)) == message)
            // Decoding our own output gives the same value again.
            #expect(try UDFRequest(decoding: payload) == ours)
        }
    }

    @Test(arguments: 0..<4)
    func responsesAgreeBothWays(_ seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) &* 104_729 &+ 1)
        for _ in 0..<1_000 {
            let message = Self.response(&rng)
            let theirs: [UInt8] = try message.serializedBytes()
            let ours = try UDFResponse(decoding: theirs[...])
            var decoder = FrameDecoder()
            decoder.append(ours.frame)
            let payload = try #require(try decoder.next())
            #expect(try Agent_Response(serializedBytes: [UInt8](payload)) == message)
            #expect(try UDFResponse(decoding: payload) == ours)
        }
    }

    @Test func lazyAccessorsMatchFullDecode() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<2_000 {
            let message = Self.point(&rng)
            let bytes: [UInt8] = try message.serializedBytes()
            let point = try UDFPoint(validating: bytes[...])
            #expect(point.time == message.time)
            #expect(point.name == message.name)
            #expect(point.group == message.group)
            #expect(point.byName == message.byName)
            #expect(point.dimensions == message.dimensions)
            for (k, v) in message.tags { #expect(point.tag(k) == v) }
            for (k, v) in message.fieldsDouble { #expect(point.double(k) == v) }
            for (k, v) in message.fieldsInt { #expect(point.int(k) == v) }
            for (k, v) in message.fieldsString { #expect(point.string(k) == v) }
            for (k, v) in message.fieldsBool { #expect(point.bool(k) == v) }
            #expect(point.double("absent-key") == message.fieldsDouble["absent-key"])
            // A mutated copy re-encodes to what SwiftProtobuf produces for the same change.
            var changed = point
            changed.fieldsDouble["avg"] = 2.5
            var expected = message
            expected.fieldsDouble["avg"] = 2.5
            var out: [UInt8] = []
            changed.encode(into: &out)
            #expect(try Agent_Point(serializedBytes: out) == expected)
        }
    }
}
