/// A TOML value. Dates and times are kept as their text.
public enum TOMLValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case datetime(String)
    case array([TOMLValue])
    case table([String: TOMLValue])

    /// The value at a dotted path of table keys, e.g. `["udf", "functions"]`.
    public subscript(path: String...) -> TOMLValue? {
        var current: TOMLValue? = self
        for key in path {
            guard case .table(let t) = current else { return nil }
            current = t[key]
        }
        return current
    }

    public var table: [String: TOMLValue]? {
        if case .table(let t) = self { return t }
        return nil
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A human name for the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .bool: "boolean"
        case .datetime: "datetime"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// TOML that cannot be parsed, with where.
public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public var description: String { "line \(line), column \(column): \(reason)" }
}
