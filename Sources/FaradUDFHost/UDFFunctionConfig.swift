import FaradCore

/// One `[udf.functions.NAME]` section: how to reach a UDF and how to supervise it.
///
/// The keys are Kapacitor's (`prog`, `args`, `env`, `socket`, `timeout`), so existing
/// `kapacitor.conf` sections work unchanged. Farad adds `restart` (`"on-failure"` or `"off"`),
/// `restart-backoff`, `restart-backoff-max`, `restart-max` and `snapshot-interval`.
public struct UDFFunctionConfig: Sendable, Hashable {
    /// Where the UDF runs.
    public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// A child process talking on stdin/stdout; `env` is added to Farad's own environment.
        case process(prog: String, args: [String], env: [String: String])
        /// A UDF server listening on a Unix socket.
        case socket(path: String)

        public var description: String {
            switch self {
            case .process(let prog, let args, _): "process: \(([prog] + args).joined(separator: " "))"
            case .socket(let path): "socket: \(path)"
            }
        }
    }

    /// The TICKscript method name: `@NAME()`.
    public var name: String
    public var endpoint: Endpoint
    /// Keepalive timeout T: keepalives go out every T/2; no response for T aborts the session.
    public var timeout: Duration
    public var restart: RestartPolicy
    /// How long to keep retrying to connect to a socket UDF (Kapacitor: 5 minutes).
    public var connectTimeout: Duration
    /// How often a supervised session takes a snapshot to restore after a restart (0 = never).
    public var snapshotInterval: Duration

    public init(
        name: String, endpoint: Endpoint, timeout: Duration, restart: RestartPolicy = .onFailure(),
        connectTimeout: Duration = .seconds(300), snapshotInterval: Duration = .seconds(60)
    ) throws(UDFHostError) {
        self.name = name
        self.endpoint = endpoint
        self.timeout = timeout
        self.restart = restart
        self.connectTimeout = connectTimeout
        self.snapshotInterval = snapshotInterval
        guard timeout > .milliseconds(1) else {
            throw UDFHostError(.invalidConfig, udf: name, "timeout is too small: \(DurationText.format(timeout.nanoseconds))")
        }
    }

    /// Reads one section. Kapacitor's validation texts: `timeout is too small: 0s`,
    /// `both socket and process config provided`, `must set either prog or socket`.
    public init(name: String, section: [String: TOMLValue]) throws(UDFHostError) {
        func fail(_ text: String) -> UDFHostError { UDFHostError(.invalidConfig, udf: name, text) }
        func string(_ key: String) throws(UDFHostError) -> String? {
            guard let v = section[key] else { return nil }
            guard case .string(let s) = v else { throw fail("\(key) must be a string, got a \(v.typeName)") }
            return s
        }
        func duration(_ key: String) throws(UDFHostError) -> Duration? {
            guard let text = try string(key) else { return nil }
            guard let ns = DurationText.parse(text) else { throw fail("\(key): invalid duration \(text.debugDescription)") }
            return .nanoseconds(ns)
        }
        var args: [String] = []
        if let v = section["args"] {
            guard case .array(let items) = v else { throw fail("args must be an array of strings") }
            for item in items {
                guard case .string(let s) = item else { throw fail("args must be an array of strings") }
                args.append(s)
            }
        }
        var env: [String: String] = [:]
        if let v = section["env"] {
            guard case .table(let t) = v else { throw fail("env must be a table of strings") }
            for (k, value) in t {
                guard case .string(let s) = value else { throw fail("env.\(k) must be a string") }
                env[k] = s
            }
        }
        let prog = try string("prog") ?? ""
        let socket = try string("socket") ?? ""
        let timeout = try duration("timeout") ?? .zero
        // Kapacitor checks the timeout first.
        guard timeout > .milliseconds(1) else { throw fail("timeout is too small: \(DurationText.format(timeout.nanoseconds))") }
        let hasProcess = !prog.isEmpty || !args.isEmpty || !env.isEmpty
        if hasProcess && !socket.isEmpty { throw fail("both socket and process config provided") }
        if prog.isEmpty && socket.isEmpty { throw fail("must set either prog or socket") }

        var restart = RestartPolicy.onFailure()
        switch try string("restart") ?? "on-failure" {
        case "on-failure": break
        case "off": restart = .off
        case let other: throw fail("restart must be \"on-failure\" or \"off\", got \(other.debugDescription)")
        }
        if let d = try duration("restart-backoff") { restart.initialBackoff = d }
        if let d = try duration("restart-backoff-max") { restart.maximumBackoff = d }
        if let v = section["restart-max"] {
            guard case .integer(let n) = v, n >= 0 else { throw fail("restart-max must be a non-negative integer") }
            restart.maximumRestarts = Int(n)
        }
        try self.init(
            name: name,
            endpoint: socket.isEmpty ? .process(prog: prog, args: args, env: env) : .socket(path: socket),
            timeout: timeout, restart: restart,
            connectTimeout: try duration("connect-timeout") ?? .seconds(300),
            snapshotInterval: try duration("snapshot-interval") ?? .seconds(60))
    }

    /// Every `[udf.functions.*]` section of a TOML document, sorted by name.
    public static func load(toml text: String) throws -> [UDFFunctionConfig] {
        try load(root: try TOMLParser.parse(text))
    }

    /// The `[udf.functions.NAME]` sections of a parsed config.
    public static func load(root: TOMLValue) throws -> [UDFFunctionConfig] {
        guard let functions = root["udf", "functions"] else { return [] }
        guard case .table(let table) = functions else {
            throw UDFHostError(.invalidConfig, udf: "*", "[udf.functions] must be a table")
        }
        return try table.keys.sorted().map { name in
            guard case .table(let section)? = table[name] else {
                throw UDFHostError(.invalidConfig, udf: name, "[udf.functions.\(name)] must be a table")
            }
            return try UDFFunctionConfig(name: name, section: section)
        }
    }
}

/// What to do when a session fails (crash, keepalive timeout, protocol error).
public struct RestartPolicy: Sendable, Hashable {
    /// Restart at all?
    public var enabled: Bool
    /// Wait before the first restart; doubles after each consecutive failure.
    public var initialBackoff: Duration
    /// The longest wait between restarts.
    public var maximumBackoff: Duration
    /// Give up after this many consecutive restarts (`nil`: never give up).
    public var maximumRestarts: Int?

    /// Kapacitor's behaviour: a failed session fails its task.
    public static let off = RestartPolicy(enabled: false, initialBackoff: .zero, maximumBackoff: .zero, maximumRestarts: 0)

    /// Restart with exponential back-off.
    public static func onFailure(
        initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(30), maximumRestarts: Int? = nil
    ) -> RestartPolicy {
        RestartPolicy(enabled: true, initialBackoff: initialBackoff, maximumBackoff: maximumBackoff, maximumRestarts: maximumRestarts)
    }

    /// The wait before restart number `attempt` (1-based).
    public func backoff(attempt: Int) -> Duration {
        var d = initialBackoff
        for _ in 1..<max(attempt, 1) {
            d = d * 2
            if d >= maximumBackoff { return maximumBackoff }
        }
        return min(d, maximumBackoff)
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    public var nanoseconds: Int64 {
        let (s, a) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (s < 0 ? .min : .max) : ns &+ a / 1_000_000_000
    }
}
