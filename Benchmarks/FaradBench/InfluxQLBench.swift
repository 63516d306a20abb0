import FaradInfluxQL

/// The InfluxQL parser on the query shapes clients send most: Grafana's time-bucketed mean, a
/// raw select, and the SHOW queries its editor issues. "points" are statements here.
func influxQLBenchmark(statements n: Int) throws {
    let queries = [
        #"SELECT mean("usage_user") FROM "telegraf"."autogen"."cpu" WHERE ("host" =~ /^web-[0-9]+$/) AND time >= now() - 6h and time <= now() GROUP BY time(1m), "host" fill(null)"#,
        #"SELECT "value", "status"::tag FROM "db".."sensor" WHERE time > '2026-12-01T00:00:00Z' ORDER BY time DESC LIMIT 100"#,
        #"SHOW TAG VALUES ON "telegraf" FROM "cpu" WITH KEY = "host" WHERE "dc" = 'eu'"#,
    ]
    print("influxql: \(n) statements over \(queries.count) shapes, \(queries.map(\.utf8.count).reduce(0, +) / queries.count) bytes on average\n")
    var sink = 0
    try measure("parse (statements/s)", points: n) {
        for i in 0..<n { sink &+= try InfluxQLParser.parse(queries[i % queries.count]).statements.count }
    }.report()
    if sink == 0 { print("") }
}
