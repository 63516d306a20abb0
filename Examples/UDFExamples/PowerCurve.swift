import FaradSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A wind turbine's power curve: expected output power by wind speed, linearly interpolated
/// between the table's rows and held flat beyond its ends.
public struct PowerCurve: Sendable, Equatable {
    /// (wind speed, power) rows, ascending by speed.
    public let rows: [(speed: Double, power: Double)]

    public static func == (a: PowerCurve, b: PowerCurve) -> Bool {
        a.rows.elementsEqual(b.rows) { $0 == $1 }
    }

    public init(rows: [(speed: Double, power: Double)]) throws {
        guard !rows.isEmpty else { throw PowerCurveError(line: nil, "power curve has no rows") }
        self.rows = rows.sorted { $0.speed < $1.speed }
    }

    /// Parses CSV text with two numeric columns, wind speed then power. A first line that is not
    /// numeric is a header; blank lines and lines starting with `#` are skipped.
    public init(csv text: String) throws {
        var rows: [(speed: Double, power: Double)] = []
        var headerAllowed = true
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmed()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let columns = line.split(separator: ",").map { $0.trimmed() }
            guard columns.count >= 2, let speed = Double(columns[0]), let power = Double(columns[1]) else {
                if headerAllowed {  // the first non-comment line may be a header
                    headerAllowed = false
                    continue
                }
                throw PowerCurveError(line: index + 1, "expected two numbers, wind speed and power, got \(line.debugDescription)")
            }
            headerAllowed = false
            guard speed.isFinite, power.isFinite else {
                throw PowerCurveError(line: index + 1, "values must be finite numbers")
            }
            rows.append((speed, power))
        }
        try self.init(rows: rows)
    }

    /// Reads a CSV power curve from `path`.
    public init(contentsOfFile path: String) throws {
        let text: String
        do {
            text = String(decoding: try FileDescriptor.readFile(atPath: path), as: UTF8.self)
        } catch {
            throw PowerCurveError(line: nil, "cannot read power curve \(path): \(String(cString: strerror(error.code)))")
        }
        do {
            try self.init(csv: text)
        } catch let e as PowerCurveError {
            throw PowerCurveError(line: e.line, "\(path): \(e.reason)")
        }
    }

    /// The expected power at `speed`.
    public func power(at speed: Double) -> Double {
        if speed <= rows[0].speed { return rows[0].power }
        if speed >= rows[rows.count - 1].speed { return rows[rows.count - 1].power }
        // Binary search for the first row at or above `speed`.
        var low = 0
        var high = rows.count - 1
        while low < high {
            let mid = (low + high) / 2
            if rows[mid].speed < speed { low = mid + 1 } else { high = mid }
        }
        let (a, b) = (rows[low - 1], rows[low])
        return a.power + (b.power - a.power) * (speed - a.speed) / (b.speed - a.speed)
    }
}

extension StringProtocol {
    /// Without leading and trailing whitespace.
    func trimmed() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// A power curve that cannot be read.
public struct PowerCurveError: Error, CustomStringConvertible, Equatable {
    public let line: Int?
    public let reason: String

    init(line: Int?, _ reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String {
        line.map { "power curve line \($0): \(reason)" } ?? reason
    }
}
