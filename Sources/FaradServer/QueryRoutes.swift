import FaradCore
import FaradInfluxQL
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// InfluxDB 1.x's `/query`: InfluxQL over HTTP, answered as InfluxDB 1.6 answers it, so the
/// `influx` CLI, Grafana's InfluxDB data source and python-influxdb read Farad's store.
///
/// Parameters come from the URL and, for a POST, from a form body (`q`, `db`, `rp`, `epoch`,
/// `pretty`, `chunked`, `chunk_size`, `params`). A query that does not parse is a 400
/// `{"error":"error parsing query: …"}`; a statement that fails has its error in its result
/// (and the statements after it are not run). `Accept: application/csv` answers CSV.
struct QueryRoutes: Sendable {
    let context: ServerContext
    let executor: InfluxQLExecutor

    init(_ context: ServerContext) {
        self.context = context
        executor = InfluxQLExecutor(storage: StoreInfluxStorage(store: context.store))
    }

    /// Rows per chunk when `chunked=true` comes without a `chunk_size` (InfluxDB's default).
    static let defaultChunkSize = 10_000

    func register(on router: Router<BasicRequestContext>) {
        router.get("query") { request, _ in await query(request, post: false) }
        router.post("query") { request, _ in await query(request, post: true) }
    }

    private static var headers: HTTPFields {
        var h = HTTPFields()
        h[HTTPField.Name("X-Influxdb-Version")!] = InfluxRoutes.influxVersion
        h[HTTPField.Name("X-Influxdb-Build")!] = "OSS"
        return h
    }

