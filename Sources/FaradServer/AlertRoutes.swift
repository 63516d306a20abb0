import FaradCore
import FaradEngine
import HTTPTypes
import Hummingbird

/// Kapacitor's alert topic API: `GET /kapacitor/v1/alerts/topics` (`?pattern=` a glob),
/// `…/topics/<id>`, `…/topics/<id>/events`, `DELETE …/topics/<id>`, and the handlers of a topic:
/// `GET|POST …/topics/<id>/handlers`, `GET|PUT|DELETE …/topics/<id>/handlers/<handler>`. Each
/// executing task's alert nodes have their anonymous topic `main:<task>:<node>`; alert nodes with
/// `.topic('t')` also publish to the named topic `t`, which API-bound handlers receive.
struct AlertRoutes {
    let tasks: TaskService
    let handlers: TopicHandlers
    let bodies: BodyReader

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
            // An anonymous topic's handlers are its node's own, not listed (as in Kapacitor).
            var w = Self.listHead(topic, "handlers")
            for (i, spec) in topic.handlers.enumerated() {
                if i > 0 { w.raw(",") }
                TopicHandlers.write(spec, topic: topic.id, into: &w)
            }
            w.raw("]}")
            return Responses.json(.ok, w.bytes, headers: TaskRoutes.headers)
        }
        api.delete("topics/:id") { _, context in
            await TaskRoutes.respond {
                let id = context.parameters.get("id") ?? ""
                guard try handlers.delete(topic: id) else { return Self.notFound(context) }
                return Response(status: .noContent, headers: TaskRoutes.headers)
            }
        }
        api.post("topics/:id/handlers") { request, context in
            await TaskRoutes.respond {
                let topic = context.parameters.get("id") ?? ""
                let spec = try TopicHandlers.spec(await TaskRoutes.jsonObject(request, bodies: bodies), id: nil)
                try handlers.set(spec, on: topic, create: true)
                return Responses.json(.ok, TopicHandlers.json(spec, topic: topic).bytes, headers: TaskRoutes.headers)
            }
        }
        api.put("topics/:id/handlers/:handler") { request, context in
            await TaskRoutes.respond {
                let topic = context.parameters.get("id") ?? ""
                let spec = try TopicHandlers.spec(await TaskRoutes.jsonObject(request, bodies: bodies), id: context.parameters.get("handler") ?? "")
                try handlers.set(spec, on: topic, create: false)
                return Responses.json(.ok, TopicHandlers.json(spec, topic: topic).bytes, headers: TaskRoutes.headers)
            }
        }
        api.get("topics/:id/handlers/:handler") { _, context in
            let (topic, id) = (context.parameters.get("id") ?? "", context.parameters.get("handler") ?? "")
            guard let spec = handlers.topics.topic(topic)?.handlers.first(where: { $0.id == id }) else {
                return Responses.influxError(.notFound, "handler \(id) does not exist for topic \(topic)", headers: TaskRoutes.headers)
            }
            return Responses.json(.ok, TopicHandlers.json(spec, topic: topic).bytes, headers: TaskRoutes.headers)
        }
        api.delete("topics/:id/handlers/:handler") { _, context in
            await TaskRoutes.respond {
                let (topic, id) = (context.parameters.get("id") ?? "", context.parameters.get("handler") ?? "")
                guard try handlers.remove(id, of: topic) else {
                    return Responses.influxError(.notFound, "handler \(id) does not exist for topic \(topic)", headers: TaskRoutes.headers)
                }
                return Response(status: .noContent, headers: TaskRoutes.headers)
            }
        }
    }

    /// The anonymous topics of the executing tasks and the named topics, by ID.
    private func allTopics() -> [AlertTopic] {
        (tasks.list().flatMap { $0.1?.alertTopics() ?? [] } + handlers.topics.all()).sorted { $0.id < $1.id }
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
