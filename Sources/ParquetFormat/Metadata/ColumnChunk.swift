import ThriftCompact

/// How many pages of one type use one encoding (ColumnMetaData field 13).
public struct PageEncodingStats: ThriftMetadata {
    /// 1 (required)
    public var pageType: PageType
    /// 2 (required)
    public var encoding: Encoding
    /// 3 (required)
    public var count: Int32

    public init(pageType: PageType, encoding: Encoding, count: Int32) {
        self.pageType = pageType
        self.encoding = encoding
        self.count = count
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var pageType: PageType?
        var encoding: Encoding?
        var count: Int32?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): pageType = PageType(rawValue: try reader.readI32())
            case (2, .i32): encoding = Encoding(rawValue: try reader.readI32())
            case (3, .i32): count = try reader.readI32()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "PageEncodingStats"
        return Self(
            pageType: try required(pageType, "page_type (1)", of: name, at: start),
            encoding: try required(encoding, "encoding (2)", of: name, at: start),
            count: try nonNegative(
                try required(count, "count (3)", of: name, at: start), "count", of: name, at: start)
        )
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, i32: pageType.rawValue)
        writer.writeField(id: 2, i32: encoding.rawValue)
        writer.writeField(id: 3, i32: count)
        writer.endStruct()
    }
}

/// The metadata of one column chunk. Sizes include page headers.
/// Not decoded (skipped): 17 geospatial_statistics.
public struct ColumnMetaData: ThriftMetadata {
    /// 1 (required)
    public var type: PhysicalType
    /// 2 (required): every encoding used, levels included.
    public var encodings: [Encoding]
    /// 3 (required): the full path of the leaf, e.g. `["l", "list", "element"]`.
    public var pathInSchema: [String]
    /// 4 (required)
    public var codec: CompressionCodec
    /// 5 (required): leaf level entries, nulls and empty lists included.
    public var numValues: Int64
    /// 6 (required)
    public var totalUncompressedSize: Int64
    /// 7 (required)
    public var totalCompressedSize: Int64
    /// 8
    public var keyValueMetadata: [KeyValue]?
    /// 9 (required)
    public var dataPageOffset: Int64
    /// 10
    public var indexPageOffset: Int64?
    /// 11
    public var dictionaryPageOffset: Int64?
    /// 12
    public var statistics: Statistics?
    /// 13
    public var encodingStats: [PageEncodingStats]?
    /// 14
    public var bloomFilterOffset: Int64?
    /// 15
    public var bloomFilterLength: Int32?
    /// 16
    public var sizeStatistics: SizeStatistics?

    public init(
        type: PhysicalType, encodings: [Encoding], pathInSchema: [String],
        codec: CompressionCodec, numValues: Int64, totalUncompressedSize: Int64,
        totalCompressedSize: Int64, keyValueMetadata: [KeyValue]? = nil, dataPageOffset: Int64,
        indexPageOffset: Int64? = nil, dictionaryPageOffset: Int64? = nil,
        statistics: Statistics? = nil, encodingStats: [PageEncodingStats]? = nil,
        bloomFilterOffset: Int64? = nil, bloomFilterLength: Int32? = nil,
        sizeStatistics: SizeStatistics? = nil
    ) {
        self.type = type
        self.encodings = encodings
        self.pathInSchema = pathInSchema
        self.codec = codec
        self.numValues = numValues
        self.totalUncompressedSize = totalUncompressedSize
        self.totalCompressedSize = totalCompressedSize
        self.keyValueMetadata = keyValueMetadata
        self.dataPageOffset = dataPageOffset
        self.indexPageOffset = indexPageOffset
        self.dictionaryPageOffset = dictionaryPageOffset
        self.statistics = statistics
        self.encodingStats = encodingStats
        self.bloomFilterOffset = bloomFilterOffset
        self.bloomFilterLength = bloomFilterLength
        self.sizeStatistics = sizeStatistics
    }

