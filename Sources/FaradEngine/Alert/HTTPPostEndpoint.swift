import FaradCore
import FaradSystem
import FaradUDFHost

/// One `[[httppost]]` endpoint of kapacitor.conf, for `.post().endpoint(name)`: its URL, its
/// headers, and `basic-auth` as an `Authorization: Basic …` header. (`alert-template` and
/// `row-template` are not supported: the handler sends Kapacitor's event JSON.)
public struct HTTPPostEndpoint: Sendable {
    public var name: String
    public var url: HTTPPost.Endpoint
    public var headers: [(name: String, value: String)]

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
            return HTTPPostEndpoint(name: name, url: url, headers: headers)
        }
    }
}
