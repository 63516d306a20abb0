import FaradInfluxQL
import Foundation
import Testing

/// The text a batch task sends InfluxDB: every SELECT renders to text that parses back to the
/// same statement.
@Suite struct InfluxQLFormatterTests {
    /// The differential test's queries, plus statements with the awkward corners of the syntax.
    static let statements: [String] = {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../FaradServerTests/InfluxQLCorpus/queries.txt")
        let lines = (try? String(contentsOf: corpus, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        return lines.filter { $0.uppercased().hasPrefix("SELECT") } + [
            #"SELECT "a b"::field, "with""quote", "tab\there" FROM "db"."rp"."we.ird" WHERE "host" =~ /a\/b/ AND msg = 'it\'s' OR n != -3"#,
            "SELECT count(v) FROM m WHERE (a = 1 OR b = 2) AND c = 3 GROUP BY time(1m, -30s) fill(-1.5)",
            "SELECT (a + b) * c, a - (b - c), a / b / c, -a, 1.5e3 FROM m WHERE time > now() - 1h30m",
            "SELECT percentile(v, 99.9), top(v, host, 3) FROM m GROUP BY * ORDER BY time DESC LIMIT 1 OFFSET 2 SLIMIT 3 SOFFSET 4 tz('Europe/Paris')",
            "SELECT mean(v) FROM (SELECT max(v) AS v FROM m GROUP BY time(1m)) WHERE time >= '2020-01-01T00:00:00Z' GROUP BY time(5m)",
            "SELECT v FROM /^cpu.*/, db../mem/ WHERE NOT_A_KEYWORD = true",
            "SELECT \"select\", \"from\" FROM \"where\"",
        ]
    }()

    @Test func everySelectRendersToItself() throws {
        var failures: [String] = []
        var checked = 0
        for text in Self.statements {
            guard case .select(let s)? = try? InfluxQLParser.parse(text).statements.first else { continue }
            checked += 1
            let rendered = s.description
            guard case .select(let back)? = try? InfluxQLParser.parse(rendered).statements.first else {
                failures.append("\(text)\n  → \(rendered) does not parse")
                continue
            }
            if back.description != rendered || Self.unwrapped(back) != Self.unwrapped(s) {
                failures.append("\(text)\n  → \(rendered)\n  → \(back.description)")
            }
        }
        #expect(checked > 200, "the corpus was read and parsed")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// The statement with its parentheses dropped: rendering may add parentheses the text left
    /// to precedence, and that changes nothing.
    static func unwrapped(_ s: InfluxQLSelect) -> InfluxQLSelect {
        var s = s
        s.fields = s.fields.map { .init(expr: unwrapped($0.expr), alias: $0.alias) }
        s.condition = s.condition.map(unwrapped)
        s.dimensions = s.dimensions.map(unwrapped)
        s.sources = s.sources.map { source in
            if case .subquery(let inner) = source { return .subquery(unwrapped(inner)) }
            return source
        }
        return s
    }

    static func unwrapped(_ e: InfluxQLExpr) -> InfluxQLExpr {
        switch e {
        case .parenthesized(let inner): unwrapped(inner)
        case .binary(let op, let l, let r): .binary(op, unwrapped(l), unwrapped(r))
        case .call(let name, let args): .call(name, args.map(unwrapped))
        default: e
        }
    }
}
