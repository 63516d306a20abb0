import FaradCore

/// A value inside a lambda, typed as Kapacitor types it.
public enum LambdaValue: Sendable, Hashable, CustomStringConvertible {
    case double(Double)
    case int(Int64)
    case string(String)
    case bool(Bool)
    /// Nanoseconds.
    case duration(Int64)
    /// A point's time, ns since the Unix epoch (what `"time"` refers to).
    case time(Int64)
    case regex(String)

    public init(_ field: FieldValue) {
        switch field {
        case .double(let v): self = .double(v)
        case .int(let v): self = .int(v)
        case .string(let v): self = .string(v)
        case .bool(let v): self = .bool(v)
        }
    }

    /// The type's name in error messages, as Kapacitor names them.
    public var typeName: String {
        switch self {
        case .double: "float"
        case .int: "int"
        case .string: "string"
        case .bool: "bool"
        case .duration: "duration"
        case .time: "time"
        case .regex: "regex"
        }
    }

    public var description: String {
        switch self {
        case .double(let v): "\(v)"
        case .int(let v): "\(v)"
        case .string(let v): "'\(v)'"
        case .bool(let v): v ? "TRUE" : "FALSE"
        case .duration(let v): DurationText.format(v)
        case .time(let v): "time(\(v))"
        case .regex(let r): "/\(r)/"
        }
    }

    /// As a field value, for `eval` results (durations become int ns, times int ns).
    public var fieldValue: FieldValue? {
        switch self {
        case .double(let v): .double(v)
        case .int(let v): .int(v)
        case .string(let v): .string(v)
        case .bool(let v): .bool(v)
        case .duration(let v), .time(let v): .int(v)
        case .regex: nil
        }
    }
}

/// A lambda that failed on one point: the node drops the point and counts an error.
public struct LambdaError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
