import FaradCore
@testable import FaradEngine

/// Data of Kapacitor's `integrations/testdata/*.srpl` (one point per line, second timestamps;
/// every point is written to dbname.rpname) and the harness of `streamer_test.go`.
enum Fixture {
    static let window = """
        cpu,type=idle,host=serverA value=97.1 0000000001
        cpu,type=idle,host=serverB value=97.1 0000000001
        cpu,type=idle,host=serverC value=96.4 0000000001
        disk,type=sda,host=serverB value=39   0000000001
        cpu,type=idle,host=serverA value=92.6 0000000002
        cpu,type=idle,host=serverB value=92.6 0000000002
        cpu,type=idle,host=serverA value=95.6 0000000003
        cpu,type=idle,host=serverB value=95.6 0000000003
        cpu,type=idle,host=serverA value=93.1 0000000004
        cpu,type=idle,host=serverB value=93.1 0000000004
        cpu,type=idle,host=serverA value=92.6 0000000005
        cpu,type=idle,host=serverB value=92.6 0000000005
        cpu,type=idle,host=serverA value=95.8 0000000006
        cpu,type=idle,host=serverB value=95.8 0000000006
        cpu,type=idle,host=serverC value=95.8 0000000006
        cpu,type=idle,host=serverA value=92.7 0000000007
        cpu,type=idle,host=serverB value=92.7 0000000007
        cpu,type=idle,host=serverA value=96.0 0000000008
        cpu,type=idle,host=serverB value=96.0 0000000008
        cpu,type=idle,host=serverA value=93.4 0000000009
        cpu,type=idle,host=serverB value=93.4 0000000009
        disk,type=sda,host=serverB value=423  0000000009
        cpu,type=idle,host=serverA value=95.3 0000000010
        cpu,type=idle,host=serverB value=95.3 0000000010
        cpu,type=idle,host=serverA value=96.4 0000000011
        cpu,type=idle,host=serverB value=96.4 0000000011
        cpu,type=idle,host=serverA value=95.1 0000000012
        cpu,type=idle,host=serverB value=95.1 0000000012
        cpu,type=idle,host=serverC value=95.8 0000000012
        """

    static let windowCount = (1...12).map { "cpu,type=idle,host=serverA value=\($0 < 10 ? "0" : "")\($0) 0000000000" }.joined(separator: "\n")

    static let fillPeriod = zip(0..., [93.1, 97.1, 92.6, 95.6, 93.1, 92.6, 95.8, 92.7, 96.0, 93.4, 95.3, 96.4, 95.1, 91.1, 95.7, 96.2])
        .map { "cpu,type=idle,host=serverA value=\($1) \($0)" }.joined(separator: "\n")

    static let influxQL = """
        cpu,type=idle,host=serverA value=98 0000000001
        cpu,type=idle,host=serverB value=97 0000000001
        disk,type=sda,host=serverB value=39 0000000001
        cpu,type=idle,host=serverA value=91 0000000002
        cpu,type=idle,host=serverB value=91 0000000002
        cpu,type=idle,host=serverA value=95 0000000003
        cpu,type=idle,host=serverB value=95 0000000003
        cpu,type=idle,host=serverA value=93 0000000004
        cpu,type=idle,host=serverB value=93 0000000004
        cpu,type=idle,host=serverA value=92 0000000005
        cpu,type=idle,host=serverB value=92 0000000005
        cpu,type=idle,host=serverA value=95 0000000006
        cpu,type=idle,host=serverB value=95 0000000006
        cpu,type=idle,host=serverC value=95 0000000006
        cpu,type=idle,host=serverA value=92 0000000007
        cpu,type=idle,host=serverB value=92 0000000007
        cpu,type=idle,host=serverA value=96 0000000008
        cpu,type=idle,host=serverB value=96 0000000008
        cpu,type=idle,host=serverA value=93 0000000009
        cpu,type=idle,host=serverB value=93 0000000009
        disk,type=sda,host=serverB value=42 0000000009
        cpu,type=idle,host=serverA value=95 0000000010
        cpu,type=idle,host=serverB value=95 0000000010
        cpu,type=idle,host=serverA value=96 0000000011
        cpu,type=idle,host=serverB value=96 0000000011
        cpu,type=idle,host=serverA value=95 0000000012
        cpu,type=idle,host=serverB value=95 0000000012
        """

