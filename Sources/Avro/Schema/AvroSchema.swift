/// An Avro schema with its named types substituted where they are referenced (recursive
/// types are rejected while parsing, so this is always a finite tree).
struct AvroSchema: Sendable, Hashable {
    indirect enum Kind: Sendable, Hashable {
        case null, boolean, int, long, float, double, bytes, string
        case fixed(size: Int)
        case enumeration(symbols: [String])
        case record(fields: [AvroField])
        case array(items: AvroSchema)
        case map(values: AvroSchema)
        case union([AvroSchema])
    }

    var kind: Kind
    /// The full name (`namespace.name`) of a record, enum or fixed.
    var name: String?
    var logicalType: String?
    var precision: Int?
    var scale: Int?
    /// Iceberg's ids: `element-id` on arrays, `key-id` and `value-id` on maps.
    var elementId: Int32?
    var keyId: Int32?
    var valueId: Int32?
    /// Iceberg's `adjust-to-utc` attribute on timestamps (written only in Iceberg mode).
    var adjustToUTC: Bool?

    init(
        _ kind: Kind, name: String? = nil, logicalType: String? = nil, precision: Int? = nil, scale: Int? = nil,
        elementId: Int32? = nil, keyId: Int32? = nil, valueId: Int32? = nil, adjustToUTC: Bool? = nil
    ) {
        self.kind = kind
        self.name = name
        self.logicalType = logicalType
        self.precision = precision
        self.scale = scale
        self.elementId = elementId
        self.keyId = keyId
        self.valueId = valueId
        self.adjustToUTC = adjustToUTC
    }

    static let primitiveNames: [String: Kind] = [
        "null": .null, "boolean": .boolean, "int": .int, "long": .long, "float": .float,
        "double": .double, "bytes": .bytes, "string": .string,
    ]

    /// The type's name as the specification spells it (`record`, `long`, …).
    var typeName: String {
        switch kind {
        case .null: "null"
        case .boolean: "boolean"
        case .int: "int"
        case .long: "long"
        case .float: "float"
        case .double: "double"
        case .bytes: "bytes"
        case .string: "string"
        case .fixed: "fixed"
        case .enumeration: "enum"
        case .record: "record"
        case .array: "array"
        case .map: "map"
        case .union: "union"
        }
    }
}

/// A field of an Avro record.
struct AvroField: Sendable, Hashable {
    var name: String
    var type: AvroSchema
    /// Iceberg's `field-id` attribute.
    var fieldId: Int32?
    /// Whether the field is written with `"default": null` (nullable fields, as Iceberg expects).
    var nullDefault: Bool

    init(name: String, type: AvroSchema, fieldId: Int32? = nil, nullDefault: Bool = false) {
        self.name = name
        self.type = type
        self.fieldId = fieldId
        self.nullDefault = nullDefault
    }
}
