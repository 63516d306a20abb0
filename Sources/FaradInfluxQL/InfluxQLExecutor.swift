import FaradCore

/// Runs InfluxQL statements over a storage and answers as InfluxDB 1.x does: a result per
/// statement, in order; a statement that fails has its error in its result and the statements
/// after it are not run.
public struct InfluxQLExecutor: Sendable {
    public var storage: any InfluxStorage
    public var limits: InfluxQLLimits

    public init(storage: any InfluxStorage, limits: InfluxQLLimits = InfluxQLLimits()) {
        self.storage = storage
        self.limits = limits
    }

    /// The results of `query`'s statements; `database` and `retentionPolicy` are the request's
    /// `db` and `rp`, `now` the time `now()` is (nanoseconds).
    public func execute(_ query: InfluxQLQuery, database: String?, retentionPolicy: String?, now: Int64) -> [InfluxQLStatementResult] {
        var results: [InfluxQLStatementResult] = []
        for (i, statement) in query.statements.enumerated() {
            do {
                let series = try execute(statement, database: database, retentionPolicy: retentionPolicy, now: now)
                results.append(InfluxQLStatementResult(statementID: i, series: series))
            } catch {
                results.append(InfluxQLStatementResult(statementID: i, error: error.message))
                break
            }
        }
        return results
    }

    /// The series one statement answers.
    public func execute(_ statement: InfluxQLStatement, database: String?, retentionPolicy: String?, now: Int64) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        switch statement {
        case .select(let select):
            return try InfluxQLSelectRunner(storage: storage, now: now, limits: limits).run(select, database: database, retentionPolicy: retentionPolicy)
        case .showDatabases:
            let names = try storage.databases()
            return [InfluxQLResultSeries(name: "databases", columns: ["name"], values: names.map { [.value(.string($0))] })]
        case .showRetentionPolicies(let db):
            let name = try InfluxQLSources.database(db, request: database)
            guard let policies = try storage.retentionPolicies(database: name) else {
                throw InfluxQLQueryError(.notFound, "database not found: \(name)")
            }
            let rows: [[InfluxQLCell]] = policies.map {
                [.value(.string($0.name)), .value(.string(InfluxQLTime.goDuration($0.duration))),
                 .value(.string(InfluxQLTime.goDuration($0.shardGroupDuration))), .value(.integer(Int64($0.replicaN))), .value(.boolean($0.isDefault))]
            }
            return [InfluxQLResultSeries(name: nil, columns: ["name", "duration", "shardGroupDuration", "replicaN", "default"], values: rows)]
        case .showMeasurements(let db, let filter, let condition, let limit, let offset):
            return try InfluxQLShow(storage: storage, now: now).measurements(database: try InfluxQLSources.database(db, request: database), filter: filter, condition: condition, limit: limit, offset: offset)
        case .showTagKeys(let db, let sources, let condition, let limit, let offset):
            return try InfluxQLShow(storage: storage, now: now).tagKeys(database: try InfluxQLSources.database(db, request: database), retentionPolicy: retentionPolicy, sources: sources, condition: condition, limit: limit, offset: offset)
        case .showTagValues(let db, let sources, let key, let condition, let limit, let offset):
            return try InfluxQLShow(storage: storage, now: now).tagValues(database: try InfluxQLSources.database(db, request: database), retentionPolicy: retentionPolicy, sources: sources, key: key, condition: condition, limit: limit, offset: offset)
        case .showFieldKeys(let db, let sources):
            return try InfluxQLShow(storage: storage, now: now).fieldKeys(database: try InfluxQLSources.database(db, request: database), retentionPolicy: retentionPolicy, sources: sources)
        case .showSeries(let db, let sources, let condition, let limit, let offset):
            return try InfluxQLShow(storage: storage, now: now).series(database: try InfluxQLSources.database(db, request: database), retentionPolicy: retentionPolicy, sources: sources, condition: condition, limit: limit, offset: offset)
        case .createDatabase(let name, let retention):
            let policy = retention.map {
                InfluxRetentionPolicy(name: $0.name ?? "autogen", duration: $0.duration ?? 0, shardGroupDuration: $0.shardDuration ?? 168 * 3_600_000_000_000, replicaN: $0.replication ?? 1, isDefault: true)
            }
            if let policy, policy.duration != 0 {
                throw InfluxQLQueryError(.unsupported, "retention policy durations are not supported by Farad yet (use INF)")
            }
            try storage.createDatabase(name, retention: policy)
            return []
        case .dropDatabase(let name):
            try storage.dropDatabase(name)
            return []
        case .dropMeasurement(let name):
            let db = try InfluxQLSources.database(nil, request: database)
            guard try storage.retentionPolicies(database: db) != nil else { throw InfluxQLQueryError(.notFound, "database not found: \(db)") }
            try storage.dropMeasurement(name, database: db)
            return []
        case .dropSeries:
            throw InfluxQLQueryError(.unsupported, "DROP SERIES is not supported by Farad yet")
        case .delete:
            throw InfluxQLQueryError(.unsupported, "DELETE is not supported by Farad yet")
        case .createRetentionPolicy, .alterRetentionPolicy, .dropRetentionPolicy:
            throw InfluxQLQueryError(.unsupported, "retention policy statements are not supported by Farad yet")
        }
    }

    /// Whether `statement` changes the storage (InfluxDB warns when such a statement comes in a GET).
    public static func isWrite(_ statement: InfluxQLStatement) -> Bool {
        switch statement {
        case .select, .showDatabases, .showMeasurements, .showTagKeys, .showTagValues, .showFieldKeys, .showSeries, .showRetentionPolicies: false
        default: true
        }
    }
}
