import FaradCore
import FaradSystem
import FaradTICK

/// Reads an alert node's handlers from its properties, in the order written: `.log()`,
/// `.post()`, `.tcp()`, `.exec()` and `.mqtt()` each start a handler, and the properties after
/// one (`.mode()`, `.header()`, `.timeout()`, `.topic()`, `.qos()`, …) belong to it, as in Kapacitor.
enum AlertHandlerSpecs {
    /// Properties that belong to the handler before them.
    static let handlerProperties: [String: Set<String>] = [
        "log": ["mode"],
        "post": ["header", "timeout", "endpoint", "captureResponse", "skipSSLVerification"],
        "tcp": [],
        "exec": [],
        "mqtt": ["topic", "brokerName", "qos", "retained"],
    ]

    private struct Pending {
        var kind: String
        var position: Position
        var arguments: [String]
        var mode: Int32 = 0o600
        var headers: [(name: String, value: String)] = []
        var timeoutSeconds = 30
        var brokerName = ""
        var endpoint = ""
        var qos = 0
        var retained = false
    }

    /// The node's handlers, and the topic of its `.topic()` (empty without one): a `.topic()`
    /// before any handler is the alert's, one after `.mqtt()` the MQTT topic.
    static func read(_ b: inout NodeBuild) throws(TICKDiagnostic) -> (sinks: [any AlertSink], topic: String) {
        var topic = ""
        // Every handler property is known to the node (checked here, in order).
        for name in Set(handlerProperties.keys).union(handlerProperties.values.flatMap { $0 }) { _ = b.props.calls(name) }
        var pending: [Pending] = []
        for p in b.spec.properties {
            if AlertNode.otherHandlers.contains(p.name) {
                throw TICKDiagnostic(at: p.position, "alert .\(p.name)() is not a handler Farad has yet: use .log(), .post(), .tcp() or .exec()")
            }
            if handlerProperties[p.name] != nil {
                var strings: [String] = []
                for a in p.arguments {
                    guard case .string(let s) = a.value else { throw TICKDiagnostic(at: a.position, ".\(p.name)() takes strings, got a \(a.value.typeName)") }
                    strings.append(s)
                }
                pending.append(Pending(kind: p.name, position: p.position, arguments: strings))
                continue
            }
            guard handlerProperties.values.contains(where: { $0.contains(p.name) }) else { continue }
            if p.name == "topic" && pending.isEmpty {
                guard p.arguments.count == 1, case .string(let t) = p.arguments[0].value, TopicHandlerSpec.isValidID(t) else {
                    throw TICKDiagnostic(at: p.position, "alert .topic() takes a topic ID of letters, digits, '-', '.' and '_', e.g. .topic('cpu')")
                }
                topic = t
                continue
            }
            guard let last = pending.indices.last, handlerProperties[pending[last].kind]!.contains(p.name) else {
                if p.name == "topic" {
                    throw TICKDiagnostic(at: p.position, "alert .topic() goes before the node's handlers (after them only an .mqtt() handler has a .topic())")
                }
                throw TICKDiagnostic(at: p.position, ".\(p.name)() belongs to a handler: write it after .\(handlerProperties.first { $0.value.contains(p.name) }!.key)()")
            }
            try apply(p.name, p.arguments, p.position, to: &pending[last])
        }
        var sinks: [any AlertSink] = []
        for h in pending { sinks.append(try sink(h, b.environment)) }
        return (sinks, topic)
    }

    /// The sink of a topic handler: `kind` with Kapacitor's handler-file options — log `path`
    /// `mode`; post `url` `endpoint` `headers`; tcp `address`; exec `prog` `args`; mqtt
    /// `broker-name` `topic` `qos` `retained`.
    static func sink(kind: String, options: JSONValue, environment: TaskEnvironment) throws(TICKDiagnostic) -> any AlertSink {
        let at = Position(line: 1, column: 1, offset: 0)
        guard handlerProperties[kind] != nil else {
            throw TICKDiagnostic(at: at, "unknown handler kind \"\(kind)\": Farad has log, post, tcp, exec and mqtt")
        }
        guard case .object(let members) = options else { throw TICKDiagnostic(at: at, "a handler's options must be an object") }
        let known: [String: Set<String>] = [
            "log": ["path", "mode"], "post": ["url", "endpoint", "headers"], "tcp": ["address"], "exec": ["prog", "args"],
            "mqtt": ["broker-name", "topic", "qos", "retained"],
        ]
        for (key, _) in members where !known[kind]!.contains(key) {
            throw TICKDiagnostic(at: at, "\(kind) handler has no option \"\(key)\": it has \(known[kind]!.sorted().joined(separator: ", "))")
        }
        func string(_ key: String) throws(TICKDiagnostic) -> String? {
            guard let v = options[key] else { return nil }
            guard case .string(let s) = v else { throw TICKDiagnostic(at: at, "\(kind) handler option \(key) must be a string") }
            return s
        }
        func integer(_ key: String) throws(TICKDiagnostic) -> Int64? {
            guard let v = options[key] else { return nil }
            guard case .number(let text) = v, let n = Int64(text) else { throw TICKDiagnostic(at: at, "\(kind) handler option \(key) must be an integer") }
            return n
        }
        var h = Pending(kind: kind, position: at, arguments: [])
        switch kind {
        case "log":
            h.arguments = try string("path").map { [$0] } ?? []
            if let mode = try integer("mode") {
                guard (0...0o7777).contains(mode), mode & 0o200 != 0 else {
                    throw TICKDiagnostic(at: at, "invalid file mode \(String(mode, radix: 8)), must be user writable")
                }
                h.mode = Int32(mode)
            }
        case "post":
            h.arguments = try string("url").map { [$0] } ?? []
            h.endpoint = try string("endpoint") ?? ""
            if let headers = options["headers"] {
                guard case .object(let pairs) = headers else { throw TICKDiagnostic(at: at, "post handler option headers must be an object of strings") }
                for (name, value) in pairs {
                    guard case .string(let v) = value else { throw TICKDiagnostic(at: at, "post handler header \(name) must be a string") }
                    try apply("header", [(.string(name), at), (.string(v), at)], at, to: &h)
                }
            }
        case "tcp":
            h.arguments = try string("address").map { [$0] } ?? []
        case "exec":
            h.arguments = try string("prog").map { [$0] } ?? []
            if let args = options["args"] {
                guard case .array(let items) = args else { throw TICKDiagnostic(at: at, "exec handler option args must be a list of strings") }
                for item in items {
                    guard case .string(let a) = item else { throw TICKDiagnostic(at: at, "exec handler option args must be a list of strings") }
                    h.arguments.append(a)
                }
            }
        default:
            h.arguments = try string("topic").map { [$0] } ?? []
            h.brokerName = try string("broker-name") ?? ""
            if let qos = try integer("qos") {
                guard (0...2).contains(qos) else { throw TICKDiagnostic(at: at, "mqtt handler option qos is 0, 1 or 2") }
                h.qos = Int(qos)
            }
            if let retained = options["retained"] {
                guard case .bool(let r) = retained else { throw TICKDiagnostic(at: at, "mqtt handler option retained must be true or false") }
                h.retained = r
            }
        }
        return try sink(h, environment)
    }

