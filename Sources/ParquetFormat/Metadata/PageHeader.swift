import ThriftCompact

/// The header before every page. The sizes exclude the header itself.
/// Not decoded (skipped): 6 index_page_header (an empty struct in parquet.thrift).
public struct PageHeader: ThriftMetadata {
    /// 1 (required): says which of the sub-headers is set.
    public var type: PageType
    /// 2 (required)
    public var uncompressedPageSize: Int32
    /// 3 (required)
    public var compressedPageSize: Int32
    /// 4: CRC-32 of the page bytes as stored (after compression), as a signed i32.
    public var crc: Int32?
    /// 5
    public var dataPageHeader: DataPageHeader?
    /// 7
    public var dictionaryPageHeader: DictionaryPageHeader?
    /// 8
    public var dataPageHeaderV2: DataPageHeaderV2?

    public init(
        type: PageType, uncompressedPageSize: Int32, compressedPageSize: Int32,
        crc: Int32? = nil, dataPageHeader: DataPageHeader? = nil,
        dictionaryPageHeader: DictionaryPageHeader? = nil,
        dataPageHeaderV2: DataPageHeaderV2? = nil
    ) {
        self.type = type
        self.uncompressedPageSize = uncompressedPageSize
        self.compressedPageSize = compressedPageSize
        self.crc = crc
        self.dataPageHeader = dataPageHeader
        self.dictionaryPageHeader = dictionaryPageHeader
        self.dataPageHeaderV2 = dataPageHeaderV2
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var type: PageType?
        var uncompressedPageSize: Int32?
        var compressedPageSize: Int32?
        var crc: Int32?
        var dataPageHeader: DataPageHeader?
        var dictionaryPageHeader: DictionaryPageHeader?
        var dataPageHeaderV2: DataPageHeaderV2?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): type = PageType(rawValue: try reader.readI32())
            case (2, .i32): uncompressedPageSize = try reader.readI32()
            case (3, .i32): compressedPageSize = try reader.readI32()
            case (4, .i32): crc = try reader.readI32()
            case (5, .struct): dataPageHeader = try DataPageHeader.read(from: &reader)
            case (7, .struct): dictionaryPageHeader = try DictionaryPageHeader.read(from: &reader)
            case (8, .struct): dataPageHeaderV2 = try DataPageHeaderV2.read(from: &reader)
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "PageHeader"
        let compressed = try nonNegative(
            try required(compressedPageSize, "compressed_page_size (3)", of: name, at: start),
            "compressed_page_size", of: name, at: start)
        if let v2 = dataPageHeaderV2 {
            let levelBytes =
                Int(v2.definitionLevelsByteLength) + Int(v2.repetitionLevelsByteLength)
            guard levelBytes <= Int(compressed) else {
                throw ParquetFormatError(
                    .corrupt, "DataPageHeaderV2 level lengths exceed the compressed page size",
                    offset: start)
            }
        }
        return Self(
            type: try required(type, "type (1)", of: name, at: start),
            uncompressedPageSize: try nonNegative(
                try required(
                    uncompressedPageSize, "uncompressed_page_size (2)", of: name, at: start),
                "uncompressed_page_size", of: name, at: start),
            compressedPageSize: compressed,
            crc: crc,
            dataPageHeader: dataPageHeader,
            dictionaryPageHeader: dictionaryPageHeader,
            dataPageHeaderV2: dataPageHeaderV2)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, i32: type.rawValue)
        writer.writeField(id: 2, i32: uncompressedPageSize)
        writer.writeField(id: 3, i32: compressedPageSize)
        if let crc { writer.writeField(id: 4, i32: crc) }
        if let dataPageHeader { writer.writeField(id: 5, struct: dataPageHeader) }
        if let dictionaryPageHeader { writer.writeField(id: 7, struct: dictionaryPageHeader) }
        if let dataPageHeaderV2 { writer.writeField(id: 8, struct: dataPageHeaderV2) }
        writer.endStruct()
    }

    /// Decodes the header at the start of `bytes` (the page body follows it); `fileOffset` is
    /// the file offset of `bytes[0]`. Throws code `.truncated` when `bytes` ends inside the
    /// header, so a caller that read a guessed prefix can retry with more.
    public static func decode(
        from bytes: UnsafeRawBufferPointer, fileOffset: Int
    ) throws(ParquetFormatError) -> (header: PageHeader, headerLength: Int) {
        let (header, length) = try decodePrefix(bytes, fileOffset: fileOffset)
        return (header, length)
    }
}

