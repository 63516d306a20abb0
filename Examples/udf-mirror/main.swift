import KapacitorUDF
import UDFExamples

// `udf-mirror [--batch] [--socket PATH]`: echoes points (or, with --batch, whole batches).
var arguments = Array(CommandLine.arguments.dropFirst())
if let i = arguments.firstIndex(of: "--batch") {
    arguments.remove(at: i)
    await UDFAgent.main(BatchMirror.self, name: "udf-mirror", arguments: arguments)
} else {
    await UDFAgent.main(Mirror.self, name: "udf-mirror", arguments: arguments)
}
