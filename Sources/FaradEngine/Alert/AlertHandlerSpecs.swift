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

    static func read(_ b: inout NodeBuild) throws(TICKDiagnostic) -> [any AlertSink] {
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
            guard let last = pending.indices.last, handlerProperties[pending[last].kind]!.contains(p.name) else {
                if p.name == "topic" {
                    throw TICKDiagnostic(at: p.position, "alert .topic() is not supported by Farad yet (only an .mqtt() handler's .topic()): use handlers on the node")
                }
                throw TICKDiagnostic(at: p.position, ".\(p.name)() belongs to a handler: write it after .\(handlerProperties.first { $0.value.contains(p.name) }!.key)()")
            }
            try apply(p.name, p.arguments, p.position, to: &pending[last])
        }
        var sinks: [any AlertSink] = []
        for h in pending { sinks.append(try sink(h, b.environment)) }
        return sinks
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
                return PostSink(endpoint: configured.url, headers: headers, timeoutSeconds: h.timeoutSeconds)
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
