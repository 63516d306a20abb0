import FaradCore
import FaradIngest
import FaradQuery
import FaradStore
import HTTPTypes
import Hummingbird

/// KairosDB's REST API (`/api/v1/…`), answering as KairosDB 1.3 does.
struct KairosRoutes: Sendable {
    let context: ServerContext

    init(_ context: ServerContext) {
        self.context = context
    }

    static let version = "KairosDB 1.3.2 (Farad 0.1.0)"

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        api.post("datapoints") { request, _ in await ingest(request) }
        api.on("datapoints", method: .options) { _, _ in
            var h = Responses.kairosHeaders
            h[.accessControlAllowMethods] = "POST, OPTIONS"
            h[.accessControlAllowHeaders] = "Content-Type, Content-Encoding"
            return Response(status: .ok, headers: h)
        }
        api.post("datapoints/query") { request, _ in
            await run(request) { q in
                Responses.json(.ok, try await executor.query(q, now: FaradStore.nowMillis()), headers: Responses.kairosHeaders)
            }
        }
        api.get("datapoints/query") { request, _ in
            let text = request.uri.queryParameters["query"].map(String.init) ?? ""
            return await run(body: Array(text.utf8)) { q in
                Responses.json(.ok, try await executor.query(q, now: FaradStore.nowMillis()), headers: Responses.kairosHeaders)
            }
        }
        api.post("datapoints/query/tags") { request, _ in
            await run(request) { q in
                Responses.json(.ok, try executor.tags(q), headers: Responses.kairosHeaders)
            }
        }
        api.post("datapoints/delete") { request, _ in
            await run(request) { q in
                try executor.delete(q)
                return Responses.noContent(headers: Responses.kairosHeaders)
            }
        }
        api.delete("metric/:name") { _, ctx in
            let name = ctx.parameters.get("name") ?? ""
            do {
                try executor.deleteMetric(name)
                return Responses.noContent(headers: Responses.kairosHeaders)
            } catch {
                return Responses.kairosErrors(.internalServerError, ["\(error)"])
            }
        }
        api.get("metricnames") { request, _ in
            let prefix = request.uri.queryParameters["prefix"].map(String.init)
            let names = context.store.metricNames().filter { prefix == nil || $0.hasPrefix(prefix!) }
            return Responses.json(.ok, Self.results(names), headers: Responses.kairosHeaders)
        }
        api.get("version") { _, _ in
            var w = JSONWriter()
            w.raw("{\"version\":")
            w.string(Self.version)
            w.raw("}")
            return Responses.json(.ok, w.bytes, headers: Responses.kairosHeaders)
        }
        api.get("health/status") { _, _ in
            let ok = context.store.isHealthy()
            let checks = ["JVM-Thread-Deadlock: OK", "Datastore-Query: \(ok ? "OK" : "FAIL")"]
            return Responses.json(.ok, Self.array(checks), headers: Responses.kairosHeaders)
        }
        api.get("health/check") { _, _ in
            context.store.isHealthy()
                ? Responses.noContent(headers: Responses.kairosHeaders)
                : Response(status: .internalServerError, headers: Responses.kairosHeaders)
        }
    }

    private var executor: QueryExecutor { QueryExecutor(store: context.store) }

    /// `POST /api/v1/datapoints`.
    func ingest(_ request: Request) async -> Response {
        var request = request
        do {
            return try await context.bodies.withBody(&request, gzip: [.contentEncoding, .legacyContentType]) { body in
                await ingest(body)
            }
        } catch let failure as BodyReader.Failure {
            return Responses.kairosErrors(failure.status, [failure.message], headers: failure.headers)
        } catch {
            return Responses.kairosErrors(.badRequest, ["\(error)"])
        }
    }

    private func ingest(_ body: [UInt8]) async -> Response {
        let limits = context.configuration
        let parsed = KairosDatapointsParser(acceptsComplex: limits.registerComplexType).parse(body)
        let count = parsed.pointCount
        if count > limits.maxPointsPerRequest {
            context.metrics.rejected(.kairosdb, count)
            return Responses.kairosErrors(.contentTooLarge, ["request carries \(count) points, more than the limit of \(limits.maxPointsPerRequest)"])
        }
        do {
            try await context.store.append(parsed.writes)
        } catch {
            context.metrics.rejected(.kairosdb, count)
            if error.code == .queueFull {
                return Responses.kairosErrors(.serviceUnavailable, [error.message], headers: Responses.retryAfter)
            }
            if error.code == .invalid {
                // A write the store cannot keep faithfully (the parsers refuse these first).
                return Responses.kairosErrors(.badRequest, [error.message])
            }
            context.logger.error("storing points failed", metadata: ["error": "\(error)"])
            return Responses.kairosErrors(.internalServerError, [error.message])
        }
        context.metrics.ingested(.kairosdb, count)
        context.metrics.rejected(.kairosdb, parsed.errors.count + (parsed.internalError == nil ? 0 : 1))
        if let serverError = parsed.internalError {
            return Responses.kairosErrors(.internalServerError, [serverError])
        }
        if !parsed.errors.isEmpty {
            return Responses.kairosErrors(.badRequest, parsed.errors)
        }
        return Responses.noContent(headers: Responses.kairosHeaders)
    }

    /// Runs a query whose JSON is the request's body.
    private func run(_ request: Request, _ answer: (QueryRequest) async throws -> Response) async -> Response {
        var request = request
        do {
            return try await context.bodies.withBody(&request, gzip: [.contentEncoding]) { body in
                await run(body: body, answer)
            }
        } catch let failure as BodyReader.Failure {
            return Responses.kairosErrors(failure.status, [failure.message], headers: failure.headers)
        } catch {
            return Responses.kairosErrors(.badRequest, ["\(error)"])
        }
    }

    private func run(body: [UInt8], _ answer: (QueryRequest) async throws -> Response) async -> Response {
        let query: QueryRequest
        do {
            query = try QueryRequest.parse(body, now: FaradStore.nowMillis(), limits: context.configuration.queryLimits)
        } catch {
            return Responses.kairosErrors(.badRequest, error.errors)
        }
        do {
            return try await answer(query)
        } catch let failure as QueryFailure {
            return Responses.kairosErrors(.internalServerError, [failure.message])
        } catch {
            return Responses.kairosErrors(.internalServerError, ["\(error)"])
        }
    }

    static func results(_ names: [String]) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"results\":")
        w.strings(names)
        w.raw("}")
        return w.bytes
    }

    static func array(_ strings: [String]) -> [UInt8] {
        var w = JSONWriter()
        w.strings(strings)
        return w.bytes
    }
}
