import ThriftCompact

/// Statistics of a column chunk or a page (all fields optional).
///
/// `min`/`max` (fields 2/1) are the deprecated signed-order bounds; `minValue`/`maxValue`
/// (6/5) follow the column's ColumnOrder. Values are PLAIN-encoded without a length prefix.
public struct Statistics: ThriftMetadata {
    /// 1: deprecated signed-order maximum.
    public var max: [UInt8]?
    /// 2: deprecated signed-order minimum.
    public var min: [UInt8]?
    /// 3
    public var nullCount: Int64?
    /// 4
    public var distinctCount: Int64?
    /// 5
    public var maxValue: [UInt8]?
    /// 6
    public var minValue: [UInt8]?
    /// 7
    public var isMaxValueExact: Bool?
    /// 8
    public var isMinValueExact: Bool?
    /// 9
    public var nanCount: Int64?

    public init(
        max: [UInt8]? = nil, min: [UInt8]? = nil, nullCount: Int64? = nil,
        distinctCount: Int64? = nil, maxValue: [UInt8]? = nil, minValue: [UInt8]? = nil,
        isMaxValueExact: Bool? = nil, isMinValueExact: Bool? = nil, nanCount: Int64? = nil
    ) {
        self.max = max
        self.min = min
        self.nullCount = nullCount
        self.distinctCount = distinctCount
        self.maxValue = maxValue
        self.minValue = minValue
        self.isMaxValueExact = isMaxValueExact
        self.isMinValueExact = isMinValueExact
        self.nanCount = nanCount
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        // Fields are gathered in locals and stored once: assigning into a partly built `self`
        // makes the compiler copy the whole struct.
        var max: [UInt8]?
        var min: [UInt8]?
        var nullCount: Int64?
        var distinctCount: Int64?
        var maxValue: [UInt8]?
        var minValue: [UInt8]?
        var isMaxValueExact: Bool?
        var isMinValueExact: Bool?
        var nanCount: Int64?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .binary): max = try reader.readBinary()
            case (2, .binary): min = try reader.readBinary()
            case (3, .i64): nullCount = try reader.readI64()
            case (4, .i64): distinctCount = try reader.readI64()
            case (5, .binary): maxValue = try reader.readBinary()
            case (6, .binary): minValue = try reader.readBinary()
            case (7, let type) where type.isBool:
                isMaxValueExact = try reader.readBool(fieldType: type)
            case (8, let type) where type.isBool:
                isMinValueExact = try reader.readBool(fieldType: type)
            case (9, .i64): nanCount = try reader.readI64()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        return Self(
            max: max,
            min: min,
            nullCount: nullCount,
            distinctCount: distinctCount,
            maxValue: maxValue,
            minValue: minValue,
            isMaxValueExact: isMaxValueExact,
            isMinValueExact: isMinValueExact,
            nanCount: nanCount)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        if let max { writer.writeField(id: 1, binary: max) }
        if let min { writer.writeField(id: 2, binary: min) }
        if let nullCount { writer.writeField(id: 3, i64: nullCount) }
        if let distinctCount { writer.writeField(id: 4, i64: distinctCount) }
        if let maxValue { writer.writeField(id: 5, binary: maxValue) }
        if let minValue { writer.writeField(id: 6, binary: minValue) }
        if let isMaxValueExact { writer.writeField(id: 7, bool: isMaxValueExact) }
        if let isMinValueExact { writer.writeField(id: 8, bool: isMinValueExact) }
        if let nanCount { writer.writeField(id: 9, i64: nanCount) }
        writer.endStruct()
    }
}

/// Sizes and level histograms that help a reader estimate memory (ColumnMetaData field 16).
public struct SizeStatistics: ThriftMetadata {
    /// 1: bytes of BYTE_ARRAY values, excluding their length prefixes.
    public var unencodedByteArrayDataBytes: Int64?
    /// 2: how often each repetition level occurs (max repetition level + 1 entries).
    public var repetitionLevelHistogram: [Int64]?
    /// 3: how often each definition level occurs (max definition level + 1 entries).
    public var definitionLevelHistogram: [Int64]?

    public init(
        unencodedByteArrayDataBytes: Int64? = nil, repetitionLevelHistogram: [Int64]? = nil,
        definitionLevelHistogram: [Int64]? = nil
    ) {
        self.unencodedByteArrayDataBytes = unencodedByteArrayDataBytes
        self.repetitionLevelHistogram = repetitionLevelHistogram
        self.definitionLevelHistogram = definitionLevelHistogram
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        var unencoded: Int64?
        var repetition: [Int64]?
        var definition: [Int64]?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i64): unencoded = try reader.readI64()
            case (2, .list): repetition = try reader.readI64List()
            case (3, .list): definition = try reader.readI64List()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        return Self(
            unencodedByteArrayDataBytes: unencoded, repetitionLevelHistogram: repetition,
            definitionLevelHistogram: definition)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        if let unencodedByteArrayDataBytes {
            writer.writeField(id: 1, i64: unencodedByteArrayDataBytes)
        }
        if let repetitionLevelHistogram {
            writer.writeField(id: 2, i64List: repetitionLevelHistogram)
        }
        if let definitionLevelHistogram {
            writer.writeField(id: 3, i64List: definitionLevelHistogram)
        }
        writer.endStruct()
    }
}
