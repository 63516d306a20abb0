import FaradCore

/// Parses TICKscript (Kapacitor's grammar) into a ``Program``.
///
/// ```swift
/// let program = try Parser.parse("""
///     dbrp "telegraf"."autogen"
///     stream|from().measurement('cpu')|window().period(10s).every(10s)|mean('usage_user')
///     """)
/// ```
/// Every error names the line and column and says what was expected.
public struct Parser {
    private var tokens: [Token]
    private var i = 0
    /// How many expressions the parser is inside (see ``nestedExpression()``).
    private var nesting = 0

    /// Parses a whole script.
    ///
    /// The script is bounded by ``TICKLimits``: its size, and how deeply its expressions nest.
    /// - Throws: ``TICKDiagnostic`` for the first syntax error or limit exceeded.
    public static func parse(_ source: String) throws(TICKDiagnostic) -> Program {
        let size = source.utf8.count
        guard size <= TICKLimits.maximumScriptBytes else {
            throw TICKDiagnostic(at: Position(line: 1, column: 1, offset: 0), "the script is \(size) bytes: at most \(TICKLimits.maximumScriptBytes) are allowed")
        }
        let (tokens, warnings) = try Lexer.tokenize(source)
        var parser = Parser(tokens: tokens)
        var statements: [Statement] = []
        while parser.peek.kind != .endOfInput {
            statements.append(try parser.statement())
        }
        return Program(statements: statements, warnings: warnings)
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    private var peek: Token { tokens[i] }
    private func peek(_ ahead: Int) -> Token { tokens[min(i + ahead, tokens.count - 1)] }

    @discardableResult
    private mutating func next() -> Token {
        defer { if i < tokens.count - 1 { i += 1 } }
        return tokens[i]
    }

    private func error(_ message: String, at token: Token? = nil) -> TICKDiagnostic {
        TICKDiagnostic(at: (token ?? peek).position, message)
    }

    private func quoted(_ token: Token) -> String {
        token.kind == .endOfInput ? "end of input" : "\"\(token.text)\""
    }

    private mutating func expect(_ kind: TokenKind, _ text: String, _ context: String) throws(TICKDiagnostic) -> Token {
        guard peek.is(kind, text) else { throw error("expected \(text) \(context), got \(quoted(peek))") }
        return next()
    }

    // MARK: Statements

    private mutating func statement() throws(TICKDiagnostic) -> Statement {
        let start = peek
        if start.is(.keyword, "var") {
            next()
            guard peek.kind == .identifier else { throw error("expected a variable name after var, got \(quoted(peek))") }
            let name = next().text
            if peek.kind == .identifier {
                return .declaration(name: name, type: next().text, position: start.position)
            }
            guard peek.is(.punctuation, "=") else {
                throw error("expected = or a type (string, int, float, duration, lambda, list, star, regex, bool) after var \(name), got \(quoted(peek))")
            }
            next()
            return .variable(name: name, value: try expression(), position: start.position)
        }
        if start.is(.keyword, "dbrp") {
            next()
            let db = try dbrpName("database")
            _ = try expect(.punctuation, ".", "between database and retention policy in dbrp")
            let rp = try dbrpName("retention policy")
            return .dbrp(database: db, retentionPolicy: rp, position: start.position)
        }
        return .expression(try expression())
    }

    private mutating func dbrpName(_ what: String) throws(TICKDiagnostic) -> String {
        if peek.kind == .reference { return next().value }
        if peek.kind == .string {
            throw error("dbrp names are double-quoted: write dbrp \"telegraf\".\"autogen\" (single quotes make a string)")
        }
        throw error("expected a double-quoted \(what) name in dbrp, got \(quoted(peek))")
    }

    // MARK: Expressions

    /// An expression and how deeply its tree nests (a leaf is 1).
    private typealias Parsed = (expression: Expression, depth: Int)

    private func tooDeep(at token: Token) -> TICKDiagnostic {
        error("expression nested too deeply: at most \(TICKLimits.maximumDepth) levels of parentheses, lists, calls, lambdas and operators are allowed; simplify it", at: token)
    }

    /// `depth` if it is within the limit.
    private func checked(_ depth: Int, at token: Token) throws(TICKDiagnostic) -> Int {
        guard depth <= TICKLimits.maximumDepth else { throw tooDeep(at: token) }
        return depth
    }

    /// An argument, a variable's value or a statement: a lambda, a list or an operator expression.
    private mutating func expression() throws(TICKDiagnostic) -> Expression {
        try nestedExpression().expression
    }

    /// Every recursive descent passes here, so ``nesting`` bounds the parser's own stack.
    private mutating func nestedExpression() throws(TICKDiagnostic) -> Parsed {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= TICKLimits.maximumDepth else { throw tooDeep(at: peek) }
        if peek.is(.keyword, "lambda") {
            let start = next()
            _ = try expect(.punctuation, ":", "after lambda")
            let body = try binary(level: 0)
            return (.lambda(body.expression, start.position), try checked(body.depth + 1, at: start))
        }
        return try binary(level: 0)
    }

    /// The operators of one precedence level (0 `OR` … 5 `* / %`), left-associative, parsed in a
    /// loop: a chain costs no recursion. `AND` and `OR` chains become balanced trees (they are
    /// associative, and evaluating a balanced tree left to right short-circuits at the same
    /// operand), so thousands of terms stay shallow; other chains nest one level per operator.
    private mutating func binary(level: Int) throws(TICKDiagnostic) -> Parsed {
        guard level <= 5 else { return try unary() }
        var operands = [try binary(level: level + 1)]
        var operators: [(BinaryOperator, Token)] = []
        while let op = binaryOperator(peek), op.precedence == level {
            operators.append((op, next()))
            operands.append(try binary(level: level + 1))
        }
        if peek.kind == .identifier, ["and", "or"].contains(peek.text.lowercased()) {
            throw error("unexpected \(peek.text): logical operators are upper case (AND, OR)")
        }
        if operators.isEmpty { return operands[0] }
        if level <= 1 { return try balanced(operands, operators, 0..<operands.count) }
        var (left, depth) = operands[0]
        for (i, (op, token)) in operators.enumerated() {
            let right = operands[i + 1]
            left = .binary(op, left, right.expression, token.position)
            depth = try checked(max(depth, right.depth) + 1, at: token)
        }
        return (left, depth)
    }

    /// `operands[range]` joined by the one associative operator of `operators`, as a balanced
    /// tree: the left half is never smaller, so two or three terms read as `(a AND b) AND c`.
    private func balanced(_ operands: [Parsed], _ operators: [(BinaryOperator, Token)], _ range: Range<Int>) throws(TICKDiagnostic) -> Parsed {
        if range.count == 1 { return operands[range.lowerBound] }
        let mid = range.lowerBound + (range.count + 1) / 2
        let left = try balanced(operands, operators, range.lowerBound..<mid)
        let right = try balanced(operands, operators, mid..<range.upperBound)
        let (op, token) = operators[mid - 1]
        return (.binary(op, left.expression, right.expression, token.position), try checked(max(left.depth, right.depth) + 1, at: token))
    }

    private func binaryOperator(_ token: Token) -> BinaryOperator? {
        switch token.kind {
        case .operator where token.text != "!": BinaryOperator(rawValue: token.text)
        case .keyword where token.text == "AND" || token.text == "OR": BinaryOperator(rawValue: token.text)
        default: nil
        }
    }

    /// Prefix operators, read in a loop and applied innermost first.
    private mutating func unary() throws(TICKDiagnostic) -> Parsed {
        var prefixes: [Token] = []
        while peek.is(.operator, "-") || peek.is(.operator, "!") {
            if prefixes.count == TICKLimits.maximumDepth { throw tooDeep(at: peek) }
            prefixes.append(next())
        }
        var (e, depth) = try primary()
        for op in prefixes.reversed() {
            e = .unary(op.text == "-" ? .negate : .not, e, op.position)
            depth = try checked(depth + 1, at: op)
        }
        return (e, depth)
    }

    private mutating func primary() throws(TICKDiagnostic) -> Parsed {
        let token = peek
        switch token.kind {
        case .identifier where token.text == "lambda":
            throw error("expected : after lambda, e.g. lambda: \"usage_idle\" < 10.0", at: token)
        case .identifier:
            next()
            var base: Expression
            var depth = 1
            if peek.is(.punctuation, "(") {
                let (call, argumentDepth) = try arguments(for: token)
                base = .call(call)
                depth = try checked(argumentDepth + 1, at: token)
            } else {
                base = .identifier(token.text, token.position)
            }
            var links: [ChainLink] = []
            while peek.kind == .punctuation, let op = ChainOperator(rawValue: peek.text) {
                let (link, argumentDepth) = try chainLink(op)
                links.append(link)
                depth = try checked(max(depth, argumentDepth + 1), at: token)
            }
            if links.isEmpty { return (base, depth) }
            return (.chain(receiver: base, links), try checked(depth + 1, at: token))
        case .string:
            next()
            return (.string(token.value, token.position), 1)
        case .reference:
            next()
            return (.reference(token.value, token.position), 1)
        case .integer:
            next()
            let radix = token.text.count > 1 && token.text.hasPrefix("0") ? 8 : 10
            guard let v = Int64(token.text, radix: radix) else {
                throw error("integer \(token.text) is out of range: integers are 64-bit, from -9223372036854775808 to 9223372036854775807", at: token)
            }
            return (.integer(v, token.position), 1)
        case .float:
            next()
            guard let v = Double(token.text), v.isFinite else { throw error("float \(token.text) is out of range", at: token) }
            return (.float(v, token.position), 1)
        case .duration:
            next()
            return (.duration(try duration(token), text: token.text, token.position), 1)
        case .regex:
            next()
            return (.regex(token.value, token.position), 1)
        case .keyword where token.text == "TRUE" || token.text == "FALSE":
            next()
            return (.boolean(token.text == "TRUE", token.position), 1)
        case .operator where token.text == "*":
            next()
            return (.star(token.position), 1)
        case .punctuation where token.text == "(":
            next()
            let inner = try nestedExpression()
            _ = try expect(.punctuation, ")", "to close the parenthesis opened at \(token.position)")
            return inner
        case .punctuation where token.text == "[":
            next()
            var items: [Expression] = []
            var depth = 1
            while !peek.is(.punctuation, "]") {
                let item = try nestedExpression()
                items.append(item.expression)
                depth = try checked(max(depth, item.depth + 1), at: token)
                if peek.is(.punctuation, ",") { next() } else { break }
            }
            _ = try expect(.punctuation, "]", "to close the list opened at \(token.position)")
            return (.list(items, token.position), depth)
        case .keyword where token.text == "lambda":
            return try nestedExpression()
        case .endOfInput:
            throw error("unexpected end of input: an expression is missing")
        default:
            throw error("unexpected \(quoted(token)): expected a value, a name or a function call")
        }
    }

    /// A duration literal (`10s`, `5m`, digits and one unit) in nanoseconds, checked exactly:
    /// `99999999999h` is out of range, not rounded.
    private func duration(_ token: Token) throws(TICKDiagnostic) -> Int64 {
        let digits = token.text.prefix { $0.isASCII && $0.isNumber }
        let unit = token.text.dropFirst(digits.count)
        let scale: Int64? = switch unit {
        case "u", "µ": 1_000
        case "ms": 1_000_000
        case "s": 1_000_000_000
        case "m": 60_000_000_000
        case "h": 3_600_000_000_000
        case "d": 86_400_000_000_000
        case "w": 604_800_000_000_000
        default: nil
        }
        guard let scale else { throw error("invalid duration \(token.text)", at: token) }
        let range = "durations are at most 9223372036854775807ns (about 292 years: 2562047h, 106751d or 15250w)"
        guard let n = Int64(digits) else { throw error("duration \(token.text) is out of range: \(range)", at: token) }
        let (ns, overflow) = n.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw error("duration \(token.text) is out of range: \(range)", at: token) }
        return ns
    }

