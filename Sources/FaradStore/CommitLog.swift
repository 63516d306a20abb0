import FaradCore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The commit log: append-only segment files `log/<generation>.log` in the data directory, one
/// per memtable generation, one record per group commit.
///
/// A record is its payload's length (4 bytes, little-endian), the payload's CRC-32 (4 bytes,
/// little-endian) and the payload (``LogCodec``). A commit is one `write` of its record and, when
/// syncing, one `fdatasync`: one file append per commit instead of a SQLite row whose pages go
/// through the WAL and are checkpointed again.
///
/// The records of generation G go into segment G; the writer starts segment G + 1 when it seals
/// set G for a flush, and segment G is deleted only after the flush of G has committed in SQLite
/// (`meta.flushed_gen >= G`). At open, every segment newer than `flushed_gen` is replayed in order.
/// Only the newest segment can end in a torn record (the process stopped during its `write`, or
/// the power went before its sync): such a tail is cut away. A bad record anywhere else is
/// ``StoreError/Code/corrupt``, naming the file and the offset.
final class CommitLog: Sendable {
    /// Bytes before a record's payload: its length and its CRC-32.
    static let headerSize = 8

    let directory: String
    /// What the files are, for messages: "commit log", or "series file" for ``SeriesFile``.
    let name: String
    private let sync: Bool
    private struct Active {
        var fd: Int32 = -1
        var generation: Int64 = 0
        /// The segment's length: a failed append is cut back to it.
        var size: Int64 = 0
        /// A failed append could not be cut back: later appends would follow a torn record.
        var broken: String?
    }
    private let active = Mutex(Active())

    init(directory: String, sync: Bool, name: String = "commit log") {
        self.directory = directory
        self.sync = sync
        self.name = name
    }

    func path(_ generation: Int64) -> String { directory + "/\(generation).log" }

