import FaradCore
import HTTPTypes
import Hummingbird

/// `/health`, `/health/ready`, `/health/live` and Prometheus text at `/metrics`.
struct HealthRoutes: Sendable {
    let context: ServerContext

    init(_ context: ServerContext) {
        self.context = context
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("health") { _, _ in
            let ok = context.store.isHealthy()
            return Responses.json(ok ? .ok : .serviceUnavailable,
                                  Array("{\"status\":\"\(ok ? "pass" : "fail")\",\"checks\":{\"store\":\"\(ok ? "pass" : "fail")\"}}".utf8))
        }
        router.get("health/ready") { _, _ in
            let ok = context.store.isHealthy()
            return Responses.json(ok ? .ok : .serviceUnavailable, Array("{\"status\":\"\(ok ? "ready" : "not ready")\"}".utf8))
        }
        router.get("health/live") { _, _ in
            Responses.json(.ok, Array("{\"status\":\"live\"}".utf8))
        }
        router.get("metrics") { _, _ in
            context.metrics.storeBytes.set(Double(context.store.sizeOnDisk()))
            context.metrics.queuedPoints.set(Double(context.store.queuedPoints))
            var bytes: [UInt8] = []
            context.metrics.registry.emit(into: &bytes)
            var h = HTTPFields()
            h[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: h, body: ResponseBody(byteBuffer: .init(bytes: bytes)))
        }
    }
}
