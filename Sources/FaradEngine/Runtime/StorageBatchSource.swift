import FaradInfluxQL

/// Batch queries answered by a storage through Farad's InfluxQL engine, the one `/query`
/// runs: Farad's own store when no `[[influxdb]]` cluster is configured, or the in-memory
/// storage of a replay.
public struct StorageBatchSource: BatchSource {
    public let executor: InfluxQLExecutor
    public let clock: any WallClock

    public init(storage: any InfluxStorage, clock: any WallClock = SystemWallClock()) {
        executor = InfluxQLExecutor(storage: storage)
        self.clock = clock
    }

    public func query(_ statement: InfluxQLSelect, cluster: String) async throws(BatchSourceError) -> [InfluxQLResultSeries] {
        do {
            return try executor.execute(.select(statement), database: nil, retentionPolicy: nil, now: clock.now())
        } catch {
            throw BatchSourceError(error.message)
        }
    }
}
