import FaradCore
import Foundation

/// Kapacitor's topic handler commands: `define-topic-handler <file>`, `show-topic-handler
/// <topic> <handler>`, `list topic-handlers [topic] [pattern…]`, `delete topics <id…>` and
/// `delete topic-handlers <topic> <handler…>`.
extension KapacitorCLI {
    /// `define-topic-handler <file>`: the file's `topic`, `id`, `kind`, `match` and `options`
    /// (YAML or JSON) bound to the topic, replacing a handler of the same ID.
    func defineTopicHandler(_ args: [String]) throws {
        let usage = "Usage: kapacitor define-topic-handler <path to handler spec file>"
        guard args.count == 1 else { throw KapacitorExit(2, "Must provide a handler spec file.\n" + usage) }
        let text: String
        do {
            text = try String(contentsOfFile: args[0], encoding: .utf8)
        } catch {
            throw TaskCommandError(description: "failed to read handler file \(args[0]): \(error.localizedDescription)")
        }
        let file: JSONValue
        do {
            file = try HandlerFile.parse(text)
        } catch {
            throw TaskCommandError(description: "failed to unmarshal yaml/json handler file \(args[0]): \(error)")
        }
        guard let topic = file["topic"]?.stringValue, !topic.isEmpty else { throw TaskCommandError(description: "handler spec file must specify a 'topic'") }
        guard let id = file["id"]?.stringValue, !id.isEmpty else { throw TaskCommandError(description: "handler spec file must specify an 'id'") }
        var body: [(String, JSONValue)] = [("id", .string(id)), ("kind", file["kind"] ?? .string(""))]
        if let match = file["match"] { body.append(("match", match)) }
        if let options = file["options"] { body.append(("options", options)) }
        _ = try client.call("PUT", "/kapacitor/v1/alerts/topics/\(topic)/handlers/\(id)", body: .object(body))
    }

    /// `show-topic-handler <topic> <handler>` in Kapacitor's layout.
    func showTopicHandler(_ args: [String]) throws {
        guard args.count == 2 else { throw KapacitorExit(2, "Must specify a topic ID and a handler ID\nUsage: kapacitor show-topic-handler [topic ID] [handler ID]") }
        guard let h = try client.call("GET", "/kapacitor/v1/alerts/topics/\(args[0])/handlers/\(args[1])") else { return }
        var options = JSONWriter()
        options.value(h["options"] ?? .object([]))
        print("ID: \(h["id"]?.stringValue ?? "")\nTopic: \(args[0])\nKind: \(h["kind"]?.stringValue ?? "")\nMatch: \(h["match"]?.stringValue ?? "")\nOptions: \(String(decoding: options.bytes, as: UTF8.self))")
    }

    /// `list topic-handlers [topic] [pattern…]`: every topic's handlers (or one topic's).
    func listTopicHandlers(_ args: [String]) throws {
        let topics: [String]
        if let topic = args.first {
            topics = [topic]
        } else {
            topics = (try client.call("GET", "/kapacitor/v1/alerts/topics")?["topics"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        }
        let patterns = args.count >= 2 ? Array(args.dropFirst()) : [""]
        var rows: [(topic: String, id: String, kind: String)] = []
        for topic in topics {
            let handlers = try client.call("GET", "/kapacitor/v1/alerts/topics/\(topic)/handlers")?["handlers"]?.arrayValue ?? []
            for h in handlers {
                let id = h["id"]?.stringValue ?? ""
                guard patterns.contains(where: { Glob.matches($0, id) }) else { continue }
                rows.append((topic, id, h["kind"]?.stringValue ?? ""))
            }
        }
        let topicWidth = max(5, rows.map(\.topic.count).max() ?? 0) + 1
        let idWidth = max(2, rows.map(\.id.count).max() ?? 0) + 1
        var out = TaskText.pad("Topic", topicWidth) + TaskText.pad("ID", idWidth) + "Kind\n"
        for r in rows { out += TaskText.pad(r.topic, topicWidth) + TaskText.pad(r.id, idWidth) + r.kind + "\n" }
        print(out, terminator: "")
    }

    /// `delete topics <id…>` and `delete topic-handlers <topic> <handler…>`.
    func deleteTopics(_ kind: String, _ ids: [String]) throws {
        if kind == "topics" {
            let known = (try client.call("GET", "/kapacitor/v1/alerts/topics")?["topics"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            for pattern in ids {
                for id in known where Glob.matches(pattern, id) && !id.contains(":") {
                    _ = try client.call("DELETE", "/kapacitor/v1/alerts/topics/\(id)", allow404: true)
                }
            }
            return
        }
        guard ids.count >= 2 else { throw KapacitorExit(2, "Must pass a topic ID and at least one handler ID\nUsage: kapacitor delete topic-handlers <topic ID> <handler ID>...") }
        for id in ids.dropFirst() { _ = try client.call("DELETE", "/kapacitor/v1/alerts/topics/\(ids[0])/handlers/\(id)") }
    }

    /// The IDs of `topic`'s API-bound handlers, for `show-topic`'s `Handlers:` line.
    func handlerIDs(of topic: String) throws -> [String] {
        (try client.call("GET", "/kapacitor/v1/alerts/topics/\(topic)/handlers")?["handlers"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }
}
