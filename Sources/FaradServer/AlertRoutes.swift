import FaradCore
import FaradEngine
import HTTPTypes
import Hummingbird

/// Kapacitor's alert topic API, read side: `GET /kapacitor/v1/alerts/topics` (`?pattern=` a
/// glob), `…/topics/<id>`, `…/topics/<id>/events` and `…/topics/<id>/handlers`. Each executing
/// task's alert nodes have their anonymous topic `main:<task>:<node>` with its level, the events
/// it collected and the last state of each event ID, in Kapacitor's JSON.
struct AlertRoutes {
    let tasks: TaskService

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("kapacitor/v1/alerts")
        api.get("topics") { request, _ in
            let pattern = request.uri.queryParameters.get("pattern") ?? ""
            var w = JSONWriter()
            w.raw("{\"link\":{\"rel\":\"self\",\"href\":\"/kapacitor/v1/alerts/topics\"},\"topics\":[")
            for (i, topic) in allTopics().filter({ Glob.matches(pattern, $0.id) }).enumerated() {
                if i > 0 { w.raw(",") }
                Self.write(topic, into: &w)
            }
            w.raw("]}")
            return Responses.json(.ok, w.bytes, headers: TaskRoutes.headers)
        }
        api.get("topics/:id") { _, context in
            guard let topic = topic(context) else { return Self.notFound(context) }
            var w = JSONWriter()
            Self.write(topic, into: &w)
            return Responses.json(.ok, w.bytes, headers: TaskRoutes.headers)
        }
        api.get("topics/:id/events") { _, context in
            guard let topic = topic(context) else { return Self.notFound(context) }
            var w = Self.listHead(topic, "events")
            for (i, e) in topic.events.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{\"link\":{\"rel\":\"self\",\"href\":")
                w.string("/kapacitor/v1/alerts/topics/\(topic.id)/events/\(e.id)")
                w.raw("},\"id\":")
                w.string(e.id)
                w.raw(",\"state\":{\"level\":")
                w.string("\(e.level)")
                w.raw(",\"message\":")
                w.string(e.message)
                w.raw(",\"details\":")
                w.string(e.details)
                w.raw(",\"time\":")
                w.string(CivilDate.rfc3339Nano(e.time))
                w.raw(",\"duration\":")
                w.string(DurationText.format(e.duration))
                w.raw("}}")
            }
            w.raw("]}")
            return Responses.json(.ok, w.bytes, headers: TaskRoutes.headers)
        }
        api.get("topics/:id/handlers") { _, context in
            guard let topic = topic(context) else { return Self.notFound(context) }
            // An anonymous topic's handlers are its node's own; topic handlers (define-topic-handler)
            // are not supported yet, so none are listed here.
            var w = Self.listHead(topic, "handlers")
            w.raw("]}")
            return Responses.json(.ok, w.bytes, headers: TaskRoutes.headers)
        }
    }

    private func allTopics() -> [AlertTopic] {
        tasks.list().flatMap { $0.1?.alertTopics() ?? [] }.sorted { $0.id < $1.id }
    }

    private func topic(_ context: BasicRequestContext) -> AlertTopic? {
        let id = context.parameters.get("id") ?? ""
        return allTopics().first { $0.id == id }
    }

    private static func notFound(_ context: BasicRequestContext) -> Response {
        Responses.influxError(.notFound, "topic \(context.parameters.get("id") ?? "") does not exist", headers: TaskRoutes.headers)
    }

    /// `{"link":{…/<list>},"topic":"<id>","<list>":[` — the start of a topic's events or handlers.
    private static func listHead(_ topic: AlertTopic, _ list: String) -> JSONWriter {
        var w = JSONWriter()
        w.raw("{\"link\":{\"rel\":\"self\",\"href\":")
        w.string("/kapacitor/v1/alerts/topics/\(topic.id)/\(list)")
        w.raw("},\"topic\":")
        w.string(topic.id)
        w.raw(",\"\(list)\":[")
        return w
    }

    private static func write(_ topic: AlertTopic, into w: inout JSONWriter) {
        let base = "/kapacitor/v1/alerts/topics/\(topic.id)"
        w.raw("{\"link\":{\"rel\":\"self\",\"href\":")
        w.string(base)
        w.raw("},\"id\":")
        w.string(topic.id)
        w.raw(",\"level\":")
        w.string("\(topic.level)")
        w.raw(",\"collected\":\(topic.collected),\"events-link\":{\"rel\":\"events\",\"href\":")
        w.string(base + "/events")
        w.raw("},\"handlers-link\":{\"rel\":\"handlers\",\"href\":")
        w.string(base + "/handlers")
        w.raw("}}")
    }
}
