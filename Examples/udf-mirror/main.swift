import KapacitorUDF
import UDFExamples

#if canImport(Glibc)
import Glibc
#endif

// `udf-mirror [--batch] [--socket PATH]`: echoes points (or, with --batch, whole batches).
// With UDF_MIRROR_EXIT_AFTER=N in its environment, a stream mirror exits 0 after echoing N
// points: a UDF that ends mid-stream, for the host's tests.
var arguments = Array(CommandLine.arguments.dropFirst())
if let i = arguments.firstIndex(of: "--batch") {
    arguments.remove(at: i)
    await UDFAgent.main(BatchMirror.self, name: "udf-mirror", arguments: arguments)
} else if let limit = getenv("UDF_MIRROR_EXIT_AFTER").flatMap({ Int(String(cString: $0)) }), limit > 0 {
    await UDFAgent.main(QuittingMirror.self, name: "udf-mirror", arguments: arguments)
} else {
    await UDFAgent.main(Mirror.self, name: "udf-mirror", arguments: arguments)
}

/// A mirror that exits 0 after `UDF_MIRROR_EXIT_AFTER` points, in the middle of the stream.
struct QuittingMirror: UDFHandler {
    static let info = UDFInfo(wants: .stream, provides: .stream)
    private var left: Int

    init(options: UDFOptions) {
        left = getenv("UDF_MIRROR_EXIT_AFTER").flatMap { Int(String(cString: $0)) } ?? 1
    }

    mutating func point(_ point: UDFPoint, emitter: Emitter) async throws {
        try await emitter.emit(point)
        left -= 1
        if left <= 0 { exit(0) }
    }
}