    func query(_ request: Request, post: Bool) async -> Response {
        var request = request
        var form = FormFields(query: request.uri.query ?? "")
        if post, (request.headers[.contentType] ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded") {
            do {
                try await context.bodies.withBody(&request) { body in form.add(body: body) }
            } catch let failure as BodyReader.Failure {
                return Responses.influxError(failure.status, failure.message, headers: Self.headers)
            } catch {
                return Responses.influxError(.badRequest, "\(error)", headers: Self.headers)
            }
        }
        let writer = InfluxQLResponseWriter(epoch: form["epoch"], pretty: form["pretty"] == "true")
        let csv = Self.wantsCSV(request.headers[values: .accept])
        func failure(_ status: HTTPResponse.Status, _ message: String) -> Response {
            csv ? Self.answer(status, writer.csvError(message), csv: true) : Self.answer(status, writer.jsonError(message), csv: false)
        }
        guard let text = form["q"], !text.allSatisfy(\.isWhitespace) else { return failure(.badRequest, "missing required parameter \"q\"") }
        let parameters: [String: InfluxQLExpr]?
        do {
            parameters = try form["params"].map(Self.parameters)
        } catch {
            return failure(.badRequest, "error parsing query parameters: \(error.message)")
        }
        let parsed: InfluxQLQuery
        do {
            parsed = try InfluxQLParser.parse(text, parameters: parameters ?? [:])
        } catch {
            return failure(.badRequest, "error parsing query: \(error)")
        }
        let now = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down)) * 1_000
        var results = executor.execute(parsed, database: form["db"], retentionPolicy: form["rp"], now: now)
        if !post {
            for i in results.indices where results[i].error == nil && InfluxQLExecutor.isWrite(parsed.statements[results[i].statementID]) {
                let shown = parsed.statements.count == 1 ? text.trimmingCharacters(in: .whitespacesAndNewlines) : "statement \(i)"
                results[i].messages.append(.init(
                    level: "warning", text: "deprecated use of '\(shown)' in a read only context, please use a POST request instead"))
            }
        }
        if csv { return Self.answer(.ok, writer.csv(results), csv: true) }
        guard form["chunked"] == "true" else { return Self.answer(.ok, writer.json(results), csv: false) }
        let size = form["chunk_size"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? Self.defaultChunkSize
        var body: [UInt8] = []
        for chunk in Self.chunks(results, statements: parsed.statements, size: size) {
            body += writer.json([chunk])
            body.append(0x0A)
        }
        return Self.answer(.ok, body, csv: false)
    }

    /// The answer; JSON ends with a newline, as Go's encoder writes InfluxDB's.
    private static func answer(_ status: HTTPResponse.Status, _ bytes: [UInt8], csv: Bool) -> Response {
        var bytes = bytes
        if !csv && bytes.last != 0x0A { bytes.append(0x0A) }
        var h = headers
        h[.contentType] = csv ? "text/csv" : "application/json"
        h[.contentLength] = String(bytes.count)
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func wantsCSV(_ accept: [String]) -> Bool {
        accept.contains { value in
            value.split(separator: ",").contains {
                let type = $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
                return type == "application/csv" || type == "text/csv"
            }
        }
    }

    /// The results as InfluxDB's chunked mode sends them: a SELECT's series one per chunk, a
    /// series of more than `size` rows cut into chunks marked `partial`, and every chunk but a
    /// statement's last marked `partial`; other statements whole.
    static func chunks(_ results: [InfluxQLStatementResult], statements: [InfluxQLStatement], size: Int) -> [InfluxQLStatementResult] {
        var out: [InfluxQLStatementResult] = []
        for r in results {
            guard r.error == nil, case .select = statements[r.statementID], !r.series.isEmpty else {
                out.append(r)
                continue
            }
            let first = out.count
            for s in r.series {
                var from = 0
                repeat {
                    let to = min(from + size, s.values.count)
                    var piece = s
                    piece.values = Array(s.values[from..<to])
                    piece.partial = to < s.values.count
                    var chunk = InfluxQLStatementResult(statementID: r.statementID, series: [piece])
                    chunk.partial = true
                    chunk.messages = out.count == first ? r.messages : []
                    out.append(chunk)
                    from = to
                } while from < s.values.count
            }
            out[out.count - 1].partial = false
        }
        return out
    }

    /// The `params` of a query: a JSON object of names to numbers, strings and booleans.
    static func parameters(_ text: String) throws(InfluxQLParameterError) -> [String: InfluxQLExpr] {
        guard case .object(let members)? = try? JSONValue.parse(Array(text.utf8)) else {
            throw InfluxQLParameterError(message: "params is not a JSON object")
        }
        var out: [String: InfluxQLExpr] = [:]
        for (name, value) in members {
            switch value {
            case .string(let s): out[name] = .string(s)
            case .bool(let b): out[name] = .bool(b)
            case .number(let n):
                if let i = Int64(n) {
                    out[name] = .integer(i)
                } else if let d = Double(n) {
                    out[name] = .number(d)
                } else {
                    throw InfluxQLParameterError(message: "parameter \(name) is not a number: \(n)")
                }
            default:
                throw InfluxQLParameterError(message: "unsupported value for parameter \(name)")
            }
        }
        return out
    }
}

/// A `params` value that cannot bind.
struct InfluxQLParameterError: Error {
    var message: String
}

/// `application/x-www-form-urlencoded` fields (of a URL's query and a form body), the later
/// value of a name winning, as Go's `FormValue` reads a POST's body before its URL.
struct FormFields {
    private var fields: [String: String] = [:]
    private var fromBody: Set<String> = []

    init(query: String) {
        for (k, v) in Self.decode(Array(query.utf8)) where fields[k] == nil { fields[k] = v }
    }

    mutating func add(body: [UInt8]) {
        for (k, v) in Self.decode(body) where !fromBody.contains(k) {
            fields[k] = v
            fromBody.insert(k)
        }
    }

    subscript(name: String) -> String? { fields[name] }

    /// Pairs of `a=b&c=d` with `+` as a space and `%XX` escapes; a bad escape is kept as written.
    static func decode(_ bytes: [UInt8]) -> [(String, String)] {
        var out: [(String, String)] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = part.firstIndex(of: UInt8(ascii: "=")) ?? part.endIndex
            let key = unescape(part[part.startIndex..<eq])
            let value = eq < part.endIndex ? unescape(part[(eq + 1)...]) : ""
            out.append((key, value))
        }
        return out
    }

    private static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(0x20)
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.endIndex, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
