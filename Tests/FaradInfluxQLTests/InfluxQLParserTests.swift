import FaradInfluxQL
import Testing

/// The parser against InfluxDB 1.x's statements and error texts (its `parser_test.go` cases).
@Suite struct InfluxQLParserTests {
    static func one(_ text: String) throws -> InfluxQLStatement {
        let q = try InfluxQLParser.parse(text)
        try #require(q.statements.count == 1)
        return q.statements[0]
    }

    static func select(_ text: String) throws -> InfluxQLSelect {
        guard case .select(let s) = try one(text) else { throw InfluxQLError(.syntax, "not a select", at: .init(line: 0, char: 0)) }
        return s
    }

    @Test func aGrafanaSelect() throws {
        let s = try Self.select(#"SELECT mean("value") AS m FROM "telegraf"."autogen"."cpu" WHERE "host" =~ /^web/ AND time >= now() - 6h GROUP BY time(1m, 30s), "host" fill(previous) ORDER BY time DESC LIMIT 10 OFFSET 2 SLIMIT 3 SOFFSET 1 tz('Europe/Paris')"#)
        #expect(s.fields == [.init(expr: .call("mean", [.reference("value", type: nil)]), alias: "m")])
        #expect(s.sources == [.measurement(database: "telegraf", retentionPolicy: "autogen", name: "cpu", regex: nil)])
        #expect(s.condition == .binary(.and, .binary(.matches, .reference("host", type: nil), .regex("^web")),
                                       .binary(.greaterOrEqual, .reference("time", type: nil), .binary(.subtract, .call("now", []), .duration(21_600_000_000_000)))))
        #expect(s.dimensions == [.call("time", [.duration(60_000_000_000), .duration(30_000_000_000)]), .reference("host", type: nil)])
        #expect(s.fill == .previous)
        #expect(s.descending && s.limit == 10 && s.offset == 2 && s.seriesLimit == 3 && s.seriesOffset == 1 && s.timeZone == "Europe/Paris")
    }

    @Test func precedenceCastsWildcardsRegexSourcesAndSubqueries() throws {
        let s = try Self.select("SELECT a + b * 2 - -1, *::field, count(*), count(DISTINCT v), v::integer FROM db..m, /^cpu/, (SELECT x FROM y) GROUP BY *, /^h/ fill(-1.5)")
        #expect(s.fields.map(\.expr) == [
            .binary(.subtract, .binary(.add, .reference("a", type: nil), .binary(.multiply, .reference("b", type: nil), .integer(2))), .integer(-1)),
            .wildcard(type: .field), .call("count", [.wildcard(type: nil)]), .call("count", [.call("distinct", [.reference("v", type: nil)])]),
            .reference("v", type: .integer),
        ])
        #expect(s.sources.count == 3)
        #expect(s.sources[0] == .measurement(database: "db", retentionPolicy: nil, name: "m", regex: nil))
        #expect(s.sources[1] == .measurement(database: nil, retentionPolicy: nil, name: nil, regex: "^cpu"))
        guard case .subquery(let inner) = s.sources[2] else { Issue.record("no subquery"); return }
        #expect(inner.fields == [.init(expr: .reference("x", type: nil), alias: nil)])
        #expect(s.dimensions == [.wildcard(type: nil), .regex("^h")])
        #expect(s.fill == .number(-1.5))
        #expect(try Self.select("SELECT v FROM m WHERE a = 1 OR b = 2 AND c = 3").condition
            == .binary(.or, .binary(.equal, .reference("a", type: nil), .integer(1)), .binary(.and, .binary(.equal, .reference("b", type: nil), .integer(2)), .binary(.equal, .reference("c", type: nil), .integer(3)))))
    }

    @Test func showCreateDropAndDelete() throws {
        #expect(try Self.one("SHOW DATABASES") == .showDatabases)
        #expect(try Self.one("SHOW MEASUREMENTS ON db WITH MEASUREMENT =~ /cpu.*/ LIMIT 5")
            == .showMeasurements(database: "db", measurement: .regex("cpu.*", negated: false), condition: nil, limit: 5, offset: nil))
        #expect(try Self.one(#"SHOW TAG VALUES FROM cpu WITH KEY IN ("host", "region") WHERE "dc" = 'a'"#)
            == .showTagValues(database: nil, sources: [.measurement(database: nil, retentionPolicy: nil, name: "cpu", regex: nil)], key: .list(["host", "region"]),
                              condition: .binary(.equal, .reference("dc", type: nil), .string("a")), limit: nil, offset: nil))
        #expect(try Self.one("SHOW TAG KEYS") == .showTagKeys(database: nil, sources: [], condition: nil, limit: nil, offset: nil))
        #expect(try Self.one("SHOW FIELD KEYS ON db FROM m") == .showFieldKeys(database: "db", sources: [.measurement(database: nil, retentionPolicy: nil, name: "m", regex: nil)]))
        #expect(try Self.one("SHOW RETENTION POLICIES ON db") == .showRetentionPolicies(database: "db"))
        #expect(try Self.one("CREATE DATABASE db WITH DURATION 7d NAME week")
            == .createDatabase(name: "db", retention: InfluxQLRetention(duration: 604_800_000_000_000, replication: nil, shardDuration: nil, name: "week")))
        #expect(try Self.one("CREATE RETENTION POLICY rp ON db DURATION INF REPLICATION 1 DEFAULT")
            == .createRetentionPolicy(name: "rp", database: "db", InfluxQLRetention(duration: 0, replication: 1, shardDuration: nil, name: nil), isDefault: true))
        #expect(try Self.one("DROP SERIES FROM cpu WHERE host = 'a'")
            == .dropSeries(sources: [.measurement(database: nil, retentionPolicy: nil, name: "cpu", regex: nil)], condition: .binary(.equal, .reference("host", type: nil), .string("a"))))
        #expect(try Self.one("DELETE WHERE time < '2020-01-01'") == .delete(sources: [], condition: .binary(.less, .reference("time", type: nil), .string("2020-01-01"))))
        #expect(try InfluxQLParser.parse("SELECT a FROM b; SELECT c FROM d;").statements.count == 2)
        #expect(try InfluxQLParser.parse("").statements.isEmpty)
    }

    @Test(arguments: [
        ("SELECT", "found EOF, expected identifier, string, number, bool at line 1, char 8"),
        ("SELECT a", "found EOF, expected FROM at line 1, char 10"),
        ("SELECT * FROM", "found EOF, expected identifier at line 1, char 15"),
        ("SELECT field1 X", "found X, expected FROM at line 1, char 15"),
        ("CREATE DATABASE foo CREATE DATABASE bar", "found CREATE, expected ; at line 1, char 21"),
        ("FOO", "found FOO, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1"),
        ("SELECT a FROM b ORDER BY value", "only ORDER BY time supported at this time"),
        ("SELECT a FROM b LIMIT x", "found x, expected integer at line 1, char 23"),
        ("SHOW FOO", "found FOO, expected CONTINUOUS, DATABASES, DIAGNOSTICS, FIELD, GRANTS, MEASUREMENT, MEASUREMENTS, QUERIES, RETENTION, SERIES, SHARD, SHARDS, STATS, SUBSCRIPTIONS, TAG, USERS at line 1, char 6"),
        ("SHOW USERS", "SHOW USERS is not supported by Farad at line 1, char 6"),
        ("SELECT a INTO b FROM c", "SELECT … INTO is not supported by Farad at line 1, char 15"),
        ("CREATE RETENTION POLICY rp ON db REPLICATION 1", "found REPLICATION, expected DURATION at line 1, char 34"),
    ])
    func errorsAreInfluxDBs(text: String, message: String) {
        do {
            _ = try InfluxQLParser.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func nestingIsBounded() {
        let deep = "SELECT " + String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000) + " FROM m"
        #expect(throws: InfluxQLError.self) { _ = try InfluxQLParser.parse(deep) }
        let sub = "SELECT a FROM " + String(repeating: "(SELECT a FROM ", count: 200) + "m" + String(repeating: ")", count: 200)
        #expect(throws: InfluxQLError.self) { _ = try InfluxQLParser.parse(sub) }
        // A chain of operators nests one level per operator (`a + a + …` is left-deep): a long
        // one is refused before its tree could outgrow the stack of whatever walks it.
        let chain = "SELECT a" + String(repeating: " + a", count: 200_000) + " FROM m"
        #expect(throws: InfluxQLError.self) { _ = try InfluxQLParser.parse(chain) }
        let longest = "SELECT a" + String(repeating: " + a", count: InfluxQLParser.maximumOperators) + " FROM m"
        #expect(throws: Never.self) { _ = try InfluxQLParser.parse(longest) }
        let ors = "SELECT a FROM m WHERE " + (0..<500).map { "host = 'h\($0)'" }.joined(separator: " OR ")
        #expect(throws: Never.self) { _ = try InfluxQLParser.parse(ors) }
    }
}
