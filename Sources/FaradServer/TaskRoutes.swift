import FaradCore
import FaradEngine
import HTTPTypes
import Hummingbird

/// Kapacitor's task API: `POST/GET/PATCH/DELETE /kapacitor/v1/tasks[/<id>]`, each task's
/// httpOut endpoints at `GET /kapacitor/v1/tasks/<id>/<endpoint>`, and the server's
/// `GET /kapacitor/v1/debug/vars` (IDs, host, task counts) that `kapacitor stats general` reads.
struct TaskRoutes {
    let tasks: TaskService
    let bodies: BodyReader
    let identity: ServerIdentity
    let hostname: String

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("kapacitor/v1")
        api.post("tasks") { request, _ in
            await Self.respond {
                let changes = try await Self.changes(request, bodies: bodies)
                return try task(tasks.create(changes), status: .ok)
            }
        }
        api.get("tasks") { _, _ in
            var w = JSONWriter()
            w.raw("{\"tasks\":[")
            for (i, (record, execution)) in tasks.list().enumerated() {
                if i > 0 { w.raw(",") }
                record.json(execution: execution, dot: tasks.dot(record, execution), into: &w)
            }
            w.raw("]}")
            return Responses.json(.ok, w.bytes, headers: Self.headers)
        }
        api.get("debug/vars") { _, _ in
            let all = tasks.list()
            var w = JSONWriter()
            w.raw("{\"cluster_id\":")
            w.string(identity.clusterID)
            w.raw(",\"server_id\":")
            w.string(identity.serverID)
            w.raw(",\"host\":")
            w.string(hostname)
            w.raw(",\"product\":\"kapacitor\",\"platform\":\"OSS\",\"version\":")
            w.string(InfluxRoutes.kapacitorVersion)
            w.raw(",\"num_tasks\":\(all.count),\"num_enabled_tasks\":\(all.filter { $0.0.enabled }.count),\"num_subscriptions\":0}")
            return Responses.json(.ok, w.bytes, headers: Self.headers)
        }
        api.get("tasks/:id") { _, context in
            await Self.respond { try task(tasks.get(context.parameters.get("id") ?? "").0, status: .ok) }
        }
        api.patch("tasks/:id") { request, context in
            await Self.respond {
                let changes = try await Self.changes(request, bodies: bodies)
                return try task(tasks.update(context.parameters.get("id") ?? "", changes), status: .ok)
            }
        }
        api.delete("tasks/:id") { _, context in
            await Self.respond {
                try tasks.delete(context.parameters.get("id") ?? "")
                return Response(status: .noContent, headers: Self.headers)
            }
        }
        api.get("tasks/:id/:endpoint") { _, context in
            await Self.respond {
                let json = try tasks.httpOut(context.parameters.get("id") ?? "", endpoint: context.parameters.get("endpoint") ?? "")
                return Responses.json(.ok, Array(json.utf8), headers: Self.headers)
            }
        }
    }

    static var headers: HTTPFields {
        var h = HTTPFields()
        h[HTTPField.Name("X-Kapacitor-Version")!] = InfluxRoutes.kapacitorVersion
        return h
    }

    private func task(_ record: TaskRecord, status: HTTPResponse.Status) throws(TaskAPIError) -> Response {
        let execution = try tasks.get(record.id).1
        var w = JSONWriter()
        record.json(execution: execution, dot: tasks.dot(record, execution), into: &w)
        return Responses.json(status, w.bytes, headers: Self.headers)
    }

    static func respond(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as TaskAPIError {
            return Responses.influxError(HTTPResponse.Status(code: error.status), error.message, headers: Self.headers)
        } catch {
            return Responses.influxError(.badRequest, "\(error)", headers: Self.headers)
        }
    }

    /// The fields of a create/update body: id, type, script, dbrps, status, and Farad's group-idle.
    /// A request's body as a JSON object; a body too large or not JSON is a ``TaskAPIError``.
    static func jsonObject(_ request: Request, bodies: BodyReader) async throws(TaskAPIError) -> JSONValue {
        var request = request
        let json: JSONValue
        do {
            json = try await bodies.withBody(&request) { body in try JSONValue.parse(body) }
        } catch let failure as BodyReader.Failure {
            throw TaskAPIError(Int(failure.status.code), failure.message)
        } catch {
            throw TaskAPIError(400, "invalid JSON: \(error)")
        }
        guard json.objectValue != nil else { throw TaskAPIError(400, "invalid JSON: expected an object") }
        return json
    }

    static func changes(_ request: Request, bodies: BodyReader) async throws -> TaskService.Changes {
        let json = try await jsonObject(request, bodies: bodies)
        var c = TaskService.Changes()
        c.id = json["id"]?.stringValue
        c.script = json["script"]?.stringValue
        c.type = json["type"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        c.status = json["status"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        c.groupIdle = json["group-idle"]?.stringValue
        if let list = json["dbrps"]?.arrayValue, !list.isEmpty {
            c.dbrps = try list.map { item throws(TaskAPIError) -> DBRP in
                guard let db = item["db"]?.stringValue, let rp = item["rp"]?.stringValue, !db.isEmpty, !rp.isEmpty else {
                    throw TaskAPIError(400, "invalid dbrp: each needs \"db\" and \"rp\"")
                }
                return DBRP(db: db, rp: rp)
            }
        }
        return c
    }
}
