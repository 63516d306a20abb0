import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// How every route reads its request body: an early 413 from `Content-Length`, the size limit
/// while reading, gzip inflation within the per-request limit, and a server-wide bound on the
/// bytes of bodies held in memory at once (``BodyBudget``).
///
/// The body lives only inside ``withBody(_:gzip:_:)``; its bytes are given back to the budget when
/// the closure returns, so six concurrent gzip bombs cannot hold six times the inflation limit.
struct BodyReader: Sendable {
    /// Which gzip forms a route accepts.
    struct GzipForms: OptionSet, Sendable {
        let rawValue: Int
        /// `Content-Encoding: gzip`.
        static let contentEncoding = GzipForms(rawValue: 1)
        /// KairosDB's legacy `Content-Type: application/gzip`.
        static let legacyContentType = GzipForms(rawValue: 2)
    }

    /// Why a body was refused; each route words it in its API's error shape.
    struct Failure: Error, Sendable {
        enum Code: Sendable {
            /// Over `--max-body-size` or `--max-inflated-size` (413).
            case tooLarge
            /// The server-wide budget of bodies in memory is spent (503, retry).
            case busy
            /// Not gzip although the headers say so (KairosDB: 500 for Content-Encoding, 400 for the legacy type).
            case notGzip
            /// The connection failed while the body was read.
            case unreadable
        }
        var code: Code
        var message: String
        /// The body claimed gzip through `Content-Encoding` (KairosDB answers that failure with 500).
        var viaContentEncoding = false

        var status: HTTPResponse.Status {
            switch code {
            case .tooLarge: .contentTooLarge
            case .busy: .serviceUnavailable
            case .notGzip: viaContentEncoding ? .internalServerError : .badRequest
            case .unreadable: .badRequest
            }
        }

        /// Headers the refusal carries: `Retry-After` when busy, `Connection: close` when the
        /// rest of an oversized body is not worth reading.
        var headers: HTTPFields {
            var h = HTTPFields()
            switch code {
            case .busy: h[.retryAfter] = "1"
            case .tooLarge: h[.connection] = "close"
            default: break
            }
            return h
        }
    }

    let maxBodyBytes: Int
    let maxInflatedBytes: Int
    let budget: BodyBudget

    /// Reads the body of `request` (inflating it when `gzip` allows and the headers say so) and
    /// passes it to `body`; the bytes count against the server-wide budget until `body` returns.
    func withBody<R>(
        _ request: inout Request, gzip: GzipForms = [], _ body: ([UInt8]) async throws -> R
    ) async throws -> R {
        var held = 0
        defer { budget.release(held) }
        let bytes = try await read(&request, gzip: gzip, held: &held)
        return try await body(bytes)
    }

    private func read(_ request: inout Request, gzip: GzipForms, held: inout Int) async throws(Failure) -> [UInt8] {
        if let text = request.headers[.contentLength], let declared = Int(text), declared > maxBodyBytes {
            throw Failure(code: .tooLarge, message: "request body of \(declared) bytes is larger than the limit of \(maxBodyBytes) bytes")
        }
        let raw: [UInt8]
        do {
            let buffer = try await request.collectBody(upTo: maxBodyBytes)
            raw = Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw Failure(code: .tooLarge, message: "request body larger than \(maxBodyBytes) bytes")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Failure(code: .tooLarge, message: "request body larger than \(maxBodyBytes) bytes")
        } catch {
            throw Failure(code: .unreadable, message: "cannot read the request body: \(error)")
        }
        try reserve(raw.count, held: &held)
        let encoding = request.headers[values: .contentEncoding]
        let viaEncoding = gzip.contains(.contentEncoding) && encoding.count == 1 && encoding[0].lowercased() == "gzip"
        let viaType = gzip.contains(.legacyContentType)
            && (request.headers[.contentType] ?? "").lowercased().hasPrefix("application/gzip")
        guard viaEncoding || viaType else { return raw }
        do {
            let inflated = try Gzip.inflate(raw, limit: maxInflatedBytes) { more throws(Failure) in
                try reserve(more, held: &held)
            }
            return inflated
        } catch let failure as Failure {
            throw failure
        } catch Gzip.Failure.tooLarge {
            throw Failure(code: .tooLarge, message: "gzip body inflates to more than \(maxInflatedBytes) bytes")
        } catch Gzip.Failure.notGzip(let message) {
            throw Failure(code: .notGzip, message: message, viaContentEncoding: viaEncoding)
        } catch {
            throw Failure(code: .notGzip, message: "\(error)", viaContentEncoding: viaEncoding)
        }
    }

    private func reserve(_ bytes: Int, held: inout Int) throws(Failure) {
        guard budget.reserve(bytes) else {
            throw Failure(code: .busy, message: "server busy: request bodies in memory would exceed \(budget.limit) bytes; retry")
        }
        held += bytes
    }
}

/// The bytes of request bodies (as read and as inflated) held in memory across the whole server.
final class BodyBudget: Sendable {
    let limit: Int
    private let used = Mutex(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` from the budget; `false` (nothing taken) when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        used.withLock { used in
            guard bytes <= limit - used else { return false }
            used += bytes
            return true
        }
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.withLock { $0 -= bytes }
    }

    /// Bytes held now.
    var inUse: Int { used.withLock { $0 } }
}
