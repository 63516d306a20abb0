import FaradCore
import FaradSystem
import FaradUDFHost

/// One `[[httppost]]` endpoint of kapacitor.conf, for `.post().endpoint(name)`: its URL, its
/// headers, `basic-auth` as an `Authorization: Basic …` header, and `alert-template` (or
/// `alert-template-file`): a Go template of the body, over Kapacitor's alert data, sent instead
/// of the event JSON. (`row-template`, for the httpPost node, is not used.)
public struct HTTPPostEndpoint: Sendable {
    public var name: String
    public var url: HTTPPost.Endpoint
    public var headers: [(name: String, value: String)]
    public var alertTemplate: GoTemplate?

    /// The `[[httppost]]` tables of a config (or one `[httppost]` table).
    /// - Throws: ``UDFHostError`` (`invalidConfig`) naming the endpoint and the key at fault.
    static func load(_ value: TOMLValue?) throws -> [HTTPPostEndpoint] {
        let tables: [TOMLValue]
        switch value {
        case nil: return []
        case .array(let a)?: tables = a
        case let t?: tables = [t]
        }
        return try tables.map { value in
            guard let t = value.table else { throw UDFHostError(.invalidConfig, udf: "httppost", "[[httppost]] must be tables of endpoint, url, headers…") }
            let name = t["endpoint"]?.string ?? ""
            guard !name.isEmpty else { throw UDFHostError(.invalidConfig, udf: "httppost", "[[httppost]] needs an endpoint name") }
            guard let text = t["url"]?.string, let url = HTTPPost.Endpoint(url: text) else {
                throw UDFHostError(.invalidConfig, udf: "httppost", "[[httppost]] \(name): url must be http://host[:port][/path] (https is not supported), got \(t["url"]?.string ?? "none")")
            }
            var headers: [(name: String, value: String)] = []
            for (k, v) in (t["headers"]?.table ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let v = v.string, !(k + v).contains(where: { $0 == "\r" || $0 == "\n" }) else {
                    throw UDFHostError(.invalidConfig, udf: "httppost", "[[httppost]] \(name): header \(k) must be a string without line breaks")
                }
                headers.append((k, v))
            }
            if let auth = t["basic-auth"]?.table, let user = auth["username"]?.string {
                let credentials = user + ":" + (auth["password"]?.string ?? "")
                headers.append(("Authorization", "Basic " + Base64.encode(Array(credentials.utf8))))
            }
            var source = t["alert-template"]?.string ?? ""
            if source.isEmpty, let path = t["alert-template-file"]?.string, !path.isEmpty {
                do {
                    source = String(decoding: try FileDescriptor.readFile(atPath: path), as: UTF8.self)
                } catch {
                    throw UDFHostError(.invalidConfig, udf: "httppost", "[[httppost]] \(name): cannot read alert-template-file \(path): \(error)")
                }
            }
            var template: GoTemplate?
            if !source.isEmpty {
                do throws(GoTemplateError) {
                    template = try GoTemplate(source, name: "alert-template")
                } catch {
                    throw UDFHostError(.invalidConfig, udf: "httppost", "[[httppost]] \(name): alert-template: \(error.message)")
                }
            }
            return HTTPPostEndpoint(name: name, url: url, headers: headers, alertTemplate: template)
        }
    }
}
