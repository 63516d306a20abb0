import FaradSystem
import Foundation
import KapacitorUDFTesting
import Testing

/// What `farad` prints about itself, and arguments that look like flags: the README's commands
/// work as written.
@Suite(.serialized, .timeLimit(.minutes(1))) struct CommandLineTextTests {
    /// `farad ARGS --help` at a fixed width of 80 columns.
    static func help(_ arguments: [String]) async throws -> String {
        let farad = try UDFTestAgent.builtExecutable(named: "farad")
        let result = try await InteropTests.runFarad(["COLUMNS=80", farad] + arguments + ["--help"], program: "/usr/bin/env", stdin: "")
        #expect(result.status == .exited(0), "\(arguments): \(result.err)")
        return result.out
    }

    static let commands: [[String]] = [[], ["serve"], ["define"], ["replay"], ["udf"], ["udf", "run"], ["udf", "info"], ["show"], ["list"]]

    /// Prose paragraphs (lines starting at column 0, as the help's discussion and overview are
    /// printed) are filled: no run of spaces inside a line (a stray indentation or a missing
    /// `\` continuation), and no line but a paragraph's last cut far short of the width (a hard
    /// line break wrapped again).
    @Test(arguments: commands)
    func helpParagraphsAreFilled(_ command: [String]) async throws {
        let text = try await Self.help(command)
        #expect(text.contains("USAGE: farad"))
        var paragraph: [Substring] = []
        func check() {
            defer { paragraph = [] }
            for (i, line) in paragraph.enumerated() {
                #expect(!line.contains("  "), "\(command): stray spaces in \(line.debugDescription)")
                if i < paragraph.count - 1 {
                    #expect(line.count >= 55, "\(command): line broken early: \(line.debugDescription)")
                }
            }
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty || line.hasPrefix(" ") || line.hasPrefix("USAGE:") {
                check()
            } else {
                paragraph.append(line)
            }
        }
        check()
    }

    @Test func serveHelpReadsAsOneParagraph() async throws {
        let text = try await Self.help(["serve"])
        #expect(text.replacingOccurrences(of: "\n", with: " ").contains("read the points written to /write and /kapacitor/v1/write for their dbrps;"))
    }

    @Test func argValuesMayStartWithADash() async throws {
        let mirror = try UDFTestAgent.builtExecutable(named: "udf-mirror")
        let info = try await InteropTests.runFarad(["udf", "info", "--prog", "/bin/sh", "--arg", "-c", "--arg", "exec \(mirror)"], stdin: "")
        #expect(info.status == .exited(0), "\(info.err)")
        #expect(info.out.contains("wants:    STREAM"), "\(info.out)")
        let run = try await InteropTests.runFarad(["udf", "run", "--prog", "/bin/sh", "--arg", "-c", "--arg", "exec \(mirror)"],
                                                   stdin: "m value=1 1000000000\n")
        #expect(run.status == .exited(0), "\(run.err)")
        #expect(run.out == "m value=1 1000000000\n")
    }
}
