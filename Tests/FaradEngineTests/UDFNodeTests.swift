import FaradCore
import FaradUDFHost
import KapacitorUDFTesting
import KapacitorUDFWire
import Testing
@testable import FaradEngine

/// A UDF node's side of the task: where the graph is cut, what the node sends, how its input
/// is bounded.
@Suite struct UDFNodeTests {
    static func environment(wants: KapacitorUDFWire.EdgeType = .stream, provides: KapacitorUDFWire.EdgeType = .stream) throws -> TaskEnvironment {
        let config = try UDFFunctionConfig(name: "f", endpoint: .process(prog: "/bin/false", args: [], env: [:]), timeout: .seconds(10))
        return TaskEnvironment(udfs: ["f": UDFRegistration(config: config, info: UDFInfo(wants: wants, provides: provides))])
    }

    static func segments(_ script: String, _ environment: TaskEnvironment) throws -> [[String]] {
        try TaskCompiler.build(id: "t", script: script, environment: environment).pipeline.segments.map { $0.map(\.name) }
    }

    @Test func aUDFsOutputStartsASegment() throws {
        let script = "stream|from()@f()|window().period(10s).every(10s)|mean('v')|httpOut('x')"
        #expect(try Self.segments(script, Self.environment()) == [["stream0", "from1", "f2"], ["window3", "mean4", "http_out5"]])
        // Two UDFs in a row: three segments.
        #expect(try Self.segments("stream|from()@f()@f()|httpOut('x')", Self.environment()) == [["stream0", "from1", "f2"], ["f3"], ["http_out4"]])
        // Without UDFs, one.
        #expect(try Self.segments("stream|from()|httpOut('x')", TaskEnvironment()).count == 1)
    }

    @Test func aNodeReachedFromBothSidesOfAUDFJoinsThem() throws {
        let script = """
            var s = stream|from()
            var u = s@f()
            s|union(u)|httpOut('x')
            """
        #expect(try Self.segments(script, Self.environment()).count == 1)
    }

    /// Everything a node sent, decoded.
    static func requests(_ node: UDFNode) throws -> [UDFRequest] {
        guard case .frames(let bytes, _, _)? = node.takeInput()?.input else { return [] }
        var decoder = FrameDecoder()
        decoder.append(bytes)
        var out: [UDFRequest] = []
        while let payload = try decoder.next() { out.append(try UDFRequest(decoding: payload)) }
        return out
    }

    @Test func batchesGoOutAsKapacitorSendsThem() throws {
        let built = try TaskCompiler.build(id: "t", script: "stream|from().groupBy('host')|window().period(10s).every(10s)@f()|httpOut('x')",
                                           environment: Self.environment(wants: .batch, provides: .batch))
        let node = try #require(built.udfNodes.first)
        let points = (0..<3).map { Point(measurement: "cpu", tags: ["host": "a", "cpu": "0"], fields: [("v", .double(Double($0)))], time: Int64($0) * 6_000_000_000) }
        built.pipeline.write(points, database: "db", retentionPolicy: "rp")
        let requests = try Self.requests(node)
        try #require(requests.count == 4)
        guard case .begin(let begin) = requests[0], case .point(let p) = requests[1], case .end(let end) = requests[3] else {
            Issue.record("expected begin, points, end: \(requests)")
            return
        }
        #expect(begin == BeginBatch(name: "cpu", group: "host=a", tags: ["host": "a"], size: 2, byName: false))
        #expect(p.name.isEmpty && p.database.isEmpty && p.retentionPolicy.isEmpty && p.dimensions.isEmpty)
        #expect(p.group == "host=a" && p.tags == ["host": "a", "cpu": "0"] && p.double("v") == 0)
        #expect(end == EndBatch(name: "cpu", group: "host=a", tmax: 10_000_000_000, tags: ["host": "a"], byName: false))
        // Nothing more until more arrives.
        #expect(node.takeInput() == nil)
    }

    @Test func outputIsRegroupedFromItsDimensionsNotItsGroupString() {
        let decoder = UDFOutputDecoder()
        let out = UDFPoint(time: 5, name: "cpu", group: "bogus", dimensions: ["host"], tags: ["host": "a", "cpu": "0"], fieldsDouble: ["v": 1])
        guard case .point(let sp) = decoder.messages([.point(out)])[0] else {
            Issue.record("expected a point")
            return
        }
        #expect(sp.group.rawValue == "host=a")
        #expect(sp.dimensions == Dimensions(tagNames: ["host"]))
        let batch = decoder.messages([.batch(BeginBatch(name: "x", byName: true), [UDFPoint(time: 1, fieldsInt: ["n": 2])],
                                             EndBatch(name: "cpu", group: "bogus", tmax: 9, tags: ["host": "b"]))])[0]
        guard case .batch(let b) = batch else {
            Issue.record("expected a batch")
            return
        }
        #expect(b.group.rawValue == "cpu\nhost=b" && b.name == "cpu" && b.tmax == 9 && b.points.map(\.measurement) == ["cpu"])
    }

