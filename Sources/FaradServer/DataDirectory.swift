#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The data directory is the owner's alone: the directory `0700`, every file in it `0600`.
enum DataDirectory {
    /// Creates `path` if needed and tightens it and the files in it; from here on the process
    /// creates files without group or other permissions (`umask 077`).
    static func secure(_ path: String) throws {
        umask(0o077)
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DataDirectoryError(message: "cannot create data directory \(path): \(error)")
        }
        guard chmod(path, 0o700) == 0 else {
            throw DataDirectoryError(message: "cannot make data directory \(path) private: \(String(cString: strerror(errno)))")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            let file = path + "/" + name
            var info = stat()
            guard lstat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o077 != 0 else { continue }
            _ = chmod(file, 0o600)
        }
    }
}

/// The data directory cannot be created or protected.
struct DataDirectoryError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
