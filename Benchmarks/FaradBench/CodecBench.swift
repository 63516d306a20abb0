import KapacitorUDFWire
import KapacitorUDFProto
import SwiftProtobuf

/// The wire codec alone, in this process: Farad's codec against SwiftProtobuf's generated code.
func codecBenchmark(points n: Int) throws {
    let frames = requestFrames(count: n, batchSize: 0)
    print("codec: \(n) points, \(frames.count / n) bytes a frame\n")

    func forEachPayload(_ body: (ArraySlice<UInt8>) throws -> Void) throws {
        try forEachFramePayload(frames, body)
    }

    var sink: Int64 = 0
    try measure("decode frame + point (lazy)", points: n) {
        try forEachPayload { payload in
            if case .point(let p) = try UDFRequest(decoding: payload) { sink &+= p.time }
        }
    }.report()
    try measure("decode + read one field", points: n) {
        try forEachPayload { payload in
            if case .point(let p) = try UDFRequest(decoding: payload) { sink &+= Int64(p.double("usage_user") ?? 0) }
        }
    }.report()
    try measure("decode + all fields to dictionaries", points: n) {
        try forEachPayload { payload in
            if case .point(let p) = try UDFRequest(decoding: payload) {
                let d = p.decoded()
                sink &+= Int64(d.tags.count + d.fieldsDouble.count + d.fieldsInt.count)
            }
        }
    }.report()
    var out: [UInt8] = []
    out.reserveCapacity(1 << 20)
    try measure("pass-through (decode, re-frame)", points: n) {
        try forEachPayload { payload in
            if case .point(let p) = try UDFRequest(decoding: payload) { UDFResponse.point(p).appendFrame(to: &out) }
            if out.count > 1 << 19 { out.removeAll(keepingCapacity: true) }
        }
    }.report()
    let point = benchmarkPoint(0)
    measure("encode point from values", points: n) {
        for _ in 0..<n {
            UDFResponse.point(point).appendFrame(to: &out)
            if out.count > 1 << 19 { out.removeAll(keepingCapacity: true) }
        }
    }.report()

    // SwiftProtobuf, the oracle, on the same payloads.
    var payloads: [[UInt8]] = []
    payloads.reserveCapacity(n)
    try forEachPayload { payloads.append([UInt8]($0)) }
    try measure("SwiftProtobuf decode Request", points: n, repeats: 1) {
        for payload in payloads { sink &+= try Agent_Request(serializedBytes: payload).point.time }
    }.report()
    let message = try Agent_Request(serializedBytes: payloads[0])
    try measure("SwiftProtobuf encode Response", points: n, repeats: 1) {
        let response = Agent_Response.with { $0.point = message.point }
        for _ in 0..<n {
            let bytes: [UInt8] = try response.serializedBytes()
            sink &+= Int64(bytes.count)
        }
    }.report()
    if sink == 42 { print("") }  // keep the work observable
}

/// Feeds `frames` to a decoder 64 KiB at a time, as a read loop would, and hands out each
/// frame's payload.
func forEachFramePayload(_ frames: [UInt8], _ body: (ArraySlice<UInt8>) throws -> Void) throws {
    var decoder = FrameDecoder()
    var offset = 0
    while offset < frames.count {
        let chunk = min(64 << 10, frames.count - offset)
        decoder.read { buffer in
            frames.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + chunk])) }
            return chunk
        }
        offset += chunk
        while let payload = try decoder.next() { try body(payload) }
    }
}
