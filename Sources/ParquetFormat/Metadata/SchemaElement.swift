import ThriftCompact

/// One node of the schema, which FileMetaData lists depth-first with the root first.
/// A group has `numChildren` and no `type`; a leaf has a `type`.
public struct SchemaElement: ThriftMetadata {
    /// 1: physical type, set on leaves only.
    public var type: PhysicalType?
    /// 2: byte length of FIXED_LEN_BYTE_ARRAY values.
    public var typeLength: Int32?
    /// 3: unset on the root only.
    public var repetitionType: FieldRepetitionType?
    /// 4 (required)
    public var name: String
    /// 5: set on groups only.
    public var numChildren: Int32?
    /// 6: legacy annotation.
    public var convertedType: ConvertedType?
    /// 7: legacy decimal scale.
    public var scale: Int32?
    /// 8: legacy decimal precision.
    public var precision: Int32?
    /// 9: the field id of the original schema (Iceberg, DuckLake).
    public var fieldId: Int32?
    /// 10
    public var logicalType: LogicalType?
    /// 11: slots per parent occurrence when `repetitionType` is VECTOR.
    public var vectorLength: Int32?

    public init(
        name: String, type: PhysicalType? = nil, typeLength: Int32? = nil,
        repetitionType: FieldRepetitionType? = nil, numChildren: Int32? = nil,
        convertedType: ConvertedType? = nil, scale: Int32? = nil, precision: Int32? = nil,
        fieldId: Int32? = nil, logicalType: LogicalType? = nil, vectorLength: Int32? = nil
    ) {
        self.type = type
        self.typeLength = typeLength
        self.repetitionType = repetitionType
        self.name = name
        self.numChildren = numChildren
        self.convertedType = convertedType
        self.scale = scale
        self.precision = precision
        self.fieldId = fieldId
        self.logicalType = logicalType
        self.vectorLength = vectorLength
    }

    /// True for a leaf (a node with a physical type).
    public var isLeaf: Bool { type != nil }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var type: PhysicalType?
        var typeLength: Int32?
        var repetitionType: FieldRepetitionType?
        var name: String?
        var numChildren: Int32?
        var convertedType: ConvertedType?
        var scale: Int32?
        var precision: Int32?
        var fieldId: Int32?
        var logicalType: LogicalType?
        var vectorLength: Int32?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): type = PhysicalType(rawValue: try reader.readI32())
            case (2, .i32): typeLength = try reader.readI32()
            case (3, .i32): repetitionType = FieldRepetitionType(rawValue: try reader.readI32())
            case (4, .binary): name = try reader.readString()
            case (5, .i32): numChildren = try reader.readI32()
            case (6, .i32): convertedType = ConvertedType(rawValue: try reader.readI32())
            case (7, .i32): scale = try reader.readI32()
            case (8, .i32): precision = try reader.readI32()
            case (9, .i32): fieldId = try reader.readI32()
            case (10, .struct): logicalType = try LogicalType.readIfPresent(from: &reader)
            case (11, .i32): vectorLength = try reader.readI32()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let typeName = "SchemaElement"
        return Self(
            name: try required(name, "name (4)", of: typeName, at: start), type: type,
            typeLength: try nonNegativeOrNil(typeLength, "type_length", of: typeName, at: start),
            repetitionType: repetitionType,
            numChildren: try nonNegativeOrNil(numChildren, "num_children", of: typeName, at: start),
            convertedType: convertedType, scale: scale, precision: precision, fieldId: fieldId,
            logicalType: logicalType, vectorLength: vectorLength)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        if let type { writer.writeField(id: 1, i32: type.rawValue) }
        if let typeLength { writer.writeField(id: 2, i32: typeLength) }
        if let repetitionType { writer.writeField(id: 3, i32: repetitionType.rawValue) }
        writer.writeField(id: 4, string: name)
        if let numChildren { writer.writeField(id: 5, i32: numChildren) }
        if let convertedType { writer.writeField(id: 6, i32: convertedType.rawValue) }
        if let scale { writer.writeField(id: 7, i32: scale) }
        if let precision { writer.writeField(id: 8, i32: precision) }
        if let fieldId { writer.writeField(id: 9, i32: fieldId) }
        if let logicalType { writer.writeField(id: 10, struct: logicalType) }
        if let vectorLength { writer.writeField(id: 11, i32: vectorLength) }
        writer.endStruct()
    }
}

/// A key/value pair of file or column chunk metadata.
public struct KeyValue: ThriftMetadata {
    /// 1 (required)
    public var key: String
    /// 2
    public var value: String?

    public init(key: String, value: String? = nil) {
        self.key = key
        self.value = value
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var key: String?
        var value: String?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .binary): key = try reader.readString()
            case (2, .binary): value = try reader.readString()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        return Self(
            key: try required(key, "key (1)", of: "KeyValue", at: start),
            value: value)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, string: key)
        if let value { writer.writeField(id: 2, string: value) }
        writer.endStruct()
    }
}
