import FaradInfluxQL

/// InfluxQL: parse whole queries (scanner, expressions, every statement kind).
enum InfluxQLFuzz {
    static func run(_ bytes: [UInt8]) {
        _ = try? InfluxQLParser.parse(String(decoding: bytes, as: UTF8.self))
    }
}
