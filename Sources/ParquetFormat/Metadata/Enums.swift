/// A Thrift enum of parquet.thrift, as a struct over its i32 value so that values this
/// version does not know survive a decode and re-encode.
public protocol ThriftEnum: RawRepresentable, Hashable, Sendable, CustomStringConvertible
where RawValue == Int32 {
    init(rawValue: Int32)
    /// The name in parquet.thrift, or nil for a value this version does not know.
    var name: String? { get }
}

extension ThriftEnum {
    /// True when the value is one parquet.thrift defines.
    public var isKnown: Bool { name != nil }

    public var description: String { name ?? "\(Self.self)(\(rawValue))" }
}

/// The physical (storage) type of a column: parquet.thrift `Type`.
public struct PhysicalType: ThriftEnum {
    public var rawValue: Int32

    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// BOOLEAN
    public static let boolean = PhysicalType(rawValue: 0)
    /// INT32
    public static let int32 = PhysicalType(rawValue: 1)
    /// INT64
    public static let int64 = PhysicalType(rawValue: 2)
    /// INT96
    public static let int96 = PhysicalType(rawValue: 3)
    /// FLOAT
    public static let `float` = PhysicalType(rawValue: 4)
    /// DOUBLE
    public static let `double` = PhysicalType(rawValue: 5)
    /// BYTE_ARRAY
    public static let byteArray = PhysicalType(rawValue: 6)
    /// FIXED_LEN_BYTE_ARRAY
    public static let fixedLenByteArray = PhysicalType(rawValue: 7)

    public var name: String? {
        switch rawValue {
        case 0: "BOOLEAN"
        case 1: "INT32"
        case 2: "INT64"
        case 3: "INT96"
        case 4: "FLOAT"
        case 5: "DOUBLE"
        case 6: "BYTE_ARRAY"
        case 7: "FIXED_LEN_BYTE_ARRAY"
        default: nil
        }
    }
}

/// The legacy type annotation, superseded by `LogicalType`.
public struct ConvertedType: ThriftEnum {
    public var rawValue: Int32

    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// UTF8
    public static let utf8 = ConvertedType(rawValue: 0)
    /// MAP
    public static let map = ConvertedType(rawValue: 1)
    /// MAP_KEY_VALUE
    public static let mapKeyValue = ConvertedType(rawValue: 2)
    /// LIST
    public static let list = ConvertedType(rawValue: 3)
    /// ENUM
    public static let enumType = ConvertedType(rawValue: 4)
    /// DECIMAL
    public static let decimal = ConvertedType(rawValue: 5)
    /// DATE
    public static let date = ConvertedType(rawValue: 6)
    /// TIME_MILLIS
    public static let timeMillis = ConvertedType(rawValue: 7)
    /// TIME_MICROS
    public static let timeMicros = ConvertedType(rawValue: 8)
    /// TIMESTAMP_MILLIS
    public static let timestampMillis = ConvertedType(rawValue: 9)
    /// TIMESTAMP_MICROS
    public static let timestampMicros = ConvertedType(rawValue: 10)
    /// UINT_8
    public static let uint8 = ConvertedType(rawValue: 11)
    /// UINT_16
    public static let uint16 = ConvertedType(rawValue: 12)
    /// UINT_32
    public static let uint32 = ConvertedType(rawValue: 13)
    /// UINT_64
    public static let uint64 = ConvertedType(rawValue: 14)
    /// INT_8
    public static let int8 = ConvertedType(rawValue: 15)
    /// INT_16
    public static let int16 = ConvertedType(rawValue: 16)
    /// INT_32
    public static let int32 = ConvertedType(rawValue: 17)
    /// INT_64
    public static let int64 = ConvertedType(rawValue: 18)
    /// JSON
    public static let json = ConvertedType(rawValue: 19)
    /// BSON
    public static let bson = ConvertedType(rawValue: 20)
    /// INTERVAL
    public static let interval = ConvertedType(rawValue: 21)

    public var name: String? {
        switch rawValue {
        case 0: "UTF8"
        case 1: "MAP"
        case 2: "MAP_KEY_VALUE"
        case 3: "LIST"
        case 4: "ENUM"
        case 5: "DECIMAL"
        case 6: "DATE"
        case 7: "TIME_MILLIS"
        case 8: "TIME_MICROS"
        case 9: "TIMESTAMP_MILLIS"
        case 10: "TIMESTAMP_MICROS"
        case 11: "UINT_8"
        case 12: "UINT_16"
        case 13: "UINT_32"
        case 14: "UINT_64"
        case 15: "INT_8"
        case 16: "INT_16"
        case 17: "INT_32"
        case 18: "INT_64"
        case 19: "JSON"
        case 20: "BSON"
        case 21: "INTERVAL"
        default: nil
        }
    }
}

/// Whether a schema node is required, optional or repeated.
public struct FieldRepetitionType: ThriftEnum {
    public var rawValue: Int32

    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// REQUIRED
    public static let `required` = FieldRepetitionType(rawValue: 0)
    /// OPTIONAL
    public static let `optional` = FieldRepetitionType(rawValue: 1)
    /// REPEATED
    public static let repeated = FieldRepetitionType(rawValue: 2)
    /// VECTOR
    public static let vector = FieldRepetitionType(rawValue: 3)

