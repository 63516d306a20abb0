import FaradTICK

/// TICKscript: parse and check (the checker walks the whole tree).
enum TICKFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let program = try? Parser.parse(String(decoding: bytes, as: UTF8.self)) else { return }
        _ = try? Checker.check(program)
    }
}