/// The header of a DATA_PAGE (v1): levels and values all compressed together.
public struct DataPageHeader: ThriftMetadata {
    /// 1 (required): values in the page, nulls included.
    public var numValues: Int32
    /// 2 (required)
    public var encoding: Encoding
    /// 3 (required): RLE in practice.
    public var definitionLevelEncoding: Encoding
    /// 4 (required): RLE in practice.
    public var repetitionLevelEncoding: Encoding
    /// 5
    public var statistics: Statistics?

    public init(
        numValues: Int32, encoding: Encoding, definitionLevelEncoding: Encoding = .rle,
        repetitionLevelEncoding: Encoding = .rle, statistics: Statistics? = nil
    ) {
        self.numValues = numValues
        self.encoding = encoding
        self.definitionLevelEncoding = definitionLevelEncoding
        self.repetitionLevelEncoding = repetitionLevelEncoding
        self.statistics = statistics
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var numValues: Int32?
        var encoding: Encoding?
        var definitionLevelEncoding: Encoding?
        var repetitionLevelEncoding: Encoding?
        var statistics: Statistics?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): numValues = try reader.readI32()
            case (2, .i32): encoding = Encoding(rawValue: try reader.readI32())
            case (3, .i32): definitionLevelEncoding = Encoding(rawValue: try reader.readI32())
            case (4, .i32): repetitionLevelEncoding = Encoding(rawValue: try reader.readI32())
            case (5, .struct): statistics = try Statistics.read(from: &reader)
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "DataPageHeader"
        return Self(
            numValues: try nonNegative(
                try required(numValues, "num_values (1)", of: name, at: start),
                "num_values", of: name, at: start),
            encoding: try required(encoding, "encoding (2)", of: name, at: start),
            definitionLevelEncoding: try required(
                definitionLevelEncoding, "definition_level_encoding (3)", of: name, at: start),
            repetitionLevelEncoding: try required(
                repetitionLevelEncoding, "repetition_level_encoding (4)", of: name, at: start),
            statistics: statistics)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, i32: numValues)
        writer.writeField(id: 2, i32: encoding.rawValue)
        writer.writeField(id: 3, i32: definitionLevelEncoding.rawValue)
        writer.writeField(id: 4, i32: repetitionLevelEncoding.rawValue)
        if let statistics { writer.writeField(id: 5, struct: statistics) }
        writer.endStruct()
    }
}

/// The header of a DICTIONARY_PAGE.
public struct DictionaryPageHeader: ThriftMetadata {
    /// 1 (required)
    public var numValues: Int32
    /// 2 (required): PLAIN (or the legacy PLAIN_DICTIONARY).
    public var encoding: Encoding
    /// 3
    public var isSorted: Bool?

    public init(numValues: Int32, encoding: Encoding = .plain, isSorted: Bool? = nil) {
        self.numValues = numValues
        self.encoding = encoding
        self.isSorted = isSorted
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var numValues: Int32?
        var encoding: Encoding?
        var isSorted: Bool?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): numValues = try reader.readI32()
            case (2, .i32): encoding = Encoding(rawValue: try reader.readI32())
            case (3, let type) where type.isBool: isSorted = try reader.readBool(fieldType: type)
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "DictionaryPageHeader"
        return Self(
            numValues: try nonNegative(
                try required(numValues, "num_values (1)", of: name, at: start),
                "num_values", of: name, at: start),
            encoding: try required(encoding, "encoding (2)", of: name, at: start),
            isSorted: isSorted)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, i32: numValues)
        writer.writeField(id: 2, i32: encoding.rawValue)
        if let isSorted { writer.writeField(id: 3, bool: isSorted) }
        writer.endStruct()
    }
}

