/// A field value as Kapacitor and InfluxDB 1.x type them.
public enum FieldValue: Sendable, Hashable, CustomStringConvertible {
    case double(Double)
    case int(Int64)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .double(let v): "\(v)"
        case .int(let v): "\(v)i"
        case .string(let v): v.debugDescription
        case .bool(let v): v ? "true" : "false"
        }
    }

    /// The value as a float, if it is numeric.
    public var doubleValue: Double? {
        switch self {
        case .double(let v): v
        case .int(let v): Double(v)
        default: nil
        }
    }
}
