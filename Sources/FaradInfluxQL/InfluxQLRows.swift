/// The rows of one output series: the points of its storage series merged by time, each row
/// holding the values of the fields the select reads (a field a point lacks is null).
struct InfluxQLRows: Sendable {
    var times: [Int64] = []
    /// Index of the row's storage series in the group's list (for its tags).
    var series: [Int32] = []
    /// Per field slot, the row's value.
    var columns: [[InfluxQLValue?]]

    init(fields: Int) {
        columns = Array(repeating: [], count: fields)
    }

    var count: Int { times.count }

    /// Appends the rows of one storage series: `reads[slot]` is that field's column (ascending,
    /// unique times); a row is kept when `keep` says so.
    mutating func append(series index: Int32, _ reads: [InfluxColumn?], keep: (Int64, (Int) -> InfluxQLValue?) -> Bool) {
        var cursors = Array(repeating: 0, count: reads.count)
        var row: [InfluxQLValue?] = Array(repeating: nil, count: reads.count)
        while true {
            // The next time is the smallest at the cursors.
            var next = Int64.max
            var any = false
            for (slot, c) in reads.enumerated() {
                guard let c, cursors[slot] < c.times.count else { continue }
                next = min(next, c.times[cursors[slot]])
                any = true
            }
            guard any else { return }
            for (slot, c) in reads.enumerated() {
                if let c, cursors[slot] < c.times.count, c.times[cursors[slot]] == next {
                    row[slot] = c.values[cursors[slot]]
                    cursors[slot] += 1
                } else {
                    row[slot] = nil
                }
            }
            if keep(next, { row[$0] }) {
                times.append(next)
                series.append(index)
                for slot in row.indices { columns[slot].append(row[slot]) }
            }
        }
    }

    /// Sorts the rows by time; rows of one time keep their order (their series' order).
    mutating func sortByTime() {
        var sorted = true
        for i in times.indices.dropFirst() where times[i - 1] > times[i] {
            sorted = false
            break
        }
        guard !sorted else { return }
        let order = times.indices.sorted { times[$0] < times[$1] || (times[$0] == times[$1] && $0 < $1) }
        times = order.map { times[$0] }
        series = order.map { series[$0] }
        for slot in columns.indices { columns[slot] = order.map { columns[slot][$0] } }
    }
}
