import FaradSystem
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real MQTT broker (`mosquitto`, Debian's package) on a loopback port, logging to a file,
/// with a `mosquitto_sub` subscriber whose messages the tests read: the other end of the alert
/// handlers' `.mqtt()`.
public final class MosquittoProcess: @unchecked Sendable {
    public let port: Int
    let directory: String
    private var broker: ChildProcess?
    private var subscriber: ChildProcess?

    /// Starts a broker on `port` (a free one when nil) and waits until it listens.
    public init(port: Int? = nil) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/mosquitto") else {
            throw AgentSetupError("mosquitto is not installed: apt-get install mosquitto mosquitto-clients (.ci/run installs them)")
        }
        directory = NSTemporaryDirectory() + "farad-mosquitto-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.port = try port ?? Self.freePort()
        try await startBroker()
    }

    /// The log's text.
    public var log: String { (try? String(contentsOfFile: directory + "/broker.log", encoding: .utf8)) ?? "" }

    /// (Re)starts the broker process on the same port.
    public func startBroker() async throws {
        let config = """
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence false
            log_dest file \(directory)/broker.log
            log_type all
            """
        try config.write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        let before = log.components(separatedBy: "Opening ipv4 listen socket").count
        // A root mosquitto drops to its own user: the log file must be writable by it (its
        // stdout would be block-buffered, useless to poll).
        if !FileManager.default.fileExists(atPath: directory + "/broker.log") {
            FileManager.default.createFile(atPath: directory + "/broker.log", contents: nil, attributes: [.posixPermissions: 0o666])
        }
        broker = try ChildProcess(executable: "/usr/sbin/mosquitto", arguments: ["-c", directory + "/mosquitto.conf"],
                                  standardInput: .null, standardOutput: .null, standardError: .null)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if log.components(separatedBy: "Opening ipv4 listen socket").count > before || accepts() { return }
            if broker?.exitStatus != nil { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        // A last look: under a loaded test run the sleep can outlast the deadline while the
        // broker came up meanwhile.
        if log.components(separatedBy: "Opening ipv4 listen socket").count > before || accepts() { return }
        throw AgentSetupError("mosquitto did not start: \(log.suffix(500))")
    }

    /// Whether something accepts TCP connections on the broker's port (its log may lag).
    private func accepts() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Stops the broker and the subscriber (which would reconnect to the next broker and write
    /// into the same file as a new one).
    public func stopBroker() {
        _ = subscriber?.terminate(grace: .seconds(2))
        subscriber = nil
        _ = broker?.terminate(grace: .seconds(5))
        broker = nil
    }

    /// Starts `mosquitto_sub` on `topic` with `qos`, writing one message a line, and waits until
    /// the broker has its subscription.
    public func subscribe(_ topic: String, qos: Int = 1) async throws {
        _ = subscriber?.terminate(grace: .seconds(2))
        let before = log.components(separatedBy: "Received SUBSCRIBE").count
        subscriber = try ChildProcess(
            executable: "/bin/sh",
            arguments: ["-c", "exec /usr/bin/mosquitto_sub -h 127.0.0.1 -p \(port) -q \(qos) -t '\(topic)' > '\(directory)/messages'"],
            standardInput: .null, standardOutput: .null, standardError: .null)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if log.components(separatedBy: "Received SUBSCRIBE").count > before { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw AgentSetupError("mosquitto_sub did not subscribe: \(log.suffix(500))")
    }

    /// The messages the subscriber received, one a line.
    public var messages: [String] {
        ((try? String(contentsOfFile: directory + "/messages", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() {
        _ = subscriber?.terminate(grace: .seconds(2))
        stopBroker()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A loopback port that was free a moment ago.
    public static func freePort() throws -> Int {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw AgentSetupError("no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
