/// A set of Unicode scalars: sorted, merged ranges, possibly negated and case-folded.
///
/// Membership of ASCII scalars is precomputed (folding and negation included) into a bitmap;
/// others are found by binary search, trying the scalar's lower- and uppercase forms when folding.
struct ScalarSet: Sendable, Hashable {
    private(set) var ranges: [ClosedRange<UInt32>]
    let negated: Bool
    let foldCase: Bool
    private var asciiLow: UInt64 = 0
    private var asciiHigh: UInt64 = 0

    init(ranges: [ClosedRange<UInt32>], negated: Bool, foldCase: Bool) {
        self.ranges = Self.normalized(ranges)
        self.negated = negated
        self.foldCase = foldCase
        for c in UInt32(0)..<128 where slowContains(c) {
            if c < 64 { asciiLow |= 1 << UInt64(c) } else { asciiHigh |= 1 << UInt64(c - 64) }
        }
    }

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let c = scalar.value
        if c < 64 { return asciiLow & (1 << UInt64(c)) != 0 }
        if c < 128 { return asciiHigh & (1 << UInt64(c - 64)) != 0 }
        return slowContains(c)
    }

    private func slowContains(_ c: UInt32) -> Bool {
        var hit = rangesContain(c)
        if !hit && foldCase, let scalar = Unicode.Scalar(c) {
            for variant in Self.caseVariants(scalar) where rangesContain(variant) {
                hit = true
                break
            }
        }
        return hit != negated
    }

    private func rangesContain(_ c: UInt32) -> Bool {
        var lo = 0
        var hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < c {
                lo = mid + 1
            } else if ranges[mid].lowerBound > c {
                hi = mid
            } else {
                return true
            }
        }
        return false
    }

    /// The single-scalar lower-, upper- and titlecase forms of `c`, other than `c`.
    static func caseVariants(_ c: Unicode.Scalar) -> [UInt32] {
        if c.isASCII {
            switch c {
            case "a"..."z": return [c.value - 32] + (c == "k" ? [0x212A] : c == "s" ? [0x17F] : [])
            case "A"..."Z": return [c.value + 32] + (c == "K" ? [0x212A] : c == "S" ? [0x17F] : [])
            default: return []
            }
        }
        let p = c.properties
        var variants: [UInt32] = []
        for mapping in [p.lowercaseMapping, p.uppercaseMapping, p.titlecaseMapping] {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let v = scalars.first?.value, v != c.value, !variants.contains(v) { variants.append(v) }
        }
        return variants
    }

    /// Whether `c` has another case (so that folding it changes what matches).
    static func hasCase(_ c: Unicode.Scalar) -> Bool {
        !caseVariants(c).isEmpty
    }

    static func normalized(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for r in sorted {
            if let last = merged.last, r.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return merged
    }

    /// Every scalar value (0…0x10FFFF) not in `ranges`.
    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in normalized(ranges) {
            if r.lowerBound > next { result.append(next...(r.lowerBound - 1)) }
            next = r.upperBound + 1
        }
        if next <= 0x10FFFF { result.append(next...0x10FFFF) }
        return result
    }
}

/// One instruction of a compiled pattern (a Thompson NFA).
enum RegexInstruction: Sendable, Hashable {
    case scalar(Unicode.Scalar)
    /// Index into the program's sets.
    case set(Int)
    case anyScalar
    case anyButNewline
    /// Try both (order does not matter for match or no match).
    case split(Int, Int)
    case jump(Int)
    case assertion(RegexAssertion)
    case match
}

/// The compiled NFA: instructions, the sets they use, and where to start.
struct RegexProgram: Sendable {
    /// The most instructions a program may have, which bounds the memory and the time per
    /// input scalar of a match.
    static let maximumInstructions = 20_000

    var instructions: [RegexInstruction] = []
    var sets: [ScalarSet] = []

    /// Compiles `node`, followed by ``RegexInstruction/match``.
    static func compile(_ node: RegexNode, pattern: String) throws(RegexError) -> RegexProgram {
        var compiler = Compiler(pattern: pattern)
        try compiler.emit(node)
        try compiler.append(.match)
        return compiler.program
    }

    private struct Compiler {
        let pattern: String
        var program = RegexProgram()

        mutating func append(_ instruction: RegexInstruction) throws(RegexError) {
            guard program.instructions.count < RegexProgram.maximumInstructions else {
                throw RegexError(.tooLarge, "expression too large: it compiles to more than \(RegexProgram.maximumInstructions) instructions (large repeat counts multiply)", pattern: pattern, offset: 0)
            }
            program.instructions.append(instruction)
        }

        var next: Int { program.instructions.count }

        /// Emits `node`; recursion is bounded by the parser's group depth (each group adds at
        /// most one level of concatenation, alternation and repetition).
        mutating func emit(_ node: RegexNode) throws(RegexError) {
            switch node {
            case .empty:
                break
            case .literal(let c):
                try append(.scalar(c))
            case .set(let s):
                if let i = program.sets.firstIndex(of: s) {
                    try append(.set(i))
                } else {
                    program.sets.append(s)
                    try append(.set(program.sets.count - 1))
                }
            case .any(let dotAll):
                try append(dotAll ? .anyScalar : .anyButNewline)
            case .assertion(let a):
                try append(.assertion(a))
            case .concatenation(let items):
                for item in items { try emit(item) }
            case .alternation(let alternatives):
                // split L1, next; L1: a; jump end; next: split L2, …; last alternative.
                var jumps: [Int] = []
                for (k, alternative) in alternatives.enumerated() {
                    if k == alternatives.count - 1 {
                        try emit(alternative)
                        break
                    }
                    let split = next
                    try append(.split(split + 1, 0))
                    try emit(alternative)
                    jumps.append(next)
                    try append(.jump(0))
                    program.instructions[split] = .split(split + 1, next)
                }
                for j in jumps { program.instructions[j] = .jump(next) }
            case .repetition(let x, let min, let max):
                for _ in 0..<min { try emit(x) }
                if let max {
                    // Each optional copy may skip to the end: split body, end.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(next)
                        try append(.split(next + 1, 0))
                        try emit(x)
                    }
                    for s in splits { program.instructions[s] = .split(s + 1, next) }
                } else {
                    // loop: split body, end; body; jump loop.
                    let loop = next
                    try append(.split(loop + 1, 0))
                    try emit(x)
                    try append(.jump(loop))
                    program.instructions[loop] = .split(loop + 1, next)
                }
            }
        }
    }
}