    static let groupBy = """
        errors,service=cartA,dc=A value=7 0000000001
        errors,service=login,dc=B value=9 0000000001
        disk,service=sda,dc=B value=39   0000000001
        errors,service=front,dc=A value=2 0000000002
        errors,service=cartA,dc=B value=9 0000000002
        errors,service=login,dc=A value=5 0000000003
        errors,service=front,dc=B value=9 0000000003
        errors,service=cartA,dc=A value=3 0000000004
        errors,service=login,dc=B value=9 0000000004
        errors,service=front,dc=A value=2 0000000005
        errors,service=login,dc=B value=2 0000000005
        errors,service=front,dc=A value=5 0000000006
        errors,service=cartA,dc=B value=9 0000000006
        errors,service=login,dc=C value=7 0000000006
        errors,service=front,dc=A value=4 0000000007
        errors,service=cartA,dc=B value=8 0000000007
        errors,service=front,dc=A value=6 0000000008
        errors,service=cartA,dc=B value=6 0000000008
        errors,service=login,dc=A value=10 0000000009
        errors,service=front,dc=B value=4 0000000009
        disk,service=sda,dc=B value=423  0000000009
        errors,service=cartA,dc=A value=5 0000000010
        errors,service=login,dc=B value=3 0000000010
        errors,service=cartA,dc=A value=5 0000000011
        errors,service=login,dc=B value=6 0000000011
        errors,service=cartA,dc=A value=8 0000000012
        errors,service=front,dc=A value=9 0000000012
        errors,service=login,dc=B value=5 0000000012
        """

    static let derivative = """
        packets value=1000 0000000001
        packets value=1001 0000000002
        packets value2=0 0000000003
        packets value=1003 0000000004
        packets value=1004 0000000005
        packets value=1006 0000000006
        packets value=1007 0000000007
        packets value=1007 0000000008
        packets value=1008 0000000009
        packets value=1009 0000000010
        packets value=1010 0000000011
        packets value=1011 0000000012
        """

    static let derivativeNN = zip(1..., [1000, 1001, 1002, 1003, 1004, 1005, 6, 0, 1, 2, 3, 4])
        .map { "packets value=\($1) \($0)" }.joined(separator: "\n")

    static let defaults = """
        cpu,type=idle,host=serverA value=9 0000000001
        cpu,type=idle,host=serverB value=9 0000000001
        disk,type=sda,host=serverB value=3 0000000001
        cpu,type=idle,host=serverA value=4 0000000002
        cpu,type=idle,host=serverB value=7 0000000002
        cpu,type=idle,host=serverA value=2 0000000003
        cpu,type=idle,host=serverB value=1 0000000003
        cpu,type=idle,host=serverA value=8 0000000004
        cpu,type=idle,host=serverB value=4 0000000004
        cpu,type=idle,host=serverA value=6 0000000005
        cpu,type=idle value=2 0000000005
        cpu,type=idle,host=serverA value=8 0000000006
        cpu,type=idle,host=serverB value=8 0000000006
        cpu,type=idle,host=serverC value=4 0000000006
        cpu,type=idle,host=serverA anothervalue=9 0000000007
        cpu,type=idle,host=serverB value=7 0000000007
        cpu,type=idle anothervalue=3 0000000008
        cpu,type=idle,host=serverB value=6 0000000008
        cpu,type=idle,host=serverA value=9 0000000009
        cpu,type=idle,host=serverB value=9 0000000009
        disk,type=sda,host=serverB value=4 0000000009
        cpu,type=idle,host=serverA value=7 0000000010
        cpu,type=idle,host=serverB value=3 0000000010
        cpu,type=idle,host=serverA value=2 0000000011
        cpu,type=idle,host=serverB value=1 0000000011
        cpu,type=idle,host=serverA value=7 0000000012
        cpu,type=idle,host=serverB value=9 0000000012
        """

    static let delete = """
        cpu,type=idle,host=serverA value=9,anothervalue=4.2 0000000001
        cpu,type=system,host=serverB value=6,anothervalue=24 0000000001
        cpu,type=user,host=serverC value=3,anothervalue=42 0000000001
        """

    static let difference = zip([1, 2, 3, 10, 11, 12], [1000, 1001, 1006, 1009, 1010, 1011])
        .map { "packets value=\($1) \($0)" }.joined(separator: "\n")

    static let movingAverage = zip(1..., [1000, 1001, 1002, 1003] + Array(1014...1024))
        .map { "packets value=\($1) \($0)" }.joined(separator: "\n")

    static let cumulativeSum = (0...10).map { "packets value=\(max($0 - 1, 0)) \($0)" }.joined(separator: "\n")

    static let windowMissing = zip([1, 8, 9, 10, 11, 12], [97.1, 92.4, 93.4, 95.3, 96.4, 95.1])
        .map { "cpu,type=idle,host=serverA value=\($1) \($0)" }.joined(separator: "\n")

