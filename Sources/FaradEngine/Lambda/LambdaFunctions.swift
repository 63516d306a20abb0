import FaradCore
import FaradTICK

#if canImport(Glibc)
import Glibc
#endif

/// The built-in lambda functions Farad supports: conversions (`bool int float string
/// duration`), `isPresent`, `if`, math on floats, string functions, time parts and the stateful
/// `count`, `sigma`, `spread` (``StatefulFunctions``). Unknown functions are reported when the
/// task is defined, not when a point arrives.
enum LambdaFunctions {
    typealias Eval = CompiledLambda.Eval

    static func compile(_ call: Call) throws(TICKDiagnostic) -> Eval {
        let name = call.name
        func arity(_ n: Int) throws(TICKDiagnostic) {
            guard call.arguments.count == n else {
                throw TICKDiagnostic(at: call.position, "\(name)() takes \(n) argument\(n == 1 ? "" : "s"), got \(call.arguments.count)")
            }
        }
        if name == "isPresent" {
            try arity(1)
            guard case .reference(let field, _) = call.arguments[0] else {
                throw TICKDiagnostic(at: call.position, "isPresent() takes a double-quoted field or tag name, e.g. isPresent(\"value\")")
            }
            return { point in .bool(point.field(field) != nil || point.tag(field) != nil) }
        }
        var args: [Eval] = []
        for a in call.arguments { args.append(try CompiledLambda.compile(a)) }
        let arguments = args
        if StatefulFunctions.names.contains(name) {
            return try StatefulFunctions.compile(name, arguments, at: call.position)
        }

        if let math = mathFunctions[name] {
            try arity(1)
            let f = arguments[0]
            return { (point) throws(LambdaError) in
                guard case .double(let x) = try f(point) else {
                    throw LambdaError("\(name)() takes a float: convert ints with float()")
                }
                return .double(math(x))
            }
        }
        switch name {
        case "pow", "atan2", "hypot", "max", "min", "mod":
            try arity(2)
            return { (point) throws(LambdaError) in
                guard case .double(let a) = try arguments[0](point), case .double(let b) = try arguments[1](point) else {
                    throw LambdaError("\(name)() takes floats: convert ints with float()")
                }
                switch name {
                case "pow": return .double(Glibc.pow(a, b))
                case "atan2": return .double(Glibc.atan2(a, b))
                case "hypot": return .double(Glibc.hypot(a, b))
                case "max": return .double(Swift.max(a, b))
                case "min": return .double(Swift.min(a, b))
                default: return .double(fmod(a, b))
                }
            }
        case "bool", "int", "float", "string":
            try arity(1)
            return { (point) throws(LambdaError) in try convert(try arguments[0](point), to: name) }
        case "duration":
            try arity(2)
            return { (point) throws(LambdaError) in
                guard case .duration(let unit) = try arguments[1](point) else { throw LambdaError("duration() takes a unit duration second, e.g. duration(5, 1s)") }
                switch try arguments[0](point) {
                case .int(let n):
                    let (ns, overflow) = n.multipliedReportingOverflow(by: unit)
                    guard !overflow else { throw LambdaError("duration(\(n), \(DurationText.format(unit))) is out of range: durations are at most 9223372036854775807ns") }
                    return .duration(ns)
                case .double(let x):
                    guard let ns = LambdaOperators.int64(x * Double(unit)) else {
                        throw LambdaError("duration(\(x), \(DurationText.format(unit))) is out of range: durations are at most 9223372036854775807ns")
                    }
                    return .duration(ns)
                case let other: throw LambdaError("duration() takes an int or float first, got \(other.typeName)")
                }
            }
        case "if":
            try arity(3)
            return { (point) throws(LambdaError) in
                guard case .bool(let c) = try arguments[0](point) else { throw LambdaError("if() takes a condition (bool) first") }
                let a = try arguments[1](point)
                let b = try arguments[2](point)
                guard a.typeName == b.typeName else {
                    throw LambdaError("if() branches must have the same type, got \(a.typeName) and \(b.typeName)")
                }
                return c ? a : b
            }
        case "minute", "hour", "weekday", "day", "month", "year", "unixNano":
            try arity(1)
            return { (point) throws(LambdaError) in
                guard case .time(let t) = try arguments[0](point) else { throw LambdaError("\(name)() takes a time, e.g. \(name)(\"time\")") }
                return .int(timePart(name, t))
            }
        case "strLength", "strToLower", "strToUpper", "strTrimSpace":
            try arity(1)
            return { (point) throws(LambdaError) in
                guard case .string(let s) = try arguments[0](point) else { throw LambdaError("\(name)() takes a string") }
                switch name {
                case "strLength": return .int(Int64(s.count))
                case "strToLower": return .string(s.lowercased())
                case "strToUpper": return .string(s.uppercased())
                default: return .string(String(s.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()))
                }
            }
        case "strContains", "strHasPrefix", "strHasSuffix", "strIndex":
            try arity(2)
            return { (point) throws(LambdaError) in
                guard case .string(let s) = try arguments[0](point), case .string(let sub) = try arguments[1](point) else {
                    throw LambdaError("\(name)() takes two strings")
                }
                switch name {
                case "strContains": return .bool(sub.isEmpty || s.contains(sub))
                case "strHasPrefix": return .bool(s.hasPrefix(sub))
                case "strHasSuffix": return .bool(s.hasSuffix(sub))
                default:
                    guard let r = s.firstRange(of: sub) else { return .int(-1) }
                    return .int(Int64(s.utf8.distance(from: s.startIndex, to: r.lowerBound)))
                }
            }
        default:
            throw TICKDiagnostic(at: call.position, "unknown function \(name)() in a lambda")
        }
    }

