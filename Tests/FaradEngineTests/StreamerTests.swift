import FaradCore
import Testing
@testable import FaradEngine

/// Kapacitor's `integrations/streamer_test.go` cases: the same data, scripts and expected
/// httpOut results, replayed through Farad's engine.
@Suite struct StreamerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let script: String
        let data: String
        let expected: String
        var testDescription: String { name }
    }

    typealias F = Fixture

    static let serverAWindow = ["97.1", "92.6", "95.6", "93.1", "92.6", "95.8", "92.7", "96.0", "93.4", "95.3"].map { Double($0)! }

    static func influxQL(_ method: String, _ args: String = "'value'", usePointTimes: Bool = false) -> String {
        """
        stream
            |from()
                .measurement('cpu')
                .where(lambda: "host" == 'serverA')
                .groupBy('host')
            |window()
                .period(10s)
                .every(10s)
            |\(method)(\(args))\(usePointTimes ? "\n        .usePointTimes()" : "")
            |httpOut('TestStream_InfluxQL_Float')
        """
    }

    static let hostA = [("host", "serverA")]
    static let hostAIdle = [("host", "serverA"), ("type", "idle")]

    static let cases: [Case] = [
        Case(name: "SimpleMR", script: """
            stream
                |from()
                    .measurement('cpu')
                    .where(lambda: "host" == 'serverA')
                |window()
                    .period(10s)
                    .every(10s)
                |count('value')
                |httpOut('TestStream_SimpleMR')
            """, data: F.window, expected: #"{"series":[{"name":"cpu","columns":["time","count"],"values":[["1971-01-01T00:00:10Z",10]]}]}"#),
        Case(name: "SimpleWhere", script: """
            var serverPattern = /^serverA$/
            var data = stream
                |from()
                    .measurement('cpu')
                    .where(lambda: "host" =~ serverPattern)
                    .where(lambda: "host" != 'serverB')
                |window()
                    .period(10s)
                    .every(10s)
                |count('value')
                |where(lambda: "count" > 0)
                |where(lambda: "count" < 12)
            // Unused where clause should not side-effect
            data
                |where(lambda: FALSE)
            data
                |httpOut('TestStream_SimpleMR')
            """, data: F.window, expected: F.result(F.series("cpu", ["time", "count"], [[10, 10]]))),
        Case(name: "Window", script: """
            var period = 10s
            var every = 10s
            stream
                |from()
                    .database('dbname')
                    .retentionPolicy('rpname')
                    .measurement('cpu')
                    .where(lambda: "host" == 'serverA')
                |window()
                    .period(period)
                    .every(every)
                |httpOut('TestStream_Window')
            """, data: F.window,
            expected: F.result(F.series("cpu", ["time", "host", "type", "value"], serverAWindow.enumerated().map { [$0, "serverA", "idle", $1] }))),
        Case(name: "Window_Every_0", script: """
            stream
                |from()
                    .database('dbname')
                    .retentionPolicy('rpname')
                    .measurement('cpu')
                    .groupBy('host')
                |window()
                    .period(10s)
                    .every(0s)
                |count('value')
                |window()
                    .period(10s)
                    .every(10s)
                |httpOut('TestStream_Window')
            """, data: F.window, expected: F.result(
                F.series("cpu", tags: [("host", "serverA")], ["time", "count"], (0..<10).map { [$0, $0 + 1] }),
                F.series("cpu", tags: [("host", "serverB")], ["time", "count"], (0..<10).map { [$0, $0 + 1] }),
                F.series("cpu", tags: [("host", "serverC")], ["time", "count"], [[0, 1], [5, 2]]))),
        Case(name: "Window_Every_0_FillPeriod", script: """
            stream
                |from()
                    .measurement('cpu')
                    .groupBy('host')
                |window()
                    .period(5s)
                    .every(0s)
                    .fillPeriod()
                |count('value')
                |window()
                    .period(10s)
                    .every(0s)
                |httpOut('TestStream_Window')
            """, data: F.window, expected: F.result(
                F.series("cpu", tags: [("host", "serverA")], ["time", "count"], (5...11).map { [$0, 5] }),
                F.series("cpu", tags: [("host", "serverB")], ["time", "count"], (5...11).map { [$0, 5] }),
                F.series("cpu", tags: [("host", "serverC")], ["time", "count"], [[5, 1], [11, 1]]))),
        Case(name: "Window_Count", script: """
            stream
                |from()
                    .measurement('cpu')
                    .where(lambda: "host" == 'serverA')
                |window()
                    .periodCount(10)
                    .everyCount(10)
                |httpOut('TestStream_Window_Count')
            """, data: F.windowCount, expected: F.result(F.series("cpu", ["time", "host", "type", "value"], (0..<10).map { [0, "serverA", "idle", Double($0 + 1)] }))),
        Case(name: "Window_Count_Overlapping", script: """
            stream
                |from()
                    .measurement('cpu')
                |window()
                    .periodCount(3)
                    .everyCount(1)
                |httpOut('TestStream_Window_Count')
            """, data: F.windowCount, expected: F.result(F.series("cpu", ["time", "host", "type", "value"], (10...12).map { [0, "serverA", "idle", Double($0)] }))),
        Case(name: "Window_Count_FillPeriod", script: """
            stream
                |from()
                    .measurement('cpu')
                    .groupBy('host')
                |window()
                    .periodCount(4)
                    .everyCount(1)
                    .fillPeriod()
                |count('value')
                |window()
                    .periodCount(20)
                    .everyCount(1)
                |httpOut('TestStream_Window_Count')
            """, data: F.windowCount, expected: F.result(F.series("cpu", tags: hostA, ["time", "count"], (0..<9).map { _ in [0, 4] }))),
        Case(name: "Window_Overlapping", script: """
            stream
                |from()
                    .measurement('cpu')
                    .where(lambda: "host" == 'serverA')
                |window()
                    .period(14s)
                    .every(10s)
                |httpOut('TestStream_Window_FillPeriod')
            """, data: F.fillPeriod, expected: F.result(F.series("cpu", ["time", "host", "type", "value"],
                [93.1, 97.1, 92.6, 95.6, 93.1, 92.6, 95.8, 92.7, 96.0, 93.4].enumerated().map { [$0, "serverA", "idle", $1] }))),
        Case(name: "Window_FillPeriod", script: """
            stream
                |from()
                    .measurement('cpu')
                    .where(lambda: "host" == 'serverA')
                |window()
                    .period(14s)
                    .every(10s)
                    .fillPeriod()
                |httpOut('TestStream_Window_FillPeriod')
            """, data: F.fillPeriod, expected: F.result(F.series("cpu", ["time", "host", "type", "value"],
                [93.1, 97.1, 92.6, 95.6, 93.1, 92.6, 95.8, 92.7, 96.0, 93.4, 95.3, 96.4, 95.1, 91.1].enumerated().map { [$0, "serverA", "idle", $1] }))),
        Case(name: "GroupBy", script: """
            stream
                |from()
                    .measurement('errors')
                    .groupBy('service')
                |window()
                    .period(10s)
                    .every(10s)
                |sum('value')
                |httpOut('TestStream_GroupBy')
            """, data: F.groupBy, expected: F.result(
                F.series("errors", tags: [("service", "cartA")], ["time", "sum"], [[10, 47]]),
                F.series("errors", tags: [("service", "login")], ["time", "sum"], [[10, 45]]),
                F.series("errors", tags: [("service", "front")], ["time", "sum"], [[11, 32]]))),
        Case(name: "BatchGroupBy", script: """
            stream
                |from()
                    .measurement('cpu')
                |window()
                    .period(5s)
                    .every(5s)
                |groupBy('host')
                |count('value')
                |httpOut('TestStream_BatchGroupBy')
            """, data: F.window, expected: F.result(
                F.series("cpu", tags: [("host", "serverA")], ["time", "count"], [[5, 5]]),
                F.series("cpu", tags: [("host", "serverB")], ["time", "count"], [[5, 5]]),
                F.series("cpu", tags: [("host", "serverC")], ["time", "count"], [[5, 1]]))),
        Case(name: "Derivative", script: """
            stream
                |from().measurement('packets')
                |derivative('value')
                |window()
                    .period(10s)
                    .every(10s)
                |mean('value')
                |httpOut('TestStream_Derivative')
            """, data: F.derivative, expected: F.result(F.series("packets", ["time", "mean"], [[11, 1]]))),
        Case(name: "DerivativeAs", script: """
            stream
                |from().measurement('packets')
                |derivative('value').as('derivative')
                |window()
                    .period(10s)
                    .every(10s)
                |httpOut('TestStream_Derivative')
            """, data: F.derivative, expected: F.result(F.series("packets", ["time", "derivative", "value"],
                [[1, 1, 1001], [3, 1, 1003], [4, 1, 1004], [5, 2, 1006], [6, 1, 1007], [7, 0, 1007], [8, 1, 1008], [9, 1, 1009], [10, 1, 1010]]))),
        Case(name: "DerivativeUnit", script: """
            stream
                |from().measurement('packets')
                |derivative('value')
                    .unit(10s)
                |window()
                    .period(10s)
                    .every(10s)
                |mean('value')
                |httpOut('TestStream_Derivative')
            """, data: F.derivative, expected: F.result(F.series("packets", ["time", "mean"], [[11, 10]]))),
        Case(name: "DerivativeNN", script: """
            stream
                |from().measurement('packets')
                |derivative('value')
                    .nonNegative()
                |window()
                    .period(10s)
                    .every(10s)
                |mean('value')
                |httpOut('TestStream_DerivativeNN')
            """, data: F.derivativeNN, expected: F.result(F.series("packets", ["time", "mean"], [[11, 1]]))),
        Case(name: "DerivativeN", script: """
            stream
                |from().measurement('packets')
                |derivative('value')
                |window()
                    .period(10s)
                    .every(10s)
                |mean('value')
                |httpOut('TestStream_DerivativeNN')
            """, data: F.derivativeNN, expected: F.result(F.series("packets", ["time", "mean"], [[11, -99.7]]))),
        Case(name: "Eval_AllTypes", script: """
            stream
                |from()
                    .measurement('types')
                |eval(lambda: "str" + 'suffix', lambda: !"bool", lambda: "int" + 14, lambda: "float" * 2.0)
                    .as( 'str', 'bool', 'int', 'float')
                |httpOut('TestStream_EvalAllTypes')
            """, data: #"types str="bob",bool=false,int=5i,float=42 0000000001"#,
            expected: F.result(F.series("types", ["time", "bool", "float", "int", "str"], [[0, true, 84, 19, "bobsuffix"]]))),
        Case(name: "Eval_KeepAll", script: """
            stream
                |from()
                    .measurement('types')
                |eval(lambda: "value0" + "value1", lambda: "value0" - "value1")
                    .as( 'pos', 'neg')
                    .keep()
                |httpOut('TestStream_Eval_Keep')
            """, data: "types value0=0,value1=1 0000000001",
            expected: F.result(F.series("types", ["time", "neg", "pos", "value0", "value1"], [[0, -1, 1, 0, 1]]))),
        Case(name: "Eval_KeepSome", script: """
            stream
                |from()
                    .measurement('types')
                |eval(lambda: "value0" + "value1", lambda: "value0" - "value1")
                    .as( 'pos', 'neg')
                    .keep('value0', 'pos', 'neg', 'other')
                |httpOut('TestStream_Eval_Keep')
            """, data: "types value0=0,value1=1,other=5 0000000001",
            expected: F.result(F.series("types", ["time", "neg", "other", "pos", "value0"], [[0, -1, 5, 1, 0]]))),
        Case(name: "Eval_KeepSomeWithHidden", script: """
            stream
                |from()
                    .measurement('types')
                |eval(lambda: "value0" + "value1", lambda: "pos" - "value1")
                    .as( 'pos', 'zero')
                    .keep('value0', 'zero')
                |httpOut('TestStream_Eval_Keep')
            """, data: "types value0=0,value1=1 0000000001",
            expected: F.result(F.series("types", ["time", "value0", "zero"], [[0, 0, 0]]))),
        Case(name: "Default", script: """
            stream
                |from()
                    .measurement('cpu')
                |default()
                    .field('value', 1.0)
                    .tag('host', 'serverA')
                |where(lambda: "host" == 'serverA')
                |window()
                    .period(10s)
                    .every(10s)
                |sum('value')
                |httpOut('TestStream_Default')
            """, data: F.defaults, expected: F.result(F.series("cpu", ["time", "sum"], [[10, 57]]))),
        Case(name: "Delete", script: """
            stream
                |from()
                    .measurement('cpu')
                |delete()
                    .field('anothervalue')
                    .tag('type')
                |groupBy(*)
                |httpOut('TestStream_Delete')
            """, data: F.delete, expected: F.result(
                F.series("cpu", tags: [("host", "serverA")], ["time", "value"], [[0, 9]]),
                F.series("cpu", tags: [("host", "serverB")], ["time", "value"], [[0, 6]]),
                F.series("cpu", tags: [("host", "serverC")], ["time", "value"], [[0, 3]]))),
        Case(name: "InfluxQL sum", script: influxQL("sum"), data: F.influxQL, expected: F.result(F.series("cpu", tags: hostA, ["time", "sum"], [[10, 940]]))),
        Case(name: "InfluxQL count", script: influxQL("count"), data: F.influxQL, expected: F.result(F.series("cpu", tags: hostA, ["time", "count"], [[10, 10]]))),
        Case(name: "InfluxQL distinct", script: influxQL("distinct"), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostA, ["time", "distinct"], [98, 91, 95, 93, 92, 96].map { [10, $0] }))),
        Case(name: "InfluxQL mean", script: influxQL("mean"), data: F.influxQL, expected: F.result(F.series("cpu", tags: hostA, ["time", "mean"], [[10, 94]]))),
        Case(name: "InfluxQL median", script: influxQL("median"), data: F.influxQL, expected: F.result(F.series("cpu", tags: hostA, ["time", "median"], [[10, 94]]))),
        Case(name: "InfluxQL mode", script: influxQL("mode"), data: F.influxQL, expected: F.result(F.series("cpu", tags: hostA, ["time", "mode"], [[10, 95]]))),
        Case(name: "InfluxQL min usePointTimes", script: influxQL("min", usePointTimes: true), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostAIdle, ["time", "min"], [[1, 91]]))),
        Case(name: "InfluxQL min", script: influxQL("min"), data: F.influxQL, expected: F.result(F.series("cpu", tags: hostAIdle, ["time", "min"], [[10, 91]]))),
        Case(name: "InfluxQL max usePointTimes", script: influxQL("max", usePointTimes: true), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostAIdle, ["time", "max"], [[0, 98]]))),
        Case(name: "InfluxQL spread", script: influxQL("spread"), data: F.influxQL, expected: F.result(F.series("cpu", tags: hostA, ["time", "spread"], [[10, 7]]))),
        Case(name: "InfluxQL stddev", script: influxQL("stddev"), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostA, ["time", "stddev"], [[10, 2.160246899469287]]))),
        Case(name: "InfluxQL first usePointTimes", script: influxQL("first", usePointTimes: true), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostAIdle, ["time", "first"], [[0, 98]]))),
        Case(name: "InfluxQL last", script: influxQL("last"), data: F.influxQL, expected: F.result(F.series("cpu", tags: hostAIdle, ["time", "last"], [[10, 95]]))),
        Case(name: "InfluxQL last usePointTimes", script: influxQL("last", usePointTimes: true), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostAIdle, ["time", "last"], [[9, 95]]))),
        Case(name: "InfluxQL percentile", script: influxQL("percentile", "'value', 50.0"), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostAIdle, ["time", "percentile"], [[10, 93]]))),
        Case(name: "InfluxQL top usePointTimes", script: influxQL("top", "2, 'value'", usePointTimes: true), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostA, ["time", "top", "type"], [[0, 98, "idle"], [7, 96, "idle"]]))),
        Case(name: "InfluxQL top", script: influxQL("top", "2, 'value'"), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostA, ["time", "top", "type"], [[10, 98, "idle"], [10, 96, "idle"]]))),
        Case(name: "InfluxQL bottom usePointTimes", script: influxQL("bottom", "3, 'value'", usePointTimes: true), data: F.influxQL,
             expected: F.result(F.series("cpu", tags: hostA, ["time", "bottom", "type"], [[1, 91, "idle"], [4, 92, "idle"], [6, 92, "idle"]]))),
    ]

    @Test(arguments: cases)
    func kapacitorResult(_ c: Case) async throws {
        let json = try await Fixture.run(c.script, c.data)
        #expect(json == c.expected)
    }
}
