import KapacitorUDF

/// Opens once the test says so; lets a test hold a handler call for as long as it likes.
let pointGate = AsyncStream.makeStream(of: Void.self)

/// Waits for `pointGate` in every point call, then echoes the point.
struct GatedEcho: UDFHandler {
    static let info = UDFInfo(wants: .stream, provides: .stream)
    init(options: UDFOptions) {}

    mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
        for await _ in pointGate.stream { break }
        try await emitter.emit(point)
    }
}

/// Fails on a point whose `fail` field is true; echoes others; counts points into its snapshot.
struct Failing: StatefulUDFHandler {
    static let info = UDFInfo(wants: .stream, provides: .stream, options: ["limit": [.int]])
    struct State: Codable { var seen = 0 }
    var state = State()

    init(options: UDFOptions) throws {
        if let limit = options.int("limit"), limit < 0 {
            throw UDFError(.invalidOptions, "limit must be >= 0, got \(limit)")
        }
    }

    mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
        state.seen += 1
        if point.bool("fail") == true { throw UDFError("point \(point.time) asked to fail") }
        try await emitter.emit(point)
    }
}

/// Emits an `end` without a `begin`: the SDK must refuse to send it.
struct BadBatchOutput: UDFHandler {
    static let info = UDFInfo(wants: .batch, provides: .batch)
    init(options: UDFOptions) {}

    mutating func beginBatch(_ begin: BeginBatch, emitter: Emitter) async throws {}
    mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {}
    mutating func endBatch(_ end: EndBatch, emitter: Emitter) async throws {
        try await emitter.end(end)
    }
}

/// Echoes batches, and emits one point per input point before a snapshot reply.
struct OrderedBatchEcho: UDFHandler {
    static let info = UDFInfo(wants: .batch, provides: .batch)
    init(options: UDFOptions) {}

    mutating func beginBatch(_ begin: BeginBatch, emitter: Emitter) async throws { try await emitter.begin(begin) }
    mutating func point(_ point: UDFPoint, emitter: Emitter) async throws { try await emitter.emit(point) }
    mutating func endBatch(_ end: EndBatch, emitter: Emitter) async throws { try await emitter.end(end) }
    mutating func snapshot() async throws -> [UInt8] { [42] }
    mutating func restore(_ snapshot: [UInt8]) async throws {
        guard snapshot == [42] else { throw UDFError(.invalidOptions, "unexpected snapshot \(snapshot)") }
    }
}
