/// The functions of Go's templates (and Kapacitor's `json`), with Go's results and errors.
extension GoTemplate.Execution {
    func call(_ name: String, _ args: [GoValue]) throws(GoTemplateError) -> GoValue {
        func arity(_ n: Int) throws(GoTemplateError) {
            guard args.count == n else { throw error("wrong number of args for \(name): want \(n) got \(args.count)") }
        }
        switch name {
        case "and":
            guard !args.isEmpty else { throw error("wrong number of args for and: want at least 1 got 0") }
            return args.first { !$0.isTrue } ?? args.last!
        case "or":
            guard !args.isEmpty else { throw error("wrong number of args for or: want at least 1 got 0") }
            return args.first { $0.isTrue } ?? args.last!
        case "not":
            try arity(1)
            return .bool(!args[0].isTrue)
        case "len":
            try arity(1)
            switch args[0] {
            case .string(let s): return .int(Int64(s.utf8.count))
            case .map(let m, _): return .int(Int64(m.count))
            case .list(let l): return .int(Int64(l.count))
            default: throw error("error calling len: len of type \(args[0].typeName)")
            }
        case "index":
            guard var v = args.first else { throw error("wrong number of args for index: want at least 1 got 0") }
            for key in args.dropFirst() {
                switch (v, key) {
                case (.map(let m, let zero), .string(let k)): v = m[k] ?? zero
                case (.list(let l), .int(let i)):
                    guard i >= 0, i < l.count else { throw error("error calling index: index out of range: \(i)") }
                    v = l[Int(i)]
                case (.null, _), (.missing, _): throw error("error calling index: index of untyped nil")
                default: throw error("error calling index: cannot index \(v.typeName) with \(key.typeName)")
                }
            }
            return v
        case "print":
            // Spaces between operands when neither is a string (fmt.Sprint).
            var out = ""
            for (i, a) in args.enumerated() {
                if i > 0, !Self.isString(args[i - 1]), !Self.isString(a) { out += " " }
                out += a.printed
            }
            return .string(out)
        case "println":
            return .string(args.map(\.printed).joined(separator: " ") + "\n")
        case "printf":
            guard case .string(let format)? = args.first else { throw error("wrong type for value; expected string; got \(args.first?.typeName ?? "nothing")") }
            return .string(GoPrintf.format(format, Array(args.dropFirst())))
        case "json":
            try arity(1)
            var out: [UInt8] = []
            args[0].writeJSON(to: &out)
            out.append(0x0A)
            return .string(String(decoding: out, as: UTF8.self))
        case "eq":
            guard args.count >= 2 else { throw error("error calling eq: missing argument for comparison") }
            for other in args.dropFirst() where try compare(args[0], other, name) == 0 { return .bool(true) }
            return .bool(false)
        case "ne":
            try arity(2)
            return .bool(try compare(args[0], args[1], name) != 0)
        case "lt", "le", "gt", "ge":
            try arity(2)
            let c = try compare(args[0], args[1], name, ordered: true)
            switch name {
            case "lt": return .bool(c < 0)
            case "le": return .bool(c <= 0)
            case "gt": return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        default:
            throw error("function \"\(name)\" not defined")
        }
    }

    static func isString(_ v: GoValue) -> Bool {
        if case .string = v { return true }
        return false
    }

    /// -1, 0 or 1; Go's rules: both operands of one basic kind (int with int, float with float,
    /// string with string, bool with bool only for eq/ne), else "incompatible types for comparison".
    func compare(_ a: GoValue, _ b: GoValue, _ name: String, ordered: Bool = false) throws(GoTemplateError) -> Int {
        func order<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch (a, b) {
        case (.int(let x), .int(let y)): return order(x, y)
        case (.float(let x), .float(let y)):
            return x == y ? 0 : (x < y ? -1 : 1)
        case (.string(let x), .string(let y)):
            // Bytewise, as Go compares strings.
            if x.utf8.elementsEqual(y.utf8) { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case (.duration(let x), .duration(let y)), (.time(let x), .time(let y)): return order(x, y)
        case (.bool(let x), .bool(let y)) where !ordered: return x == y ? 0 : 1
        case (.null, .null), (.missing, .missing), (.null, .missing), (.missing, .null):
            if ordered { throw error("error calling \(name): invalid type for comparison") }
            return 0
        case (.bool, .bool): throw error("error calling \(name): invalid type for comparison")
        default: throw error("error calling \(name): incompatible types for comparison")
        }
    }
}
