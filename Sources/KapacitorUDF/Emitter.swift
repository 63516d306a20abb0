import KapacitorUDFWire

/// Sends a handler's output to the host, in order.
///
/// Output is checked before it is sent, so a UDF cannot emit what crashes Kapacitor's host: an
/// `end` without `begin`, a `begin` inside an open batch, a negative batch size, or (for a batch
/// UDF) a point outside a batch. Such a call throws ``UDFError`` with code `invalidOutput`.
///
/// Emitting suspends while the host is not reading fast enough (backpressure).
public struct Emitter: Sendable {
    let channel: OutputChannel

    /// Emits a point: a stream point, or a point of the batch opened with ``begin(_:)``.
    public func emit(_ point: UDFPoint) async throws {
        if try channel.append(point) { await channel.waitForRoom() }
    }

    /// Opens an output batch. Set `size` to the number of points that follow, or 0 if unknown.
    public func begin(_ batch: BeginBatch) async throws {
        if try channel.append(.begin(batch)) { await channel.waitForRoom() }
    }

    /// Closes the open output batch.
    public func end(_ batch: EndBatch) async throws {
        if try channel.append(.end(batch)) { await channel.waitForRoom() }
    }

    /// Emits a whole batch: `begin` (with `size` set to the number of points), the points, `end`.
    public func emitBatch(_ begin: BeginBatch, points: [UDFPoint], end: EndBatch) async throws {
        var begin = begin
        begin.size = Int64(points.count)
        try await self.begin(begin)
        for p in points { try await emit(p) }
        try await self.end(end)
    }
}
