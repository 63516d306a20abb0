import FaradSystem

/// The I/O side of a sink node (an influxDBOut writer, an alert handler): a thread the task
/// starts with its UDFs and stops when it ends, fed by its node without blocking it.
protocol TaskOutput: AnyObject, Sendable {
    /// Starts the thread.
    func start() throws(SystemError)
    /// Delivers what is queued (as far as it can) and ends the thread.
    func stop()
}

extension InfluxDBWriter: TaskOutput {}
