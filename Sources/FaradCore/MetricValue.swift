/// A stored data point's value, typed as KairosDB types them: `long`, `double`, `string` and
/// `complex` (real, imaginary).
public enum MetricValue: Sendable, Hashable {
    case long(Int64)
    case double(Double)
    case string(String)
    case complex(real: Double, imaginary: Double)

    /// The value as a number (`nil` for strings and complex numbers).
    @inlinable
    public var number: Double? {
        switch self {
        case .long(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }

    /// KairosDB's query group type: `number`, `text` or `complex`.
    public var groupType: String {
        switch self {
        case .long, .double: "number"
        case .string: "text"
        case .complex: "complex"
        }
    }
}
