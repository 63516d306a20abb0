#if FARAD_LIBFUZZER
/// libFuzzer's entry point: one input through the target named by `FARAD_FUZZ_TARGET`.
/// Built by `scripts/fuzz.sh` with `-sanitize=fuzzer` (libFuzzer supplies `main`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    FuzzTarget.selected.run(bytes)
    return 0
}
#else
import Foundation

/// Without libFuzzer: replays files (a corpus, or a crash artifact) through one target, so a
/// finding can be reproduced and debugged in an ordinary build:
/// `swift run farad-fuzz lineprotocol Fuzz/corpus/lineprotocol/*`.
@main
struct FuzzReplay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: farad-fuzz \(names) FILE|DIR…\n".utf8))
            exit(2)
        }
        var count = 0
        for path in args.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run(Array(data))
                count += 1
            }
        }
        print("\(name): \(count) inputs replayed, no invariant broken")
    }
}
#endif
