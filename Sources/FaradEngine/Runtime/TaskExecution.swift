import FaradCore
import FaradInfluxQL
import FaradTICK
import FaradUDFHost
import KapacitorUDFWire
import Logging
import Synchronization

/// A running task: its pipeline behind a lock, its UDF sessions and its sinks' I/O threads
/// (influxDBOut writers, alert handlers).
///
/// ```swift
/// let task = try TaskExecution(id: "cpu", script: script, environment: environment)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await task.run() }
///     await task.write(points, database: "telegraf", retentionPolicy: "autogen")
///     task.stop()
/// }
/// print(task.httpOut("cpu") ?? "")
/// ```
/// A write has passed through every node up to the first UDF when
/// ``write(_:database:retentionPolicy:)`` returns. UDF output comes back asynchronously. Each
/// UDF's input is bounded (``UDFInputQueue``): a write waits while a UDF is behind.
public final class TaskExecution: Sendable {
    struct UDFChannel: Sendable {
        let nodeIndex: Int
        let nodeName: String
        let config: UDFFunctionConfig
        let options: [UDFOption]
        /// The segment the UDF node takes its input in, and the one its output runs in.
        let segment: Int
        let outputSegment: Int
        let inputs: UDFInputQueue
        let outputs: UDFOutputDecoder
    }

    public let id: String
    public let summary: TaskSummary
    private let pipeline: LockedPipeline
    /// Each httpOut endpoint and the segment its node is in.
    private let endpointSegments: [(endpoint: String, segment: Int)]
    private let udfs: [UDFChannel]
    private let outputs: [any TaskOutput]
    private let logger: Logger
    private let stopped: AsyncStream<Void>
    private let stopContinuation: AsyncStream<Void>.Continuation
    private let throughput = Mutex<(count: Int, at: ContinuousClock.Instant, rate: Double)>((0, .now, 0))
    private let lastUDFFailure = Mutex<String?>(nil)
    /// The `stats` nodes, which the wall clock drives: where each is and how often it ticks.
    private let tickers: [Ticker]
    private let wallClock: any WallClock
    private let stopping = Atomic<Bool>(false)

    struct Ticker: Sendable {
        let nodeIndex: Int
        let segment: Int
        let interval: Int64
        let align: Bool
    }

    /// A batch `query` node: where it is, what it runs, and where.
    struct QuerySchedule: Sendable {
        let nodeIndex: Int
        let nodeName: String
        let segment: Int
        let query: BatchQuery
    }
    private let queries: [QuerySchedule]
    private let batchSource: (any BatchSource)?

    /// Builds the task's pipeline.
    /// - Throws: ``TICKDiagnostic`` when the script is invalid.
    public init(id: String, script: String, environment: TaskEnvironment) throws(TICKDiagnostic) {
        let built = try TaskCompiler.build(id: id, script: script, environment: environment)
        self.id = id
        summary = built.summary
        logger = environment.logger
        let graph = built.pipeline
        udfs = built.udfNodes.map { node in
            UDFChannel(nodeIndex: graph.nodes.firstIndex { $0 === node }!, nodeName: node.name, config: node.config,
                       options: node.options, segment: graph.segment(of: node), outputSegment: graph.outputSegment(of: node),
                       inputs: UDFInputQueue(), outputs: UDFOutputDecoder())
        }
        endpointSegments = graph.nodes.compactMap { node in (node as? HTTPOutNode).map { ($0.endpoint, graph.segment(of: node)) } }
        tickers = graph.nodes.indices.compactMap { i in
            (graph.nodes[i] as? StatsNode).map { Ticker(nodeIndex: i, segment: graph.segment(of: $0), interval: $0.interval, align: $0.align) }
        }
        queries = graph.nodes.indices.compactMap { i in
            (graph.nodes[i] as? QueryNode).map { QuerySchedule(nodeIndex: i, nodeName: $0.name, segment: graph.segment(of: $0), query: $0.query) }
        }
        batchSource = environment.batchSource
        wallClock = environment.wallClock
        (stopped, stopContinuation) = AsyncStream<Void>.makeStream()
        let pipeline = LockedPipeline(graph)
        self.pipeline = pipeline
        var outputs = built.outputs
        if let store = environment.alertStateStore, graph.nodes.contains(where: { $0 is AlertNode }) {
            // Saved last: its final save, at stop, follows everything the task processed.
            outputs.append(AlertStatePersister(store: store, task: id) {
                pipeline.all { p in p.nodes.compactMap { node in (node as? AlertNode).map { (node.name, $0.takeStateChanges()) } } }
            })
        }
        self.outputs = outputs
    }

