import FaradCore
import Synchronization

/// Points committed to the log but not yet in chunks, by series and expiry.
///
/// Commits append here (after their log row is durable); the writer thread periodically moves
/// everything into per-series chunks in one transaction ("flush"), so a chunk holds many
/// requests' points however many series each request touches. Readers see the flushing set and
/// the active set until the chunks that replace them are committed.
final class MemTable: Sendable {
    struct Key: Hashable {
        var series: Int64
        var expiresAt: Int64?
    }

    struct Buffer {
        var times: [Int64] = []
        var values: [MetricValue] = []
    }

    private struct State {
        var active: [Int64: [Key: Buffer]] = [:]
        var flushing: [Int64: [Key: Buffer]] = [:]
        var activePoints = 0
        var oldest: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    func add(_ buffers: [(Key, Buffer)]) {
        state.withLock { s in
            for (key, buffer) in buffers {
                s.active[key.series, default: [:]][key, default: Buffer()].times.append(contentsOf: buffer.times)
                s.active[key.series, default: [:]][key, default: Buffer()].values.append(contentsOf: buffer.values)
                s.activePoints += buffer.times.count
            }
            if s.oldest == nil && s.activePoints > 0 { s.oldest = .now }
        }
    }

    /// Whether the active set holds at least `points` points or is older than `age`.
    func needsFlush(points: Int, age: Duration) -> Bool {
        state.withLock { s in
            s.activePoints >= points || (s.oldest.map { ContinuousClock.now - $0 >= age } ?? false)
        }
    }

    var isEmpty: Bool { state.withLock { $0.activePoints == 0 } }

    /// Moves the active set to the flushing set and returns it.
    func beginFlush() -> [(Key, Buffer)] {
        state.withLock { s in
            s.flushing = s.active
            s.active = [:]
            s.activePoints = 0
            s.oldest = nil
            return s.flushing.values.flatMap { $0.map { ($0.key, $0.value) } }
        }
    }

    /// The flushed points are in chunks now.
    func endFlush() {
        state.withLock { $0.flushing = [:] }
    }

    /// The flush failed: its points go back in front of the active set.
    func abortFlush() {
        state.withLock { s in
            var merged = s.flushing
            for (series, buffers) in s.active {
                for (key, b) in buffers {
                    merged[series, default: [:]][key, default: Buffer()].times.append(contentsOf: b.times)
                    merged[series, default: [:]][key, default: Buffer()].values.append(contentsOf: b.values)
                }
            }
            s.activePoints = merged.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.times.count } }
            s.active = merged
            s.flushing = [:]
            if s.oldest == nil && s.activePoints > 0 { s.oldest = .now }
        }
    }

    /// Appends the points of `series` in `[start, end]` not expired at `now`, older sets first.
    func collect(series: Int64, start: Int64, end: Int64, now: Int64, into times: inout [Int64], _ values: inout [MetricValue]) {
        state.withLock { s in
            for set in [s.flushing, s.active] {
                guard let buffers = set[series] else { continue }
                for (key, b) in buffers {
                    if let e = key.expiresAt, e <= now { continue }
                    for i in b.times.indices where b.times[i] >= start && b.times[i] <= end {
                        times.append(b.times[i])
                        values.append(b.values[i])
                    }
                }
            }
        }
    }
}

/// The log row of one commit: for each buffer, the series id, the expiry (0: none, else
/// expiry + 1 zig-zagged), the point count and the points in chunk encoding.
enum LogCodec {
    static func encode(_ buffers: [(MemTable.Key, MemTable.Buffer)]) -> [UInt8] {
        var out: [UInt8] = []
        for (key, b) in buffers {
            ChunkCodec.appendVarint(UInt64(bitPattern: key.series), to: &out)
            if let e = key.expiresAt {
                ChunkCodec.appendVarint(1, to: &out)
                ChunkCodec.appendZigZag(e, to: &out)
            } else {
                ChunkCodec.appendVarint(0, to: &out)
            }
            var points: [UInt8] = []
            ChunkCodec.encode(times: b.times[...], values: b.values[...], base: 0, into: &points)
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
            let length = Int(try varint())
            guard i + length <= bytes.count else { throw StoreError(code: .corrupt, message: "corrupt log row") }
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
