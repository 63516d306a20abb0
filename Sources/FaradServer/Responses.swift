import FaradCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Building the answers KairosDB and InfluxDB clients expect.
enum Responses {
    /// KairosDB's headers on every API answer (but its `Access-Control-Allow-Origin: *`, which
    /// ``BrowserGuard`` adds only for configured origins).
    static var kairosHeaders: HTTPFields {
        var h = HTTPFields()
        h[HTTPField.Name("Pragma")!] = "no-cache"
        h[.cacheControl] = "no-cache"
        h[HTTPField.Name("Expires")!] = "0"
        return h
    }

    static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8], headers: HTTPFields = HTTPFields()) -> Response {
        var h = headers
        h[.contentType] = "application/json; charset=UTF-8"
        h[.contentLength] = String(bytes.count)
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{"errors":[…]}` with KairosDB's headers.
    static func kairosErrors(_ status: HTTPResponse.Status, _ errors: [String], headers extra: HTTPFields = HTTPFields()) -> Response {
        var w = JSONWriter()
        w.raw("{\"errors\":")
        w.strings(errors)
        w.raw("}")
        var h = kairosHeaders
        h.append(contentsOf: extra)
        return json(status, w.bytes, headers: h)
    }

    /// InfluxDB 1.x's `{"error":"…"}`.
    static func influxError(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = HTTPFields()) -> Response {
        var w = JSONWriter()
        w.raw("{\"error\":")
        w.string(message)
        w.raw("}")
        return json(status, w.bytes, headers: headers)
    }

    static func noContent(headers: HTTPFields = HTTPFields()) -> Response {
        Response(status: .noContent, headers: headers)
    }

    /// The 503 of a full write queue: try again in a second; nothing was stored.
    static var retryAfter: HTTPFields {
        var h = HTTPFields()
        h[.retryAfter] = "1"
        return h
    }
}
