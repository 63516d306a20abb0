/// One data point of the UDF protocol (`agent.Point`), in either direction.
///
/// A point read off the wire keeps its encoded bytes and decodes lazily: reading ``time`` or one
/// field with ``double(_:)`` scans the bytes without allocating, and emitting an unchanged point
/// copies its bytes verbatim. The first mutation decodes the point once into plain Swift values.
///
/// ```swift
/// var out = point
/// out.fieldsDouble = ["avg": average]
/// out.fieldsInt = [:]
/// ```
public struct UDFPoint: Sendable {
    @usableFromInline
    enum Storage: Sendable {
        /// Validated protobuf bytes of an `agent.Point` (no frame, no wrapper).
        case encoded(ArraySlice<UInt8>)
        /// Decoded values, boxed so that a point stays a few words wide and copies cheaply.
        case decoded(PointFieldsBox)
    }

    @usableFromInline var storage: Storage

    /// Creates a point from values.
    public init(
        time: Int64 = 0,
        name: String = "",
        database: String = "",
        retentionPolicy: String = "",
        group: String = "",
        dimensions: [String] = [],
        tags: [String: String] = [:],
        fieldsDouble: [String: Double] = [:],
        fieldsInt: [String: Int64] = [:],
        fieldsString: [String: String] = [:],
        fieldsBool: [String: Bool] = [:],
        byName: Bool = false
    ) {
        storage = .decoded(PointFieldsBox(PointFields(
            time: time, name: name, database: database, retentionPolicy: retentionPolicy, group: group,
            dimensions: dimensions, tags: tags, fieldsDouble: fieldsDouble, fieldsInt: fieldsInt,
            fieldsString: fieldsString, fieldsBool: fieldsBool, byName: byName)))
    }

    /// Wraps the protobuf encoding of an `agent.Point` after checking that it is well formed.
    ///
    /// The bytes are kept, not copied; fields decode on access.
    /// - Throws: ``WireError`` with code `malformedMessage` if the bytes do not parse as a `Point`.
    public init(validating encoded: ArraySlice<UInt8>) throws(WireError) {
        try encoded.withWireBytes { (raw) throws(WireError) in try Self.validate(raw) }
        storage = .encoded(encoded)
    }

    /// Time in nanoseconds since the Unix epoch, UTC.
    public var time: Int64 {
        get { scalar(field: 1, decoded: \.time) { Int64(bitPattern: $0) } }
        set { mutate { $0.time = newValue } }
    }

    /// Measurement name.
    public var name: String {
        get { text(field: 2, decoded: \.name) }
        set { mutate { $0.name = newValue } }
    }

    public var database: String {
        get { text(field: 3, decoded: \.database) }
        set { mutate { $0.database = newValue } }
    }

    public var retentionPolicy: String {
        get { text(field: 4, decoded: \.retentionPolicy) }
        set { mutate { $0.retentionPolicy = newValue } }
    }

    /// The group ID string the host computed; hosts ignore it on output and recompute it.
    public var group: String {
        get { text(field: 5, decoded: \.group) }
        set { mutate { $0.group = newValue } }
    }

    /// Group-by tag names, in order. Echo them to keep the point's grouping downstream.
    public var dimensions: [String] {
        get { fields.dimensions }
        set { mutate { $0.dimensions = newValue } }
    }

    public var tags: [String: String] {
        get { fields.tags }
        set { mutate { $0.tags = newValue } }
    }

    public var fieldsDouble: [String: Double] {
        get { fields.fieldsDouble }
        set { mutate { $0.fieldsDouble = newValue } }
    }

    public var fieldsInt: [String: Int64] {
        get { fields.fieldsInt }
        set { mutate { $0.fieldsInt = newValue } }
    }

    public var fieldsString: [String: String] {
        get { fields.fieldsString }
        set { mutate { $0.fieldsString = newValue } }
    }

    public var fieldsBool: [String: Bool] {
        get { fields.fieldsBool }
        set { mutate { $0.fieldsBool = newValue } }
    }

    /// Whether grouping includes the measurement name.
    public var byName: Bool {
        get { scalar(field: 11, decoded: \.byName) { $0 != 0 } }
        set { mutate { $0.byName = newValue } }
    }

    /// The value of tag `key`, without decoding the other tags.
    public func tag(_ key: String) -> String? {
        lookup(key, field: 7, StringValueCodec.self, decoded: \.tags)
    }

    /// The float field `key`, without decoding the other fields.
    public func double(_ key: String) -> Double? {
        lookup(key, field: 8, DoubleValueCodec.self, decoded: \.fieldsDouble)
    }

    /// The integer field `key`, without decoding the other fields.
    public func int(_ key: String) -> Int64? {
        lookup(key, field: 9, Int64ValueCodec.self, decoded: \.fieldsInt)
    }

    /// The string field `key`, without decoding the other fields.
    public func string(_ key: String) -> String? {
        lookup(key, field: 10, StringValueCodec.self, decoded: \.fieldsString)
    }

