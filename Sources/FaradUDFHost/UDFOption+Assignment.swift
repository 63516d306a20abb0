import FaradCore
import KapacitorUDFWire

extension UDFOption {
    /// Parses `name=value` (or `name=v1,v2,…` for options with several arguments), typing each
    /// value by the UDF's declared types: `size=10` is an INT for an INT option, `1.5` a DOUBLE,
    /// `10s` a DURATION, `true`/`FALSE` a BOOL; a zero-argument option is just `name`.
    /// - Throws: ``UDFHostError`` `invalidConfig` naming the option and what was expected.
    public init(assignment: String, info: UDFInfo, udf: String) throws(UDFHostError) {
        let name: String
        let rawValues: [String]
        if let eq = assignment.firstIndex(of: "=") {
            name = String(assignment[..<eq])
            let rest = String(assignment[assignment.index(after: eq)...])
            rawValues = rest.isEmpty ? [""] : rest.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        } else {
            name = assignment
            rawValues = []
        }
        func fail(_ text: String) -> UDFHostError { UDFHostError(.invalidConfig, udf: udf, text) }
        guard let types = info.options[name] else {
            let known = info.options.keys.sorted().joined(separator: ", ")
            throw fail("unknown option \(name) (options: \(known.isEmpty ? "none" : known))")
        }
        // A single STRING argument takes the whole text, commas included.
        let values = types == [.string] ? (rawValues.isEmpty ? [] : [rawValues.joined(separator: ",")]) : rawValues
        guard values.count == types.count else {
            throw fail("unexpected number of args to \(name), got \(values.count) expected \(types.count)")
        }
        var typed: [OptionValue] = []
        for (text, type) in zip(values, types) {
            switch type {
            case .string: typed.append(.string(text))
            case .int:
                guard let v = Int64(text) else { throw fail("\(name): \(text.debugDescription) is not an INT") }
                typed.append(.int(v))
            case .double:
                guard let v = Double(text) else { throw fail("\(name): \(text.debugDescription) is not a DOUBLE") }
                typed.append(.double(v))
            case .bool:
                switch text.lowercased() {
                case "true": typed.append(.bool(true))
                case "false": typed.append(.bool(false))
                default: throw fail("\(name): \(text.debugDescription) is not a BOOL (true or false)")
                }
            case .duration:
                guard let ns = DurationText.parse(text) else { throw fail("\(name): \(text.debugDescription) is not a DURATION (e.g. 10s)") }
                typed.append(.duration(ns))
            }
        }
        self.init(name: name, values: typed)
    }
}
