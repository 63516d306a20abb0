import FaradCore
import FaradEngine
import FaradStore
import Logging

/// The topic handlers of `farad serve`: bound through Kapacitor's API, kept in the store
/// (documents of kind `topic-handler`, keyed `topic␟handler`) and bound again at start.
struct TopicHandlers: Sendable {
    static let kind = "topic-handler"
    let store: FaradStore
    let environment: TaskEnvironment
    let logger: Logger

    var topics: AlertTopics { environment.topics }

    private static func key(_ topic: String, _ id: String) -> String { topic + "\u{1F}" + id }

    /// Binds the stored handlers again; one that no longer builds (a broker gone from the
    /// config) is logged and skipped.
    func restore() {
        let stored: [(id: String, body: [UInt8])]
        do {
            stored = try store.documents(kind: Self.kind)
        } catch {
            logger.error("cannot read the stored topic handlers", metadata: ["error": "\(error)"])
            return
        }
        for (key, body) in stored {
            let topic = String(key.split(separator: "\u{1F}", maxSplits: 1).first ?? "")
            do {
                let spec = try Self.spec(try JSONValue.parse(body), id: nil)
                try topics.setHandler(spec, on: topic, environment: environment)
            } catch {
                logger.error("cannot bind a stored topic handler", metadata: ["topic": "\(topic)", "handler": "\(key)", "error": "\(error)"])
            }
        }
    }

    /// Binds `spec` to `topic` and stores it. `create`: fails if the ID is taken (POST);
    /// otherwise replaces (PUT).
    func set(_ spec: TopicHandlerSpec, on topic: String, create: Bool) throws(TaskAPIError) {
        guard TopicHandlerSpec.isValidID(topic) else { throw TaskAPIError(400, "invalid topic ID \"\(topic)\": use letters, digits, '-', '.' and '_'") }
        guard TopicHandlerSpec.isValidID(spec.id) else { throw TaskAPIError(400, "invalid handler ID \"\(spec.id)\": use letters, digits, '-', '.' and '_'") }
        if create, topics.topic(topic)?.handlers.contains(where: { $0.id == spec.id }) == true {
            throw TaskAPIError(400, "handler \(spec.id) already exists on topic \(topic)")
        }
        do {
            try topics.setHandler(spec, on: topic, environment: environment)
        } catch {
            throw TaskAPIError(400, "invalid handler \(spec.id): \(error.message)")
        }
        do {
            try store.putDocuments(kind: Self.kind, [(Self.key(topic, spec.id), Self.json(spec, topic: topic).bytes)])
        } catch {
            _ = topics.removeHandler(spec.id, of: topic)
            throw TaskAPIError(500, "cannot store the handler: \(error)")
        }
    }

    /// Unbinds and forgets handler `id` of `topic`; whether it existed.
    func remove(_ id: String, of topic: String) throws(TaskAPIError) -> Bool {
        guard topics.removeHandler(id, of: topic) else { return false }
        do {
            try store.putDocuments(kind: Self.kind, [(Self.key(topic, id), nil)])
        } catch {
            throw TaskAPIError(500, "cannot delete the stored handler: \(error)")
        }
        return true
    }

    /// Deletes `topic`, its events and its handlers; whether it existed.
    func delete(topic: String) throws(TaskAPIError) -> Bool {
        guard topics.delete(topic) else { return false }
        do {
            try store.deleteDocuments(kind: Self.kind, prefix: topic + "\u{1F}")
        } catch {
            throw TaskAPIError(500, "cannot delete the stored handlers: \(error)")
        }
        return true
    }

    /// A handler from a request body or a stored document: `{"id", "kind", "match", "options"}`;
    /// `id` (from the URL) wins over the body's.
    static func spec(_ json: JSONValue, id: String?) throws(TaskAPIError) -> TopicHandlerSpec {
        guard let handlerID = id ?? json["id"]?.stringValue, !handlerID.isEmpty else { throw TaskAPIError(400, "must provide an ID for the handler") }
        guard let kind = json["kind"]?.stringValue, !kind.isEmpty else { throw TaskAPIError(400, "must provide a kind for the handler") }
        var options = json["options"] ?? .object([])
        if case .null = options { options = .object([]) }
        return TopicHandlerSpec(id: handlerID, kind: kind, match: json["match"]?.stringValue ?? "", options: options)
    }

    /// Kapacitor's JSON of one handler.
    static func json(_ spec: TopicHandlerSpec, topic: String) -> JSONWriter {
        var w = JSONWriter()
        write(spec, topic: topic, into: &w)
        return w
    }

    static func write(_ spec: TopicHandlerSpec, topic: String, into w: inout JSONWriter) {
        w.raw("{\"link\":{\"rel\":\"self\",\"href\":")
        w.string("/kapacitor/v1/alerts/topics/\(topic)/handlers/\(spec.id)")
        w.raw("},\"id\":")
        w.string(spec.id)
        w.raw(",\"kind\":")
        w.string(spec.kind)
        w.raw(",\"match\":")
        w.string(spec.match)
        w.raw(",\"options\":")
        w.value(spec.options)
        w.raw("}")
    }
}
