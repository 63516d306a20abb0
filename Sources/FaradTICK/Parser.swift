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

    /// Parses a whole script.
    /// - Throws: ``TICKDiagnostic`` for the first syntax error.
    public static func parse(_ source: String) throws(TICKDiagnostic) -> Program {
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

    /// An argument, a variable's value or a statement: a lambda, a list or an operator expression.
    private mutating func expression() throws(TICKDiagnostic) -> Expression {
        if peek.is(.keyword, "lambda") {
            let start = next()
            _ = try expect(.punctuation, ":", "after lambda")
            return .lambda(try binary(0), start.position)
        }
        return try binary(0)
    }

    private mutating func binary(_ minimum: Int) throws(TICKDiagnostic) -> Expression {
        var left = try unary()
        while true {
            guard let op = binaryOperator(peek), op.precedence >= minimum else {
                if peek.kind == .identifier, ["and", "or"].contains(peek.text.lowercased()) {
                    throw error("unexpected \(peek.text): logical operators are upper case (AND, OR)")
                }
                return left
            }
            let opToken = next()
            let right = try binary(op.precedence + 1)
            left = .binary(op, left, right, opToken.position)
        }
    }

    private func binaryOperator(_ token: Token) -> BinaryOperator? {
        switch token.kind {
        case .operator where token.text != "!": BinaryOperator(rawValue: token.text)
        case .keyword where token.text == "AND" || token.text == "OR": BinaryOperator(rawValue: token.text)
        default: nil
        }
    }

    private mutating func unary() throws(TICKDiagnostic) -> Expression {
        if peek.is(.operator, "-") || peek.is(.operator, "!") {
            let op = next()
            return .unary(op.text == "-" ? .negate : .not, try unary(), op.position)
        }
        return try primary()
    }

    private mutating func primary() throws(TICKDiagnostic) -> Expression {
        let token = peek
        switch token.kind {
        case .identifier where token.text == "lambda":
            throw error("expected : after lambda, e.g. lambda: \"usage_idle\" < 10.0", at: token)
        case .identifier:
            next()
            var base: Expression
            if peek.is(.punctuation, "(") {
                base = .call(try arguments(for: token))
            } else {
                base = .identifier(token.text, token.position)
            }
            while peek.kind == .punctuation, let op = ChainOperator(rawValue: peek.text) {
                base = try chainLink(on: base, op)
            }
            return base
        case .string:
            next()
            return .string(token.value, token.position)
        case .reference:
            next()
            return .reference(token.value, token.position)
        case .integer:
            next()
            let radix = token.text.count > 1 && token.text.hasPrefix("0") ? 8 : 10
            guard let v = Int64(token.text, radix: radix) else { throw error("integer \(token.text) is out of range", at: token) }
            return .integer(v, token.position)
        case .float:
            next()
            return .float(Double(token.text) ?? 0, token.position)
        case .duration:
            next()
            guard let ns = DurationText.parse(token.text) else { throw error("invalid duration \(token.text)", at: token) }
            return .duration(ns, text: token.text, token.position)
        case .regex:
            next()
            return .regex(token.value, token.position)
        case .keyword where token.text == "TRUE" || token.text == "FALSE":
            next()
            return .boolean(token.text == "TRUE", token.position)
        case .operator where token.text == "*":
            next()
            return .star(token.position)
        case .punctuation where token.text == "(":
            next()
            let inner = try expression()
            _ = try expect(.punctuation, ")", "to close the parenthesis opened at \(token.position)")
            return inner
        case .punctuation where token.text == "[":
            next()
            var items: [Expression] = []
            while !peek.is(.punctuation, "]") {
                items.append(try expression())
                if peek.is(.punctuation, ",") { next() } else { break }
            }
            _ = try expect(.punctuation, "]", "to close the list opened at \(token.position)")
            return .list(items, token.position)
        case .keyword where token.text == "lambda":
            return try expression()
        case .endOfInput:
            throw error("unexpected end of input: an expression is missing")
        default:
            throw error("unexpected \(quoted(token)): expected a value, a name or a function call")
        }
    }

    private mutating func chainLink(on receiver: Expression, _ op: ChainOperator) throws(TICKDiagnostic) -> Expression {
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
            return .chain(receiver: receiver, op, try arguments(for: name))
        }
        guard op == .dot else {
            throw error("expected ( after \(opToken.text)\(name.text): chaining methods and UDFs are called, e.g. \(opToken.text)\(name.text)()")
        }
        return .chain(receiver: receiver, .dot, Call(name: name.text, arguments: [], hasParentheses: false, position: name.position))
    }

    private mutating func arguments(for name: Token) throws(TICKDiagnostic) -> Call {
        let open = next()  // (
        var arguments: [Expression] = []
        while !peek.is(.punctuation, ")") {
            arguments.append(try expression())
            if peek.is(.punctuation, ",") {
                next()
                continue
            }
            guard peek.is(.punctuation, ")") else {
                throw error("expected , or ) in the arguments of \(name.text)( opened at \(open.position), got \(quoted(peek))")
            }
        }
        next()
        return Call(name: name.text, arguments: arguments, hasParentheses: true, position: name.position)
    }
}