    static let fillPeriodAligned = zip(0..., [93.1, 97.1, 92.6, 95.6, 93.1, 92.6, 95.8, 92.7, 96.0, 93.4, 95.3,
                                             96.4, 95.1, 91.1, 95.7, 96.2, 96.6, 91.2, 98.2, 96.1, 97.2])
        .map { "cpu,type=idle,host=serverA value=\($1) \($0)" }.joined(separator: "\n")

    static let evalTags = """
        types value=0,another=2 0000000001
        types value=1,another=2 0000000001
        """

    static let batchGroupBy = """
        cpu,type=idle,host=serverA value=97.1 0000000001
        cpu,type=idle,host=serverB value=97.1 0000000001
        cpu,type=idle,host=serverA value=92.6 0000000002
        cpu,type=idle,host=serverB value=92.6 0000000002
        cpu,type=idle,host=serverA value=95.6 0000000003
        cpu,type=idle,host=serverB value=95.6 0000000003
        cpu,type=idle,host=serverA value=93.1 0000000004
        cpu,type=idle,host=serverB value=93.1 0000000004
        cpu,type=idle,host=serverA value=92.6 0000000005
        cpu,type=idle,host=serverB value=92.6 0000000005
        cpu,type=idle,host=serverC value=95.8 0000000005
        cpu,type=idle,host=serverA value=95.8 0000000006
        cpu,type=idle,host=serverA value=92.7 0000000007
        cpu,type=idle,host=serverB value=92.7 0000000007
        cpu,type=idle,host=serverA value=96.0 0000000008
        cpu,type=idle,host=serverB value=96.0 0000000008
        cpu,type=idle,host=serverA value=93.4 0000000009
        cpu,type=idle,host=serverB value=93.4 0000000009
        cpu,type=idle,host=serverA value=95.3 0000000010
        cpu,type=idle,host=serverB value=95.3 0000000010
        cpu,type=idle,host=serverA value=96.4 0000000011
        cpu,type=idle,host=serverB value=96.4 0000000011
        cpu,type=idle,host=serverA value=95.1 0000000012
        cpu,type=idle,host=serverB value=95.1 0000000012
        cpu,type=idle,host=serverA value=95.1 0000000013
        cpu,type=idle,host=serverB value=95.1 0000000013
        cpu,type=idle,host=serverA value=95.1 0000000014
        cpu,type=idle,host=serverB value=95.1 0000000014
        cpu,type=idle,host=serverA value=95.1 0000000015
        cpu,type=idle,host=serverB value=95.1 0000000015
        """

    static let groupByExclude = (1...4).flatMap { s in
        ["t=A,s=1", "t=A,s=2", "t=B,s=1", "t=B,s=2"].map { "mock,\($0) value=97.1 \(s)" }
    }.joined(separator: "\n")

    static let groupByMeasurement = """
        errors,service=cartA,dc=A value=7 0000000001
        errors,service=login,dc=B value=9 0000000001
        disk,service=sda,dc=B value=390   0000000001
        errors,service=front,dc=A value=2 0000000002
        errors,service=cartA,dc=B value=9 0000000002
        errors,service=login,dc=A value=5 0000000003
        errors,service=front,dc=B value=9 0000000003
        errors,service=cartA,dc=A value=3 0000000004
        errors,service=login,dc=B value=9 0000000004
        errors,service=front,dc=A value=2 0000000005
        errors,service=login,dc=B value=2 0000000005
        errors,service=front,dc=A value=5 0000000006
        errors,service=cartA,dc=B value=9 0000000006
        errors,service=login,dc=C value=7 0000000006
        errors,service=front,dc=A value=4 0000000007
        errors,service=cartA,dc=B value=8 0000000007
        errors,service=front,dc=A value=6 0000000008
        errors,service=cartA,dc=B value=6 0000000008
        errors,service=login,dc=A value=10 0000000009
        errors,service=front,dc=B value=4 0000000009
        disk,service=sda,dc=B value=420  0000000009
        errors,service=cartA,dc=A value=5 0000000010
        errors,service=login,dc=B value=3 0000000010
        errors,service=cartA,dc=A value=5 0000000011
        errors,service=login,dc=B value=6 0000000011
        disk,service=sda,dc=B value=423  00000000011
        errors,service=cartA,dc=A value=8 0000000012
        errors,service=front,dc=A value=9 0000000012
        errors,service=login,dc=B value=5 0000000012
        disk,service=sda,dc=B value=423  00000000012
        """

