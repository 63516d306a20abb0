import FaradCore
import FaradSystem
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// influxDBOut's outbox: the write batches InfluxDB has not taken, oldest first, bounded in
/// bytes, and kept in a file of the data directory so that a restart (or `kill -9`) of Farad
/// loses none of them. Owned by one writer thread.
///
/// The file is a sequence of records `[length u32][crc32 u32][payload]` (little-endian; the
/// payload is `db 0 rp 0 precision 0 points(u32) body`) with the offset of the first pending
/// record in `<file>.head`. A torn or damaged tail, as a crash can leave, is cut off at load.
/// Without a path (`farad replay`) the outbox lives in memory only.
final class InfluxDBOutbox {
    struct Batch {
        var database: String
        var retentionPolicy: String
        var precision: String
        var points: Int
        var body: [UInt8]

        var payload: [UInt8] {
            var p = Array(database.utf8) + [0] + Array(retentionPolicy.utf8) + [0] + Array(precision.utf8) + [0]
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: points).littleEndian) { p.append(contentsOf: $0) }
            return p + body
        }

        init(database: String, retentionPolicy: String, precision: String, points: Int, body: [UInt8]) {
            (self.database, self.retentionPolicy, self.precision, self.points, self.body) = (database, retentionPolicy, precision, points, body)
        }

        /// The batch a record's payload holds; nil for one that is not well formed.
        init?(payload: ArraySlice<UInt8>) {
            var fields: [String] = []
            var i = payload.startIndex
            while fields.count < 3 {
                guard let zero = payload[i...].firstIndex(of: 0) else { return nil }
                fields.append(String(decoding: payload[i..<zero], as: UTF8.self))
                i = zero + 1
            }
            guard payload.endIndex - i >= 4 else { return nil }
            let n = payload[i..<(i + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            self.init(database: fields[0], retentionPolicy: fields[1], precision: fields[2], points: Int(n), body: Array(payload[(i + 4)...]))
        }
    }

    private var pending: [Batch] = []
    private var first = 0
    /// Payload bytes pending.
    private(set) var bytes = 0
    let maxBytes: Int
    private let path: String?
    private var fd: Int32 = -1
    /// File offset of the first pending record, and of the end.
    private var head: Int64 = 0
    private var end: Int64 = 0
    private let logger: Logger

    var isEmpty: Bool { first == pending.count }
    var count: Int { pending.count - first }
    var points: Int { pending[first...].reduce(0) { $0 + $1.points } }
    var oldest: Batch? { isEmpty ? nil : pending[first] }

    /// Opens (or creates) the outbox at `path` and loads what an earlier run left in it.
    init(path: String?, maxBytes: Int, logger: Logger) {
        self.path = path
        self.maxBytes = maxBytes
        self.logger = logger
        guard let path else { return }
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty { Self.makeDirectories(directory) }
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            logger.error("influxDBOut outbox cannot be opened: points InfluxDB does not take are kept in memory only",
                         metadata: ["path": "\(path)", "error": "\(String(cString: strerror(errno)))"])
            return
        }
        load()
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Adds `batch` at the end; false (nothing kept) when the outbox is full.
    func append(_ batch: Batch) -> Bool {
        let payload = batch.payload
        guard bytes + payload.count <= maxBytes else { return false }
        if fd >= 0 {
            var record: [UInt8] = []
            record.reserveCapacity(payload.count + 8)
            withUnsafeBytes(of: UInt32(payload.count).littleEndian) { record.append(contentsOf: $0) }
            withUnsafeBytes(of: CRC32.checksum(payload).littleEndian) { record.append(contentsOf: $0) }
            record += payload
            guard writeAll(record, at: end) else {
                logger.error("influxDBOut outbox write failed: this batch is kept in memory only", metadata: ["error": "\(String(cString: strerror(errno)))"])
                pending.append(batch)
                bytes += payload.count
                return true
            }
            end += Int64(record.count)
        }
        pending.append(batch)
        bytes += payload.count
        return true
    }

    /// Drops the oldest batch (InfluxDB took it, or refused it for good).
    func removeOldest() {
        guard !isEmpty else { return }
        let payload = pending[first].payload.count
        bytes -= payload
        head += Int64(payload + 8)
        first += 1
        if isEmpty {
            pending.removeAll()
            first = 0
            if fd >= 0 { _ = ftruncate(fd, 0) }
            (head, end) = (0, 0)
        } else if first > 1024 && first * 2 > pending.count {
            pending.removeFirst(first)
            first = 0
        }
        saveHead()
    }

    private func load() {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return }
        let size = Int64(info.st_size)
        var data = [UInt8](repeating: 0, count: Int(size))
        let n = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n == data.count else { return }
        var offset = min(max(0, readHead()), size)
        head = offset
        while offset + 8 <= size {
            let o = Int(offset)
            let length = Int(UInt32(data[o]) | UInt32(data[o + 1]) << 8 | UInt32(data[o + 2]) << 16 | UInt32(data[o + 3]) << 24)
            let crc = UInt32(data[o + 4]) | UInt32(data[o + 5]) << 8 | UInt32(data[o + 6]) << 16 | UInt32(data[o + 7]) << 24
            guard o + 8 + length <= data.count else { break }
            let payload = data[(o + 8)..<(o + 8 + length)]
            guard payload.withUnsafeBytes({ CRC32.checksum($0) }) == crc, let batch = Batch(payload: payload) else { break }
            pending.append(batch)
            bytes += length
            offset += Int64(8 + length)
        }
        end = offset
        if offset < size {
            logger.warning("influxDBOut outbox: a torn or damaged record at its end was cut off", metadata: ["path": "\(path ?? "")", "bytes": "\(size - offset)"])
            _ = ftruncate(fd, off_t(offset))
        }
        if !isEmpty {
            logger.notice("influxDBOut outbox: points an earlier run could not deliver are sent first", metadata: ["points": "\(points)", "path": "\(path ?? "")"])
        }
    }

    private var headPath: String? { path.map { $0 + ".head" } }

    private func readHead() -> Int64 {
        guard let headPath, let text = try? FileDescriptor.readFile(atPath: headPath) else { return 0 }
        return Int64(String(decoding: text, as: UTF8.self).filter(\.isNumber)) ?? 0
    }

    /// The head offset, replaced atomically (a crash keeps the old or the new one).
    private func saveHead() {
        guard let headPath, fd >= 0 else { return }
        if head == 0 {
            unlink(headPath)
            return
        }
        let temporary = headPath + ".tmp"
        guard let f = fopen(temporary, "w") else { return }
        fputs("\(head)\n", f)
        fclose(f)
        rename(temporary, headPath)
    }

    private func writeAll(_ bytes: [UInt8], at offset: Int64) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + written, $0.count - written, off_t(offset) + off_t(written)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            written += n
        }
        return true
    }

    /// `mkdir -p` (existing directories are fine).
    private static func makeDirectories(_ path: String) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            mkdir(prefix, 0o700)
            prefix += "/"
        }
    }
}
