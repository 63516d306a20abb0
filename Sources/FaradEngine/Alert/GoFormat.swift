import FaradCore

#if canImport(Glibc)
import Glibc
#endif

/// Go's renderings of numbers, times and durations, as Kapacitor's templates and events show
/// them: `fmt`'s `%v`, `strconv.FormatFloat`, `encoding/json`, `time.Time.String()`.
enum GoFormat {
    /// The shortest decimal digits that read back as `x` (finite, any sign), and where the
    /// decimal point goes: `digits` × 10^(point − digits.count). `0` is `("0", 1)`.
    static func shortestDigits(_ x: Double) -> (digits: [UInt8], point: Int) {
        // Swift prints the same shortest digits as Go, as `1.0`, `1e-05` or `1.5e+20`.
        var text = Substring("\(x.magnitude)")
        var exponent = 0
        if let e = text.firstIndex(of: "e") {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        let integer = text.prefix { $0 != "." }
        var digits = Array((integer + text.dropFirst(integer.count + 1)).utf8)
        var point = integer.count + exponent
        while digits.count > 1, digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        if digits == [UInt8(ascii: "0")] { point = 1 }
        return (digits, point)
    }

    private static func special(_ x: Double) -> String? {
        guard !x.isFinite else { return nil }
        return x.isNaN ? "NaN" : (x < 0 ? "-Inf" : "+Inf")
    }

    /// `strconv.FormatFloat(x, 'f', -1, 64)`: `0`, `1.5`, `0.00001`, `100000000000000000000`.
    static func fixed(_ x: Double) -> String {
        if let s = special(x) { return s }
        let (digits, point) = shortestDigits(x)
        var out = x.sign == .minus ? "-" : ""
        if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + String(decoding: digits, as: UTF8.self)
        } else if point >= digits.count {
            out += String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: point - digits.count)
        } else {
            out += String(decoding: digits[..<point], as: UTF8.self) + "." + String(decoding: digits[point...], as: UTF8.self)
        }
        return out
    }

    /// `strconv.FormatFloat(x, 'e', -1, 64)`: `1e+06`, `1.5e-07`.
    static func exponent(_ x: Double) -> String {
        if let s = special(x) { return s }
        let (digits, point) = shortestDigits(x)
        var out = x.sign == .minus ? "-" : ""
        out += String(decoding: digits[..<1], as: UTF8.self)
        if digits.count > 1 { out += "." + String(decoding: digits[1...], as: UTF8.self) }
        let e = x == 0 ? 0 : point - 1
        out += e < 0 ? "e-" : "e+"
        out += e.magnitude < 10 ? "0\(e.magnitude)" : "\(e.magnitude)"
        return out
    }

    /// `fmt`'s `%v` of a float64 (`strconv` `'g'` with the shortest digits): `1e+06`, `123456.7`, `0.0001`.
    static func general(_ x: Double) -> String {
        if let s = special(x) { return s }
        if x == 0 { return x.sign == .minus ? "-0" : "0" }
        let e = shortestDigits(x).point - 1
        return e < -4 || e >= 6 ? exponent(x) : fixed(x)
    }

    /// `encoding/json`'s float64: `'f'` unless below 1e-6 or from 1e21, then `'e'` as `1e-7`.
    static func json(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        let a = x.magnitude
        guard a != 0, a < 1e-6 || a >= 1e21 else { return fixed(x) }
        var s = exponent(x)
        if let e = s.lastIndex(of: "e"), s[s.index(e, offsetBy: 1)] == "-", s[s.index(e, offsetBy: 2)] == "0" {
            s.remove(at: s.index(e, offsetBy: 2))
        }
        return s
    }

    /// Go's `time.Time.String()` of a UTC time: `2016-10-27 17:00:00 +0000 UTC`, with the
    /// fraction's trailing zeros dropped (`…:00.5 +0000 UTC`).
    static func time(_ ns: Int64) -> String {
        let seconds = ns.dividedRoundingDown(1_000_000_000)
        let fraction = ns - seconds &* 1_000_000_000
        let days = seconds.dividedRoundingDown(86_400)
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = CivilDate.civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = "\(y)-\(two(m))-\(two(d)) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        if fraction > 0 {
            var f = String(fraction)
            f = String(repeating: "0", count: 9 - f.count) + f
            while f.last == "0" { f.removeLast() }
            out += "." + f
        }
        return out + " +0000 UTC"
    }

    /// Go's `time.Duration.String()`: `0s`, `1.5s`, `1m30s`.
    static func duration(_ ns: Int64) -> String {
        DOT.goDuration(ns)
    }

    /// C's `snprintf` of one double with a format such as `%.2f` (Go and C agree for `f e g`
    /// with an explicit precision, both correctly rounded).
    static func c(_ format: String, _ x: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        let n = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        guard n >= 0 else { return "" }
        if Int(n) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
            _ = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        return String(cString: buffer)
    }
}

extension Int64 {
    /// `self / d` rounded towards negative infinity (`d` > 0).
    func dividedRoundingDown(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d < 0) ? q - 1 : q
    }
}