    /// Feeds points written to `database`.`retentionPolicy`; waits while a UDF of the task is
    /// too far behind.
    public func write(_ points: [Point], database: String, retentionPolicy: String) async {
        let full = pipeline.segment(0) { p in
            p.write(points, database: database, retentionPolicy: retentionPolicy)
            return handOff(p, segment: 0)
        }
        for queue in full { await queue.waitForRoom() }
    }

    /// Passes what the UDF nodes of `segment` (locked) queued to their sessions; returns the
    /// queues over their mark.
    private func handOff(_ p: Pipeline, segment: Int) -> [UDFInputQueue] {
        var full: [UDFInputQueue] = []
        for channel in udfs where channel.segment == segment {
            guard let node = p.nodes[channel.nodeIndex] as? UDFNode, let (input, points) = node.takeInput() else { continue }
            switch channel.inputs.push(input, points: points) {
            case .queued: break
            case .full: full.append(channel.inputs)
            case .dropped(let first):
                node.fail(points, "UDF \(channel.config.name) is down (restarting): dropped \(points) points")
                if first {
                    logger.warning("UDF is down: dropping its input until it is back", metadata: [
                        "task": "\(id)", "node": "\(channel.nodeName)", "udf": "\(channel.config.name)",
                    ])
                }
            case .closed:
                node.fail(points, "UDF \(channel.config.name) has stopped: dropped \(points) points")
            }
        }
        return full
    }