    private static func apply(_ name: String, _ arguments: [(value: ScriptValue, position: Position)], _ position: Position, to h: inout Pending) throws(TICKDiagnostic) {
        switch name {
        case "mode":
            guard arguments.count == 1, case .int(let n) = arguments[0].value, let mode = octal(n) else {
                throw TICKDiagnostic(at: position, ".mode() takes a file mode such as 0644")
            }
            guard mode & 0o200 != 0 else { throw TICKDiagnostic(at: position, "invalid file mode \(String(mode, radix: 8)), must be user writable") }
            h.mode = mode
        case "header":
            guard arguments.count == 2, case .string(let k) = arguments[0].value, case .string(let v) = arguments[1].value else {
                throw TICKDiagnostic(at: position, ".header() takes a name and a value, e.g. .header('X-Source', 'farad')")
            }
            guard !k.isEmpty, !(k + v).contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw TICKDiagnostic(at: position, ".header(): a header name must not be empty and neither may hold a line break")
            }
            guard k.lowercased() != "authenticate" else { throw TICKDiagnostic(at: position, "invalid post: cannot set 'authenticate' header") }
            h.headers.append((k, v))
        case "timeout":
            guard arguments.count == 1, case .duration(let d) = arguments[0].value, d > 0 else {
                throw TICKDiagnostic(at: position, ".timeout() takes a positive duration, e.g. .timeout(10s)")
            }
            h.timeoutSeconds = Int(min(max(d / 1_000_000_000, 1), 3_600))
        case "brokerName":
            guard arguments.count == 1, case .string(let name) = arguments[0].value else { throw TICKDiagnostic(at: position, ".brokerName() takes the name of an [[mqtt]] broker") }
            h.brokerName = name
        case "topic":
            guard arguments.count == 1, case .string(let topic) = arguments[0].value, !topic.isEmpty else { throw TICKDiagnostic(at: position, ".topic() takes an MQTT topic, e.g. .topic('alerts/cpu')") }
            h.arguments = [topic]
        case "qos":
            guard arguments.count == 1, case .int(let q) = arguments[0].value, (0...2).contains(q) else { throw TICKDiagnostic(at: position, ".qos() is 0, 1 or 2") }
            h.qos = Int(q)
        case "retained":
            guard arguments.isEmpty || (arguments.count == 1 && { if case .bool = arguments[0].value { true } else { false } }()) else {
                throw TICKDiagnostic(at: position, ".retained() takes no argument or TRUE/FALSE")
            }
            if case .bool(let r)? = arguments.first?.value { h.retained = r } else { h.retained = true }
        case "endpoint":
            guard arguments.count == 1, case .string(let name) = arguments[0].value, !name.isEmpty else {
                throw TICKDiagnostic(at: position, ".endpoint() takes the name of an [[httppost]] endpoint")
            }
            h.endpoint = name
        default:
            // captureResponse, skipSSLVerification: accepted (no TLS; responses are not logged).
            break
        }
    }

    /// A mode written as octal digits (`0644` reads as 644): its value as octal.
    private static func octal(_ n: Int64) -> Int32? {
        guard n >= 0, n <= 7777, let v = Int32(String(n), radix: 8) else { return nil }
        return v
    }

    private static func sink(_ h: Pending, _ environment: TaskEnvironment) throws(TICKDiagnostic) -> any AlertSink {
        switch h.kind {
        case "mqtt":
            guard h.arguments.count == 1, !h.arguments[0].isEmpty else {
                throw TICKDiagnostic(at: h.position, ".mqtt() takes the topic, e.g. .mqtt('alerts/cpu')")
            }
            guard let broker = environment.mqttBroker(named: h.brokerName) else {
                throw TICKDiagnostic(at: h.position, h.brokerName.isEmpty
                    ? "no default MQTT broker: configure [[mqtt]] (with default = true if there are several) or name one with .brokerName()"
                    : "no [[mqtt]] broker named \(h.brokerName)")
            }
            return MQTTSink(broker: broker, topic: h.arguments[0], qos: h.qos, retained: h.retained)
        case "log":
            guard h.arguments.count == 1 else { throw TICKDiagnostic(at: h.position, ".log() takes the file's path, e.g. .log('/var/log/alerts.log')") }
            let path = h.arguments[0]
            guard path.hasPrefix("/") else {
                throw TICKDiagnostic(at: h.position, "failed to create log alert handler: log path must be absolute: \(path) is not absolute")
            }
            return LogSink(path: path, mode: h.mode)
        case "tcp":
            guard h.arguments.count == 1, let (host, port) = TCPClient.address(h.arguments[0]) else {
                throw TICKDiagnostic(at: h.position, ".tcp() takes host:port, e.g. .tcp('127.0.0.1:7777')")
            }
            return TCPSink(host: host, port: port)
        case "post":
            // Kapacitor: a URL given wins; else the [[httppost]] endpoint, its headers under the handler's.
            if h.arguments.isEmpty && !h.endpoint.isEmpty {
                guard let configured = environment.httpPostEndpoints.first(where: { $0.name == h.endpoint }) else {
                    throw TICKDiagnostic(at: h.position, "no [[httppost]] endpoint named \(h.endpoint) in the config")
                }
                let headers = configured.headers.filter { c in !h.headers.contains { $0.name.lowercased() == c.name.lowercased() } } + h.headers
                return PostSink(endpoint: configured.url, headers: headers, timeoutSeconds: h.timeoutSeconds, template: configured.alertTemplate)
            }
            guard h.arguments.count == 1 else {
                throw TICKDiagnostic(at: h.position, h.arguments.isEmpty
                    ? "An appropriately formatted url must be specified if an endpoint is not specified"
                    : ".post() takes one URL in Farad, got \(h.arguments.count)")
            }
            guard let endpoint = HTTPPost.Endpoint(url: h.arguments[0]) else {
                throw TICKDiagnostic(at: h.position, ".post(): \(h.arguments[0]) is not an http://host[:port][/path] URL (https is not supported)")
            }
            return PostSink(endpoint: endpoint, headers: h.headers, timeoutSeconds: h.timeoutSeconds)
        default:
            guard let program = h.arguments.first, !program.isEmpty else {
                throw TICKDiagnostic(at: h.position, ".exec() takes a program and its arguments, e.g. .exec('/usr/bin/handler', 'arg')")
            }
            return ExecSink(program: program, arguments: Array(h.arguments.dropFirst()))
        }
    }
}
