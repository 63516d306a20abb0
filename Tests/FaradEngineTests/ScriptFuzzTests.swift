import FaradTestSupport
import FaradCore
import FaradTICK
import Testing
@testable import FaradEngine

/// Seeded random scripts from TICKscript's pieces, hostile numbers included, through the whole
/// compiler and, when they build, hostile points through the task: an error is fine, a crash is
/// not. Deterministic (fixed seeds); fuzzing proper would run the same loop unbounded.
@Suite struct ScriptFuzzTests {

    static let atoms = ["\"v\"", "\"s\"", "\"time\"", "'s'", "9223372036854775807", "1", "0", "-1", "2.5", "1h", "2562047h", "0s", "TRUE", "x"]
    static let operators = [" AND ", " OR ", " + ", " - ", " * ", " / ", " % ", " < ", " == ", " != "]
    static let durations = ["1h", "2562047h", "0s", "1s", "15250w", "-1h", "1", "'x'"]

    func expression(_ rng: inout SplitMix64, depth: Int = 0) -> String {
        switch depth > 3 ? 0 : rng.next(7) {
        case 0, 1: return Self.atoms[rng.next(Self.atoms.count)]
        case 2: return "(" + expression(&rng, depth: depth + 1) + ")"
        case 3: return ["-", "!"][rng.next(2)] + expression(&rng, depth: depth + 1)
        case 4: return ["int(", "float(", "abs(", "string(", "bool("][rng.next(5)] + expression(&rng, depth: depth + 1) + ")"
        case 5: return "duration(" + expression(&rng, depth: depth + 1) + ", " + Self.durations[rng.next(Self.durations.count)] + ")"
        default:
            if rng.next(4) == 0 { return "\"s\" " + ["=~", "!~"][rng.next(2)] + " " + ["/(a+)+$/", "/^a*!$/", "/[/", "/(?i)A{2,}/"][rng.next(4)] }
            return expression(&rng, depth: depth + 1) + Self.operators[rng.next(Self.operators.count)] + expression(&rng, depth: depth + 1)
        }
    }

    func node(_ rng: inout SplitMix64) -> String {
        let d = { (rng: inout SplitMix64) in Self.durations[rng.next(Self.durations.count)] }
        switch rng.next(11) {
        case 0: return "|where(lambda: \(expression(&rng)))"
        case 1, 2: return "|eval(lambda: \(expression(&rng))).as('v')"
        case 3: return "|window().period(\(d(&rng))).every(\(d(&rng)))" + (rng.next(2) == 0 ? ".align()" : "")
        case 4: return "|shift(\(d(&rng)))"
        case 5: return "|sample(\(d(&rng)))"
        case 6: return "|derivative('v').unit(\(d(&rng)))"
        case 7: return ["|mean('v')", "|sum('v')", "|cumulativeSum('v')", "|difference('v')", "|spread('v')"][rng.next(5)]
        case 8: return "|groupBy(*)"
        case 9: return "|default().field('v', 1)"
        default: return ""
        }
    }
    static let points: [Point] = [Int64.min, .min + 1, -1, 0, 1, .max - 1, .max].enumerated().map { i, t in
        Point(measurement: "m", tags: ["host": "h\(i % 2)"],
              fields: [("v", i % 2 == 0 ? .int(i == 0 ? .min : .max) : .double(i == 1 ? .nan : .infinity)),
                       ("s", .string(String(repeating: "a", count: 300) + "!"))], time: t)
    }

    @Test(arguments: [1, 2, 3, 4])
    func randomScriptsNeverCrash(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var built = 0
        for _ in 0..<750 {
            var script = "var x = 3\nstream|from()" + ["", ".truncate(1h)", ".round(2562047h)"][rng.next(3)]
            for _ in 0..<(1 + rng.next(6)) { script += node(&rng) }
            if rng.next(2) == 0 { script += "|httpOut('out')" }
            guard let pipeline = try? TaskCompiler.build(id: "t", script: script, environment: TaskEnvironment(groupIdleTimeout: 1)).pipeline else {
                continue
            }
            built += 1
            pipeline.write(Self.points, database: "db", retentionPolicy: "rp")
        }
        #expect(built > 200)
    }

    @Test func randomBytesNeverCrashTheParser() {
        var rng = SplitMix64(seed: 7)
        let alphabet = Array("stream|from()where lambda:\"'/\\[],.@=!<>+-*%0123456789ehmsuwd µ\n\t#AND OR TRUE var x".unicodeScalars)
        for _ in 0..<3_000 {
            let text = String(String.UnicodeScalarView((0..<rng.next(60)).map { _ in alphabet[rng.next(alphabet.count)] }))
            _ = try? Checker.check(try Parser.parse(text))
            _ = try? TaskCompiler.build(id: "t", script: text, environment: TaskEnvironment())
        }
    }
}
