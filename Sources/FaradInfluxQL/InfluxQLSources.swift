import FaradCore

/// `FROM` sources resolved to the measurements they name.
enum InfluxQLSources {
    /// The database a statement reads: its own, else the request's (InfluxDB's texts when none).
    static func database(_ named: String?, request: String?) throws(InfluxQLQueryError) -> String {
        guard let db = named ?? request, !db.isEmpty else { throw InfluxQLQueryError(.invalid, "database name required") }
        return db
    }

    /// The retention policy `named` (else the request's, else the database's default) of `database`.
    static func retentionPolicy(_ named: String?, request: String?, database: String, storage: any InfluxStorage) throws(InfluxQLQueryError) -> String {
        guard let policies = try storage.retentionPolicies(database: database) else {
            throw InfluxQLQueryError(.notFound, "database not found: \(database)")
        }
        if let rp = named ?? request, !rp.isEmpty {
            guard policies.contains(where: { $0.name == rp }) else {
                throw InfluxQLQueryError(.notFound, "retention policy not found: \(rp)")
            }
            return rp
        }
        return policies.first(where: \.isDefault)?.name ?? "autogen"
    }

    /// The measurements `sources` name, in name order, without repeats.
    static func resolve(_ sources: [InfluxQLSource], storage: any InfluxStorage, database: String?, retentionPolicy: String?) throws(InfluxQLQueryError) -> [InfluxMeasurementRef] {
        var refs: [InfluxMeasurementRef] = []
        for source in sources {
            switch source {
            case .subquery:
                throw InfluxQLQueryError(.unsupported, "subqueries are not supported by Farad yet")
            case .measurement(let db, let rp, let name, let regex):
                let database = try Self.database(db, request: database)
                let policy = try Self.retentionPolicy(rp, request: db == nil ? retentionPolicy : nil, database: database, storage: storage)
                if let name {
                    refs.append(InfluxMeasurementRef(database: database, retentionPolicy: policy, name: name))
                } else if let regex {
                    let re: LinearRegex
                    do { re = try LinearRegex(regex) } catch { throw InfluxQLQueryError(.invalid, "error parsing regexp: \(error)") }
                    for m in try storage.measurements(database: database, retentionPolicy: policy) where re.firstMatch(in: m) {
                        refs.append(InfluxMeasurementRef(database: database, retentionPolicy: policy, name: m))
                    }
                }
            }
        }
        var seen = Set<InfluxMeasurementRef>()
        return refs.filter { seen.insert($0).inserted }.sorted { ($0.name, $0.database, $0.retentionPolicy) < ($1.name, $1.database, $1.retentionPolicy) }
    }
}
