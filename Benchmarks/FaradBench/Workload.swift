import KapacitorUDFWire

/// The benchmark point: `cpu,host=server01,cpu=cpu-total usage_user=10.5,usage_system=5.25,procs=1234i`
/// in database `telegraf`, retention policy `autogen`, time in ns (about 136 bytes a frame).
func benchmarkPoint(_ i: Int) -> UDFPoint {
    UDFPoint(
        time: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000_000,
        name: "cpu", database: "telegraf", retentionPolicy: "autogen",
        tags: ["host": "server01", "cpu": "cpu-total"],
        fieldsDouble: ["usage_user": 10.5, "usage_system": 5.25], fieldsInt: ["procs": 1234])
}

/// `count` request frames back to back: stream points, or batches of `batchSize` points.
func requestFrames(count: Int, batchSize: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count * 140 + (batchSize > 0 ? count / batchSize * 80 : 0))
    var i = 0
    while i < count {
        if batchSize > 0 {
            let n = min(batchSize, count - i)
            let tags = ["host": "server01", "cpu": "cpu-total"]
            UDFRequest.begin(BeginBatch(name: "cpu", group: "", tags: tags, size: Int64(n))).appendFrame(to: &bytes)
            for j in 0..<n { UDFRequest.point(benchmarkPoint(i + j)).appendFrame(to: &bytes) }
            UDFRequest.end(EndBatch(name: "cpu", tmax: benchmarkPoint(i + n - 1).time, tags: tags)).appendFrame(to: &bytes)
            i += n
        } else {
            UDFRequest.point(benchmarkPoint(i)).appendFrame(to: &bytes)
            i += 1
        }
    }
    return bytes
}
