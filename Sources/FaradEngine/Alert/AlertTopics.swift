import FaradCore
import FaradSystem
import FaradTICK
import Logging
import Synchronization

/// A topic handler as Kapacitor's API and `define-topic-handler` files give it: an ID, a kind
/// (`log post tcp exec mqtt`) and the kind's options (`{"path": "/var/log/cpu.log"}`).
public struct TopicHandlerSpec: Sendable, Equatable {
    public var id: String
    public var kind: String
    /// Kapacitor's `match` expression; Farad refuses a non-empty one.
    public var match: String
    /// A JSON object.
    public var options: JSONValue

    public init(id: String, kind: String, match: String = "", options: JSONValue = .object([])) {
        self.id = id
        self.kind = kind
        self.match = match
        self.options = options
    }

    /// Kapacitor's rule for topic and handler IDs: letters, digits, `-`, `.` and `_`.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.unicodeScalars.count <= 256
            && id.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0 == "_" }
    }
}

/// The named topics of a server (`.topic('cpu')` on alert nodes, in any task): the last event
/// of each event ID, and the handlers bound to the topic through the API, each on its own
/// bounded queue and thread as a node's handlers are. One registry per server, shared by the
/// tasks through their ``TaskEnvironment``.
public final class AlertTopics: Sendable {
    private struct Topic {
        var handlers: [(spec: TopicHandlerSpec, handler: AlertHandler)] = []
        var events: [String: AlertEvent] = [:]
        var collected = 0
    }

    private let topics = Mutex<[String: Topic]>([:])

    public init() {}

    /// Records `event` in `topic` and offers it to the topic's handlers (never blocks).
    func publish(_ event: AlertEvent, to topic: String) {
        topics.withLock { all in
            var t = all[topic] ?? Topic()
            t.collected += 1
            if t.events.count < AlertTopic.maxEvents || t.events[event.id] != nil { t.events[event.id] = event }
            for h in t.handlers { h.handler.offer(event) }
            all[topic] = t
        }
    }

    /// Every named topic, by ID.
    public func all() -> [AlertTopic] {
        topics.withLock { all in all.map { Self.snapshot($0.key, $0.value) }.sorted { $0.id < $1.id } }
    }

    /// The named topic `id`, if it exists (it has had an event or a handler).
    public func topic(_ id: String) -> AlertTopic? {
        topics.withLock { all in all[id].map { Self.snapshot(id, $0) } }
    }

    private static func snapshot(_ id: String, _ t: Topic) -> AlertTopic {
        AlertTopic(id: id, collected: t.collected, events: t.events.values.sorted { $0.id < $1.id }.map(AlertTopic.Event.init),
                   handlers: t.handlers.map(\.spec))
    }

    /// Binds `spec` to `topic` (replacing a handler of the same ID) and starts it.
    /// - Throws: ``TICKDiagnostic`` when the kind or its options are wrong.
    public func setHandler(_ spec: TopicHandlerSpec, on topic: String, environment: TaskEnvironment) throws(TICKDiagnostic) {
        guard spec.match.isEmpty else { throw TICKDiagnostic(at: Position(line: 1, column: 1, offset: 0), "topic handler match expressions are not supported by Farad: leave match empty") }
        let sink = try AlertHandlerSpecs.sink(kind: spec.kind, options: spec.options, environment: environment)
        let handler = AlertHandler(sink, logger: environment.logger)
        do throws(SystemError) {
            try handler.start()
        } catch {
            throw TICKDiagnostic(at: Position(line: 1, column: 1, offset: 0), "cannot start the handler's thread: \(error)")
        }
        let replaced = topics.withLock { all -> AlertHandler? in
            var t = all[topic] ?? Topic()
            defer { all[topic] = t }
            if let i = t.handlers.firstIndex(where: { $0.spec.id == spec.id }) {
                let old = t.handlers[i].handler
                t.handlers[i] = (spec, handler)
                return old
            }
            t.handlers.append((spec, handler))
            return nil
        }
        replaced?.stop()
    }

    /// Removes handler `id` of `topic`; whether it existed.
    public func removeHandler(_ id: String, of topic: String) -> Bool {
        let removed = topics.withLock { all -> AlertHandler? in
            guard var t = all[topic], let i = t.handlers.firstIndex(where: { $0.spec.id == id }) else { return nil }
            defer { all[topic] = t }
            return t.handlers.remove(at: i).handler
        }
        removed?.stop()
        return removed != nil
    }

    /// Deletes `topic` with its events and handlers; whether it existed.
    public func delete(_ topic: String) -> Bool {
        guard let t = topics.withLock({ $0.removeValue(forKey: topic) }) else { return false }
        for h in t.handlers { h.handler.stop() }
        return true
    }

    /// Stops every handler (the server is shutting down), delivering what they hold.
    public func stopAll() {
        let handlers = topics.withLock { all in all.values.flatMap { $0.handlers.map(\.handler) } }
        for h in handlers { h.stop() }
    }
}
