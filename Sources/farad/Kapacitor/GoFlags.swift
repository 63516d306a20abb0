/// Command-line flags parsed as Go's `flag` package parses them, for the `kapacitord` and
/// `kapacitor` names: `-name value`, `-name=value`, `--name` alike; a bool flag alone means true
/// (`-skipVerify`, `-skipVerify=false`); parsing stops at the first argument that is not a flag,
/// or after `--`. Errors carry Go's texts and its exit status 2.
struct GoFlags {
    /// The flags a command knows: name → takes a value (`false`: a bool flag).
    let known: [(name: String, takesValue: Bool, usage: String)]
    /// The command's one-line usage, printed with the flags on an error or `-h`.
    let usage: String

    /// Flag values by name (bools as `"true"`/`"false"`; a repeated flag keeps every value) and
    /// the arguments after the flags.
    struct Parsed {
        var values: [String: [String]] = [:]
        var rest: [String] = []

        func last(_ name: String) -> String? { values[name]?.last }
        func bool(_ name: String) -> Bool { values[name]?.last == "true" }
    }

    /// A parse failure: the message, and whether it was a request for help (exit 0).
    struct Failure: Error {
        var message: String
        var isHelp: Bool
    }

    func parse(_ arguments: [String]) throws(Failure) -> Parsed {
        var parsed = Parsed()
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            guard arg.count > 1, arg.hasPrefix("-") else { break }
            if arg == "--" {
                i += 1
                break
            }
            var body = arg.dropFirst(arg.hasPrefix("--") ? 2 : 1)
            guard let first = body.first, first != "-", first != "=" else {
                throw Failure(message: "bad flag syntax: \(arg)", isHelp: false)
            }
            var inlineValue: String?
            if let eq = body.firstIndex(of: "=") {
                inlineValue = String(body[body.index(after: eq)...])
                body = body[..<eq]
            }
            let name = String(body)
            guard let flag = known.first(where: { $0.name == name }) else {
                if name == "h" || name == "help" { throw Failure(message: "", isHelp: true) }
                throw Failure(message: "flag provided but not defined: -\(name)", isHelp: false)
            }
            i += 1
            if flag.takesValue {
                if let inlineValue {
                    parsed.values[name, default: []].append(inlineValue)
                } else {
                    guard i < arguments.count else { throw Failure(message: "flag needs an argument: -\(name)", isHelp: false) }
                    parsed.values[name, default: []].append(arguments[i])
                    i += 1
                }
            } else {
                let value = inlineValue ?? "true"
                guard let b = Self.parseBool(value) else {
                    throw Failure(message: "invalid boolean value \(value.debugDescription) for -\(name): parse error", isHelp: false)
                }
                parsed.values[name, default: []].append(b ? "true" : "false")
            }
        }
        parsed.rest = Array(arguments[i...])
        return parsed
    }

    /// Go's `strconv.ParseBool`.
    static func parseBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "true", "TRUE", "True": true
        case "0", "f", "F", "false", "FALSE", "False": false
        default: nil
        }
    }

    /// The usage line and each flag as Go's `PrintDefaults` lays them out.
    var help: String {
        var s = usage + "\n"
        for flag in known {
            s += "  -\(flag.name)" + (flag.takesValue ? " string" : "") + "\n    \t\(flag.usage)\n"
        }
        return s
    }
}
