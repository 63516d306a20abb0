import CZlib

/// Inflates gzip request bodies with a bound on the inflated size (a gzip bomb is refused,
/// not expanded).
enum Gzip {
    enum Failure: Error, Equatable {
        /// Not gzip data (KairosDB: "Not in GZIP format").
        case notGzip(String)
        /// The inflated body would exceed the limit.
        case tooLarge
    }

    /// Inflates `input`, refusing output beyond `limit` bytes. `reserve` is called with the size
    /// of each piece of output before it is kept, so a caller can account it (and stop by throwing).
    static func inflate(_ input: [UInt8], limit: Int, reserve: (Int) throws -> Void = { _ in }) throws -> [UInt8] {
        guard input.count >= 2, input[0] == 0x1F, input[1] == 0x8B else { throw Failure.notGzip("Not in GZIP format") }
        var stream = z_stream()
        // 16 + MAX_WBITS: gzip wrapper; concatenated members are handled by resetting below.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure.notGzip("cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(input.count, 4096)))  // grows as accounted by `reserve`
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        var failure: (any Error)?
        input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = uInt(inBuf.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                if status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR {
                    failure = Failure.notGzip(stream.msg.map { String(cString: $0) } ?? "corrupt gzip data")
                    return
                }
                if produced > limit - output.count {
                    failure = Failure.tooLarge
                    return
                }
                do {
                    try reserve(produced)
                } catch {
                    failure = error
                    return
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END && stream.avail_in > 0 {
                    inflateReset(&stream)  // another gzip member follows
                    status = Z_OK
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 { break }
            } while status != Z_STREAM_END
        }
        if let failure { throw failure }
        guard status == Z_STREAM_END else { throw Failure.notGzip("Unexpected end of ZLIB input stream") }
        return output
    }
}
