import KapacitorUDF

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wind-turbine anomaly detector of Intel's Time Series Analytics guide (`udf-wind-turbine`).
///
/// For each point with `wind_speed` and `grid_active_power` it looks up the expected power on a
/// power curve and adds `anomaly_status` by the relative shortfall `(expected − actual) / expected`:
/// 0.0 up to `threshold` (0.1), then 0.3 (low, < 0.3), 0.6 (medium, < 0.6) or 1.0 (high). Points
/// outside the operating range — wind speed ≤ `cut_in` or > `cut_out`, or power < `min_power` —
/// get 0.0. All other fields pass through unchanged.
///
/// Options: `curve` STRING (CSV path; default: env `WIND_TURBINE_POWER_CURVE`), `cut_in` DOUBLE
/// (3.0), `cut_out` DOUBLE (14.0), `min_power` DOUBLE (50.0), `threshold` DOUBLE (0.1).
public struct WindTurbineAnomaly: UDFHandler {
    public static let info = UDFInfo(
        wants: .stream, provides: .stream,
        options: ["curve": [.string], "cut_in": [.double], "cut_out": [.double], "min_power": [.double], "threshold": [.double]])

    /// The environment variable naming the power curve when the `curve` option is not set.
    public static let curveEnvironmentVariable = "WIND_TURBINE_POWER_CURVE"

    public let curve: PowerCurve
    public let cutIn: Double
    public let cutOut: Double
    public let minPower: Double
    public let threshold: Double

    public init(options: UDFOptions) throws {
        let path = options.string("curve") ?? getenv(Self.curveEnvironmentVariable).map { String(cString: $0) }
        guard let path, !path.isEmpty else {
            throw UDFError(.invalidOptions, "must supply a power curve: option curve or env \(Self.curveEnvironmentVariable)")
        }
        do {
            curve = try PowerCurve(contentsOfFile: path)
        } catch {
            throw UDFError(.invalidOptions, "\(error)")
        }
        cutIn = options.double("cut_in") ?? 3.0
        cutOut = options.double("cut_out") ?? 14.0
        minPower = options.double("min_power") ?? 50.0
        threshold = options.double("threshold") ?? 0.1
        guard cutIn < cutOut else {
            throw UDFError(.invalidOptions, "cut_in (\(cutIn)) must be below cut_out (\(cutOut))")
        }
    }

    /// The anomaly status for one reading.
    public func status(windSpeed: Double, power: Double) -> Double {
        guard windSpeed > cutIn, windSpeed <= cutOut, power >= minPower else { return 0.0 }
        let expected = curve.power(at: windSpeed)
        guard expected > 0 else { return 0.0 }
        let error = (expected - power) / expected
        guard error > threshold else { return 0.0 }
        if error < 0.3 { return 0.3 }
        if error < 0.6 { return 0.6 }
        return 1.0
    }

    public mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
        var out = point
        if let speed = point.double("wind_speed") ?? point.int("wind_speed").map(Double.init),
           let power = point.double("grid_active_power") ?? point.int("grid_active_power").map(Double.init) {
            out.fieldsDouble["anomaly_status"] = status(windSpeed: speed, power: power)
        } else {
            out.fieldsDouble["anomaly_status"] = 0.0
        }
        try await emitter.emit(out)
    }
}
