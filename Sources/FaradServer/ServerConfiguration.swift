import FaradEngine
import FaradQuery
import FaradStore

/// Settings of `farad serve`.
public struct ServerConfiguration: Sendable {
    /// HTTP listen address; port 0 picks a free port (printed at start).
    public var host = "127.0.0.1"
    public var port = 9092
    /// Where the store lives.
    public var dataDirectory = "./farad-data"
    /// Telnet `put`/`putm` listener (`host:port`), off when `nil`.
    public var telnetHost: String?
    public var telnetPort = 4242
    /// Largest request body accepted as sent (413 beyond).
    public var maxBodyBytes = 64 * 1024 * 1024
    /// Largest body after gzip inflation (413 beyond: a gzip bomb is refused, not expanded).
    public var maxInflatedBytes = 256 * 1024 * 1024
    /// Most points one request may carry (413 beyond).
    public var maxPointsPerRequest = 1_000_000
    /// Bytes of request bodies (as read and as inflated) held in memory across all requests at
    /// once; a request that would go beyond gets 503 with `Retry-After`.
    public var maxBodiesInFlightBytes = 512 * 1024 * 1024
    /// Open HTTP connections at most; beyond, new connections wait until one closes.
    public var maxConnections = 1024
    /// Idle, header and body timeouts of HTTP connections.
    public var timeouts = RequestTimeouts()
    /// Origins (`http://host:port`, or `*`) whose pages may call the API through a browser
    /// (CORS); none by default.
    public var corsOrigins: [String] = []
    /// Host names accepted in `Host` besides loopback names while listening on loopback (`*`:
    /// any); `nil`: only loopback names on a loopback address, any name otherwise.
    public var allowedHosts: [String]?
    /// Bounds on one KairosDB query's work (buckets, groups).
    public var queryLimits = QueryLimits()
    /// Fields one line-protocol line may carry at most (400 beyond).
    public var maxFieldsPerLine = 65_535
    /// Whether KairosDB's `complex` data type is registered (stock KairosDB: no).
    public var registerComplexType = false
    /// How often points past their TTL are reclaimed.
    public var reclaimInterval: Duration = .seconds(60)
    public var store = FaradStore.Configuration()
    /// UDFs, InfluxDB and defaults for TICKscript tasks.
    public var tasks = TaskEnvironment()

    public init() {}

    /// Parses `host:port`; `:port` listens on all interfaces, `[::1]:port` takes an IPv6 host.
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
