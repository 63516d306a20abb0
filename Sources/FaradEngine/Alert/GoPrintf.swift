/// Go's `fmt.Sprintf` for template `printf`: verbs `v s d f F e E g G t q x X %`, flags
/// `- + 0 space #`, width and precision; Go's error forms (`%!d(string=a)`, `%!s(MISSING)`,
/// `%!(EXTRA int64=1)`). Widths and precisions are capped so that no format builds huge text.
enum GoPrintf {
    /// The largest width or precision honoured.
    static let maximumWidth = 1_000

    static func format(_ format: String, _ args: [GoValue]) -> String {
        var out = ""
        var next = 0
        var chars = Array(format.unicodeScalars)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            guard c == "%" else {
                out.unicodeScalars.append(c)
                continue
            }
            var flags = Set<Unicode.Scalar>()
            while let f = chars.first, "-+# 0".unicodeScalars.contains(f) {
                flags.insert(f)
                chars = chars.dropFirst()
            }
            let width = number(&chars)
            var precision: Int?
            if chars.first == "." {
                chars = chars.dropFirst()
                precision = number(&chars) ?? 0
            }
            guard let verb = chars.first else {
                out += "%!(NOVERB)"
                break
            }
            chars = chars.dropFirst()
            if verb == "%" {
                out += "%"
                continue
            }
            guard next < args.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            let arg = args[next]
            next += 1
            let text = render(verb, arg, flags: flags, precision: precision)
            out += pad(text, width: width, flags: flags, numeric: "dfFeEgGxX".unicodeScalars.contains(verb))
        }
        if next < args.count {
            out += "%!(EXTRA " + args[next...].map { "\($0.typeName)=\($0.printed)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    private static func number(_ chars: inout ArraySlice<Unicode.Scalar>) -> Int? {
        var n: Int?
        while let c = chars.first, let d = Int(String(c)), c.isASCII {
            n = min((n ?? 0) * 10 + d, maximumWidth)
            chars = chars.dropFirst()
        }
        return n
    }

    private static func bad(_ verb: Unicode.Scalar, _ v: GoValue) -> String {
        "%!\(verb)(\(v.typeName)=\(v.printed))"
    }

    private static func render(_ verb: Unicode.Scalar, _ v: GoValue, flags: Set<Unicode.Scalar>, precision: Int?) -> String {
        let plus = flags.contains("+") ? "+" : (flags.contains(" ") ? " " : "")
        switch (verb, v) {
        case ("v", .float(let x)), ("g", .float(let x)), ("G", .float(let x)):
            var s = precision.map { GoFormat.c("%.\($0)g", x) } ?? GoFormat.general(x)
            if verb == "G" { s = s.uppercased() }
            return x.sign == .minus || !x.isFinite && x < 0 ? s : plus + s
        case ("v", _):
            if case .int(let n) = v, n >= 0 { return plus + v.printed }
            if case .string(let s) = v, let precision { return String(s.prefix(precision)) }
            return v.printed
        case ("s", .string(let s)): return precision.map { String(s.prefix($0)) } ?? s
        case ("s", .time), ("s", .duration): return v.printed
        case ("d", .int(let n)): return n < 0 ? String(n) : plus + String(n)
        case ("d", .duration(let n)): return String(n)
        case ("f", .float(let x)), ("F", .float(let x)):
            return (x.sign == .minus ? "" : plus) + (x.isFinite ? GoFormat.c("%.\(precision ?? 6)f", x) : GoFormat.general(x))
        case ("e", .float(let x)), ("E", .float(let x)):
            let s = x.isFinite ? GoFormat.c("%.\(precision ?? 6)e", x) : GoFormat.general(x)
            return (x.sign == .minus ? "" : plus) + (verb == "E" ? s.uppercased() : s)
        case ("t", .bool(let b)): return b ? "true" : "false"
        case ("q", .string(let s)):
            var out = ""
            GoValue.jsonString(s, into: &out)
            return out.replacingAll("\\u003c", "<").replacingAll("\\u003e", ">").replacingAll("\\u0026", "&")
        case ("x", .int(let n)), ("X", .int(let n)):
            let s = (n < 0 ? "-" : "") + String(n.magnitude, radix: 16, uppercase: verb == "X")
            return flags.contains("#") ? (verb == "X" ? "0X" : "0x") + s : s
        case ("x", .string(let s)), ("X", .string(let s)):
            return s.utf8.map { let h = String($0, radix: 16, uppercase: verb == "X"); return h.count == 1 ? "0" + h : h }.joined()
        default:
            return bad(verb, v)
        }
    }

    private static func pad(_ s: String, width: Int?, flags: Set<Unicode.Scalar>, numeric: Bool) -> String {
        guard let width, s.count < width else { return s }
        let fill = width - s.count
        if flags.contains("-") { return s + String(repeating: " ", count: fill) }
        if flags.contains("0"), numeric {
            let sign = s.first.map { "+- ".contains($0) } == true ? String(s.first!) : ""
            return sign + String(repeating: "0", count: fill) + s.dropFirst(sign.count)
        }
        return String(repeating: " ", count: fill) + s
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (without Foundation).
    func replacingAll(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
