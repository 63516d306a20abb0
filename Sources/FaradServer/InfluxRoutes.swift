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
    static let kapacitorVersion = "1.5.0-farad"

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
        let limits = context.configuration
        var body: [UInt8]
        do {
            body = try await Bodies.collect(&request, limit: limits.maxBodyBytes)
        } catch let error as Bodies.TooLarge {
            return Responses.influxError(.contentTooLarge, error.message)
        } catch {
            return Responses.influxError(.badRequest, "\(error)")
        }
        if request.headers[.contentEncoding] == "gzip" {
            do {
                body = try Gzip.inflate(body, limit: limits.maxInflatedBytes)
            } catch .tooLarge {
                return Responses.influxError(.contentTooLarge, "gzip body inflates to more than \(limits.maxInflatedBytes) bytes")
            } catch .notGzip(let message) {
                return Responses.influxError(.badRequest, message)
            } catch {
                return Responses.influxError(.badRequest, "\(error)")
            }
        }
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        let parser = LineProtocolSeriesParser(
            parser: LineProtocolParser(precision: precision, defaultTime: now),
            namespace: PointSeries.namespace(database: db, retentionPolicy: rp),
            cache: context.seriesTextCache)
        let (writes, pointCount, errors) = parser.parse(body)
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
            context.logger.error("storing points failed", metadata: ["error": "\(error)"])
            return Responses.influxError(.internalServerError, error.message)
        }
        context.metrics.ingested(.lineProtocol, pointCount)
        context.metrics.rejected(.lineProtocol, errors.count)
        if let tasks = context.tasks, tasks.wantsPoints(database: db, retentionPolicy: rp) {
            // Stored first (durable), then streamed to the tasks reading db.rp.
            let points = LineProtocolParser(precision: precision, defaultTime: now).parse(body).points
            await tasks.write(points, database: db, retentionPolicy: rp)
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
