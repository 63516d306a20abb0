/// Appends JSON to a byte buffer: strings escaped, doubles written as KairosDB writes them (a whole
/// number without `.0`, NaN and infinities as `null`).
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func raw(bytes other: [UInt8]) {
        bytes.append(contentsOf: other)
    }

    public mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                raw("\\u00")
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(b >> 4)])
                bytes.append(hex[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `["a","b",…]`.
    public mutating func strings(_ list: some Sequence<String>) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for s in list {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(s)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func int(_ v: Int64) {
        if v >= 0 && v < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(v))
        } else {
            raw(String(v))
        }
    }

    public mutating func double(_ v: Double) {
        bytes.append(contentsOf: Self.format(v).utf8)
    }

    /// KairosDB's rendering of a double: whole numbers without `.0`; `null` when not finite.
    public static func format(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 {
            return v == 0 ? "0" : String(Int64(v))
        }
        return "\(v)"
    }

    public mutating func bool(_ b: Bool) {
        raw(b ? "true" : "false")
    }

    public mutating func null() {
        raw("null")
    }

    /// Writes a tree.
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (i, (k, m)) in members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                string(k)
                bytes.append(UInt8(ascii: ":"))
                value(m)
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                value(e)
            }
            bytes.append(UInt8(ascii: "]"))
        case .string(let s): string(s)
        case .number(let t): raw(t)
        case .bool(let b): bool(b)
        case .null: null()
        }
    }

    /// A value's JSON text.
    public static func text(of value: JSONValue) -> String {
        var w = JSONWriter()
        w.value(value)
        return w.text
    }

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
