import FaradCore
import FaradStore

/// The store's chunk codec, in process: encode and decode points/s and bytes a point at rest,
/// v0 (8 raw bytes a double) against v1 (delta-of-delta times, Gorilla XOR doubles).
func chunkCodecBenchmark(points n: Int, chunkSize: Int) {
    print("chunk-codec: \(n) points in chunks of \(chunkSize)\n")
    var rng = SplitMix(seed: 2026)
    let start: Int64 = 1_700_000_000_000
    let regular = (0..<n).map { start + Int64($0) * 10_000 }
    var t = start
    let irregular = (0..<n).map { _ in
        t += 1_000 + Int64(rng.next() % 19_000)
        return t
    }
    var walk = 50.0
    let rounded: [MetricValue] = (0..<n).map { _ in
        walk += Double(Int64(rng.next() % 21) - 10) / 10
        return .double((walk * 10).rounded() / 10)
    }
    walk = 50.0
    let fullPrecision: [MetricValue] = (0..<n).map { _ in
        walk += (Double(rng.next() % 1_000_000) / 1_000_000 - 0.5) / 10
        return .double(walk)
    }
    let constant: [MetricValue] = Array(repeating: .double(0.5), count: n)
    var counter: Int64 = 0
    let counters: [MetricValue] = (0..<n).map { _ in
        counter += Int64(rng.next() % 100)
        return .long(counter)
    }
    let workloads: [(String, [Int64], [MetricValue])] = [
        ("regular, random walk (0.1)", regular, rounded),
        ("regular, random walk (full)", regular, fullPrecision),
        ("regular, constant double", regular, constant),
        ("regular, integer counter", regular, counters),
        ("irregular, random walk (0.1)", irregular, rounded),
    ]
    for (name, times, values) in workloads {
        print(name)
        let formats: [(String, Encoder)] = [("v0", ChunkCodec.encodeV0), ("v1", ChunkCodec.encode)]
        for (format, encode) in formats {
            run(format: format, times: times, values: values, chunkSize: chunkSize, encode: encode)
        }
    }
}

private typealias Encoder = (ArraySlice<Int64>, ArraySlice<MetricValue>, Int64, inout [UInt8]) -> Void

private func run(format: String, times: [Int64], values: [MetricValue], chunkSize: Int, encode: Encoder) {
    let n = times.count
    var blobs: [([UInt8], Int64)] = []
    var scratch: [UInt8] = []
    scratch.reserveCapacity(chunkSize * 40)
    let encoding = measure("  \(format) encode", points: n) {
        blobs.removeAll(keepingCapacity: true)
        var i = 0
        while i < n {
            let end = min(i + chunkSize, n)
            let base = times[i..<end].min()!
            scratch.removeAll(keepingCapacity: true)
            encode(times[i..<end], values[i..<end], base, &scratch)
            blobs.append((scratch, base))
            i = end
        }
    }
    let bytes = blobs.reduce(0) { $0 + $1.0.count }
    encoding.report(extra: "  \(format_(Double(bytes) / Double(n))) bytes/point")
    var sink: Int64 = 0
    var decodedCount = 0
    measure("  \(format) decode", points: n) {
        decodedCount = 0
        for (blob, base) in blobs {
            blob.withUnsafeBytes { raw in
                do {
                    try ChunkCodec.decode(raw, base: base) { t, v in
                        sink &+= t
                        if case .double(let d) = v { sink &+= Int64(d.bitPattern & 1) }
                        decodedCount &+= 1
                    }
                } catch {
                    print("decode failed: \(error)")
                }
            }
        }
    }.report()
    if decodedCount != n { print("  decoded \(decodedCount) of \(n) points!") }
    if sink == 42 { print("") }
}

private func format_(_ v: Double) -> String { format(v, 3) }