/// The header of a DATA_PAGE_V2: uncompressed level streams (without length prefixes)
/// first, then the values, compressed when `isCompressed`.
public struct DataPageHeaderV2: ThriftMetadata {
    /// 1 (required): values in the page, nulls included.
    public var numValues: Int32
    /// 2 (required)
    public var numNulls: Int32
    /// 3 (required): rows never span V2 pages.
    public var numRows: Int32
    /// 4 (required)
    public var encoding: Encoding
    /// 5 (required)
    public var definitionLevelsByteLength: Int32
    /// 6 (required)
    public var repetitionLevelsByteLength: Int32
    /// 7: true when absent. Always written.
    public var isCompressed: Bool
    /// 8
    public var statistics: Statistics?

    public init(
        numValues: Int32, numNulls: Int32, numRows: Int32, encoding: Encoding,
        definitionLevelsByteLength: Int32, repetitionLevelsByteLength: Int32,
        isCompressed: Bool = true, statistics: Statistics? = nil
    ) {
        self.numValues = numValues
        self.numNulls = numNulls
        self.numRows = numRows
        self.encoding = encoding
        self.definitionLevelsByteLength = definitionLevelsByteLength
        self.repetitionLevelsByteLength = repetitionLevelsByteLength
        self.isCompressed = isCompressed
        self.statistics = statistics
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var numValues: Int32?
        var numNulls: Int32?
        var numRows: Int32?
        var encoding: Encoding?
        var definitionLevelsByteLength: Int32?
        var repetitionLevelsByteLength: Int32?
        var isCompressed = true
        var statistics: Statistics?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): numValues = try reader.readI32()
            case (2, .i32): numNulls = try reader.readI32()
            case (3, .i32): numRows = try reader.readI32()
            case (4, .i32): encoding = Encoding(rawValue: try reader.readI32())
            case (5, .i32): definitionLevelsByteLength = try reader.readI32()
            case (6, .i32): repetitionLevelsByteLength = try reader.readI32()
            case (7, let type) where type.isBool:
                isCompressed = try reader.readBool(fieldType: type)
            case (8, .struct): statistics = try Statistics.read(from: &reader)
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "DataPageHeaderV2"
        func count(_ value: Int32?, _ field: String) throws(ParquetFormatError) -> Int32 {
            try nonNegative(
                try required(value, field, of: name, at: start), field, of: name, at: start)
        }
        let values = try count(numValues, "num_values (1)")
        let nulls = try count(numNulls, "num_nulls (2)")
        guard nulls <= values else {
            throw ParquetFormatError(
                .corrupt, "DataPageHeaderV2.num_nulls exceeds num_values", offset: start)
        }
        return Self(
            numValues: values, numNulls: nulls, numRows: try count(numRows, "num_rows (3)"),
            encoding: try required(encoding, "encoding (4)", of: name, at: start),
            definitionLevelsByteLength: try count(
                definitionLevelsByteLength, "definition_levels_byte_length (5)"),
            repetitionLevelsByteLength: try count(
                repetitionLevelsByteLength, "repetition_levels_byte_length (6)"),
            isCompressed: isCompressed, statistics: statistics)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, i32: numValues)
        writer.writeField(id: 2, i32: numNulls)
        writer.writeField(id: 3, i32: numRows)
        writer.writeField(id: 4, i32: encoding.rawValue)
        writer.writeField(id: 5, i32: definitionLevelsByteLength)
        writer.writeField(id: 6, i32: repetitionLevelsByteLength)
        writer.writeField(id: 7, bool: isCompressed)
        if let statistics { writer.writeField(id: 8, struct: statistics) }
        writer.endStruct()
    }
}
