import Foundation
import Synchronization
import Testing

/// A 2xx means durable: `kill -9` while a client streams writes loses nothing acknowledged.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DurabilityTests {
    @Test func killNineLosesNothingAcknowledged() async throws {
        let directory = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess.start(dataDirectory: directory)
        let acknowledged = Acknowledged()

        // Two clients stream 100-point requests; each request's batch number is recorded once
        // the server answered 204.
        let writers = Task {
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<2 {
                    group.addTask {
                        var batch = client
                        while true {
                            let points = (0..<100).map { "[\(Int64(batch) * 100 + Int64($0) + 1),\(batch)]" }.joined(separator: ",")
                            let body = "[{\"name\":\"durable\",\"datapoints\":[\(points)],\"tags\":{\"client\":\"\(client)\"}}]"
                            guard let reply = try? await server.post("/api/v1/datapoints", body), reply.status == 204 else { return }
                            acknowledged.batches.withLock { $0.append(batch) }
                            batch += 2
                        }
                    }
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while acknowledged.batches.withLock({ $0.count }) < 200 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        server.kill9()
        await writers.value
        let acked = acknowledged.batches.withLock { $0 }
        #expect(acked.count >= 200)

        let restarted = try ServerProcess.start(dataDirectory: directory)
        defer { restarted.stop(removingData: false) }
        let values = try await restarted.values(#"{"start_absolute":0,"metrics":[{"name":"durable"}]}"#)
        let stored = Set(values.map { ($0[0] as! NSNumber).int64Value })
        var missing = 0
        for batch in acked {
            for i in 0..<100 where !stored.contains(Int64(batch) * 100 + Int64(i) + 1) { missing += 1 }
        }
        #expect(missing == 0, "\(missing) acknowledged points lost of \(acked.count * 100)")
    }

    @Test func sigtermFinishesInFlightWritesAndRestartsWithTheData() async throws {
        let directory = ServerProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess.start(dataDirectory: directory)
        let reply = try await server.post("/api/v1/datapoints", #"{"name":"kept","datapoints":[[1,1],[2,2]],"tags":{"a":"b"}}"#)
        #expect(reply.status == 204)
        #expect(server.stop(removingData: false) == .exited(0))
        let restarted = try ServerProcess.start(dataDirectory: directory)
        defer { restarted.stop(removingData: false) }
        #expect(try await restarted.values(#"{"start_absolute":0,"metrics":[{"name":"kept"}]}"#).count == 2)
    }
}

/// Batches the server answered 204 for.
final class Acknowledged: Sendable {
    let batches = Mutex<[Int]>([])
}