    /// The boolean field `key`, without decoding the other fields.
    public func bool(_ key: String) -> Bool? {
        lookup(key, field: 12, BoolValueCodec.self, decoded: \.fieldsBool)
    }

    /// This point with every field decoded once, for a handler that reads many of its fields
    /// (each property read on an undecoded point scans its bytes again).
    public func decoded() -> UDFPoint {
        if case .decoded = storage { return self }
        var copy = self
        copy.storage = .decoded(PointFieldsBox(fields))
        return copy
    }

    /// Whether the point still holds the bytes it was read from (it has not been modified).
    public var isEncoded: Bool {
        if case .encoded = storage { return true }
        return false
    }

    /// Copy-on-write mutation: decodes an encoded point once; copies a shared box.
    @inlinable
    mutating func mutate(_ body: (inout PointFields) -> Void) {
        if case .decoded(var box) = storage {
            storage = .encoded([])  // drop this point's reference, so an unshared box is unique
            if !isKnownUniquelyReferenced(&box) { box = PointFieldsBox(box.fields) }
            body(&box.fields)
            storage = .decoded(box)
        } else {
            let box = PointFieldsBox(fields)
            body(&box.fields)
            storage = .decoded(box)
        }
    }
}

/// The decoded fields of a point, shared between copies until one of them mutates.
@usableFromInline
final class PointFieldsBox: @unchecked Sendable {
    // @unchecked Sendable: a box is only mutated while uniquely referenced (copy-on-write in
    // UDFPoint.mutate); shared boxes are read-only.
    // Accessed without the runtime exclusivity check so reads borrow in place (no copy of the
    // whole struct); mutation happens only through UDFPoint.mutate on a uniquely owned box.
    @exclusivity(unchecked) @usableFromInline var fields: PointFields

    @usableFromInline
    init(_ fields: PointFields) {
        self.fields = fields
    }
}


/// The decoded form of a ``UDFPoint``.
@usableFromInline
struct PointFields: Sendable, Equatable {
    @usableFromInline var time: Int64 = 0
    @usableFromInline var name = ""
    @usableFromInline var database = ""
    @usableFromInline var retentionPolicy = ""
    @usableFromInline var group = ""
    @usableFromInline var dimensions: [String] = []
    @usableFromInline var tags: [String: String] = [:]
    @usableFromInline var fieldsDouble: [String: Double] = [:]
    @usableFromInline var fieldsInt: [String: Int64] = [:]
    @usableFromInline var fieldsString: [String: String] = [:]
    @usableFromInline var fieldsBool: [String: Bool] = [:]
    @usableFromInline var byName = false

    @usableFromInline init() {}

    @usableFromInline
    init(
        time: Int64, name: String, database: String, retentionPolicy: String, group: String,
        dimensions: [String], tags: [String: String], fieldsDouble: [String: Double],
        fieldsInt: [String: Int64], fieldsString: [String: String], fieldsBool: [String: Bool], byName: Bool
    ) {
        self.time = time
        self.name = name
        self.database = database
        self.retentionPolicy = retentionPolicy
        self.group = group
        self.dimensions = dimensions
        self.tags = tags
        self.fieldsDouble = fieldsDouble
        self.fieldsInt = fieldsInt
        self.fieldsString = fieldsString
        self.fieldsBool = fieldsBool
        self.byName = byName
    }
}

extension UDFPoint: Equatable {
    /// Points are equal when their decoded values are equal, however they are stored.
    public static func == (lhs: UDFPoint, rhs: UDFPoint) -> Bool {
        if case .encoded(let a) = lhs.storage, case .encoded(let b) = rhs.storage, a.elementsEqual(b) {
            return true
        }
        return lhs.fields == rhs.fields
    }
}

extension UDFPoint: CustomStringConvertible {
    public var description: String {
        let f = fields
        var parts = ["time: \(f.time)"]
        if !f.name.isEmpty { parts.append("name: \(f.name)") }
        if !f.database.isEmpty { parts.append("database: \(f.database)") }
        if !f.retentionPolicy.isEmpty { parts.append("retentionPolicy: \(f.retentionPolicy)") }
        if !f.group.isEmpty { parts.append("group: \(f.group.debugDescription)") }
        if !f.dimensions.isEmpty { parts.append("dimensions: \(f.dimensions)") }
        if !f.tags.isEmpty { parts.append("tags: \(f.tags.sorted { $0.key < $1.key })") }
        if !f.fieldsDouble.isEmpty { parts.append("fieldsDouble: \(f.fieldsDouble.sorted { $0.key < $1.key })") }
        if !f.fieldsInt.isEmpty { parts.append("fieldsInt: \(f.fieldsInt.sorted { $0.key < $1.key })") }
        if !f.fieldsString.isEmpty { parts.append("fieldsString: \(f.fieldsString.sorted { $0.key < $1.key })") }
        if !f.fieldsBool.isEmpty { parts.append("fieldsBool: \(f.fieldsBool.sorted { $0.key < $1.key })") }
        if f.byName { parts.append("byName: true") }
        return "Point(\(parts.joined(separator: ", ")))"
    }
}
