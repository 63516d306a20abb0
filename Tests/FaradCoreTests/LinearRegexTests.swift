import FaradCore
import Testing

/// `LinearRegex` against a table of patterns and inputs (expected results from Python's `re`
/// with `re.ASCII` for the RE2-compatible subset, corrected by hand where Go differs: POSIX
/// classes, `a{,3}` as a literal, `\z`), the catastrophic patterns of backtracking engines on
/// long inputs, and invalid patterns with their positions.
@Suite struct LinearRegexTests {
    @Test(arguments: [
        (#"abc"#, "abc", true),
        (#"abc"#, "xabcx", true),
        (#"abc"#, "ab", false),
        (#"abc"#, "", false),
        (#"abc"#, "ABC", false),
        (#"^abc$"#, "abc", true),
        (#"^abc$"#, "abcd", false),
        (#"^abc$"#, "xabc", false),
        (#"a.c"#, "abc", true),
        (#"a.c"#, "a\nc", false),
        (#"a.c"#, "ac", false),
        (#"a.c"#, "a☃c", true),
        (#"(?s)a.c"#, "a\nc", true),
        (#"a*"#, "", true),
        (#"a*"#, "b", true),
        (#"a*"#, "aaa", true),
        (#"^a*$"#, "", true),
        (#"^a*$"#, "aaa", true),
        (#"^a*$"#, "aab", false),
        (#"^a+$"#, "", false),
        (#"^a+$"#, "a", true),
        (#"^a+$"#, "aaaa", true),
        (#"^a+$"#, "aaab", false),
        (#"^ab?c$"#, "ac", true),
        (#"^ab?c$"#, "abc", true),
        (#"^ab?c$"#, "abbc", false),
        (#"^a{3}$"#, "aa", false),
        (#"^a{3}$"#, "aaa", true),
        (#"^a{3}$"#, "aaaa", false),
        (#"^a{2,}$"#, "a", false),
        (#"^a{2,}$"#, "aa", true),
        (#"^a{2,}$"#, "aaaaaaa", true),
        (#"^a{2,4}$"#, "a", false),
        (#"^a{2,4}$"#, "aa", true),
        (#"^a{2,4}$"#, "aaaa", true),
        (#"^a{2,4}$"#, "aaaaa", false),
        (#"^a{2,4}?$"#, "aaa", true),
        (#"^(ab)+$"#, "ab", true),
        (#"^(ab)+$"#, "abab", true),
        (#"^(ab)+$"#, "aba", false),
        (#"^(ab)+$"#, "", false),
        (#"^(?:ab|cd)*$"#, "", true),
        (#"^(?:ab|cd)*$"#, "abcd", true),
        (#"^(?:ab|cd)*$"#, "cdab", true),
        (#"^(?:ab|cd)*$"#, "abc", false),
        (#"cat|dog"#, "hotdog", true),
        (#"cat|dog"#, "catalog", true),
        (#"cat|dog"#, "cow", false),
        (#"^(cat|dog)s?$"#, "cats", true),
        (#"^(cat|dog)s?$"#, "dog", true),
        (#"^(cat|dog)s?$"#, "dogss", false),
        (#"[abc]"#, "xbx", true),
        (#"[abc]"#, "xyz", false),
        (#"^[a-z]+$"#, "hello", true),
        (#"^[a-z]+$"#, "Hello", false),
        (#"^[a-z]+$"#, "hello1", false),
        (#"^[^a-z]+$"#, "ABC123", true),
        (#"^[^a-z]+$"#, "aBC", false),
        (#"^[a-zA-Z0-9_]+$"#, "Web_01", true),
        (#"^[a-zA-Z0-9_]+$"#, "web-01", false),
        (#"[]a]"#, "]", true),
        (#"[]a]"#, "a", true),
        (#"[]a]"#, "b", false),
        (#"^[a-]+$"#, "a-a", true),
        (#"^[a-]+$"#, "b", false),
        (#"^[-a]+$"#, "-a-", true),
        (#"\d+"#, "abc123", true),
        (#"\d+"#, "abc", false),
        (#"^\d{3}-\d{4}$"#, "555-1234", true),
        (#"^\d{3}-\d{4}$"#, "5555-1234", false),
        (#"^\D+$"#, "abc", true),
        (#"^\D+$"#, "ab1", false),
        (#"^\w+$"#, "abc_1", true),
        (#"^\w+$"#, "ab c", false),
        (#"^\W+$"#, "!@#", true),
        (#"^\W+$"#, "a!", false),
        (#"\s"#, "a b", true),
        (#"\s"#, "ab", false),
        (#"\s"#, "a\tb", true),
        (#"^\S+$"#, "abc", true),
        (#"^\S+$"#, "a c", false),
        (#"\bfoo\b"#, "a foo b", true),
        (#"\bfoo\b"#, "foobar", false),
        (#"\bfoo\b"#, "foo", true),
        (#"\bfoo\b"#, "(foo)", true),
        (#"\Bfoo"#, "afoo", true),
        (#"\Bfoo"#, "foo", false),
        (#"^\.$"#, ".", true),
        (#"^\.$"#, "a", false),
        (#"a\+b"#, "a+b", true),
        (#"a\+b"#, "aab", false),
        (#"^\$[0-9]+$"#, "$100", true),
        (#"^\$[0-9]+$"#, "100", false),
        (#"(?i)hello"#, "HeLLo world", true),
        (#"(?i)hello"#, "help", false),
        (#"(?i)^[a-c]+$"#, "AbC", true),
        (#"(?i)^[a-c]+$"#, "abd", false),
        (#"(?i)^[^a]$"#, "A", false),
        (#"(?i)^[^a]$"#, "a", false),
        (#"(?i)^[^a]$"#, "b", true),
        (#"^(?i:ab)c$"#, "ABc", true),
        (#"^(?i:ab)c$"#, "ABC", false),
        (#"(?m)^b$"#, "a\nb\nc", true),
        (#"(?m)^b$"#, "abc", false),
        (#"^b$"#, "a\nb\nc", false),
        (#"(?m)a$"#, "a\nb", true),
        (#"(?m)a$"#, "ab", false),
        (#"^$"#, "", true),
        (#"^$"#, "a", false),
        (#"x*y*z*"#, "", true),
        (#"x*y*z*"#, "q", true),
        (#"^(a|ab)(c|bcd)(d*)$"#, "abcd", true),
        (#"^(a|ab)(c|bcd)(d*)$"#, "abcdd", true),
        (#"^[[:alpha:]]+$"#, "abcXYZ", true),
        (#"^[[:alpha:]]+$"#, "abc1", false),
        (#"^[[:digit:][:upper:]]+$"#, "A1B2", true),
        (#"^[[:digit:][:upper:]]+$"#, "a1", false),
        (#"^[[:^digit:]]+$"#, "abc", true),
        (#"^[[:^digit:]]+$"#, "a1", false),
        (#"^\x41\x{42}$"#, "AB", true),
        (#"^\x41\x{42}$"#, "ab", false),
        (#"^\101$"#, "A", true),
        (#"^a\nb$"#, "a\nb", true),
        (#"^a\nb$"#, "anb", false),
        (#"^(a+)+$"#, "aaaa", true),
        (#"^(a+)+$"#, "aaaa!", false),
        (#"^(a|a)*b$"#, "aaab", true),
        (#"^(a|a)*b$"#, "aaa", false),
        (#"^.*.*.*=.*$"#, "x=y", true),
        (#"^.*.*.*=.*$"#, "xy", false),
        (#"^web[0-9]+\.example\.com$"#, "web12.example.com", true),
        (#"^web[0-9]+\.example\.com$"#, "web12xexample.com", false),
        (#"^(cpu|mem|disk)_[a-z]+$"#, "cpu_idle", true),
        (#"^(cpu|mem|disk)_[a-z]+$"#, "net_in", false),
        (#"é+"#, "café", true),
        (#"é+"#, "cafe", false),
        (#"^[à-ÿ]+$"#, "éè", true),
        (#"^[à-ÿ]+$"#, "ea", false),
        (#"^.$"#, "☃", true),
        (#"^.$"#, "ab", false),
        (#"a|"#, "b", true),
        (#"a|"#, "", true),
        (#"()"#, "x", true),
        (#"^(?:a{0,3}){2}$"#, "", true),
        (#"^(?:a{0,3}){2}$"#, "aaaaaa", true),
        (#"^(?:a{0,3}){2}$"#, "aaaaaaa", false),
        (#"^\Qa.b\E$"#, "a.b", true),
        (#"^\Qa.b\E$"#, "axb", false),
        (#"^a*?$"#, "aaa", true),
        (#"^(?P<name>ab)+$"#, "abab", true),
        (#"ab{"#, "ab{", true),
        (#"a{,3}"#, "a{,3}", true),
        (#"a{,3}"#, "aaa", false),
        (#"\Aab\z"#, "ab", true),
        (#"\Aab\z"#, "ab\n", false),
    ] as [(String, String, Bool)])
    func search(pattern: String, input: String, expected: Bool) throws {
        let regex = try LinearRegex(pattern)
        #expect(regex.firstMatch(in: input) == expected, "\(pattern) in \(input.debugDescription)")
    }

    @Test(arguments: [
        ("abc", "abc", true),
        ("abc", "xabc", false),
        ("abc", "abcd", false),
        ("a|ab", "ab", true),
        ("[0-9]+", "123", true),
        ("[0-9]+", "12a", false),
        ("", "", true),
        ("", "a", false),
        ("web.*", "web01", true),
        ("(?i)WEB0[1-3]", "web02", true),
        ("a*", "", true),
        ("(a|b)*c", "ababc", true),
        ("(a|b)*c", "ababcx", false),
        ("host=\\w+", "host=a b", false),
    ] as [(String, String, Bool)])
    func whole(pattern: String, input: String, expected: Bool) throws {
        #expect(try LinearRegex(pattern).wholeMatch(input) == expected, "\(pattern) whole \(input.debugDescription)")
    }

    /// Patterns that take exponential time in a backtracking engine finish, with the right
    /// answer, on long inputs (never timed: they just complete).
    @Test(arguments: [
        ("(a+)+$", false),
        ("^(a|a)*$", false),
        ("^(a*)*b", false),
        ("(x+x+)+y", false),
        ("^(\\w+\\s?)*$", false),
        ("(a|aa)+!", true),
        ("^(([a-z])+.)+[A-Z]([a-z])+$", false),
    ] as [(String, Bool)])
    func catastrophicPatternsAreLinear(pattern: String, expected: Bool) throws {
        let regex = try LinearRegex(pattern)
        let input = String(repeating: "a", count: 10_000) + "!"
        let x = String(repeating: "x", count: 10_000)
        #expect(regex.firstMatch(in: pattern.contains("x") ? x : input) == expected)
        #expect(regex.wholeMatch(input) == (pattern == "(a|aa)+!"))
    }

    @Test func aLargeButAllowedRepeatStillWorks() throws {
        let regex = try LinearRegex("^[a-z]{1,1000}$")
        #expect(regex.firstMatch(in: String(repeating: "q", count: 1000)))
        #expect(!regex.firstMatch(in: String(repeating: "q", count: 1001)))
    }

    @Test(arguments: [
        ("(a", RegexError.Code.missingParenthesis, 0, "missing closing ) at column 1 of \"(a\""),
        ("a)", .unexpectedParenthesis, 1, "unexpected ) at column 2 of \"a)\""),
        ("[a", .missingBracket, 0, "missing closing ] at column 1 of \"[a\""),
        ("[]", .missingBracket, 0, "missing closing ] at column 1 of \"[]\""),
        ("x[z-a]", .invalidClassRange, 2, "invalid character class range z-a at column 3 of \"x[z-a]\""),
        ("*a", .missingRepeatArgument, 0, "missing argument to repetition operator * at column 1 of \"*a\""),
        ("a**", .nestedRepeat, 2, "invalid nested repetition operator * at column 3 of \"a**\""),
        ("a{2}{3}", .nestedRepeat, 4, "invalid nested repetition operator {3} at column 5 of \"a{2}{3}\""),
        ("a{1001}", .invalidRepeat, 1, "invalid repeat count {1001}: counts are at most 1000 and the maximum is not below the minimum at column 2 of \"a{1001}\""),
        ("a{3,2}", .invalidRepeat, 1, "invalid repeat count {3,2}: counts are at most 1000 and the maximum is not below the minimum at column 2 of \"a{3,2}\""),
        ("a{99999999999999999999}", .invalidRepeat, 1, nil),
        ("(a{1000}){1000}", .tooLarge, 0, nil),
        ("((((a{100}){100}){100}){100})", .tooLarge, 0, nil),
        ("ab\\", .invalidEscape, 2, "trailing backslash at end of expression at column 3 of \"ab\\\\\""),
        ("(a)\\1", .invalidEscape, 3, "invalid escape sequence \\1: backreferences are not supported at column 4 of \"(a)\\\\1\""),
        ("\\q", .invalidEscape, 0, "invalid escape sequence \\q at column 1 of \"\\\\q\""),
        ("\\pL", .unsupported, 0, nil),
        ("(?<=a)b", .invalidGroup, 0, nil),
        ("(?=a)", .invalidFlags, 0, nil),
        ("(?x)a", .invalidFlags, 0, nil),
        ("[[:foo:]]", .invalidClassRange, 1, nil),
        ("\\x{110000}", .invalidEscape, 0, nil),
        ("\\xZZ", .invalidEscape, 0, nil),
        ("[\\b]", .invalidEscape, 1, nil),
    ] as [(String, RegexError.Code, Int, String?)])
    func invalidPatterns(pattern: String, code: RegexError.Code, offset: Int, description: String?) {
        do throws(RegexError) {
            _ = try LinearRegex(pattern)
            Issue.record("\(pattern) compiled")
        } catch {
            #expect(error.code == code, "\(pattern): \(error)")
            #expect(error.offset == offset, "\(pattern): \(error)")
            if let description { #expect(error.description == description) }
        }
    }

    @Test func deeplyNestedGroupsAreRefused() {
        let deep = String(repeating: "(", count: 100_000) + "a" + String(repeating: ")", count: 100_000)
        do throws(RegexError) {
            _ = try LinearRegex(deep)
            Issue.record("compiled")
        } catch {
            #expect(error.code == .tooDeep)
            #expect(error.offset == 250)
        }
        let fine = String(repeating: "(", count: 200) + "a" + String(repeating: ")", count: 200)
        #expect((try? LinearRegex(fine))?.firstMatch(in: "xa") == true)
    }

    @Test func longAlternationsAndLiteralsAreFine() throws {
        let words = (0..<2_000).map { "w\($0)" }
        let regex = try LinearRegex("^(" + words.joined(separator: "|") + ")$")
        #expect(regex.firstMatch(in: "w1999"))
        #expect(!regex.firstMatch(in: "w2000"))
    }

    @Test func caseFoldingCoversUnicode() throws {
        #expect(try LinearRegex("(?i)straße").firstMatch(in: "STRAßE"))
        #expect(try LinearRegex("(?i)émile").firstMatch(in: "ÉMILE"))
        #expect(try LinearRegex("(?i)k").firstMatch(in: "\u{212A}"))  // Kelvin sign folds to k, as in RE2
        #expect(try !LinearRegex("(?i)[^k]").firstMatch(in: "K"))
        #expect(try LinearRegex("a(?i)b|c").firstMatch(in: "C"))    // flags last to the group's end, across |
        #expect(try !LinearRegex("(?i:a)b").firstMatch(in: "AB"))
        #expect(try LinearRegex("(?i)a(?-i)b").firstMatch(in: "Ab"))
        #expect(try !LinearRegex("(?i)a(?-i)b").firstMatch(in: "AB"))
    }
}
