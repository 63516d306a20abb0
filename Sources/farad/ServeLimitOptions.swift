import ArgumentParser
import FaradCore
import FaradServer
import Foundation

/// `farad serve`'s limits on connections, timeouts and browsers, each with an environment variable.
struct ServeLimitOptions: ParsableArguments {
    @Option(name: .customLong("max-connections"), help: "Open HTTP connections at most; more wait until one closes (logged). [FARAD_MAX_CONNECTIONS, default 1024]")
    var maxConnections: Int?

    @Option(name: .customLong("idle-timeout"), help: "Close a connection that sends no request for this long. [FARAD_IDLE_TIMEOUT, default 60s]")
    var idleTimeout: String?

    @Option(name: .customLong("header-timeout"), help: "Close a connection whose request head (line and headers) takes longer. [FARAD_HEADER_TIMEOUT, default 10s]")
    var headerTimeout: String?

    @Option(name: .customLong("body-timeout"), help: "Close a connection whose request body takes longer to arrive. [FARAD_BODY_TIMEOUT, default 5m]")
    var bodyTimeout: String?

    @Option(name: .customLong("max-bodies-in-flight"), help: "Bytes of request bodies (read and inflated) in memory at once, server-wide; beyond: 503 + Retry-After. [FARAD_MAX_BODIES_IN_FLIGHT, default 536870912]")
    var maxBodiesInFlight: Int?

    @Option(name: .customLong("max-query-buckets"), help: "Buckets (gaps) or time groups one KairosDB query may ask for; beyond: 400. [FARAD_MAX_QUERY_BUCKETS, default 1000000]")
    var maxQueryBuckets: Int?

    @Option(name: .customLong("max-fields-per-line"), help: "Fields one line-protocol line may carry; beyond: the line is refused. [FARAD_MAX_FIELDS_PER_LINE, default 65535]")
    var maxFieldsPerLine: Int?

    @Option(name: .customLong("cors-origin"), help: "An origin (http://host:port, or *) whose web pages may call the API; repeat for more. None by default. [FARAD_CORS_ORIGINS, comma-separated]")
    var corsOrigins: [String] = []

    @Option(name: .customLong("allowed-hosts"), help: "Host names accepted in the Host header besides loopback names while listening on loopback (* for any), comma-separated. [FARAD_ALLOWED_HOSTS]")
    var allowedHosts: String?

    /// Applies the flags (or their environment variables) to `config`.
    func apply(to config: inout ServerConfiguration, environment env: [String: String]) throws {
        func setting(_ flag: String?, _ name: String) -> String? { flag ?? env[name].flatMap { $0.isEmpty ? nil : $0 } }
        func duration(_ flag: String?, _ name: String, _ option: String) throws -> Duration? {
            guard let text = setting(flag, name) else { return nil }
            guard let ns = DurationText.parse(text), ns > 0 else {
                throw ValidationError("--\(option) must be a positive duration such as 30s, not '\(text)'")
            }
            return .nanoseconds(ns)
        }
        func count(_ flag: Int?, _ name: String, _ option: String) throws -> Int? {
            if let flag {
                guard flag > 0 else { throw ValidationError("--\(option) must be a positive integer, not \(flag)") }
                return flag
            }
            guard let text = env[name], !text.isEmpty else { return nil }
            guard let v = Int(text), v > 0 else { throw ValidationError("\(name)='\(text)' is not a positive integer") }
            return v
        }
        if let v = try count(maxConnections, "FARAD_MAX_CONNECTIONS", "max-connections") {
            guard v <= 1_000_000 else { throw ValidationError("--max-connections must be at most 1000000, not \(v)") }
            config.maxConnections = v
        }
        if let v = try count(maxBodiesInFlight, "FARAD_MAX_BODIES_IN_FLIGHT", "max-bodies-in-flight") { config.maxBodiesInFlightBytes = v }
        if let v = try count(maxQueryBuckets, "FARAD_MAX_QUERY_BUCKETS", "max-query-buckets") { config.queryLimits.maxBuckets = Int64(v) }
        if let v = try count(maxFieldsPerLine, "FARAD_MAX_FIELDS_PER_LINE", "max-fields-per-line") { config.maxFieldsPerLine = v }
        if let d = try duration(idleTimeout, "FARAD_IDLE_TIMEOUT", "idle-timeout") { config.timeouts.idle = d }
        if let d = try duration(headerTimeout, "FARAD_HEADER_TIMEOUT", "header-timeout") { config.timeouts.header = d }
        if let d = try duration(bodyTimeout, "FARAD_BODY_TIMEOUT", "body-timeout") { config.timeouts.body = d }
        let origins = corsOrigins.isEmpty ? (env["FARAD_CORS_ORIGINS"].map(Self.list) ?? []) : corsOrigins.flatMap(Self.list)
        for origin in origins where origin != "*" && !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) {
            throw ValidationError("--cors-origin must be * or scheme://host[:port], not '\(origin)'")
        }
        config.corsOrigins = origins
        if let hosts = setting(allowedHosts, "FARAD_ALLOWED_HOSTS") { config.allowedHosts = Self.list(hosts) }
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
