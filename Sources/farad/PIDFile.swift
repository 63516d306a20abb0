import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `--pidfile` / kapacitord's `-pidfile`: the process ID, written (with its directory) before
/// serving and removed when the server ends, as Kapacitor does.
enum PIDFile {
    static func write(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        guard FileManager.default.createFile(atPath: path, contents: Data("\(getpid())".utf8)) else {
            throw ValidationError("cannot write pid file \(path)")
        }
    }

    static func remove(_ path: String) {
        _ = unlink(path)
    }
}
