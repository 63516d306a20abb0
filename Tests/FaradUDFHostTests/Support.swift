import FaradTestSupport
import FaradSystem
import FaradUDFHost
import KapacitorUDFTesting
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory removed (with its files) when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/farad-host-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        let f = fopen(file, "w")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, f) }
        fclose(f)
        return file
    }

    deinit {
        let rm = try? ChildProcess(executable: "rm", arguments: ["-rf", path], standardInput: .null, standardOutput: .null)
        _ = rm?.waitBlocking(timeout: .seconds(10))
    }
}

let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

func processConfig(_ name: String, _ prog: String, _ args: [String] = [], timeout: Duration = .seconds(10), restart: RestartPolicy = .off) throws -> UDFFunctionConfig {
    try UDFFunctionConfig(name: name, endpoint: .process(prog: prog, args: args, env: [:]), timeout: timeout, restart: restart)
}

func swiftUDF(_ name: String, _ args: [String] = [], timeout: Duration = .seconds(10), restart: RestartPolicy = .off) throws -> UDFFunctionConfig {
    try processConfig(name, try UDFTestAgent.builtExecutable(named: name), args, timeout: timeout, restart: restart)
}


/// Every output point of a session until it ends.
func collect(_ session: UDFSession) async throws -> [UDFOutput] {
    var all: [UDFOutput] = []
    while let outputs = try await session.nextOutputs() { all += outputs }
    return all
}

/// Whether the process `pid` still exists (zombie or not).
func processExists(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }
