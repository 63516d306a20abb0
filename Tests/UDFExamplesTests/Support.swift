import KapacitorUDF
import KapacitorUDFTesting
import Testing
import UDFExamples

#if canImport(Glibc)
import Glibc
#endif

/// Where a test runs its UDF: in this process, or as the built example executable.
enum AgentKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case inProcess, process
    var testDescription: String { rawValue }
}

func makeAgent<H: UDFHandler>(
    _ kind: AgentKind, _ handler: H.Type, executable: String,
    arguments: [String] = [], environment: [String: String]? = nil
) throws -> UDFTestAgent {
    switch kind {
    case .inProcess: try .inProcess(handler)
    case .process: try .process(executable: try UDFTestAgent.builtExecutable(named: executable), arguments: arguments, environment: environment)
    }
}

/// A temporary directory removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/farad-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        let f = fopen(file, "w")!
        fputs(text, f)
        fclose(f)
        return file
    }

    deinit {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}

func option(_ name: String, _ values: OptionValue...) -> UDFOption {
    UDFOption(name: name, values: values)
}
