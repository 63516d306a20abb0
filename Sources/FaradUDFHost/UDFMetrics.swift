import Metrics

/// Per-UDF counters, exported through swift-metrics (Prometheus once a backend is bootstrapped).
///
/// Names: `farad_udf_points_in_total`, `farad_udf_points_out_total`, `farad_udf_batches_in_total`,
/// `farad_udf_batches_out_total`, `farad_udf_restarts_total`, `farad_udf_failures_total`,
/// `farad_udf_request_seconds` (info/init/snapshot/restore round trips) and
/// `farad_udf_keepalive_seconds` (keepalive round trips), each with dimension `udf`.
public struct UDFMetrics: Sendable {
    public let pointsIn: Counter
    public let pointsOut: Counter
    public let batchesIn: Counter
    public let batchesOut: Counter
    public let restarts: Counter
    public let failures: Counter
    let requestTimer: Timer
    let keepaliveTimer: Timer

    /// Metrics for UDF `udf`, made by `factory` (default: the process's bootstrapped backend).
    public init(udf: String, factory: (any MetricsFactory)? = nil) {
        let d = [("udf", udf)]
        let f = factory ?? MetricsSystem.factory
        pointsIn = Counter(label: "farad_udf_points_in_total", dimensions: d, factory: f)
        pointsOut = Counter(label: "farad_udf_points_out_total", dimensions: d, factory: f)
        batchesIn = Counter(label: "farad_udf_batches_in_total", dimensions: d, factory: f)
        batchesOut = Counter(label: "farad_udf_batches_out_total", dimensions: d, factory: f)
        restarts = Counter(label: "farad_udf_restarts_total", dimensions: d, factory: f)
        failures = Counter(label: "farad_udf_failures_total", dimensions: d, factory: f)
        requestTimer = Timer(label: "farad_udf_request_seconds", dimensions: d, factory: f)
        keepaliveTimer = Timer(label: "farad_udf_keepalive_seconds", dimensions: d, factory: f)
    }

    func recordRequest(_ d: Duration) { requestTimer.recordNanoseconds(d.nanoseconds) }
    func recordKeepalive(_ d: Duration) { keepaliveTimer.recordNanoseconds(d.nanoseconds) }
}
