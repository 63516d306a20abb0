import Prometheus

import protocol CoreMetrics.MetricsFactory
import enum CoreMetrics.MetricsSystem

/// The server's Prometheus metrics, exposed at `/metrics`.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// The APIs points arrive through (label `api`).
    public enum API: String, Sendable, CaseIterable {
        case kairosdb, lineProtocol = "line_protocol", telnet
    }

    private let ingested: [API: Counter]
    private let rejected: [API: Counter]
    let storeBytes: Gauge
    let queuedPoints: Gauge
    private let latency: [String: DurationHistogram]
    static let routes = ["datapoints", "query", "write", "other"]

    /// Makes this registry the backend of swift-metrics for the whole process, so that what
    /// other modules count (each UDF's `farad_udf_*` metrics) shows at `/metrics` too. Once per
    /// process, before the first metric is made.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var ingested: [API: Counter] = [:]
        var rejected: [API: Counter] = [:]
        for api in API.allCases {
            ingested[api] = registry.makeCounter(
                descriptor: .init(namespace: "farad", metricName: "points_ingested", unitName: "total",
                                  helpText: "Points stored, by API."),
                labels: [("api", api.rawValue)])
            rejected[api] = registry.makeCounter(
                descriptor: .init(namespace: "farad", metricName: "points_rejected", unitName: "total",
                                  helpText: "Points or metrics refused (bad input, full queue), by API."),
                labels: [("api", api.rawValue)])
        }
        self.ingested = ingested
        self.rejected = rejected
        storeBytes = registry.makeGauge(descriptor: .init(namespace: "farad", metricName: "store_size", unitName: "bytes",
                                                          helpText: "Bytes of the store on disk (database and WAL)."))
        queuedPoints = registry.makeGauge(descriptor: .init(namespace: "farad", metricName: "write_queue_depth", unitName: "points",
                                                            helpText: "Points accepted and waiting for their commit."))
        let buckets: [Duration] = [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                                   .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                   .milliseconds(500), .seconds(1), .seconds(5)]
        var latency: [String: DurationHistogram] = [:]
        for route in Self.routes {
            latency[route] = registry.makeDurationHistogram(
                descriptor: .init(namespace: "farad", metricName: "http_request_duration", unitName: "seconds",
                                  helpText: "Request latency, by route."),
                labels: [("route", route)], buckets: buckets)
        }
        self.latency = latency
    }

    func ingested(_ api: API, _ count: Int) {
        if count > 0 { ingested[api]!.increment(by: Int64(count)) }
    }

    func rejected(_ api: API, _ count: Int) {
        if count > 0 { rejected[api]!.increment(by: Int64(count)) }
    }

    func record(route: String, _ duration: Duration) {
        (latency[route] ?? latency["other"]!).record(duration)
    }
}
