/// A problem in a TICKscript, with where it is.
///
/// ``description`` reads `3:14: expected ")" after the arguments of window, got "|"`.
public struct TICKDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public var severity: Severity
    public var position: Position
    public var message: String

    public init(_ severity: Severity = .error, at position: Position, _ message: String) {
        self.severity = severity
        self.position = position
        self.message = message
    }

    public var description: String { "\(position): \(message)" }
}