    /// Where the chunk starts: the dictionary page when there is one (offset > 0), else the
    /// first data page.
    public var chunkStartOffset: Int64 {
        if let dictionaryPageOffset, dictionaryPageOffset > 0, dictionaryPageOffset < dataPageOffset
        {
            return dictionaryPageOffset
        }
        return dataPageOffset
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var type: PhysicalType?
        var encodings: [Encoding]?
        var pathInSchema: [String]?
        var codec: CompressionCodec?
        var numValues: Int64?
        var totalUncompressedSize: Int64?
        var totalCompressedSize: Int64?
        var keyValueMetadata: [KeyValue]?
        var dataPageOffset: Int64?
        var indexPageOffset: Int64?
        var dictionaryPageOffset: Int64?
        var statistics: Statistics?
        var encodingStats: [PageEncodingStats]?
        var bloomFilterOffset: Int64?
        var bloomFilterLength: Int32?
        var sizeStatistics: SizeStatistics?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): type = PhysicalType(rawValue: try reader.readI32())
            case (2, .list): encodings = try reader.readI32List().map(Encoding.init(rawValue:))
            case (3, .list):
                pathInSchema = try reader.readList(of: .binary) { reader throws(ThriftError) in
                    try reader.readString()
                }
            case (4, .i32): codec = CompressionCodec(rawValue: try reader.readI32())
            case (5, .i64): numValues = try reader.readI64()
            case (6, .i64): totalUncompressedSize = try reader.readI64()
            case (7, .i64): totalCompressedSize = try reader.readI64()
            case (8, .list): keyValueMetadata = try reader.readStructList(KeyValue.self)
            case (9, .i64): dataPageOffset = try reader.readI64()
            case (10, .i64): indexPageOffset = try reader.readI64()
            case (11, .i64): dictionaryPageOffset = try reader.readI64()
            case (12, .struct): statistics = try Statistics.read(from: &reader)
            case (13, .list): encodingStats = try reader.readStructList(PageEncodingStats.self)
            case (14, .i64): bloomFilterOffset = try reader.readI64()
            case (15, .i32): bloomFilterLength = try reader.readI32()
            case (16, .struct): sizeStatistics = try SizeStatistics.read(from: &reader)
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "ColumnMetaData"
        func size(_ value: Int64?, _ field: String) throws(ParquetFormatError) -> Int64 {
            try nonNegative(
                try required(value, field, of: name, at: start), field, of: name, at: start)
        }
        return Self(
            type: try required(type, "type (1)", of: name, at: start),
            encodings: try required(encodings, "encodings (2)", of: name, at: start),
            pathInSchema: try required(pathInSchema, "path_in_schema (3)", of: name, at: start),
            codec: try required(codec, "codec (4)", of: name, at: start),
            numValues: try size(numValues, "num_values (5)"),
            totalUncompressedSize: try size(totalUncompressedSize, "total_uncompressed_size (6)"),
            totalCompressedSize: try size(totalCompressedSize, "total_compressed_size (7)"),
            keyValueMetadata: keyValueMetadata,
            dataPageOffset: try size(dataPageOffset, "data_page_offset (9)"),
            indexPageOffset: try nonNegativeOrNil(
                indexPageOffset, "index_page_offset", of: name, at: start),
            dictionaryPageOffset: try nonNegativeOrNil(
                dictionaryPageOffset, "dictionary_page_offset", of: name, at: start),
            statistics: statistics, encodingStats: encodingStats,
            bloomFilterOffset: try nonNegativeOrNil(
                bloomFilterOffset, "bloom_filter_offset", of: name, at: start),
            bloomFilterLength: try nonNegativeOrNil(
                bloomFilterLength, "bloom_filter_length", of: name, at: start),
            sizeStatistics: sizeStatistics)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, i32: type.rawValue)
        writer.writeField(id: 2, i32List: encodings.map(\.rawValue))
        writer.writeField(id: 3, list: pathInSchema, of: .binary) { $0.writeString($1) }
        writer.writeField(id: 4, i32: codec.rawValue)
        writer.writeField(id: 5, i64: numValues)
        writer.writeField(id: 6, i64: totalUncompressedSize)
        writer.writeField(id: 7, i64: totalCompressedSize)
        if let keyValueMetadata { writer.writeField(id: 8, structList: keyValueMetadata) }
        writer.writeField(id: 9, i64: dataPageOffset)
        if let indexPageOffset { writer.writeField(id: 10, i64: indexPageOffset) }
        if let dictionaryPageOffset { writer.writeField(id: 11, i64: dictionaryPageOffset) }
        if let statistics { writer.writeField(id: 12, struct: statistics) }
        if let encodingStats { writer.writeField(id: 13, structList: encodingStats) }
        if let bloomFilterOffset { writer.writeField(id: 14, i64: bloomFilterOffset) }
        if let bloomFilterLength { writer.writeField(id: 15, i32: bloomFilterLength) }
        if let sizeStatistics { writer.writeField(id: 16, struct: sizeStatistics) }
        writer.endStruct()
    }
}