    /// The generations of the segments present, ascending.
    static func segments(in directory: String, name: String = "commit log") throws(StoreError) -> [Int64] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            if !FileManager.default.fileExists(atPath: directory) { return [] }
            throw StoreError(code: .database, message: "cannot list the \(name) \(directory): \(error)")
        }
        return names.compactMap { name -> Int64? in
            guard name.hasSuffix(".log") else { return nil }
            return Int64(name.dropLast(4)).flatMap { $0 > 0 ? $0 : nil }
        }.sorted()
    }

    /// Reads every segment newer than `flushed`, oldest first, calling `body` with each whole
    /// record's payload; cuts a torn tail off the newest segment and deletes segments that a
    /// committed flush already covers. Returns the newest segment's generation (0 if none).
    /// - Throws: ``StoreError`` `corrupt` for a bad record that is not the newest segment's tail.
    func recover(flushed: Int64, _ body: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) -> Int64 {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError(code: .database, message: "cannot create the \(name) directory \(directory): \(error)")
        }
        let all = try Self.segments(in: directory, name: name)
        for g in all where g <= flushed { unlink(path(g)) }
        let live = all.filter { $0 > flushed }
        for (n, g) in live.enumerated() {
            let file = path(g)
            let bytes: [UInt8]
            do {
                bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw StoreError(code: .database, message: "cannot read the \(name) segment \(file): \(error)")
            }
            let end: Int
            do {
                end = try bytes.withUnsafeBytes { raw in try Self.scan(raw, file: file, name: name, isNewest: n == live.count - 1, body) }
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(code: .corrupt, message: "cannot replay \(file): \(error)")
            }
            if end < bytes.count {
                guard truncate(file, off_t(end)) == 0 else {
                    throw StoreError(code: .database, message: "cannot cut the torn tail off \(file) at byte \(end): errno \(errno)")
                }
            }
        }
        return live.last ?? 0
    }

    /// Walks the records of one segment; returns where the whole records end.
    static func scan(
        _ raw: UnsafeRawBufferPointer, file: String, name: String = "commit log", isNewest: Bool, _ body: (UnsafeRawBufferPointer) throws(StoreError) -> Void
    ) throws(StoreError) -> Int {
        var offset = 0
        while offset < raw.count {
            let left = raw.count - offset
            var problem: String?
            var length = 0
            if left < headerSize {
                problem = "a record header cut short (\(left) of \(headerSize) bytes)"
            } else {
                length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
                let crc = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian
                if length > left - headerSize {
                    problem = "a record of \(length) bytes with only \(left - headerSize) left"
                } else if length == 0 {
                    problem = "an empty record"
                } else if CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[(offset + headerSize)..<(offset + headerSize + length)])) != crc {
                    problem = "a record whose CRC-32 does not match"
                }
            }
            if let problem {
                // A torn tail: the last record of the newest segment, or zeros the file system
                // left after it (a power cut).
                let last = left < headerSize || length > left - headerSize || offset + headerSize + length == raw.count
                if isNewest && (last || raw[offset...].allSatisfy { $0 == 0 }) { return offset }
                throw StoreError(code: .corrupt, message: "corrupt \(name) \(file) at byte \(offset): \(problem)")
            }
            try body(UnsafeRawBufferPointer(rebasing: raw[(offset + headerSize)..<(offset + headerSize + length)]))
            offset += headerSize + length
        }
        return offset
    }

    /// Makes `generation` the segment appends go to (creating it, or appending to it), closing
    /// the previous one.
    func start(generation: Int64) throws(StoreError) {
        let file = path(generation)
        let fd = Glibc.open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError(code: .database, message: "cannot open the \(name) segment \(file): errno \(errno)") }
        let size = lseek(fd, 0, SEEK_END)
        if sync { syncDirectory() }  // the new name survives a power cut before its first record does
        active.withLock { a in
            if a.fd >= 0 { Glibc.close(a.fd) }
            a = Active(fd: fd, generation: generation, size: Int64(max(size, 0)), broken: nil)
        }
    }

    /// Appends one record (and syncs it when the store syncs every commit). On failure the
    /// segment is cut back to where it was, so that it never holds a torn record in its middle.
    func append(_ payload: [UInt8]) throws(StoreError) {
        guard let length = UInt32(exactly: payload.count), length > 0 else {
            throw StoreError(code: .invalid, message: "a record of \(payload.count) bytes does not fit the \(name)")
        }
        var record: [UInt8] = []
        record.reserveCapacity(Self.headerSize + payload.count)
        withUnsafeBytes(of: length.littleEndian) { record.append(contentsOf: $0) }
        withUnsafeBytes(of: CRC32.checksum(payload).littleEndian) { record.append(contentsOf: $0) }
        record.append(contentsOf: payload)
        let failure: String? = active.withLock { a in
            if let broken = a.broken { return broken }
            guard a.fd >= 0 else { return "the \(name) is closed" }
            var written = 0
            var error: String?
            record.withUnsafeBytes { raw in
                while written < raw.count {
                    let n = Glibc.write(a.fd, raw.baseAddress! + written, raw.count - written)
                    if n > 0 { written += n } else if n < 0 && errno == EINTR { continue } else { error = "write failed: errno \(errno)"; return }
                }
            }
            if error == nil && sync && fdatasync(a.fd) != 0 { error = "fdatasync failed: errno \(errno)" }
            if let error {
                if ftruncate(a.fd, off_t(a.size)) != 0 {
                    a.broken = "the \(name) segment \(path(a.generation)) could not be cut back after a failed append"
                }
                return "cannot append to \(path(a.generation)): \(error)"
            }
            a.size += Int64(record.count)
            return nil
        }
        if let failure { throw StoreError(code: .database, message: failure) }
    }

    /// Deletes the segments up to `generation` (their flush has committed), never the active one.
    func remove(through generation: Int64) {
        let current = active.withLock { $0.generation }
        guard let all = try? Self.segments(in: directory) else { return }
        for g in all where g <= generation && g != current { unlink(path(g)) }
    }

    /// Bytes in the segments.
    func size() -> Int64 {
        guard let all = try? Self.segments(in: directory) else { return 0 }
        var total: Int64 = 0
        for g in all {
            var st = stat()
            if stat(path(g), &st) == 0 { total += Int64(st.st_size) }
        }
        return total
    }

    func close() {
        active.withLock { a in
            if a.fd >= 0 { Glibc.close(a.fd) }
            a.fd = -1
        }
    }

    private func syncDirectory() {
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        Glibc.close(fd)
    }
}
