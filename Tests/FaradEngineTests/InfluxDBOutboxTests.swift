import Foundation
import Logging
import Testing

@testable import FaradEngine

/// influxDBOut's outbox: order, the byte bound, what a restart finds, a torn tail.
@Suite struct InfluxDBOutboxTests {
    static func directory() -> String {
        let path = NSTemporaryDirectory() + "farad-outbox-" + UUID().uuidString
        return path
    }

    static func batch(_ i: Int, db: String = "db") -> InfluxDBOutbox.Batch {
        InfluxDBOutbox.Batch(database: db, retentionPolicy: "autogen", precision: i % 2 == 0 ? "" : "s", points: 1, body: Array("m v=\(i) \(i)\n".utf8))
    }

    @Test func batchesComeOutInOrderAndARestartFindsWhatWasNotTaken() {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/task/influxdb_out2.outbox"
        do {
            let outbox = InfluxDBOutbox(path: path, maxBytes: 1 << 20, logger: Logger(label: "test"))
            for i in 0..<10 { #expect(outbox.append(Self.batch(i))) }
            outbox.removeOldest()
            outbox.removeOldest()
            #expect(outbox.count == 8)
        }
        let again = InfluxDBOutbox(path: path, maxBytes: 1 << 20, logger: Logger(label: "test"))
        #expect(again.count == 8 && again.points == 8)
        var seen: [String] = []
        while let b = again.oldest {
            seen.append(String(decoding: b.body, as: UTF8.self) + b.precision + b.database + b.retentionPolicy)
            again.removeOldest()
        }
        #expect(seen == (2..<10).map { "m v=\($0) \($0)\n" + ($0 % 2 == 0 ? "" : "s") + "dbautogen" })
        // Emptied: the file is truncated and a restart finds nothing.
        #expect(InfluxDBOutbox(path: path, maxBytes: 1 << 20, logger: Logger(label: "test")).isEmpty)
        #expect(((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) == 0)
    }

    @Test func aFullOutboxRefusesAndKeepsWhatItHas() {
        let outbox = InfluxDBOutbox(path: nil, maxBytes: 100, logger: Logger(label: "test"))
        var accepted = 0
        for i in 0..<20 where outbox.append(Self.batch(i)) { accepted += 1 }
        #expect(accepted > 0 && accepted < 20)
        #expect(outbox.bytes <= 100 && outbox.count == accepted)
    }

    @Test func aTornTailIsCutOffAndTheWholeRecordsKept() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/t/n.outbox"
        do {
            let outbox = InfluxDBOutbox(path: path, maxBytes: 1 << 20, logger: Logger(label: "test"))
            for i in 0..<3 { _ = outbox.append(Self.batch(i)) }
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data([40, 0, 0, 0, 1, 2, 3, 4, 109, 32]))  // a record cut short by a crash
        handle.closeFile()
        let outbox = InfluxDBOutbox(path: path, maxBytes: 1 << 20, logger: Logger(label: "test"))
        #expect(outbox.count == 3)
        #expect(outbox.append(Self.batch(3)))
        #expect(InfluxDBOutbox(path: path, maxBytes: 1 << 20, logger: Logger(label: "test")).count == 4)
    }

    /// No task ID names a directory outside the outbox directory (`..` is a valid ID).
    @Test func everyTaskHasItsOwnDirectoryInsideTheOutboxDirectory() {
        var environment = TaskEnvironment()
        #expect(environment.outboxDirectory(forTask: "cpu") == nil)
        environment.outboxDirectory = "/data/outbox"
        #expect(environment.outboxDirectory(forTask: "..") == "/data/outbox/task-..")
        #expect(environment.outboxDirectory(forTask: ".") == "/data/outbox/task-.")
        #expect(environment.outboxDirectory(forTask: "cpu_alert") == "/data/outbox/task-cpu_alert")
    }
}
