import FaradCore

/// The `SHOW` statements over measurements, tags, fields and series, answered from the
/// storage's index (no point is read). A `WHERE` is a condition on tags, decided per series.
struct InfluxQLShow {
    let storage: any InfluxStorage
    let now: Int64

    /// The measurements `sources` name in `database` (all without sources), each with the
    /// retention policies that hold it, by name.
    private func measurements(database: String, sources: [InfluxQLSource]) throws(InfluxQLQueryError) -> [(name: String, refs: [InfluxMeasurementRef])] {
        guard let policies = try storage.retentionPolicies(database: database) else {
            throw InfluxQLQueryError(.notFound, "database not found: \(database)")
        }
        var byName: [String: [InfluxMeasurementRef]] = [:]
        if sources.isEmpty {
            for p in policies {
                for m in try storage.measurements(database: database, retentionPolicy: p.name) {
                    byName[m, default: []].append(InfluxMeasurementRef(database: database, retentionPolicy: p.name, name: m))
                }
            }
        } else {
            for ref in try InfluxQLSources.resolve(sources, storage: storage, database: database, retentionPolicy: nil) {
                byName[ref.name, default: []].append(ref)
            }
        }
        return byName.map { ($0.key, $0.value) }.sorted { $0.name < $1.name }
    }

    /// The series of `refs` whose tags pass `condition`.
    private func series(_ refs: [InfluxMeasurementRef], condition: InfluxQLExpr?) throws(InfluxQLQueryError) -> [InfluxSeries] {
        let split = try InfluxQLCondition(condition, now: now) { _ in false }
        var evaluator = InfluxQLEvaluator()
        if let f = split.filter { try evaluator.prepare(f) }
        var out: [InfluxSeries] = []
        for ref in refs {
            for s in try storage.series(of: ref, tagsEqual: split.tagsEqual) {
                if let f = split.filter, !evaluator.isTrue(f, { name, type in type == .field ? nil : .string(s.tag(name) ?? "") }) { continue }
                out.append(s)
            }
        }
        return out
    }

    private static func page<T>(_ items: [T], limit: Int?, offset: Int?) -> [T] {
        Array(items.dropFirst(max(0, offset ?? 0)).prefix(limit.map { max(0, $0) } ?? Int.max))
    }

