/// When the writer seals the memtable's active set for a flush (see ``FaradStore/Configuration``).
///
/// A flush writes one chunk row per series it holds, so its cost follows the series as much as
/// the points: `flushPoints` points or `flushAge` start a flush only once the set holds on
/// average `pointsPerSeries` points of each of its series. `ceilingPoints` and `maxAge` bound
/// memory and replay time whatever the series.
struct FlushPolicy: Sendable {
    var points: Int
    var age: Duration
    var pointsPerSeries: Int
    var ceilingPoints: Int
    var maxAge: Duration

    init(points: Int, age: Duration, pointsPerSeries: Int, ceilingPoints: Int, maxAge: Duration) {
        self.points = max(points, 1)
        self.age = age
        self.pointsPerSeries = max(pointsPerSeries, 0)
        self.ceilingPoints = max(ceilingPoints, 1)
        self.maxAge = max(maxAge, age)
    }

    init(_ configuration: FaradStore.Configuration) {
        self.init(
            points: configuration.flushPoints, age: configuration.flushAge, pointsPerSeries: configuration.flushPointsPerSeries,
            ceilingPoints: configuration.flushCeilingPoints, maxAge: configuration.flushMaxAge)
    }

    /// Whether a set of `points` points of `series` series, the oldest waiting for `age`, is due.
    func isDue(points held: Int, series: Int, age waited: Duration) -> Bool {
        guard held > 0 else { return false }
        if held >= ceilingPoints || waited >= maxAge { return true }
        // `series` never exceeds `held` (each series holds a point), so the product is small.
        let (needed, overflow) = series.multipliedReportingOverflow(by: pointsPerSeries)
        guard !overflow, held >= needed else { return false }
        return held >= points || waited >= age
    }
}