    /// One `|name()`, `.name(…)`, `.name` or `@name()` link, with its arguments' depth.
    private mutating func chainLink(_ op: ChainOperator) throws(TICKDiagnostic) -> (ChainLink, Int) {
        let opToken = next()
        guard peek.kind == .identifier else {
            let what = switch op {
            case .pipe: "a chaining method name after |, e.g. |window()"
            case .dot: "a property name after ., e.g. .period(10s)"
            case .at: "a UDF name after @, e.g. @movingAvg()"
            }
            throw error("expected \(what), got \(quoted(peek))")
        }
        let name = next()
        if peek.is(.punctuation, "(") {
            let (call, depth) = try arguments(for: name)
            return (ChainLink(op, call), depth)
        }
        guard op == .dot else {
            throw error("expected ( after \(opToken.text)\(name.text): chaining methods and UDFs are called, e.g. \(opToken.text)\(name.text)()")
        }
        return (ChainLink(.dot, Call(name: name.text, arguments: [], hasParentheses: false, position: name.position)), 0)
    }

    /// `name(arguments…)`, with the deepest argument's depth (0 without arguments).
    private mutating func arguments(for name: Token) throws(TICKDiagnostic) -> (Call, Int) {
        let open = next()  // (
        var arguments: [Expression] = []
        var depth = 0
        while !peek.is(.punctuation, ")") {
            let argument = try nestedExpression()
            arguments.append(argument.expression)
            depth = max(depth, argument.depth)
            if peek.is(.punctuation, ",") {
                next()
                continue
            }
            guard peek.is(.punctuation, ")") else {
                throw error("expected , or ) in the arguments of \(name.text)( opened at \(open.position), got \(quoted(peek))")
            }
        }
        next()
        return (Call(name: name.text, arguments: arguments, hasParentheses: true, position: name.position), depth)
    }
}
