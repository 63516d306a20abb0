import KapacitorUDF

/// Echoes every point unchanged (`udf-mirror`): Kapacitor's `mirror` example, a stream UDF.
///
/// Points are passed through as the bytes they arrived in, so the mirror measures the SDK's own
/// cost per point.
public struct Mirror: UDFHandler {
    public static let info = UDFInfo(wants: .stream, provides: .stream)

    public init(options: UDFOptions) {}

    public mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
        try await emitter.emit(point)
    }
}

/// Echoes whole batches unchanged (`udf-mirror --batch`): begin, points and end, in order.
public struct BatchMirror: UDFHandler {
    public static let info = UDFInfo(wants: .batch, provides: .batch)

    public init(options: UDFOptions) {}

    public mutating func beginBatch(_ begin: BeginBatch, emitter: Emitter) async throws {
        try await emitter.begin(begin)
    }

    public mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
        try await emitter.emit(point)
    }

    public mutating func endBatch(_ end: EndBatch, emitter: Emitter) async throws {
        try await emitter.end(end)
    }
}
