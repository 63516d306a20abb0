#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Synchronization

/// Log lines as Kapacitor writes them (logfmt), to standard error or a file:
///
/// ```text
/// ts=2026-12-03T13:14:28.123+00:00 lvl=info msg="listening" service=farad address=127.0.0.1:9092
/// ```
///
/// `kapacitord` (and `farad serve --log-file`) log this way, so the tools that read Kapacitor's
/// log — `tail -F kapacitor.log | grep lvl=error`, Intel's service relaying it — read Farad's.
/// Metadata is formatted only when a line is written; one `write(2)` per line.
public struct LogfmtLogHandler: LogHandler {
    private let label: String
    private let output: LogOutput
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler writing lines of `label` (shown as `service=`) to `output`.
    public init(label: String, output: LogOutput) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        output.write(Self.line(time: Date(), level: event.level, message: "\(event.message)", service: label, metadata: merged))
    }

    /// One line: `ts lvl msg service`, then the metadata sorted by key, then a newline.
    static func line(time: Date, level: Logger.Level, message: String, service: String, metadata: Logger.Metadata) -> String {
        var s = "ts=" + Self.timestamp(time) + " lvl=" + Self.levelName(level) + " msg="
        Self.appendValue(message, to: &s)
        s += " service="
        Self.appendValue(service, to: &s)
        for key in metadata.keys.sorted() {
            s += " " + key + "="
            Self.appendValue("\(metadata[key]!)", to: &s)
        }
        s += "\n"
        return s
    }

    /// Kapacitor's level names: `debug info warn error`.
    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    /// `2006-01-02T15:04:05.000-07:00` in local time, as Kapacitor's logger stamps lines.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var t = tm()
        localtime_r(&seconds, &t)
        let offset = t.tm_gmtoff / 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        let zone = (offset < 0 ? "-" : "+") + two(abs(offset) / 60) + ":" + two(abs(offset) % 60)
        return "\(Int(t.tm_year) + 1900)-\(two(Int(t.tm_mon) + 1))-\(two(Int(t.tm_mday)))T\(two(Int(t.tm_hour))):\(two(Int(t.tm_min))):\(two(Int(t.tm_sec))).\(ms)\(zone)"
    }

    /// A bare value when it needs no quotes, else a Go-quoted one (`"a \"b\""`), as logfmt has it.
    static func appendValue(_ value: String, to s: inout String) {
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"") || $0 >= 0x7F }
        guard needsQuotes else {
            s += value
            return
        }
        s += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            default:
                if scalar.value < 0x20 {
                    s += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    s.unicodeScalars.append(scalar)
                }
            }
        }
        s += "\""
    }
}

/// Where log lines go: standard error, standard output, or a file opened for appending (its
/// directory created, as Kapacitor does). Each line is one `write(2)`, whole lines from many
/// threads never interleave.
public final class LogOutput: Sendable {
    private let fd: Int32
    private let lock = Mutex(())

    /// Standard error.
    public static let standardError = LogOutput(fd: 2)

    private init(fd: Int32) { self.fd = fd }

    /// `STDERR`, `STDOUT` (Kapacitor's names for them), or a file path, created with its directory.
    /// - Throws: ``LogFileError`` when the file cannot be opened.
    public static func open(_ path: String) throws(LogFileError) -> LogOutput {
        switch path {
        case "STDERR", "": return .standardError
        case "STDOUT": return LogOutput(fd: 1)
        default:
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw LogFileError(path: path, reason: String(cString: strerror(errno))) }
            return LogOutput(fd: fd)
        }
    }

    func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            lock.withLock { _ in
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return }
                    offset += n
                }
            }
        }
    }
}

/// A log file that cannot be opened.
public struct LogFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot open log file \(path): \(reason)" }
}