    /// Runs the task's UDF sessions (supervised: restarted per their policy), sink threads and
    /// `stats` tickers until ``stop()``, then lets every UDF finish what it was given.
    /// - Throws: the ``UDFHostError`` of a UDF whose restart policy gave up.
    public func run() async throws {
        for output in outputs {
            do {
                try output.start()
            } catch {
                logger.error("cannot start a sink's thread (influxDBOut or alert handler)", metadata: ["task": "\(id)", "error": "\(error)"])
            }
        }
        defer { for output in outputs { output.stop() } }
        guard !tickers.isEmpty || !queries.isEmpty else { return try await runUDFs() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for ticker in tickers { group.addTask { await self.run(ticker) } }
            for query in queries { group.addTask { await self.run(query) } }
            group.addTask { try await self.runUDFs() }
            // The tickers run until cancelled: the first child to end is runUDFs().
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Ticks one `stats` node by the wall clock until the task stops. Ticks missed while the
    /// task was behind by a whole interval are dropped, as Go's ticker drops them.
    private func run(_ ticker: Ticker) async {
        let (first, firstStamp) = StatsNode.schedule(from: wallClock.now(), interval: ticker.interval, align: ticker.align)
        var deadline = first
        var stamp = firstStamp
        while true {
            do { try await wallClock.sleep(until: deadline) } catch { return }
            guard !stopping.load(ordering: .relaxed) else { return }
            let full = pipeline.segment(ticker.segment) { p in
                (p.nodes[ticker.nodeIndex] as? StatsNode)?.tick(at: stamp)
                return handOff(p, segment: ticker.segment)
            }
            for queue in full { await queue.waitForRoom() }
            deadline = deadline.clampedAdding(ticker.interval)
            let now = wallClock.now()
            if now >= deadline { deadline = deadline.clampedAdding((now.clampedSubtracting(deadline) / ticker.interval).clampedAdding(1).multipliedClamped(by: ticker.interval)) }
            stamp = deadline
        }
    }

    /// Runs one batch query on its schedule until the task stops. A tick that comes while the
    /// previous query still runs is skipped, as Go's ticker drops it.
    private func run(_ schedule: QuerySchedule) async {
        var tick = schedule.query.firstTick(after: wallClock.now())
        while tick != .max {
            do { try await wallClock.sleep(until: tick) } catch { return }
            guard !stopping.load(ordering: .relaxed) else { return }
            await runQuery(schedule, at: tick)
            let now = wallClock.now()
            var next = schedule.query.tick(after: tick)
            if next <= now {
                next = schedule.query.cron != nil ? schedule.query.tick(after: now)
                    : next.clampedAdding((now.clampedSubtracting(next) / schedule.query.every).clampedAdding(1).multipliedClamped(by: schedule.query.every))
            }
            tick = next
        }
        // A schedule with no more times (a cron for a year gone): wait for the task to stop,
        // since run() reads the end of its first child as the task's end.
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3_600)) }
    }

    /// Runs, in time order, every tick of the task's queries whose window overlaps `data`
    /// (`farad replay` of a batch task): for each query, the ticks from one period before the
    /// first point to one period after the last, shifted by its offset. At most `limit` ticks.
    public func runQueries(over data: ClosedRange<Int64>, limit: Int = 1_000_000) async {
        var ticks: [(Int64, QuerySchedule)] = []
        for schedule in queries {
            let q = schedule.query
            let from = data.lowerBound.clampedAdding(q.offset).clampedSubtracting(q.period)
            let to = data.upperBound.clampedAdding(q.offset).clampedAdding(q.period)
            for t in q.ticks(from: from, to: to, limit: limit) { ticks.append((t, schedule)) }
        }
        ticks.sort { $0.0 < $1.0 }
        for (t, schedule) in ticks.prefix(limit) { await runQuery(schedule, at: t) }
    }

    /// One tick of a query: its window's statement asked of the batch source, and the answer
    /// passed on as batches. A failing query counts as an error of its node and is logged.
    private func runQuery(_ schedule: QuerySchedule, at tick: Int64) async {
        guard let source = batchSource else { return }
        let (start, stop) = schedule.query.window(at: tick)
        let statement = schedule.query.statement(start: start, stop: stop)
        logger.debug("starting batch query", metadata: ["task": "\(id)", "node": "\(schedule.nodeName)", "query": "\(statement)"])
        let series: [InfluxQLResultSeries]
        do {
            series = try await source.query(statement, cluster: schedule.query.cluster)
        } catch {
            logger.error("error executing query", metadata: ["task": "\(id)", "node": "\(schedule.nodeName)", "error": "\(error)"])
            pipeline.segment(schedule.segment) { p in p.nodes[schedule.nodeIndex].fail(1, error.description) }
            return
        }
        let dbrp = schedule.query.dbrps.first ?? ("", "")
        await deliver(schedule.query.batches(from: series, stop: stop, database: dbrp.db, retentionPolicy: dbrp.rp), to: schedule)
    }

    /// How many `query` nodes the task has (the batch sources a recording can feed).
    public var queryCount: Int { queries.count }

    /// Passes recorded batches on from query node `index` (in script order) as if its query
    /// had answered them: `farad replay` of a Kapacitor batch recording.
    public func deliverRecorded(_ batches: [Batch], query index: Int) async {
        guard queries.indices.contains(index) else { return }
        let schedule = queries[index]
        let dbrp = schedule.query.dbrps.first ?? ("", "")
        var stamped = batches
        for i in stamped.indices {
            stamped[i].database = dbrp.db
            stamped[i].retentionPolicy = dbrp.rp
        }
        await deliver(stamped, to: schedule)
    }

    private func deliver(_ batches: [Batch], to schedule: QuerySchedule) async {
        let full = pipeline.segment(schedule.segment) { p in
            (p.nodes[schedule.nodeIndex] as? QueryNode)?.deliver(batches)
            return handOff(p, segment: schedule.segment)
        }
        for queue in full { await queue.waitForRoom() }
    }

    private func runUDFs() async throws {
        guard !udfs.isEmpty else {
            for await _ in stopped {}
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, channel) in udfs.enumerated() {
                let supervisor = UDFSupervisor(config: channel.config, logger: logger)
                group.addTask {
                    defer {
                        // Nothing reads this queue any more: writers must not wait for it.
                        channel.inputs.close()
                        // A UDF's output may feed the next UDF: that one ends after this one.
                        if i + 1 < self.udfs.count { self.udfs[i + 1].inputs.finish() }
                    }
                    try await supervisor.run(options: channel.options, taskID: self.id, nodeID: channel.nodeName, inputs: channel.inputs,
                                             wake: { channel.inputs.wake() },
                                             failed: { self.recordFailure($0, of: channel) },
                                             inputEnded: { channel.inputs.isFinished }) { outputs in
                        let messages = channel.outputs.messages(outputs)
                        let full = self.pipeline.segment(channel.outputSegment) { p in
                            p.inject(messages, from: p.nodes[channel.nodeIndex], segment: channel.outputSegment)
                            return self.handOff(p, segment: channel.outputSegment)
                        }
                        for queue in full { await queue.waitForRoom() }
                    }
                }
            }
            // The first UDF to give up ends the task: leaving the group cancels the other
            // sessions (waitForAll() would wait for them all, and they wait for input).
            while try await group.next() != nil {}
        }
    }

    /// Counts a failed UDF session as an error of its node and keeps its text as the task's
    /// last UDF failure.
    private func recordFailure(_ error: UDFHostError, of channel: UDFChannel) {
        let text = error.description
        pipeline.segment(channel.segment) { p in
            if let node = p.nodes[channel.nodeIndex] as? UDFNode { node.fail(1, text) }
        }
        lastUDFFailure.withLock { $0 = text }
    }

    /// The last failure of one of the task's UDF sessions (`UDF NAME: …`), while the task runs:
    /// set by every failure, restarted or not, and kept (Kapacitor's "last error") until a newer
    /// one replaces it or the task stops. `nil` if no UDF session of this run has failed.
    public var lastUDFError: String? { lastUDFFailure.withLock { $0 } }

    /// Ends the input: ``run()`` returns once the UDFs have processed what they were given.
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        stopContinuation.finish()
        udfs.first?.inputs.finish()
    }

    /// The httpOut result of `endpoint` as JSON, or `nil` if the task has no such endpoint.
    public func httpOut(_ endpoint: String) -> String? {
        guard let segment = endpointSegments.first(where: { $0.endpoint == endpoint })?.segment else { return nil }
        return pipeline.segment(segment) { p in
            p.nodes.lazy.compactMap { $0 as? HTTPOutNode }.first { $0.endpoint == endpoint }?.resultJSON
        }
    }

    /// Every httpOut endpoint of the task.
    public var endpoints: [String] { endpointSegments.map(\.endpoint) }

    /// The DOT graph with each node's statistics.
    public func dot() -> String {
        let (nodes, rate) = pipeline.all { p -> ([NodeStatistics], Double) in
            let count = summary.type == .batch ? p.nodes.lazy.compactMap { $0 as? QueryNode }.reduce(0) { $0 + $1.batchesQueried } : p.nodes[0].processed
            return (p.nodes.map(NodeStatistics.init), updateThroughput(count))
        }
        return DOT.executing(id: id, throughput: rate, unit: summary.type == .batch ? "batches" : "points", nodes)
    }

    /// The anonymous topic of each alert node, for Kapacitor's topic API.
    public func alertTopics() -> [AlertTopic] {
        pipeline.all { p in p.nodes.compactMap { ($0 as? AlertNode)?.topic } }
    }

    /// Each node's statistics, for the task API.
    public func statistics() -> [NodeStatistics] {
        pipeline.all { p in p.nodes.map(NodeStatistics.init) }
    }

    private func updateThroughput(_ count: Int) -> Double {
        throughput.withLock { t in
            let now = ContinuousClock.now
            let elapsed = now - t.at
            if elapsed >= .milliseconds(500) {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                t.rate = Double(count - t.count) / seconds
                t = (count, now, t.rate)
            }
            return t.rate
        }
    }
}

/// A snapshot of one node's statistics.
public struct NodeStatistics: Sendable {
    public var name: String
    public var children: [String]
    public var emitted: Int
    /// Sorted by name; `avg_exec_time_ns` in nanoseconds.
    public var values: [(String, Int)]
    public var averageExecutionNanoseconds: Int64

    init(_ node: EngineNode) {
        name = node.name
        children = node.children.map(\.name)
        emitted = node.emitted
        averageExecutionNanoseconds = node.averageExecutionNanoseconds
        var v: [(String, Int)] = [
            ("avg_exec_time_ns", Int(node.averageExecutionNanoseconds)), ("errors", node.errors), ("working_cardinality", node.cardinality),
            ("collected", node.processed), ("emitted", node.emitted),
        ]
        v += node.extraStatistics
        values = v.sorted { $0.0 < $1.0 }
    }
}
