/// A regular expression matched in time linear in the input, like Go's `regexp` (RE2), which
/// Kapacitor and KairosDB users write their patterns for.
///
/// Swift's `Regex` backtracks: `(a+)+$` against 30 `a`s and a `!` takes minutes. `LinearRegex`
/// compiles the pattern to a Thompson NFA and runs every alternative at once (a Pike VM without
/// captures), so a match costs at most the input's length times the program's size, whatever the
/// pattern. Like RE2 it has no backreferences or lookaround.
///
/// ```swift
/// let web = try LinearRegex("^web[0-9]+$")
/// web.firstMatch(in: "web01")   // true
/// try LinearRegex("(?i)error|fatal").firstMatch(in: "an ERROR here")  // true
/// ```
///
/// Syntax (RE2's, on Unicode scalars): literals and escapes (`\.`, `\n`, `\x41`, `\x{263A}`,
/// octal `\012`, `\Q…\E`), `.`, classes `[a-z]`, `[^…]`, `[[:alpha:]]`, `\d \w \s \D \W \S`
/// (ASCII, as in RE2), `\b \B`, `^ $ \A \z`, `|`, groups `(…)`, `(?:…)`, `(?P<name>…)`,
/// `(?<name>…)`, repetition `* + ? {n} {n,} {n,m}` and their lazy forms, and the flags `i`
/// (case-insensitive), `s` (`.` matches `\n`), `m` (`^ $` at lines) and `U` as `(?flags)` or
/// `(?flags:…)`, also negated (`(?-i)`). Not supported: `\p{…}` Unicode classes.
///
/// Limits, so that no pattern can take unbounded memory: repeat counts are at most 1000 (as in
/// RE2), groups nest at most 250 deep, and the compiled program has at most 20,000 instructions
/// (`(a{1000}){1000}` is refused).
public struct LinearRegex: Sendable {
    /// The pattern as given.
    public let pattern: String
    let program: RegexProgram
    /// Whether every match starts at the beginning (the pattern starts with `^` or `\A`): then
    /// a search needs no new start at later positions, and ends when no state is left.
    let startsAtBeginning: Bool

    /// Compiles `pattern`.
    /// - Throws: ``RegexError`` with the position of the first mistake, or for a pattern over
    ///   the limits.
    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        program = try RegexProgram.compile(try RegexParser.parse(pattern), pattern: pattern)
        startsAtBeginning = program.instructions.first == .assertion(.beginText)
    }

    /// Whether the pattern matches anywhere in `s` (Go's `MatchString`: `ab` is found in `cab`;
    /// use `^…$` to match the whole string).
    public func firstMatch(in s: String) -> Bool {
        run(s, anchored: false)
    }

    /// Whether the pattern matches all of `s`, as if written `^(?:…)$`.
    public func wholeMatch(_ s: String) -> Bool {
        run(s, anchored: true)
    }

    /// The Pike VM: `current` holds the NFA states alive before the scalar at the current
    /// position, `next` those after it. Each state is added once per position, so the work per
    /// scalar is at most the program's size.
    private func run(_ s: String, anchored: Bool) -> Bool {
        let instructions = program.instructions
        let restart = !anchored && !startsAtBeginning
        var current = StateSet(capacity: instructions.count)
        var next = StateSet(capacity: instructions.count)
        var stack: [Int] = []
        let scalars = s.unicodeScalars
        var index = scalars.startIndex
        var previous: Unicode.Scalar?
        var scalar: Unicode.Scalar? = index < scalars.endIndex ? scalars[index] : nil
        // Start at position 0 (and, unanchored, at every later position: a leading `.*?`).
        if addState(0, to: &current, &stack, previous: previous, next: scalar, anchored: anchored) { return true }
        while let c = scalar {
            index = scalars.index(after: index)
            let following: Unicode.Scalar? = index < scalars.endIndex ? scalars[index] : nil
            for k in 0..<current.count {
                let pc = current.states[k]
                let advances: Bool = switch instructions[pc] {
                case .scalar(let x): x == c
                case .set(let i): program.sets[i].contains(c)
                case .anyScalar: true
                case .anyButNewline: c != "\n"
                default: false
                }
                if advances, addState(pc + 1, to: &next, &stack, previous: c, next: following, anchored: anchored) { return true }
            }
            previous = c
            scalar = following
            if restart, addState(0, to: &next, &stack, previous: previous, next: scalar, anchored: anchored) { return true }
            swap(&current, &next)
            next.removeAll()
            if current.count == 0 && !restart { return false }
        }
        return false
    }

    /// Adds `pc` and every state reachable from it without consuming input (at the position
    /// between `previous` and `next`), with an explicit stack. Returns true on reaching `match`
    /// where a match counts: anywhere when searching, only at the end when anchored.
    private func addState(_ pc: Int, to set: inout StateSet, _ stack: inout [Int], previous: Unicode.Scalar?, next: Unicode.Scalar?, anchored: Bool) -> Bool {
        let instructions = program.instructions
        stack.append(pc)
        while let pc = stack.popLast() {
            guard set.insert(pc) else { continue }
            switch instructions[pc] {
            case .jump(let target):
                stack.append(target)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .assertion(let assertion):
                if Self.holds(assertion, previous: previous, next: next) { stack.append(pc + 1) }
            case .match:
                if !anchored || next == nil {
                    stack.removeAll(keepingCapacity: true)
                    return true
                }
            default:
                break
            }
        }
        return false
    }

    static func holds(_ assertion: RegexAssertion, previous: Unicode.Scalar?, next: Unicode.Scalar?) -> Bool {
        switch assertion {
        case .beginText: previous == nil
        case .endText: next == nil
        case .beginLine: previous == nil || previous == "\n"
        case .endLine: next == nil || next == "\n"
        case .wordBoundary: isWord(previous) != isWord(next)
        case .notWordBoundary: isWord(previous) == isWord(next)
        }
    }

    static func isWord(_ c: Unicode.Scalar?) -> Bool {
        guard let c, c.isASCII else { return false }
        switch c {
        case "0"..."9", "a"..."z", "A"..."Z", "_": return true
        default: return false
        }
    }
}

/// A set of NFA states in insertion order with O(1) insert and clear (a sparse set).
struct StateSet {
    private(set) var states: [Int]
    private var position: [Int]
    private(set) var count = 0

    init(capacity: Int) {
        states = Array(repeating: 0, count: capacity)
        position = Array(repeating: 0, count: capacity)
    }

    /// Inserts `state`; false if it was there.
    mutating func insert(_ state: Int) -> Bool {
        let p = position[state]
        if p < count && states[p] == state { return false }
        position[state] = count
        states[count] = state
        count += 1
        return true
    }

    mutating func removeAll() {
        count = 0
    }
}
