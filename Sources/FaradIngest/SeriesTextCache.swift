import FaradCore
import Synchronization

/// Remembers which series a line-protocol series text and field key stand for, across requests,
/// so that known series skip parsing into a ``Point``. Bounded: it starts over when full.
///
/// With more series than it holds (each series coming back only after `capacity` others), every
/// line misses and each insert is wasted work (at 1M series about a fifth of the server's CPU
/// went into filling and emptying it). A table that fills up with fewer hits than a quarter of
/// its entries therefore stops taking new entries for `capacity` inserts, then twice as many
/// each time it fills up as uselessly again (up to 16×), and starts over normally once a table
/// earns its hits.
public final class SeriesTextCache: Sendable {
    struct Entry {
        var namespace: String
        var series: [UInt8]
        var field: [UInt8]
        var key: SeriesKey
        var slot: Int
    }

    private struct Table {
        var entries: [UInt64: [Entry]] = [:]
        var count = 0
        var nextSlot = 0
        /// Lookups this table has answered since it started over.
        var hits = 0
        /// Inserts still to refuse, and how many the next useless table refuses.
        var skipping = 0
        var skipRounds = 0
    }

    private let table = Mutex(Table())
    private let capacity: Int

    /// - Parameter capacity: entries (series × field) kept before starting over.
    public init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    /// The hash seed of a namespace.
    func seed(_ namespace: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in namespace.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    func lookup(_ hash: UInt64, namespace: String, line: UnsafeBufferPointer<UInt8>, seriesEnd: Int, field: Range<Int>) -> (Int, SeriesKey)? {
        table.withLock { t in
            guard let list = t.entries[hash] else { return nil }
            for e in list where e.namespace == namespace
                && LineProtocolSeriesParser.equal(e.series, line, 0, seriesEnd)
                && LineProtocolSeriesParser.equal(e.field, line, field.lowerBound, field.upperBound) {
                t.hits += 1
                return (e.slot, e.key)
            }
            return nil
        }
    }

    func insert(_ hash: UInt64, namespace: String, series: [UInt8], field: [UInt8], key: SeriesKey) {
        table.withLock { t in
            if let list = t.entries[hash], list.contains(where: { $0.namespace == namespace && $0.series == series && $0.field == field }) {
                return
            }
            if t.skipping > 0 {
                t.skipping -= 1
                return
            }
            if t.count >= capacity {
                let useless = t.hits < t.count / 4
                t.entries.removeAll(keepingCapacity: !useless)
                t.count = 0
                t.hits = 0
                if useless {
                    t.skipRounds = min(max(t.skipRounds * 2, 1), 16)
                    t.skipping = capacity * t.skipRounds
                    return
                }
                t.skipRounds = 0
            }
            t.entries[hash, default: []].append(Entry(namespace: namespace, series: series, field: field, key: key, slot: t.nextSlot))
            t.nextSlot += 1
            t.count += 1
        }
    }
}