    func measurements(database: String, filter: InfluxQLMeasurementFilter?, condition: InfluxQLExpr?, limit: Int?, offset: Int?) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        // A database that does not exist has no measurements (InfluxDB names no error here).
        guard try storage.retentionPolicies(database: database) != nil else { return [] }
        var names: [String] = []
        let re: LinearRegex?
        var negated = false
        if case .regex(let pattern, let n)? = filter {
            do { re = try LinearRegex(pattern) } catch { throw InfluxQLQueryError(.invalid, "error parsing regexp: \(error)") }
            negated = n
        } else {
            re = nil
        }
        for (name, refs) in try measurements(database: database, sources: []) {
            switch filter {
            case .equal(let n)?: if name != n { continue }
            case .regex?: if re!.firstMatch(in: name) == negated { continue }
            case nil: break
            }
            if condition != nil, try series(refs, condition: condition).isEmpty { continue }
            names.append(name)
        }
        names = Self.page(names, limit: limit, offset: offset)
        guard !names.isEmpty else { return [] }
        return [InfluxQLResultSeries(name: "measurements", columns: ["name"], values: names.map { [.value(.string($0))] })]
    }

    func tagKeys(database: String, retentionPolicy: String?, sources: [InfluxQLSource], condition: InfluxQLExpr?, limit: Int?, offset: Int?) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        var out: [InfluxQLResultSeries] = []
        for (name, refs) in try measurements(database: database, sources: sources) {
            var keys = Set<String>()
            for s in try series(refs, condition: condition) { for t in s.tags { keys.insert(t.key) } }
            let page = Self.page(keys.sorted(), limit: limit, offset: offset)
            if !page.isEmpty { out.append(InfluxQLResultSeries(name: name, columns: ["tagKey"], values: page.map { [.value(.string($0))] })) }
        }
        return out
    }

    func tagValues(database: String, retentionPolicy: String?, sources: [InfluxQLSource], key: InfluxQLTagKeyFilter, condition: InfluxQLExpr?, limit: Int?, offset: Int?) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        let matches: (String) -> Bool
        switch key {
        case .equal(let k): matches = { $0 == k }
        case .notEqual(let k): matches = { $0 != k }
        case .list(let ks): matches = { ks.contains($0) }
        case .regex(let pattern, let negated):
            let re: LinearRegex
            do { re = try LinearRegex(pattern) } catch { throw InfluxQLQueryError(.invalid, "error parsing regexp: \(error)") }
            matches = { re.firstMatch(in: $0) != negated }
        }
        var out: [InfluxQLResultSeries] = []
        for (name, refs) in try measurements(database: database, sources: sources) {
            var sorted: [[String]] = []
            if condition == nil {
                // From the storage's index of tags, no series listed.
                var byKey: [String: [String]] = [:]
                for ref in refs {
                    for k in try storage.tagKeys(of: ref) where matches(k) { byKey[k, default: []] += try storage.tagValues(of: ref, key: k) }
                }
                for k in byKey.keys.sorted() {
                    var values = byKey[k]!
                    if refs.count > 1 { values = Array(Set(values)) }
                    if !values.indices.dropFirst().allSatisfy({ values[$0 - 1] < values[$0] }) { values.sort() }
                    for v in values { sorted.append([k, v]) }
                }
            } else {
                var pairs = Set<[String]>()
                for s in try series(refs, condition: condition) {
                    for t in s.tags where matches(t.key) { pairs.insert([t.key, t.value]) }
                }
                sorted = pairs.sorted { $0.lexicographicallyPrecedes($1) }
            }
            let page = Self.page(sorted, limit: limit, offset: offset)
            if !page.isEmpty {
                out.append(InfluxQLResultSeries(name: name, columns: ["key", "value"], values: page.map { [.value(.string($0[0])), .value(.string($0[1]))] }))
            }
        }
        return out
    }

    func fieldKeys(database: String, retentionPolicy: String?, sources: [InfluxQLSource]) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        var out: [InfluxQLResultSeries] = []
        for (name, refs) in try measurements(database: database, sources: sources) {
            var types: [String: InfluxFieldType] = [:]
            for ref in refs { for (f, t) in try storage.fields(of: ref) where types[f] == nil { types[f] = t } }
            guard !types.isEmpty else { continue }
            let rows: [[InfluxQLCell]] = types.keys.sorted().map { [.value(.string($0)), .value(.string(types[$0]!.rawValue))] }
            out.append(InfluxQLResultSeries(name: name, columns: ["fieldKey", "fieldType"], values: rows))
        }
        return out
    }

    func series(database: String, retentionPolicy: String?, sources: [InfluxQLSource], condition: InfluxQLExpr?, limit: Int?, offset: Int?) throws(InfluxQLQueryError) -> [InfluxQLResultSeries] {
        var keys: [String] = []
        for (name, refs) in try measurements(database: database, sources: sources) {
            var mine = Set<String>()
            for s in try series(refs, condition: condition) { mine.insert(Self.seriesKey(name, s.tags)) }
            keys += mine.sorted()
        }
        keys = Self.page(keys, limit: limit, offset: offset)
        guard !keys.isEmpty else { return [] }
        return [InfluxQLResultSeries(name: nil, columns: ["key"], values: keys.map { [.value(.string($0))] })]
    }

    /// A series key as InfluxDB writes it: `cpu,host=a,region=east`, with line protocol's escapes.
    static func seriesKey(_ measurement: String, _ tags: [(key: String, value: String)]) -> String {
        func escape(_ s: String, _ specials: String) -> String {
            var out = ""
            for c in s.unicodeScalars {
                if specials.unicodeScalars.contains(c) { out.append("\\") }
                out.unicodeScalars.append(c)
            }
            return out
        }
        var key = escape(measurement, ", ")
        for t in tags { key += "," + escape(t.key, ",= ") + "=" + escape(t.value, ",= ") }
        return key
    }
}