    @Test(.timeLimit(.minutes(1)))
    func aTaskEndsWhenItsLastUDFGivesUp() async throws {
        // udf-mirror feeds a UDF that dies at once, with restarts off (Kapacitor's behaviour):
        // the task must end with that error, not wait on the mirror's input forever.
        let mirror = try UDFFunctionConfig(name: "mirror", endpoint: .process(prog: try UDFTestAgent.builtExecutable(named: "udf-mirror"), args: [], env: [:]),
                                           timeout: .seconds(10))
        let dead = try UDFFunctionConfig(name: "dead", endpoint: .process(prog: "/bin/false", args: [], env: [:]), timeout: .seconds(10), restart: .off)
        let stream = UDFInfo(wants: .stream, provides: .stream)
        let environment = TaskEnvironment(udfs: ["mirror": UDFRegistration(config: mirror, info: stream), "dead": UDFRegistration(config: dead, info: stream)])
        let task = try TaskExecution(id: "t", script: "stream|from()@mirror()@dead()|httpOut('x')", environment: environment)
        await #expect(throws: UDFHostError.self) { try await task.run() }
        // Writes after the end neither wait nor fail.
        await task.write([Point(measurement: "m", fields: [("v", .int(1))], time: 1)], database: "db", retentionPolicy: "rp")
    }

    @Test func aFullQueueHoldsItsWritersUntilTheUDFTakesIt() async {
        let queue = UDFInputQueue(highWater: 10)
        let input = UDFInput.frames([1], points: 6, batches: 0)
        #expect(queue.push(input, points: 6) == .queued)
        #expect(queue.push(input, points: 6) == .full)
        let waiter = Task {
            await queue.waitForRoom()
            return queue.queuedPoints
        }
        for _ in 0..<100 { await Task.yield() }
        #expect(queue.queuedPoints == 12)
        let taken = await queue.next()
        #expect(taken?.count == 2)
        #expect(await waiter.value == 0)
        // Finished: what is queued comes out, then the end.
        queue.push(input, points: 6)
        queue.finish()
        #expect(await queue.next()?.count == 1)
        #expect(await queue.next() == nil)
    }

    @Test func aWakeUpIsAnEmptyGroup() async {
        let queue = UDFInputQueue()
        // Nobody waiting: the next call returns at once, empty.
        queue.wake()
        #expect(await queue.next() == [])
        // Somebody waiting (or about to): it wakes with an empty group either way.
        let waiting = Task { await queue.next() }
        queue.wake()
        #expect(await waiting.value == [])
        queue.finish()
        #expect(await queue.next() == nil)
    }

    @Test func whileTheUDFIsDownWritersDoNotWaitAndTheOverflowIsDropped() async {
        let queue = UDFInputQueue(highWater: 10)
        let input = UDFInput.frames([1], points: 6, batches: 0)
        #expect(queue.push(input, points: 6) == .queued)
        #expect(queue.push(input, points: 6) == .full)
        // The session fails: a writer waiting for room is let go, and nothing waits any more.
        let waiter = Task { await queue.waitForRoom() }
        queue.wake()
        await waiter.value
        await queue.waitForRoom()
        #expect(queue.push(input, points: 6) == .dropped(first: true))
        #expect(queue.push(input, points: 6) == .dropped(first: false))
        // The new session asks for input and gets what was kept: the UDF is back up.
        #expect(await queue.next()?.count == 2)
        #expect(queue.push(input, points: 6) == .queued)
        #expect(queue.push(input, points: 6) == .full)
    }

    @Test func cancelledWaitsEnd() async {
        let queue = UDFInputQueue(highWater: 1)
        let consumer = Task { await queue.next() }
        consumer.cancel()
        #expect(await consumer.value == nil)
        #expect(queue.push(.frames([1], points: 5, batches: 0), points: 5) == .full)
        let writer = Task { await queue.waitForRoom() }
        writer.cancel()
        await writer.value
        #expect(queue.queuedPoints == 5)
    }

    @Test func aClosedQueueDropsInputAndNeverBlocks() async {
        let queue = UDFInputQueue(highWater: 1)
        #expect(queue.push(.frames([1], points: 5, batches: 0), points: 5) == .full)
        queue.close()
        await queue.waitForRoom()
        #expect(queue.push(.frames([1], points: 5, batches: 0), points: 5) == .closed)
        #expect(await queue.next() == nil)
    }
}
