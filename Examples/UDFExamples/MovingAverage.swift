import KapacitorUDF

/// The moving average of a field over the last `size` points of each group (`udf-moving-avg`),
/// as Kapacitor's `moving_avg` example computes it.
///
/// Options: `field` STRING (required), `size` INT (required, > 0), `as` STRING (default `avg`).
/// For every input point carrying the field (a float, or an integer read as a float) it emits a
/// copy of the point whose float fields are `{as: average}`; integer and string fields are
/// dropped, boolean fields kept. Points without the field are skipped (Kapacitor's example
/// averaged in a 0). Windows are per group and survive a restart through snapshot/restore.
public struct MovingAverage: StatefulUDFHandler {
    public static let info = UDFInfo(
        wants: .stream, provides: .stream,
        options: ["field": [.string], "size": [.int], "as": [.string]])

    /// One group's window: the last `size` values in a ring, and their sum.
    public struct Window: Codable, Sendable, Equatable {
        public var values: [Double] = []
        public var next = 0
        public var sum = 0.0
        /// Updates since the sum was last recomputed exactly (bounds floating-point drift).
        var updates = 0

        public init() {}

        /// Adds `value` and returns the average of the window of the last `size` values.
        public mutating func add(_ value: Double, size: Int) -> Double {
            if values.count < size {
                values.append(value)
                sum += value
            } else {
                sum += value - values[next]
                values[next] = value
                next = (next + 1) % size
            }
            updates += 1
            if updates >= size {
                sum = values.reduce(0, +)
                updates = 0
            }
            return sum / Double(values.count)
        }
    }

    public struct State: Codable, Sendable, Equatable {
        public var windows: [String: Window] = [:]
    }

    public let field: String
    public let size: Int
    public let outputField: String
    public var state = State()

    public init(options: UDFOptions) throws {
        var problems: [String] = []
        let field = options.string("field") ?? ""
        if field.isEmpty { problems.append("must supply field") }
        let size = options.int("size") ?? 0
        if size <= 0 { problems.append(options.isSet("size") ? "window size must be > 0, got \(size)" : "must supply window size") }
        let outputField = options.string("as") ?? "avg"
        if outputField.isEmpty { problems.append("invalid as name provided") }
        guard problems.isEmpty else { throw UDFError(.invalidOptions, problems.joined(separator: "; ")) }
        self.field = field
        self.size = Int(size)
        self.outputField = outputField
    }

    public mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
        guard let value = point.double(field) ?? point.int(field).map(Double.init) else { return }
        let average = state.windows[point.group, default: Window()].add(value, size: size)
        var out = point
        out.fieldsDouble = [outputField: average]
        out.fieldsInt = [:]
        out.fieldsString = [:]
        try await emitter.emit(out)
    }
}
