import FaradCore

/// JSON: a document that parses is written back and must parse to the same tree.
enum JSONFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? JSONValue.parse(bytes) else { return }
        let text = JSONWriter.text(of: value)
        do {
            let again = try JSONValue.parse(Array(text.utf8))
            invariant(again == value, "round trip changed the document: \(text)")
        } catch {
            invariant(false, "the writer's text \(text) does not parse: \(error)")
        }
    }
}
