import CMosquitto
import FaradSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One connection to an MQTT broker (Debian's libmosquitto): its network thread reconnects
/// with back-off (1 s doubling to 30 s), and ``publish(topic:payload:qos:retained:timeout:)``
/// blocks its caller (an alert handler's thread) until the message is delivered: sent for QoS 0,
/// acknowledged by the broker for QoS 1 and 2, re-sent after a reconnect if the ack was lost.
///
/// ```swift
/// let broker = try MQTTClient(MQTTClient.Configuration(name: "local", host: "127.0.0.1", port: 1883))
/// try broker.start()
/// try broker.publish(topic: "alerts/x", payload: Array("cpu is CRITICAL".utf8), qos: 1, retained: false, timeout: .seconds(30))
/// ```
public final class MQTTClient: Sendable {
    /// A `[[mqtt]]` broker of the config.
    public struct Configuration: Sendable, Hashable {
        public var name: String
        public var host: String
        public var port: Int
        public var clientID: String
        public var username: String
        public var password: String
        /// Whether `.mqtt()` without `.brokerName()` uses this broker.
        public var isDefault: Bool

        public init(name: String, host: String, port: Int, clientID: String = "", username: String = "", password: String = "", isDefault: Bool = false) {
            self.name = name
            self.host = host
            self.port = port
            self.clientID = clientID
            self.username = username
            self.password = password
            self.isDefault = isDefault
        }

        /// Kapacitor's `url = "tcp://host:port"` (also `mqtt://`, or `host:port`).
        public static func address(_ url: String) -> (host: String, port: Int)? {
            var rest = Substring(url)
            for scheme in ["tcp://", "mqtt://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
            if !rest.contains(":") { return rest.isEmpty ? nil : (String(rest), 1883) }
            return TCPClient.address(String(rest))
        }
    }

    struct State {
        var connected = false
        /// Acks that came before their publisher registered the message id.
        var early: Set<Int32> = []
        /// Ids whose ack nobody waits for (QoS 0, calls that gave up): dropped when it comes, so
        /// a reused id is never taken for acknowledged.
        var ignoring: Set<Int32> = []
        /// Message id → the publish call waiting for its ack.
        var waiting: [Int32: Int] = [:]
        /// Publish call → its acks still missing.
        var missing: [Int: Int] = [:]
        var nextCall = 0
        /// Bumped on every disconnect: a publish waiting for its ack re-sends after one.
        var connection = 0
        var stopped = false
    }

    public let configuration: Configuration
    // The handle is used from the caller's thread (publish) and libmosquitto's network
    // thread, which libmosquitto's own locks make safe.
    private nonisolated(unsafe) let handle: OpaquePointer
    private let state = ConditionLock(State())
    private static let initialized: Bool = {
        mosquitto_lib_init()
        return true
    }()

    /// - Throws: ``SystemError`` when libmosquitto cannot make a client.
    public init(_ configuration: Configuration) throws(SystemError) {
        _ = Self.initialized
        self.configuration = configuration
        let id = configuration.clientID.isEmpty ? "farad-\(getpid())-\(configuration.name)" : configuration.clientID
        guard let h = mosquitto_new(id, true, nil) else { throw SystemError(code: ENOMEM, operation: "mosquitto_new", subject: configuration.name) }
        handle = h
        mosquitto_user_data_set(h, Unmanaged.passUnretained(self).toOpaque())
        if !configuration.username.isEmpty {
            mosquitto_username_pw_set(h, configuration.username, configuration.password.isEmpty ? nil : configuration.password)
        }
        mosquitto_reconnect_delay_set(h, 1, 30, true)
        // QoS 1/2 messages in flight at once (libmosquitto's default, 20, makes a batch wait on
        // acks every 20 messages).
        mosquitto_int_option(h, MOSQ_OPT_SEND_MAXIMUM, 1000)
        mosquitto_connect_callback_set(h) { _, user, rc in
            guard let user else { return }
            Unmanaged<MQTTClient>.fromOpaque(user).takeUnretainedValue().connected(rc == 0)
        }
        mosquitto_disconnect_callback_set(h) { _, user, _ in
            guard let user else { return }
            Unmanaged<MQTTClient>.fromOpaque(user).takeUnretainedValue().disconnected()
        }
        mosquitto_publish_callback_set(h) { _, user, mid in
            guard let user else { return }
            Unmanaged<MQTTClient>.fromOpaque(user).takeUnretainedValue().acknowledged(mid)
        }
    }

    deinit {
        mosquitto_destroy(handle)
    }

    /// Starts the network thread; the first connection is made in the background (a broker that
    /// is down is retried, never a failure here).
    public func start() throws(SystemError) {
        // A refused first attempt is retried by the loop's reconnects.
        _ = mosquitto_connect_async(handle, configuration.host, Int32(configuration.port), 30)
        let loop = mosquitto_loop_start(handle)
        guard loop == MOSQ_ERR_SUCCESS.rawValue else {
            throw SystemError(code: EIO, operation: "mosquitto_loop_start: \(String(cString: mosquitto_strerror(loop)))", subject: configuration.name)
        }
    }

    /// Disconnects and ends the network thread.
    public func stop() {
        state.withLock { $0.stopped = true }
        state.broadcast()
        mosquitto_disconnect(handle)
        mosquitto_loop_stop(handle, false)
    }

    /// Publishes and waits until delivered (see the type), at most `timeout`.
    /// - Throws: ``SystemError`` when it could not be delivered in time.
    public func publish(topic: String, payload: [UInt8], qos: Int, retained: Bool, timeout: Duration) throws(SystemError) {
        guard publish(topic: topic, payloads: [payload], qos: qos, retained: retained, timeout: timeout) == 1 else {
            let stopped = state.withLock { $0.stopped }
            throw SystemError(code: stopped ? ECANCELED : ETIMEDOUT, operation: "mqtt publish to \(topic)", subject: broker)
        }
    }

    /// Publishes `payloads` in order on one topic, all sent before the acks are awaited (QoS 1
    /// and 2), so a batch costs one round trip rather than one each; what a lost connection left
    /// unacknowledged is sent again. Returns how many were delivered before `timeout`.
    public func publish(topic: String, payloads: [[UInt8]], qos: Int, retained: Bool, timeout: Duration) -> Int {
        let deadline = ContinuousClock.now + timeout
        var pending = Array(payloads.indices)
        while !pending.isEmpty {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            // Wait for a connection.
            let connection = state.withLock(waitingUntil: { $0.connected || $0.stopped }, timeout: remaining) { s -> Int? in
                s.connected && !s.stopped ? s.connection : nil
            }
            guard let connection else {
                if state.withLock({ $0.stopped }) { break }
                continue
            }
            let call = state.withLock { s -> Int in
                s.nextCall += 1
                s.missing[s.nextCall] = 0
                return s.nextCall
            }
            var sent: [Int32: Int] = [:]
            var refused = false
            for i in pending {
                var mid: Int32 = 0
                let rc = payloads[i].withUnsafeBytes { raw in
                    mosquitto_publish(handle, &mid, topic, Int32(raw.count), raw.baseAddress, Int32(qos), retained)
                }
                guard rc == MOSQ_ERR_SUCCESS.rawValue else {
                    if rc == MOSQ_ERR_NO_CONN.rawValue {
                        // Not connected after all: wait for the network thread's reconnect.
                        state.withLock { if $0.connection == connection { $0.connected = false } }
                    } else {
                        // A message the library refuses (too large, bad topic): not retried.
                        refused = true
                    }
                    break
                }
                sent[mid] = i
                // QoS 0 is delivered once handed to the network thread; 1 and 2 once acknowledged
                // (an ack may come before the id is registered here).
                state.withLock { s in
                    guard s.early.remove(mid) == nil else { return }
                    if qos > 0 {
                        s.waiting[mid] = call
                        s.missing[call, default: 0] += 1
                    } else {
                        s.ignoring.insert(mid)
                    }
                }
            }
            let left = deadline - ContinuousClock.now
            let unacknowledged = state.withLock(waitingUntil: { s in s.missing[call] == 0 || s.connection != connection || s.stopped },
                                                timeout: max(left, .zero)) { s -> Set<Int32> in
                s.missing[call] = nil
                var still = Set<Int32>()
                for mid in sent.keys where s.waiting[mid] == call {
                    s.waiting[mid] = nil
                    s.ignoring.insert(mid)
                    still.insert(mid)
                }
                return still
            }
            let delivered = Set(sent.filter { !unacknowledged.contains($0.key) }.values)
            pending.removeAll { delivered.contains($0) }
            if refused { break }
        }
        return payloads.count - pending.count
    }

    private var broker: String { "\(configuration.name) (\(configuration.host):\(configuration.port))" }

    private func connected(_ ok: Bool) {
        state.withLock { $0.connected = ok }
        state.broadcast()
    }

    private func disconnected() {
        state.withLock {
            $0.connected = false
            $0.connection += 1
        }
        state.broadcast()
    }

    private func acknowledged(_ mid: Int32) {
        state.withLock { s in
            if let call = s.waiting.removeValue(forKey: mid) {
                s.missing[call]? -= 1
            } else if s.ignoring.remove(mid) == nil {
                s.early.insert(mid)
            }
        }
        state.broadcast()
    }

}
