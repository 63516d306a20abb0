import FaradCore
import Synchronization

/// Points committed to the log but not yet in chunks, by series and expiry, in numbered sets.
///
/// Commits append to the active set (after their log record is durable); the writer thread
/// periodically seals it and moves every sealed set into per-series chunks in one transaction
/// ("flush"), so a chunk holds many requests' points however many series each request touches.
///
/// Each set has a generation: the number of the flush that will move it into chunks. A flush
/// writes its generation into `meta.flushed_gen` in the same transaction as its chunks. A reader
/// first takes references to the sets (``snapshot()``), then opens its SQLite read transaction
/// and reads `flushed_gen`, and collects only from the held sets newer than that: a set flushed
/// after the references were taken stays alive through them, and a set whose chunks the reader's
/// snapshot contains is skipped, so every point is seen exactly once.
final class MemTable: Sendable {
    struct Key: Hashable {
        var series: Int64
        var expiresAt: Int64?
    }

    struct Buffer {
        var times: [Int64] = []
        var values: [MetricValue] = []
    }

    /// One generation of points. Its contents change only under the memtable's lock (the active
    /// set gains points; a sealed set never changes again), so readers holding a reference read
    /// it under that lock too.
    // @unchecked Sendable: `buffers` and `points` are only read or written with `MemTable.state` held.
    final class Set: @unchecked Sendable {
        let generation: Int64
        /// Points without an expiry (nearly all), by series: one dictionary entry per series.
        var plain: [Int64: Buffer] = [:]
        /// Points with an expiry, by series and expiry.
        var expiring: [Int64: [Int64: Buffer]] = [:]
        var points = 0

        init(generation: Int64) { self.generation = generation }

        /// Series holding points (a series with and without expiries counts twice: a flush
        /// writes a chunk for each).
        var seriesCount: Int { plain.count + expiring.count }

        func add(_ key: Key, _ buffer: Buffer) {
            // One access through the dictionaries, appending in place.
            if let e = key.expiresAt {
                Self.append(buffer, to: &expiring[key.series, default: [:]][e, default: Buffer()])
            } else {
                Self.append(buffer, to: &plain[key.series, default: Buffer()])
            }
            points += buffer.times.count
        }

        func holds(series: Int64) -> Bool { plain[series] != nil || expiring[series] != nil }

        /// Every buffer with its key.
        func all(into out: inout [(Key, Buffer)]) {
            for (series, b) in plain { out.append((Key(series: series, expiresAt: nil), b)) }
            for (series, byExpiry) in expiring {
                for (e, b) in byExpiry { out.append((Key(series: series, expiresAt: e), b)) }
            }
        }

        /// The buffers of `series` whose points have not expired at `now`.
        func buffers(of series: Int64, now: Int64, _ body: (Buffer) -> Void) {
            if let b = plain[series] { body(b) }
            if let byExpiry = expiring[series] {
                for (e, b) in byExpiry where e > now { body(b) }
            }
        }

        private static func append(_ buffer: Buffer, to target: inout Buffer) {
            if target.times.isEmpty {
                target = buffer
            } else {
                target.times.append(contentsOf: buffer.times)
                target.values.append(contentsOf: buffer.values)
            }
        }
    }

    /// The sets a reader holds: collect from them with ``collect(from:flushed:series:start:end:now:into:_:)``.
    struct Snapshot: Sendable {
        fileprivate let sets: [Set]
    }

    private struct State {
        /// Sealed sets waiting for (or in) a flush, oldest first.
        var sealed: [Set] = []
        var active: Set
        var oldest: ContinuousClock.Instant?
    }

    private let state: Mutex<State>

    /// A memtable whose first set is flushed as generation `nextGeneration`.
    init(nextGeneration: Int64 = 1) {
        state = Mutex(State(active: Set(generation: nextGeneration)))
    }

    func add(_ buffers: [(Key, Buffer)]) {
        state.withLock { s in
            for i in buffers.indices { s.active.add(buffers[i].0, buffers[i].1) }
            if s.oldest == nil && s.active.points > 0 { s.oldest = .now }
        }
    }

    /// Whether the active set is due for a flush under `policy`.
    func needsFlush(_ policy: FlushPolicy) -> Bool {
        state.withLock { s in
            let age = s.oldest.map { ContinuousClock.now - $0 } ?? .zero
            return policy.isDue(points: s.active.points, series: s.active.seriesCount, age: age)
        }
    }

