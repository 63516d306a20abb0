import FaradCore
import HTTPTypes
import Hummingbird

/// Keeps web pages a user visits from using Farad through the user's browser.
///
/// - **Host**: while Farad listens on a loopback address, a request whose `Host` is not a loopback
///   name (or one of `allowedHosts`) is refused with 403, so a DNS-rebinding page cannot reach it.
/// - **Cross-site writes**: a state-changing request (any method but GET, HEAD, OPTIONS) that a
///   browser marks as coming from another site (`Origin` of another host, or `Sec-Fetch-Site:
///   cross-site`/`same-site`) is refused with 403 unless its origin is in `allowedOrigins`.
///   Clients that are not browsers send neither header and are not affected.
/// - **CORS**: no `Access-Control-Allow-Origin` at all unless origins are configured; then the
///   request's origin is echoed when it is allowed (`*` allows any).
struct BrowserGuard<Context: RequestContext>: RouterMiddleware {
    /// Origins (`scheme://host[:port]`, or `*`) whose pages may call the API.
    let allowedOrigins: [String]
    /// Host names accepted in `Host` besides loopback names; `nil`: any host (Farad listens
    /// on a non-loopback address and checks nothing).
    let allowedHosts: Set<String>?

    init(configuration: ServerConfiguration) {
        allowedOrigins = configuration.corsOrigins
        if let hosts = configuration.allowedHosts {
            allowedHosts = Set(hosts.map { $0.lowercased() })
        } else if Self.isLoopback(configuration.host) {
            allowedHosts = []
        } else {
            allowedHosts = nil
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let allowedHosts, let host = request.head.authority {
            let name = Self.hostName(host)
            guard Self.isLoopback(name) || allowedHosts.contains(name) || allowedHosts.contains("*") else {
                return Responses.influxError(.forbidden, "Host '\(host)' is not allowed: Farad listens on loopback (allow it with --allowed-hosts)")
            }
        }
        let origin = request.headers[.origin]
        let allowed = origin.map(isAllowed) ?? false
        if !Self.isSafe(request.method) && !allowed && isCrossSite(request, origin: origin) {
            return Responses.influxError(.forbidden, "cross-site request from '\(origin ?? "another site")' refused (allow its origin with --cors-origin)")
        }
        if request.method == .options, let origin, allowed {
            var h = HTTPFields()
            addCORS(&h, origin: origin)
            h[.accessControlAllowMethods] = "GET, POST, PATCH, DELETE, OPTIONS"
            h[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "Content-Type, Content-Encoding"
            h[.accessControlMaxAge] = "600"
            return Response(status: .ok, headers: h)
        }
        var response = try await next(request, context)
        if let origin, allowed { addCORS(&response.headers, origin: origin) }
        return response
    }

    private func addCORS(_ headers: inout HTTPFields, origin: String) {
        headers[.accessControlAllowOrigin] = allowedOrigins.contains("*") ? "*" : origin
        headers[.vary] = "Origin"
    }

    private func isAllowed(_ origin: String) -> Bool {
        allowedOrigins.contains("*") || allowedOrigins.contains { $0.lowercased() == origin.lowercased() }
    }

    /// Whether a browser says the request comes from another site than Farad's own pages.
    private func isCrossSite(_ request: Request, origin: String?) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased(), site == "cross-site" || site == "same-site" {
            return true
        }
        guard let origin else { return false }
        guard let host = request.head.authority else { return true }
        // Same origin: the page was served by this very host:port.
        let lowered = origin.lowercased()
        return lowered != "http://" + host.lowercased() && lowered != "https://" + host.lowercased()
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }

    /// The host part of a `Host` value, lower-cased, without port or IPv6 brackets.
    static func hostName(_ authority: String) -> String {
        var text = Substring(authority.lowercased())
        if text.hasPrefix("[") {
            if let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<close]) }
            return String(text)
        }
        if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon { text = text[..<colon] }
        if text.hasSuffix(".") { text = text.dropLast() }
        return String(text)
    }

    /// Loopback names and addresses: `localhost` (and `*.localhost`), 127.0.0.0/8, `::1`.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h.hasSuffix(".localhost") || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { p in p.count <= 3 && !p.isEmpty && p.allSatisfy(\.isASCII) && UInt8(p) != nil }
    }
}
