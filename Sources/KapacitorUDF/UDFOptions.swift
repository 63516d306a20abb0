import KapacitorUDFWire

/// The options of an `init` request, checked against the UDF's ``UDFInfo`` and typed.
///
/// Accessors return the value of the option's last call, or `nil` if the script never set it:
///
/// ```swift
/// guard let field = options.string("field") else { throw UDFError(.invalidOptions, "must supply field") }
/// let scale = options.double("scale") ?? 1.5
/// ```
public struct UDFOptions: Sendable, Hashable {
    /// The Kapacitor task ID.
    public let taskID: String
    /// The node's name, e.g. `movingAvg2`.
    public let nodeID: String
    /// Every option call, in call order.
    public let all: [UDFOption]

    /// Checks `request` against `info`: every option must be declared, with the declared number
    /// and types of arguments (Kapacitor's rules: no int→double coercion).
    /// - Throws: ``UDFError`` with code `invalidOptions` naming the first bad option.
    public init(_ request: InitRequest, info: UDFInfo) throws(UDFError) {
        for option in request.options {
            guard let types = info.options[option.name] else {
                let known = info.options.keys.sorted().joined(separator: ", ")
                throw UDFError(.invalidOptions, "unknown option \(option.name) (options: \(known.isEmpty ? "none" : known))")
            }
            guard types.count == option.values.count else {
                throw UDFError(.invalidOptions, "unexpected number of args to \(option.name), got \(option.values.count) expected \(types.count)")
            }
            for (value, type) in zip(option.values, types) where value.type != type {
                throw UDFError(.invalidOptions, "unexpected arg to \(option.name), got \(value.type) expected \(type)")
            }
        }
        taskID = request.taskID
        nodeID = request.nodeID
        all = request.options
    }

    /// The arguments of the last call of option `name`.
    public func values(_ name: String) -> [OptionValue]? {
        all.last { $0.name == name }?.values
    }

    /// Whether the script set option `name`.
    public func isSet(_ name: String) -> Bool { values(name) != nil }

    public func string(_ name: String) -> String? {
        if case .string(let v) = values(name)?.first { return v }
        return nil
    }

    public func int(_ name: String) -> Int64? {
        if case .int(let v) = values(name)?.first { return v }
        return nil
    }

    public func double(_ name: String) -> Double? {
        if case .double(let v) = values(name)?.first { return v }
        return nil
    }

    public func bool(_ name: String) -> Bool? {
        if case .bool(let v) = values(name)?.first { return v }
        return nil
    }

    public func duration(_ name: String) -> Duration? {
        if case .duration(let ns) = values(name)?.first { return .nanoseconds(ns) }
        return nil
    }
}
