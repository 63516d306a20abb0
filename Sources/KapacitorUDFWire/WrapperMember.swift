/// The `oneof message` member of a `Request` or `Response` wrapper.
enum WrapperMember {
    /// Whether `field` is a oneof member of `Request` or `Response` (6 exists only in `Response`).
    @inline(__always)
    static func isKnown(_ field: UInt64) -> Bool {
        switch field {
        case 1...6, 16...18: true
        default: false
        }
    }

    /// Finds the member that is set (the last one, as protobuf's oneof rule says). The returned
    /// range is in `payload`'s indices.
    static func find(in payload: ArraySlice<UInt8>, wrapper: String) throws(WireError) -> (field: UInt64, range: Range<Int>) {
        let base = payload.startIndex
        return try payload.withWireBytes { (raw) throws(WireError) in
            var s = WireScanner(raw)
            var member: (field: UInt64, range: Range<Int>)?
            var unknown: UInt64?
            while let (field, wire) = try s.tag() {
                if isKnown(field) {
                    try s.expect(.lengthDelimited, wire, field: "message member")
                    let r = try s.lengthDelimited()
                    member = (field, (r.lowerBound + base)..<(r.upperBound + base))
                } else {
                    unknown = unknown ?? field
                    try s.skip(wire)
                }
            }
            if let member { return member }
            if let unknown {
                throw WireError(.unknownMessage, "\(wrapper) message number \(unknown) is not part of the UDF protocol")
            }
            throw WireError(.unknownMessage, "empty \(wrapper): no message set")
        }
    }

    /// Appends `uvarint(len) + tag + uvarint(len(body)) + body`.
    static func appendFrame(field: UInt64, body: [UInt8], to bytes: inout [UInt8]) {
        appendFrame(field: field, size: body.count, to: &bytes) { w in body.withUnsafeBytes { w.bytes($0) } }
    }

    /// Appends a whole frame in one go: its member body has `size` bytes, written by `write`.
    @inline(__always)
    static func appendFrame(field: UInt64, size: Int, to bytes: inout [UInt8], _ write: (inout RawWriter) -> Void) {
        let payload = WireWriter.lengthDelimitedSize(field, size)
        RawWriter.append(exactly: Varint.size(UInt64(payload)) + payload, to: &bytes) { w in
            w.varint(UInt64(payload))
            w.tag(field, .lengthDelimited)
            w.varint(UInt64(size))
            write(&w)
        }
    }
}
