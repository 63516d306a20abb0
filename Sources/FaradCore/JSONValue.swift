/// A JSON document as a tree. Numbers keep their text so that callers can type them the way
/// KairosDB does (by whether the text has a `.`); objects keep their member order.
public enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// Parses a whole document.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var reader = JSONReader(bytes)
        let value = try reader.readValue()
        guard reader.atEnd() else { throw reader.error("unexpected data after the document") }
        return value
    }

    /// The member named `key` of an object (the last one if repeated, as Gson does).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [(String, JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// A number, or a string holding one (KairosDB accepts `"5"` for many numeric properties).
    public var doubleValue: Double? {
        switch self {
        case .number(let t), .string(let t): Double(t)
        default: nil
        }
    }

    /// An integer number or numeric string; fractions are truncated.
    public var int64Value: Int64? {
        switch self {
        case .number(let t), .string(let t):
            if let v = Int64(t) { return v }
            if let d = Double(t), d.isFinite, abs(d) < 9.2e18 { return Int64(d) }
            return nil
        default: return nil
        }
    }

    public var boolValue: Bool? {
        switch self {
        case .bool(let b): b
        case .string(let s): s.lowercased() == "true" ? true : (s.lowercased() == "false" ? false : nil)
        default: nil
        }
    }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let x), .array(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.null, .null): true
        default: false
        }
    }
}
