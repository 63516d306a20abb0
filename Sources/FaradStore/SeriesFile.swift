import FaradCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The durable form of the ``SeriesIndex``: append-only segment files `series/<n>.log` in the
/// data directory, written like the ``CommitLog`` (each record length- and CRC-32-framed, synced
/// before the commit that needs it goes on; a torn tail is cut away at open).
///
/// A record holds the operations of one commit or delete: a new series (id, kinds of value,
/// metric, namespace, sorted tags, and for line-protocol fields their ``FieldOrigin``), kinds of value a series gained, a series removed, and the
/// lowest id still free. A new series costs its key's bytes once, where SQLite's index tables
/// cost about 650 bytes written per series (rows, three B-trees, then the WAL's copy
/// checkpointed again). At open the segments are read in order into the index; when removed
/// series outnumber live ones, the live ones are written into a new segment and the old ones
/// deleted. Reading a file twice (a crash during that rewrite) gives the same index.
final class SeriesFile: Sendable {
    enum Op {
        case create(SeriesEntry)
        case types(Int64, ValueTypes)
        case remove(Int64)
        case nextID(Int64)
    }

    /// Operations per record when many are written at once (export and rewrite).
    static let opsPerRecord = 65_536

    let directory: String
    private let log: CommitLog

    init(directory: String, sync: Bool) {
        self.directory = directory
        log = CommitLog(directory: directory, sync: sync, name: "series file")
    }

