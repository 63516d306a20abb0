import KapacitorUDFWire

/// A user-defined function: what it consumes and produces, and what it does with each message.
///
/// The SDK creates one handler per task-node session, from the session's `init` request, and
/// calls it from one task, one call at a time, in the order the host sent the messages. Calls may
/// take as long as they need: keepalives are answered meanwhile.
///
/// ```swift
/// struct Scale: UDFHandler {
///     static let info = UDFInfo(wants: .stream, provides: .stream, options: ["factor": [.double]])
///     let factor: Double
///
///     init(options: UDFOptions) throws {
///         factor = options.double("factor") ?? 1
///     }
///
///     mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
///         var out = point
///         out.fieldsDouble = point.fieldsDouble.mapValues { $0 * factor }
///         try await emitter.emit(out)
///     }
/// }
/// ```
///
/// Stream UDFs implement ``point(_:emitter:)``; batch UDFs also ``beginBatch(_:emitter:)`` and
/// ``endBatch(_:emitter:)``. Points inside a batch arrive through ``point(_:emitter:)``.
public protocol UDFHandler: SendableMetatype {
    /// The answer to the host's `info` request: edge types and the options with their types.
    static var info: UDFInfo { get }

    /// Creates the handler from the options a TICKscript set.
    ///
    /// The options have already been checked against ``info``: every name is declared and every
    /// value has its declared type. Check what only you know (required options, ranges).
    /// - Throws: Any error; its text is sent as `InitResponse{success: false, error}`.
    init(options: UDFOptions) throws

    /// Handles a point: a stream point, or a point of the open batch.
    mutating func point(_ point: UDFPoint, emitter: Emitter) async throws

    /// Handles the start of a batch.
    mutating func beginBatch(_ begin: BeginBatch, emitter: Emitter) async throws

    /// Handles the end of a batch.
    mutating func endBatch(_ end: EndBatch, emitter: Emitter) async throws

    /// Returns the handler's state as an opaque blob; the host hands it back to ``restore(_:)``
    /// when the task restarts. Return `[]` if there is no state.
    mutating func snapshot() async throws -> [UInt8]

    /// Restores state from a blob ``snapshot()`` returned.
    /// - Throws: Any error; its text is sent as `RestoreResponse{success: false, error}`.
    mutating func restore(_ snapshot: [UInt8]) async throws

    /// Called once when the host ends the session (end of input); emit anything still pending.
    mutating func finish(emitter: Emitter) async throws
}

extension UDFHandler {
    public mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
        throw UDFError(.protocolViolation, "points are not supported by this UDF")
    }

    public mutating func beginBatch(_ begin: BeginBatch, emitter: Emitter) async throws {
        throw UDFError(.protocolViolation, "batching not supported")
    }

    public mutating func endBatch(_ end: EndBatch, emitter: Emitter) async throws {
        throw UDFError(.protocolViolation, "batching not supported")
    }

    public mutating func snapshot() async throws -> [UInt8] { [] }

    public mutating func restore(_ snapshot: [UInt8]) async throws {
        if !snapshot.isEmpty { throw UDFError(.invalidOptions, "this UDF keeps no state to restore") }
    }

    public mutating func finish(emitter: Emitter) async throws {}
}
