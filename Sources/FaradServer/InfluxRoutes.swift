import FaradCore
import FaradIngest
import FaradStore
import Foundation
import HTTPTypes
import Hummingbird

/// InfluxDB 1.x line-protocol writes (`/write`, Kapacitor's `/kapacitor/v1/write`) and pings.
///
/// Each field of a point is stored as the metric `<measurement>.<field>` with the point's tags, in
/// the namespace `<db>/<rp>` (``PointSeries``). A body with bad lines stores its good lines and
/// answers 400 naming the first bad line, as InfluxDB does.
struct InfluxRoutes: Sendable {
    let context: ServerContext

    init(_ context: ServerContext) {
        self.context = context
    }

    /// The InfluxDB version Farad answers pings with (clients check for a 1.x).
    static let influxVersion = "1.6.7-farad"
    /// The Kapacitor API version Farad's task API follows.
    static let kapacitorVersion = "1.7.6-farad"

    func register(on router: Router<BasicRequestContext>) {
        router.post("write") { request, _ in await write(request) }
        router.post("kapacitor/v1/write") { request, _ in await write(request) }
        for path in ["ping", "kapacitor/v1/ping"] {
            router.get(RouterPath(path)) { _, _ in Self.pong() }
            router.head(RouterPath(path)) { _, _ in Self.pong() }
        }
    }

    static func pong() -> Response {
        var h = HTTPFields()
        h[HTTPField.Name("X-Influxdb-Version")!] = influxVersion
        h[HTTPField.Name("X-Kapacitor-Version")!] = kapacitorVersion
        return Response(status: .noContent, headers: h)
    }

    func write(_ request: Request) async -> Response {
        var request = request
        let params = request.uri.queryParameters
        guard let db = params["db"].map(String.init), !db.isEmpty else {
            return Responses.influxError(.badRequest, "database is required")
        }
        let rp = params["rp"].map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? "autogen"
        guard let precision = Precision(name: params["precision"].map(String.init) ?? "") else {
            return Responses.influxError(.badRequest, "invalid precision \"\(params["precision"] ?? "")\" (use n, u, ms, s, m or h)")
        }
        do {
            return try await context.bodies.withBody(&request, gzip: .contentEncoding) { body in
                await write(body, database: db, retentionPolicy: rp, precision: precision)
            }
        } catch let failure as BodyReader.Failure {
            return Responses.influxError(failure.status, failure.message, headers: failure.headers)
        } catch {
            return Responses.influxError(.badRequest, "\(error)")
        }
    }

    private func write(_ body: [UInt8], database db: String, retentionPolicy rp: String, precision: Precision) async -> Response {
        let limits = context.configuration
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        let namespace = PointSeries.namespace(database: db, retentionPolicy: rp)
        var lineParser = LineProtocolParser(precision: precision, defaultTime: now)
        lineParser.maxFieldsPerLine = limits.maxFieldsPerLine
        // One lookup decides the path, and the body is parsed once: straight into series writes
        // when no task reads db.rp, else into points that are both stored and streamed.
        let route = context.tasks?.route(database: db, retentionPolicy: rp)
        var points: [Point] = []
        let writes: [SeriesWrite]
        let pointCount: Int
        let errors: [LineProtocolError]
        if let route, !route.isEmpty {
            (points, errors) = lineParser.parse(body)
            pointCount = points.count
            writes = PointSeries.writes(points, namespace: namespace)
        } else {
            let parser = LineProtocolSeriesParser(parser: lineParser, namespace: namespace, cache: context.seriesTextCache)
            (writes, pointCount, errors) = parser.parse(body)
        }
        if pointCount > limits.maxPointsPerRequest {
            context.metrics.rejected(.lineProtocol, pointCount)
            return Responses.influxError(.contentTooLarge, "request carries \(pointCount) points, more than the limit of \(limits.maxPointsPerRequest)")
        }
        do {
            try await context.store.append(writes)
        } catch {
            context.metrics.rejected(.lineProtocol, pointCount)
            if error.code == .queueFull {
                return Responses.influxError(.serviceUnavailable, error.message, headers: Responses.retryAfter)
            }
            if error.code == .invalid {
                // A write the store cannot keep faithfully (the parsers refuse these first).
                return Responses.influxError(.badRequest, error.message)
            }
            context.logger.error("storing points failed", metadata: ["error": "\(error)"])
            return Responses.influxError(.internalServerError, error.message)
        }
        context.metrics.ingested(.lineProtocol, pointCount)
        context.metrics.rejected(.lineProtocol, errors.count)
        if let route, !points.isEmpty {
            // Stored first (durable), then streamed to the tasks reading db.rp.
            await route.write(points)
        }
        if let first = errors.first {
            let message = pointCount == 0
                ? first.description
                : "partial write: \(first.description) dropped=\(errors.count)"
            return Responses.influxError(.badRequest, message)
        }
        return Responses.noContent()
    }
}