    /// The generation of the set commits go to now.
    var activeGeneration: Int64 { state.withLock { $0.active.generation } }

    var isEmpty: Bool { state.withLock { s in s.active.points == 0 && s.sealed.isEmpty } }

    /// Points in every set: the active one and those sealed for a flush.
    var points: Int { state.withLock { s in s.sealed.reduce(s.active.points) { $0 + $1.points } } }

    /// Whether any set holds points of `series` (the writer checks before forgetting a series).
    func holds(series: Int64) -> Bool {
        state.withLock { s in s.active.holds(series: series) || s.sealed.contains { $0.holds(series: series) } }
    }

    /// Seals the active set and returns the generation the flush writes and every sealed set's
    /// points (those of a failed flush too, which stayed sealed).
    func beginFlush() -> (generation: Int64, buffers: [(Key, Buffer)]) {
        state.withLock { s in
            let sealing = s.active
            s.sealed.append(sealing)
            s.active = Set(generation: sealing.generation + 1)
            s.oldest = nil
            var out: [(Key, Buffer)] = []
            for set in s.sealed { set.all(into: &out) }
            return (sealing.generation, out)
        }
    }

    /// The flush of `generation` is committed: its sets and all older ones are in chunks.
    func endFlush(generation: Int64) {
        state.withLock { s in s.sealed.removeAll { $0.generation <= generation } }
    }

    /// References to every set, for a reader that then opens its SQLite snapshot.
    func snapshot() -> Snapshot {
        state.withLock { s in Snapshot(sets: s.sealed + [s.active]) }
    }

    /// Appends the points of `series` in `[start, end]` not expired at `now` from the held sets
    /// newer than `flushed` (the reader's `flushed_gen`), older sets first.
    func collect(
        from snapshot: Snapshot, flushed: Int64, series: Int64, start: Int64, end: Int64, now: Int64,
        into times: inout [Int64], _ values: inout [MetricValue]
    ) {
        state.withLock { _ in
            for set in snapshot.sets where set.generation > flushed {
                set.buffers(of: series, now: now) { b in
                    for i in b.times.indices where b.times[i] >= start && b.times[i] <= end {
                        times.append(b.times[i])
                        values.append(b.values[i])
                    }
                }
            }
        }
    }
}

/// The payload of one commit's log record: for each buffer, the series id, the expiry (0: none, else
/// expiry + 1 zig-zagged), the point count and the points in chunk encoding.
enum LogCodec {
    static func encode(_ buffers: [(MemTable.Key, MemTable.Buffer)]) -> [UInt8] {
        var out: [UInt8] = []
        var points: [UInt8] = []
        for i in buffers.indices {
            let key = buffers[i].0
            ChunkCodec.appendVarint(UInt64(bitPattern: key.series), to: &out)
            if let e = key.expiresAt {
                ChunkCodec.appendVarint(1, to: &out)
                ChunkCodec.appendZigZag(e, to: &out)
            } else {
                ChunkCodec.appendVarint(0, to: &out)
            }
            points.removeAll(keepingCapacity: true)
            ChunkCodec.encode(times: buffers[i].1.times[...], values: buffers[i].1.values[...], base: 0, into: &points)
            ChunkCodec.appendVarint(UInt64(points.count), to: &out)
            out.append(contentsOf: points)
        }
        return out
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(StoreError) -> [(MemTable.Key, MemTable.Buffer)] {
        var result: [(MemTable.Key, MemTable.Buffer)] = []
        var i = 0
        func varint() throws(StoreError) -> UInt64 { try ChunkCodec.readVarint(bytes, &i) }
        while i < bytes.count {
            let series = Int64(bitPattern: try varint())
            let expires: Int64? = try varint() == 1 ? ChunkCodec.unZigZag(try varint()) : nil
            guard let length = Int(exactly: try varint()), length <= bytes.count - i else {
                throw StoreError(code: .corrupt, message: "corrupt log record: a length beyond the record at byte \(i)")
            }
            var buffer = MemTable.Buffer()
            try ChunkCodec.decode(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + length)]), base: 0) { t, v in
                buffer.times.append(t)
                buffer.values.append(v)
            }
            i += length
            result.append((MemTable.Key(series: series, expiresAt: expires), buffer))
        }
        return result
    }
}
