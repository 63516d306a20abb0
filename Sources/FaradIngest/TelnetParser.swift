import FaradCore

/// KairosDB's telnet protocol: `put`, `putm` and `puts` lines, and `version`.
///
/// `put <metric> <ts> <value> <k=v>…` takes a timestamp below 3,000,000,000 as seconds; `putm`
/// always milliseconds; `puts` stores a string value. A value with a `.` is a double, otherwise a
/// strict decimal long. `a=b=c` is the tag `a=b` (the rest dropped); no tags at all adds
/// `add=tag`; the tag `kairos_opt.ttl=<seconds>` sets the TTL. Words may be double-quoted.
public enum TelnetParser {
    public enum Command: Sendable, Equatable {
        case put(SeriesKey, time: Int64, value: MetricValue, ttl: Int64)
        case version
        case empty
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The longest TTL, in seconds: KairosDB's is a Java `int`, and the store adds it, in
    /// milliseconds, to the current time.
    public static let maxTTL = Int64(Int32.max)

    /// Parses one line (without its newline).
    /// - Throws: ``Failure`` naming the word that is wrong.
    public static func parse(_ line: String) throws(Failure) -> Command {
        let words = split(line)
        guard let command = words.first else { return .empty }
        switch command {
        case "version": return .version
        case "put", "putm", "puts":
            guard words.count >= 4 else {
                throw Failure(message: "\(command): expected '\(command) <metric> <timestamp> <value> <tag=value>…'")
            }
            let metric = words[1]
            guard !metric.isEmpty else { throw Failure(message: "\(command): metric name may not be empty") }
            guard !metric.utf8.contains(0) else { throw Failure(message: "\(command): metric name may not contain a NUL character") }
            guard var time = Int64(words[2]) else { throw Failure(message: "\(command): invalid timestamp '\(words[2])'") }
            if command == "put" && time < 3_000_000_000 {
                // Seconds (KairosDB multiplies without a check and wraps).
                let (ms, overflow) = time.multipliedReportingOverflow(by: 1000)
                guard !overflow else { throw Failure(message: "\(command): timestamp '\(words[2])' is out of range in seconds") }
                time = ms
            }
            let text = words[3]
            let value: MetricValue
            if command == "puts" {
                value = .string(text)
            } else if text.contains(".") {
                guard let d = Double(text), d.isFinite else { throw Failure(message: "\(command): invalid value '\(text)'") }
                value = .double(d)
            } else {
                guard let v = Int64(text) else { throw Failure(message: "\(command): invalid value '\(text)'") }
                value = .long(v)
            }
            var tags: [SeriesKey.Tag] = []
            var ttl: Int64 = 0
            for word in words.dropFirst(4) {
                let parts = word.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count >= 2 else { throw Failure(message: "\(command): tag '\(word)' has no '='") }
                let (k, v) = (String(parts[0]), String(parts[1]))
                guard !k.isEmpty, !v.isEmpty else { throw Failure(message: "\(command): tag '\(word)' has an empty name or value") }
                guard !k.utf8.contains(0), !v.utf8.contains(0) else {
                    throw Failure(message: "\(command): tag '\(word)' may not contain a NUL character")
                }
                if k == "kairos_opt.ttl" {
                    guard let seconds = Int64(v), seconds >= 0, seconds <= maxTTL else {
                        throw Failure(message: "\(command): invalid ttl '\(v)' (seconds, 0 to \(maxTTL))")
                    }
                    ttl = seconds
                } else {
                    tags.append(.init(k, v))
                }
            }
            if tags.isEmpty { tags = [.init("add", "tag")] }
            return .put(SeriesKey(metric: metric, tags: tags), time: time, value: value, ttl: ttl)
        default:
            throw Failure(message: "unknown command '\(command)'")
        }
    }

    /// Splits on bytes ≤ 0x20; a word starting with `"` runs to the closing quote.
    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var inWord = false
        for ch in line.unicodeScalars {
            if quoted {
                if ch == "\"" { quoted = false } else { current.unicodeScalars.append(ch) }
            } else if ch.value <= 0x20 {
                if inWord { words.append(current); current = ""; inWord = false }
            } else if ch == "\"" && !inWord {
                quoted = true
                inWord = true
            } else {
                current.unicodeScalars.append(ch)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
