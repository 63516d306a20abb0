import KapacitorUDF

/// Tukey-fence outliers of each batch (`udf-outliers`), batch → batch.
///
/// Options: `field` STRING (required), `scale` DOUBLE (default 1.5, must be ≥ 1.0).
///
/// For each batch it emits a batch holding only the outlier points, unmodified: those below
/// `Q1 − scale·IQR` then those above `Q3 + scale·IQR`, each in ascending order of the field.
/// Quartiles follow the median method of Kapacitor's outliers README: the medians of the lower
/// and upper halves, neither half containing the overall median. Batches of any size work,
/// including 0, 1 and 2 points (Kapacitor's Go and Python examples crash on small batches, and
/// their off-by-one medians also flag points the documented method does not).
public struct Outliers: UDFHandler {
    public static let info = UDFInfo(wants: .batch, provides: .batch, options: ["field": [.string], "scale": [.double]])

    public let field: String
    public let scale: Double
    private var begin: BeginBatch?
    private var entries: [(value: Double, point: UDFPoint)] = []

    public init(options: UDFOptions) throws {
        var problems: [String] = []
        let field = options.string("field") ?? ""
        if field.isEmpty { problems.append("must supply field name") }
        let scale = options.double("scale") ?? 1.5
        if !(scale >= 1.0) { problems.append("invalid scale must be >= 1.0, got \(scale)") }
        guard problems.isEmpty else { throw UDFError(.invalidOptions, problems.joined(separator: "; ")) }
        self.field = field
        self.scale = scale
    }

    public mutating func beginBatch(_ begin: BeginBatch, emitter: Emitter) async throws {
        self.begin = begin
        entries.removeAll(keepingCapacity: true)
    }

    public mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
        guard let value = point.double(field) ?? point.int(field).map(Double.init), !value.isNaN else { return }
        entries.append((value, point))
    }

    public mutating func endBatch(_ end: EndBatch, emitter: Emitter) async throws {
        let outliers = Self.outliers(entries, scale: scale)
        try await emitter.emitBatch(begin ?? BeginBatch(name: end.name, group: end.group, tags: end.tags), points: outliers, end: end)
        begin = nil
        entries.removeAll(keepingCapacity: true)
    }

    /// The outlier points of `entries`: low ones, then high ones, ascending by value.
    public static func outliers(_ entries: [(value: Double, point: UDFPoint)], scale: Double) -> [UDFPoint] {
        guard let (q1, q3) = quartiles(entries.map(\.value).sorted()) else { return [] }
        let iqr = q3 - q1
        let lower = q1 - iqr * scale
        let upper = q3 + iqr * scale
        // Stable sort: equal values keep their input order.
        let sorted = entries.enumerated().sorted { ($0.element.value, $0.offset) < ($1.element.value, $1.offset) }
        return sorted.filter { $0.element.value < lower }.map(\.element.point)
            + sorted.filter { $0.element.value > upper }.map(\.element.point)
    }

    /// First and third quartiles by the median method; `nil` for no values.
    public static func quartiles(_ sorted: [Double]) -> (Double, Double)? {
        let n = sorted.count
        guard n > 0 else { return nil }
        if n == 1 { return (sorted[0], sorted[0]) }
        let lowerHalf = sorted[..<(n / 2)]
        let upperHalf = sorted[((n + 1) / 2)...]
        return (median(lowerHalf), median(upperHalf))
    }

    static func median(_ values: ArraySlice<Double>) -> Double {
        let mid = values.startIndex + values.count / 2
        return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
    }
}
