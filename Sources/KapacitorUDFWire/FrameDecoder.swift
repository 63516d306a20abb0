/// Splits a byte stream into uvarint-length-prefixed frames, whatever the chunking of the input.
///
/// Feed bytes with ``append(_:)`` or read straight into the decoder with ``read(_:)``, then take
/// frames with ``next()`` until it returns `nil`. Frames are slices of the chunk they were read
/// into, so taking a frame copies nothing. At end of input call ``finish()``: it throws if the
/// input ended inside a frame.
///
/// A length over ``maximumFrameSize`` is an error before any byte of the frame is buffered:
/// the decoder never allocates the size a peer claims.
///
/// ```swift
/// var decoder = FrameDecoder()
/// decoder.append(bytes)
/// while let payload = try decoder.next() {
///     let request = try UDFRequest(decoding: payload)
/// }
/// ```
public struct FrameDecoder: Sendable {
    /// The default limit on one frame's payload: 64 MiB.
    public static let defaultMaximumFrameSize = 64 << 20

    /// The largest payload accepted.
    public let maximumFrameSize: Int
    /// How many bytes ``read(_:)`` asks for at least.
    public let readChunkSize: Int

    private var buffer: [UInt8] = []
    private var start = 0
    /// Total size (header + payload) of the frame at `start`, once its header is known.
    private var pendingFrame = 0

    public init(maximumFrameSize: Int = FrameDecoder.defaultMaximumFrameSize, readChunkSize: Int = 64 << 10) {
        precondition(maximumFrameSize > 0 && readChunkSize > 0)
        self.maximumFrameSize = maximumFrameSize
        self.readChunkSize = readChunkSize
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Appends input bytes.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        var remaining = bytes[...]
        while !remaining.isEmpty {
            read { destination in
                let n = min(destination.count, remaining.count)
                _ = UnsafeMutableRawBufferPointer(rebasing: destination[..<n]).initializeMemory(
                    as: UInt8.self, from: remaining.prefix(n))
                remaining = remaining.dropFirst(n)
                return n
            }
        }
    }

    /// Lets `body` write input bytes straight into the decoder's buffer.
    ///
    /// `body` gets free space of at least ``readChunkSize`` bytes (more if the pending frame needs
    /// it) and returns how many bytes it wrote; a `read(2)` call fits exactly. Returns that count.
    @discardableResult
    public mutating func read<E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) -> Int {
        let leftover = buffer.count - start
        let capacity = Swift.max(readChunkSize, pendingFrame + readChunkSize / 4, leftover * 2)
        var written = 0
        var failure: E?
        // A fresh chunk each time: frames handed out earlier keep the old chunk alive, and the
        // leftover partial frame (never more than one frame) is the only copy.
        let fresh = [UInt8](unsafeUninitializedCapacity: leftover + capacity) { storage, count in
            buffer.withUnsafeBufferPointer { old in
                _ = storage.initialize(fromContentsOf: old[start...])
            }
            do throws(E) {
                written = try body(UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(storage)[leftover...]))
            } catch {
                failure = error
            }
            count = leftover + written
        }
        buffer = fresh
        start = 0
        if let failure { throw failure }
        return written
    }

    /// The next complete frame's payload, or `nil` if more input is needed.
    /// - Throws: ``WireError`` `frameTooLarge` or `malformedVarint`. After an error the stream
    ///   cannot be resynchronised; stop reading.
    public mutating func next() throws(WireError) -> ArraySlice<UInt8>? {
        let available = buffer.count - start
        if available == 0 { return nil }
        let header = try buffer.withWireBytes { (raw) throws(WireError) -> (Int, Int)? in
            switch Varint.read(raw, at: start) {
            case .incomplete: return nil
            case .overflow:
                throw WireError(.malformedVarint, "malformed frame length: varint longer than 64 bits")
            case .value(let length, let headerSize):
                guard length <= UInt64(maximumFrameSize) else {
                    throw WireError(.frameTooLarge, "frame of \(length) bytes exceeds the maximum of \(maximumFrameSize) bytes")
                }
                return (Int(length), headerSize)
            }
        }
        guard let (length, headerSize) = header else { return nil }
        pendingFrame = headerSize + length
        guard available >= pendingFrame else { return nil }
        let payloadStart = start + headerSize
        start = payloadStart + length
        pendingFrame = 0
        return buffer[payloadStart..<start]
    }

    /// Checks that the input ended at a frame boundary.
    /// - Throws: ``WireError`` `truncated`: `unexpected EOF, expected N more bytes` (N is the whole
    ///   payload size, as Kapacitor words it) or `unexpected EOF reading a frame length`.
    public func finish() throws(WireError) {
        let available = buffer.count - start
        guard available > 0 else { return }
        let result = buffer.withUnsafeBytes { Varint.read($0, at: start) }
        if case .value(let length, _) = result {
            throw WireError(.truncated, "unexpected EOF, expected \(length) more bytes")
        }
        throw WireError(.truncated, "unexpected EOF reading a frame length")
    }
}