    public var name: String? {
        switch rawValue {
        case 0: "REQUIRED"
        case 1: "OPTIONAL"
        case 2: "REPEATED"
        case 3: "VECTOR"
        default: nil
        }
    }
}

/// The encoding of a page's values or levels.
public struct Encoding: ThriftEnum {
    public var rawValue: Int32

    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// PLAIN
    public static let plain = Encoding(rawValue: 0)
    /// PLAIN_DICTIONARY
    public static let plainDictionary = Encoding(rawValue: 2)
    /// RLE
    public static let rle = Encoding(rawValue: 3)
    /// BIT_PACKED
    public static let bitPacked = Encoding(rawValue: 4)
    /// DELTA_BINARY_PACKED
    public static let deltaBinaryPacked = Encoding(rawValue: 5)
    /// DELTA_LENGTH_BYTE_ARRAY
    public static let deltaLengthByteArray = Encoding(rawValue: 6)
    /// DELTA_BYTE_ARRAY
    public static let deltaByteArray = Encoding(rawValue: 7)
    /// RLE_DICTIONARY
    public static let rleDictionary = Encoding(rawValue: 8)
    /// BYTE_STREAM_SPLIT
    public static let byteStreamSplit = Encoding(rawValue: 9)

    public var name: String? {
        switch rawValue {
        case 0: "PLAIN"
        case 2: "PLAIN_DICTIONARY"
        case 3: "RLE"
        case 4: "BIT_PACKED"
        case 5: "DELTA_BINARY_PACKED"
        case 6: "DELTA_LENGTH_BYTE_ARRAY"
        case 7: "DELTA_BYTE_ARRAY"
        case 8: "RLE_DICTIONARY"
        case 9: "BYTE_STREAM_SPLIT"
        default: nil
        }
    }
}

/// The codec that compresses a column chunk's pages.
public struct CompressionCodec: ThriftEnum {
    public var rawValue: Int32

    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// UNCOMPRESSED
    public static let uncompressed = CompressionCodec(rawValue: 0)
    /// SNAPPY
    public static let snappy = CompressionCodec(rawValue: 1)
    /// GZIP
    public static let gzip = CompressionCodec(rawValue: 2)
    /// LZO
    public static let lzo = CompressionCodec(rawValue: 3)
    /// BROTLI
    public static let brotli = CompressionCodec(rawValue: 4)
    /// LZ4
    public static let lz4 = CompressionCodec(rawValue: 5)
    /// ZSTD
    public static let zstd = CompressionCodec(rawValue: 6)
    /// LZ4_RAW
    public static let lz4Raw = CompressionCodec(rawValue: 7)

    public var name: String? {
        switch rawValue {
        case 0: "UNCOMPRESSED"
        case 1: "SNAPPY"
        case 2: "GZIP"
        case 3: "LZO"
        case 4: "BROTLI"
        case 5: "LZ4"
        case 6: "ZSTD"
        case 7: "LZ4_RAW"
        default: nil
        }
    }
}

/// The kind of a page, which says which of PageHeader's sub-headers is set.
public struct PageType: ThriftEnum {
    public var rawValue: Int32

    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// DATA_PAGE
    public static let dataPage = PageType(rawValue: 0)
    /// INDEX_PAGE
    public static let indexPage = PageType(rawValue: 1)
    /// DICTIONARY_PAGE
    public static let dictionaryPage = PageType(rawValue: 2)
    /// DATA_PAGE_V2
    public static let dataPageV2 = PageType(rawValue: 3)

    public var name: String? {
        switch rawValue {
        case 0: "DATA_PAGE"
        case 1: "INDEX_PAGE"
        case 2: "DICTIONARY_PAGE"
        case 3: "DATA_PAGE_V2"
        default: nil
        }
    }
}

/// Whether a ColumnIndex's min/max lists are ordered, and which way.
public struct BoundaryOrder: ThriftEnum {
    public var rawValue: Int32

    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// UNORDERED
    public static let unordered = BoundaryOrder(rawValue: 0)
    /// ASCENDING
    public static let ascending = BoundaryOrder(rawValue: 1)
    /// DESCENDING
    public static let descending = BoundaryOrder(rawValue: 2)

    public var name: String? {
        switch rawValue {
        case 0: "UNORDERED"
        case 1: "ASCENDING"
        case 2: "DESCENDING"
        default: nil
        }
    }
}

/// How a GEOGRAPHY column interpolates edges.
public struct EdgeInterpolationAlgorithm: ThriftEnum {
    public var rawValue: Int32

    @inlinable
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// SPHERICAL
    public static let spherical = EdgeInterpolationAlgorithm(rawValue: 0)
    /// VINCENTY
    public static let vincenty = EdgeInterpolationAlgorithm(rawValue: 1)
    /// THOMAS
    public static let thomas = EdgeInterpolationAlgorithm(rawValue: 2)
    /// ANDOYER
    public static let andoyer = EdgeInterpolationAlgorithm(rawValue: 3)
    /// KARNEY
    public static let karney = EdgeInterpolationAlgorithm(rawValue: 4)

    public var name: String? {
        switch rawValue {
        case 0: "SPHERICAL"
        case 1: "VINCENTY"
        case 2: "THOMAS"
        case 3: "ANDOYER"
        case 4: "KARNEY"
        default: nil
        }
    }
}