    static let mathFunctions: [String: @Sendable (Double) -> Double] = [
        "abs": { Swift.abs($0) }, "ceil": { Glibc.ceil($0) }, "floor": { Glibc.floor($0) }, "sqrt": { Glibc.sqrt($0) },
        "exp": { Glibc.exp($0) }, "log": { Glibc.log($0) }, "log10": { Glibc.log10($0) }, "log2": { Glibc.log2($0) },
        "sin": { Glibc.sin($0) }, "cos": { Glibc.cos($0) }, "tan": { Glibc.tan($0) }, "trunc": { Glibc.trunc($0) },
        "asin": { Glibc.asin($0) }, "acos": { Glibc.acos($0) }, "atan": { Glibc.atan($0) }, "cbrt": { Glibc.cbrt($0) },
    ]

    static func convert(_ v: LambdaValue, to type: String) throws(LambdaError) -> LambdaValue {
        switch (type, v) {
        case ("bool", .bool): return v
        case ("bool", .int(let x)): return .bool(x != 0)
        case ("bool", .double(let x)): return .bool(x != 0)
        case ("bool", .string(let s)):
            switch s.lowercased() {
            case "true", "1", "t": return .bool(true)
            case "false", "0", "f": return .bool(false)
            default: throw LambdaError("cannot convert string '\(s)' to bool")
            }
        case ("int", .int): return v
        case ("int", .double(let x)):
            guard let n = LambdaOperators.int64(x) else { throw LambdaError("cannot convert \(x) to int: it is not finite or not within 64 bits") }
            return .int(n)
        case ("int", .bool(let b)): return .int(b ? 1 : 0)
        case ("int", .duration(let ns)), ("int", .time(let ns)): return .int(ns)
        case ("int", .string(let s)):
            guard let x = Int64(s) else { throw LambdaError("cannot convert string '\(s)' to int") }
            return .int(x)
        case ("float", .double): return v
        case ("float", .int(let x)): return .double(Double(x))
        case ("float", .bool(let b)): return .double(b ? 1 : 0)
        case ("float", .string(let s)):
            guard let x = Double(s) else { throw LambdaError("cannot convert string '\(s)' to float") }
            return .double(x)
        case ("string", .string): return v
        case ("string", .int(let x)): return .string("\(x)")
        case ("string", .double(let x)): return .string(GoFormat.fixed(x))  // Kapacitor's string(): strconv 'f', -1
        case ("string", .bool(let b)): return .string(b ? "true" : "false")
        case ("string", .duration(let ns)): return .string(DurationText.format(ns))
        default: throw LambdaError("cannot convert \(v.typeName) to \(type)")
        }
    }

    static func timePart(_ name: String, _ ns: Int64) -> Int64 {
        var seconds = time_t(ns / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        switch name {
        case "minute": return Int64(parts.tm_min)
        case "hour": return Int64(parts.tm_hour)
        case "weekday": return Int64(parts.tm_wday)
        case "day": return Int64(parts.tm_mday)
        case "month": return Int64(parts.tm_mon + 1)
        case "year": return Int64(parts.tm_year + 1900)
        default: return ns
        }
    }
}