    /// Whether `directory` holds a series file (a finished one: an export writes elsewhere first).
    static func exists(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory)
    }

    /// Reads every segment into `index`, then opens the newest for appends (rewriting the live
    /// series into a new segment first when removed series outnumber them and `rewriteAfter`).
    func load(into index: SeriesIndex, rewriteAfter: Int = 10_000) throws(StoreError) {
        var removed = 0
        let newest = try log.recover(flushed: 0) { payload throws(StoreError) in
            let ops = try Self.decode(payload, file: directory)
            for op in ops { if case .remove = op { removed += 1 } }
            index.apply(ops)
        }
        let live = index.count
        if removed >= rewriteAfter && removed > live {
            try log.start(generation: newest + 1)
            try Self.write(index.all(), nextID: index.nextID, to: log)
            log.remove(through: newest)
        } else {
            try log.start(generation: max(newest, 1))
        }
    }

    /// Appends one record of `ops` (synced when the store syncs every commit).
    func append(_ ops: [Op]) throws(StoreError) {
        guard !ops.isEmpty else { return }
        try log.append(Self.encode(ops))
    }

    func close() { log.close() }

    /// Bytes in the segments.
    func size() -> Int64 { log.size() }

    /// Writes `entries` as a new series file in `directory`, all or nothing: into a sibling
    /// directory first, then renamed (a store's SQLite index moving to the file).
    static func export(_ entries: [SeriesEntry], nextID: Int64, to directory: String, sync: Bool) throws(StoreError) {
        let temporary = directory + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        let log = CommitLog(directory: temporary, sync: sync, name: "series file")
        _ = try log.recover(flushed: 0) { _ throws(StoreError) in }
        try log.start(generation: 1)
        defer { log.close() }
        try write(entries, nextID: nextID, to: log)
        guard rename(temporary, directory) == 0 else {
            throw StoreError(code: .database, message: "cannot rename \(temporary) to \(directory): errno \(errno)")
        }
        let parent = (directory as NSString).deletingLastPathComponent
        let fd = Glibc.open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            if sync { _ = fsync(fd) }
            Glibc.close(fd)
        }
    }

    private static func write(_ entries: [SeriesEntry], nextID: Int64, to log: CommitLog) throws(StoreError) {
        var ops: [Op] = [.nextID(nextID)]
        for e in entries {
            ops.append(.create(e))
            if ops.count >= opsPerRecord {
                try log.append(encode(ops))
                ops = []
            }
        }
        if !ops.isEmpty { try log.append(encode(ops)) }
    }

    // MARK: Codec

    static func encode(_ ops: [Op]) -> [UInt8] {
        var out: [UInt8] = []
        func string(_ s: String) {
            ChunkCodec.appendVarint(UInt64(s.utf8.count), to: &out)
            out.append(contentsOf: s.utf8)
        }
        for op in ops {
            switch op {
            case .create(let e):
                // Kind 5 is kind 1 with the line-protocol origin after the tags.
                out.append(e.key.origin == nil ? 1 : 5)
                ChunkCodec.appendVarint(UInt64(bitPattern: e.id), to: &out)
                ChunkCodec.appendVarint(UInt64(e.types.rawValue), to: &out)
                string(e.key.metric)
                string(e.key.namespace)
                ChunkCodec.appendVarint(UInt64(e.key.tags.count), to: &out)
                for t in e.key.tags {
                    string(t.key)
                    string(t.value)
                }
                if let origin = e.key.origin {
                    ChunkCodec.appendVarint(UInt64(origin.measurementLength), to: &out)
                    out.append(origin.isBoolean ? 1 : 0)
                }
            case .types(let id, let types):
                out.append(2)
                ChunkCodec.appendVarint(UInt64(bitPattern: id), to: &out)
                ChunkCodec.appendVarint(UInt64(types.rawValue), to: &out)
            case .remove(let id):
                out.append(3)
                ChunkCodec.appendVarint(UInt64(bitPattern: id), to: &out)
            case .nextID(let id):
                out.append(4)
                ChunkCodec.appendVarint(UInt64(bitPattern: id), to: &out)
            }
        }
        return out
    }

    /// The operations of one record; anything that does not parse is `corrupt` (never a trap).
    static func decode(_ bytes: UnsafeRawBufferPointer, file: String) throws(StoreError) -> [Op] {
        var ops: [Op] = []
        var i = 0
        func corrupt(_ what: String) -> StoreError {
            StoreError(code: .corrupt, message: "corrupt series file \(file): \(what) at byte \(i) of a record")
        }
        func varint() throws(StoreError) -> UInt64 { try ChunkCodec.readVarint(bytes, &i) }
        func id() throws(StoreError) -> Int64 {
            let v = Int64(bitPattern: try varint())
            guard v > 0 else { throw corrupt("series id \(v)") }
            return v
        }
        func types() throws(StoreError) -> ValueTypes {
            let v = try varint()
            guard v < 16 else { throw corrupt("value kinds \(v)") }
            return ValueTypes(rawValue: Int(v))
        }
        func string() throws(StoreError) -> String {
            let n = try varint()
            guard n <= UInt64(bytes.count - i) else { throw corrupt("a name longer than its record") }
            defer { i += Int(n) }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + Int(n))]), as: UTF8.self)
        }
        while i < bytes.count {
            let kind = bytes[i]
            i += 1
            switch kind {
            case 1, 5:
                let series = try id()
                let kinds = try types()
                let metric = try string()
                let namespace = try string()
                let n = try varint()
                // Each tag takes two bytes at least: a count beyond that is not a count.
                guard n <= UInt64(bytes.count - i) / 2 else { throw corrupt("\(n) tags") }
                var tags: [SeriesKey.Tag] = []
                tags.reserveCapacity(Int(n))
                for _ in 0..<Int(n) {
                    let key = try string()
                    tags.append(SeriesKey.Tag(key, try string()))
                }
                var origin: FieldOrigin?
                if kind == 5 {
                    let length = try varint()
                    guard length < UInt64(metric.utf8.count), i < bytes.count, bytes[i] <= 1 else {
                        throw corrupt("field origin of \(metric)")
                    }
                    origin = FieldOrigin(measurementLength: Int(length), isBoolean: bytes[i] == 1)
                    i += 1
                }
                ops.append(.create(SeriesEntry(
                    id: series, key: SeriesKey(metric: metric, sortedTags: tags, namespace: namespace, origin: origin), types: kinds)))
            case 2:
                let series = try id()
                ops.append(.types(series, try types()))
            case 3:
                ops.append(.remove(try id()))
            case 4:
                ops.append(.nextID(try id()))
            default:
                i -= 1
                throw corrupt("unknown operation \(kind)")
            }
        }
        return ops
    }
}