    static let union = """
        cpu,cpu=0,host=serverA value=98 0000000001
        cpu,cpu=1,host=serverB value=97 0000000001
        cpu,cpu=total,host=serverA value=92 0000000002
        cpu,cpu=0,host=serverA value=95 0000000003
        cpu,cpu=1,host=serverB value=95 0000000003
        cpu,cpu=total,host=serverA value=93 0000000004
        cpu,cpu=0,host=serverB value=93 0000000004
        cpu,cpu=1,host=serverA value=92 0000000005
        cpu,cpu=total,host=serverB value=92 0000000005
        cpu,cpu=0,host=serverA value=95 0000000006
        cpu,cpu=1,host=serverB value=95 0000000006
        cpu,cpu=total,host=serverC value=95 0000000006
        cpu,cpu=0,host=serverA value=92 0000000007
        cpu,cpu=1,host=serverB value=92 0000000007
        cpu,cpu=total,host=serverA value=96 0000000008
        cpu,cpu=0,host=serverB value=96 0000000008
        cpu,cpu=1,host=serverA value=93 0000000009
        cpu,cpu=total,host=serverB value=93 0000000009
        cpu,cpu=0,host=serverA value=95 0000000010
        cpu,cpu=1,host=serverB value=95 0000000010
        cpu,cpu=total,host=serverA value=96 0000000011
        cpu,cpu=0,host=serverB value=96 0000000011
        cpu,cpu=1,host=serverA value=95 0000000012
        cpu,cpu=total,host=serverB value=95 0000000012
        """

    static let unionStepped = """
        cpu,cpu=0 value=91 0000000000
        cpu,cpu=1 value=97 0000000000
        cpu,cpu=0 value=98 0000000001
        cpu,cpu=1 value=98 0000000001
        cpu,cpu=total value=92 0000000002
        cpu,cpu=1 value=92 0000000002
        cpu,cpu=0 value=95 0000000003
        cpu,cpu=1 value=95 0000000003
        cpu,cpu=total value=93 0000000004
        cpu,cpu=1 value=93 0000000004
        cpu,cpu=1 value=92 0000000005
        cpu,cpu=0 value=92 0000000005
        cpu,cpu=0 value=95 0000000006
        cpu,cpu=total value=95 0000000006
        cpu,cpu=0 value=92 0000000007
        cpu,cpu=1 value=92 0000000007
        cpu,cpu=total value=96 0000000008
        cpu,cpu=1 value=96 0000000008
        cpu,cpu=1 value=93 0000000009
        cpu,cpu=0 value=93 0000000009
        cpu,cpu=0 value=95 0000000010
        cpu,cpu=total value=95 0000000010
        cpu,cpu=total value=96 0000000011
        cpu,cpu=0 value=96 0000000011
        cpu,cpu=1 value=95 0000000012
        cpu,cpu=0 value=95 0000000012
        """

    static let sample = (0...10).map { "packets value=\(1000 + $0) \($0)" }.joined(separator: "\n")

    /// The `.srpl` form: db, rp, point, for every line.
    static func srpl(_ lines: String) -> [UInt8] {
        Array(lines.split(separator: "\n").map { "dbname\nrpname\n\($0.trimmingPrefixSpaces)\n" }.joined().utf8)
    }

    /// Replays `lines` through `script` as Kapacitor's harness does and returns the httpOut JSON.
    static func run(_ script: String, _ lines: String, environment: TaskEnvironment = TaskEnvironment()) async throws -> String {
        let task = try TaskExecution(id: "test", script: script, environment: environment)
        try await ReplayRecording(srpl: srpl(lines)).replay(into: task)
        return task.httpOut(task.endpoints.first ?? "") ?? ""
    }

    /// `1971-01-01T00:00:<s>Z`: second `s` of a replay.
    static func t(_ s: Int) -> String { CivilDate.rfc3339Nano(ReplayRecording.srplEpoch + Int64(s) * 1_000_000_000) }

    /// One expected series, in Kapacitor's JSON.
    static func series(_ name: String, tags: [(String, String)] = [], _ columns: [String], _ rows: [[Any]]) -> String {
        var s = "{\"name\":\"\(name)\""
        if !tags.isEmpty { s += ",\"tags\":{" + tags.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",") + "}" }
        s += ",\"columns\":[" + columns.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        s += ",\"values\":[" + rows.map { row in
            "[" + row.enumerated().map { i, v in
                if i == 0, let s = v as? Int { return "\"\(t(s))\"" }
                if let text = v as? String { return "\"\(text)\"" }
                if let d = v as? Double { return JSONWriter.format(d) }
                return "\(v)"
            }.joined(separator: ",") + "]"
        }.joined(separator: ",") + "]}"
        return s
    }

    static func result(_ series: String...) -> String {
        "{\"series\":[" + series.joined(separator: ",") + "]}"
    }
}

extension Substring {
    var trimmingPrefixSpaces: Substring { drop { $0 == " " } }
}