/// One column chunk of a row group.
/// Not decoded (skipped): 8 crypto_metadata, 9 encrypted_column_metadata.
public struct ColumnChunk: ThriftMetadata {
    /// 1: deprecated; only summary `_metadata` files set it.
    public var filePath: String?
    /// 2 (required, deprecated): writers set 0. Read as 0 when absent.
    public var fileOffset: Int64
    /// 3: required in practice.
    public var metaData: ColumnMetaData?
    /// 4
    public var offsetIndexOffset: Int64?
    /// 5
    public var offsetIndexLength: Int32?
    /// 6
    public var columnIndexOffset: Int64?
    /// 7
    public var columnIndexLength: Int32?

    public init(
        filePath: String? = nil, fileOffset: Int64 = 0, metaData: ColumnMetaData? = nil,
        offsetIndexOffset: Int64? = nil, offsetIndexLength: Int32? = nil,
        columnIndexOffset: Int64? = nil, columnIndexLength: Int32? = nil
    ) {
        self.filePath = filePath
        self.fileOffset = fileOffset
        self.metaData = metaData
        self.offsetIndexOffset = offsetIndexOffset
        self.offsetIndexLength = offsetIndexLength
        self.columnIndexOffset = columnIndexOffset
        self.columnIndexLength = columnIndexLength
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var filePath: String?
        var fileOffset: Int64 = 0
        var metaData: ColumnMetaData?
        var offsetIndexOffset: Int64?
        var offsetIndexLength: Int32?
        var columnIndexOffset: Int64?
        var columnIndexLength: Int32?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .binary): filePath = try reader.readString()
            case (2, .i64): fileOffset = try reader.readI64()
            case (3, .struct): metaData = try ColumnMetaData.read(from: &reader)
            case (4, .i64): offsetIndexOffset = try reader.readI64()
            case (5, .i32): offsetIndexLength = try reader.readI32()
            case (6, .i64): columnIndexOffset = try reader.readI64()
            case (7, .i32): columnIndexLength = try reader.readI32()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "ColumnChunk"
        return Self(
            filePath: filePath,
            fileOffset: try nonNegative(fileOffset, "file_offset", of: name, at: start),
            metaData: metaData,
            offsetIndexOffset: try nonNegativeOrNil(
                offsetIndexOffset, "offset_index_offset", of: name, at: start),
            offsetIndexLength: try nonNegativeOrNil(
                offsetIndexLength, "offset_index_length", of: name, at: start),
            columnIndexOffset: try nonNegativeOrNil(
                columnIndexOffset, "column_index_offset", of: name, at: start),
            columnIndexLength: try nonNegativeOrNil(
                columnIndexLength, "column_index_length", of: name, at: start))
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        if let filePath { writer.writeField(id: 1, string: filePath) }
        writer.writeField(id: 2, i64: fileOffset)
        if let metaData { writer.writeField(id: 3, struct: metaData) }
        if let offsetIndexOffset { writer.writeField(id: 4, i64: offsetIndexOffset) }
        if let offsetIndexLength { writer.writeField(id: 5, i32: offsetIndexLength) }
        if let columnIndexOffset { writer.writeField(id: 6, i64: columnIndexOffset) }
        if let columnIndexLength { writer.writeField(id: 7, i32: columnIndexLength) }
        writer.endStruct()
    }
}
