import ThriftCompact

/// A sort order of one column in a row group.
public struct SortingColumn: ThriftMetadata {
    /// 1 (required): index of the leaf column in the row group.
    public var columnIdx: Int32
    /// 2 (required)
    public var descending: Bool
    /// 3 (required)
    public var nullsFirst: Bool

    public init(columnIdx: Int32, descending: Bool, nullsFirst: Bool) {
        self.columnIdx = columnIdx
        self.descending = descending
        self.nullsFirst = nullsFirst
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var columnIdx: Int32?
        var descending: Bool?
        var nullsFirst: Bool?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): columnIdx = try reader.readI32()
            case (2, let type) where type.isBool: descending = try reader.readBool(fieldType: type)
            case (3, let type) where type.isBool: nullsFirst = try reader.readBool(fieldType: type)
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "SortingColumn"
        return Self(
            columnIdx: try nonNegative(
                try required(columnIdx, "column_idx (1)", of: name, at: start),
                "column_idx", of: name, at: start),
            descending: try required(descending, "descending (2)", of: name, at: start),
            nullsFirst: try required(nullsFirst, "nulls_first (3)", of: name, at: start))
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, i32: columnIdx)
        writer.writeField(id: 2, bool: descending)
        writer.writeField(id: 3, bool: nullsFirst)
        writer.endStruct()
    }
}

/// A row group: one column chunk per leaf column, in schema order.
public struct RowGroup: ThriftMetadata {
    /// 1 (required)
    public var columns: [ColumnChunk]
    /// 2 (required): sum of the chunks' uncompressed sizes.
    public var totalByteSize: Int64
    /// 3 (required)
    public var numRows: Int64
    /// 4
    public var sortingColumns: [SortingColumn]?
    /// 5: offset of the first page (data or dictionary).
    public var fileOffset: Int64?
    /// 6
    public var totalCompressedSize: Int64?
    /// 7
    public var ordinal: Int16?

    public init(
        columns: [ColumnChunk], totalByteSize: Int64, numRows: Int64,
        sortingColumns: [SortingColumn]? = nil, fileOffset: Int64? = nil,
        totalCompressedSize: Int64? = nil, ordinal: Int16? = nil
    ) {
        self.columns = columns
        self.totalByteSize = totalByteSize
        self.numRows = numRows
        self.sortingColumns = sortingColumns
        self.fileOffset = fileOffset
        self.totalCompressedSize = totalCompressedSize
        self.ordinal = ordinal
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var columns: [ColumnChunk]?
        var totalByteSize: Int64?
        var numRows: Int64?
        var sortingColumns: [SortingColumn]?
        var fileOffset: Int64?
        var totalCompressedSize: Int64?
        var ordinal: Int16?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .list): columns = try reader.readStructList(ColumnChunk.self)
            case (2, .i64): totalByteSize = try reader.readI64()
            case (3, .i64): numRows = try reader.readI64()
            case (4, .list): sortingColumns = try reader.readStructList(SortingColumn.self)
            case (5, .i64): fileOffset = try reader.readI64()
            case (6, .i64): totalCompressedSize = try reader.readI64()
            case (7, .i16): ordinal = try reader.readI16()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "RowGroup"
        return Self(
            columns: try required(columns, "columns (1)", of: name, at: start),
            totalByteSize: try nonNegative(
                try required(totalByteSize, "total_byte_size (2)", of: name, at: start),
                "total_byte_size", of: name, at: start),
            numRows: try nonNegative(
                try required(numRows, "num_rows (3)", of: name, at: start),
                "num_rows", of: name, at: start),
            sortingColumns: sortingColumns,
            fileOffset: try nonNegativeOrNil(fileOffset, "file_offset", of: name, at: start),
            totalCompressedSize: try nonNegativeOrNil(
                totalCompressedSize, "total_compressed_size", of: name, at: start),
            ordinal: ordinal)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, structList: columns)
        writer.writeField(id: 2, i64: totalByteSize)
        writer.writeField(id: 3, i64: numRows)
        if let sortingColumns { writer.writeField(id: 4, structList: sortingColumns) }
        if let fileOffset { writer.writeField(id: 5, i64: fileOffset) }
        if let totalCompressedSize { writer.writeField(id: 6, i64: totalCompressedSize) }
        if let ordinal { writer.writeField(id: 7, i16: ordinal) }
        writer.endStruct()
    }
}

/// The order that a leaf column's min/max statistics follow (parquet.thrift union `ColumnOrder`).
public enum ColumnOrder: Sendable, Hashable {
    /// 1: TYPE_ORDER, the order of the logical or physical type.
    case typeDefinedOrder
    /// 2: IEEE_754_TOTAL_ORDER, for FLOAT, DOUBLE and FLOAT16.
    case ieee754TotalOrder
    /// 3: INT96_TIMESTAMP_ORDER.
    case int96TimestampOrder
    /// A member this version does not know (readers must then ignore min/max statistics),
    /// or 0 for a union with no member. Written back as an empty struct with that id.
    case undefined(fieldId: Int16)
}

extension ColumnOrder: ThriftMetadata {
    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        var order: ColumnOrder?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            if order == nil {
                order =
                    switch (field.id, field.type) {
                    case (1, .struct): .typeDefinedOrder
                    case (2, .struct): .ieee754TotalOrder
                    case (3, .struct): .int96TimestampOrder
                    default: .undefined(fieldId: field.id)
                    }
            }
            try reader.skip(type: field.type)
        }
        reader.endStruct()
        return order ?? .undefined(fieldId: 0)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        switch self {
        case .typeDefinedOrder: writer.writeEmptyStructField(id: 1)
        case .ieee754TotalOrder: writer.writeEmptyStructField(id: 2)
        case .int96TimestampOrder: writer.writeEmptyStructField(id: 3)
        case .undefined(let id): if id != 0 { writer.writeEmptyStructField(id: id) }
        }
        writer.endStruct()
    }
}

/// The footer of a Parquet file.
/// Not decoded (skipped): 8 encryption_algorithm, 9 footer_signing_key_metadata.
public struct FileMetaData: ThriftMetadata {
    /// 1 (required): 1 (pyarrow writes 2; readers accept both).
    public var version: Int32
    /// 2 (required): depth-first, root first.
    public var schema: [SchemaElement]
    /// 3 (required)
    public var numRows: Int64
    /// 4 (required)
    public var rowGroups: [RowGroup]
    /// 5
    public var keyValueMetadata: [KeyValue]?
    /// 6: `app version x.y.z (build h)`.
    public var createdBy: String?
    /// 7: one per leaf column, in schema order.
    public var columnOrders: [ColumnOrder]?

    public init(
        version: Int32 = 1, schema: [SchemaElement], numRows: Int64, rowGroups: [RowGroup],
        keyValueMetadata: [KeyValue]? = nil, createdBy: String? = nil,
        columnOrders: [ColumnOrder]? = nil
    ) {
        self.version = version
        self.schema = schema
        self.numRows = numRows
        self.rowGroups = rowGroups
        self.keyValueMetadata = keyValueMetadata
        self.createdBy = createdBy
        self.columnOrders = columnOrders
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var version: Int32?
        var schema: [SchemaElement]?
        var numRows: Int64?
        var rowGroups: [RowGroup]?
        var keyValueMetadata: [KeyValue]?
        var createdBy: String?
        var columnOrders: [ColumnOrder]?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): version = try reader.readI32()
            case (2, .list): schema = try reader.readStructList(SchemaElement.self)
            case (3, .i64): numRows = try reader.readI64()
            case (4, .list): rowGroups = try reader.readStructList(RowGroup.self)
            case (5, .list): keyValueMetadata = try reader.readStructList(KeyValue.self)
            case (6, .binary): createdBy = try reader.readString()
            case (7, .list): columnOrders = try reader.readStructList(ColumnOrder.self)
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "FileMetaData"
        let schemaElements = try required(schema, "schema (2)", of: name, at: start)
        guard !schemaElements.isEmpty else {
            throw ParquetFormatError(.corrupt, "FileMetaData.schema has no root", offset: start)
        }
        return Self(
            version: try required(version, "version (1)", of: name, at: start),
            schema: schemaElements,
            numRows: try nonNegative(
                try required(numRows, "num_rows (3)", of: name, at: start),
                "num_rows", of: name, at: start),
            rowGroups: try required(rowGroups, "row_groups (4)", of: name, at: start),
            keyValueMetadata: keyValueMetadata, createdBy: createdBy, columnOrders: columnOrders)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, i32: version)
        writer.writeField(id: 2, structList: schema)
        writer.writeField(id: 3, i64: numRows)
        writer.writeField(id: 4, structList: rowGroups)
        if let keyValueMetadata { writer.writeField(id: 5, structList: keyValueMetadata) }
        if let createdBy { writer.writeField(id: 6, string: createdBy) }
        if let columnOrders { writer.writeField(id: 7, structList: columnOrders) }
        writer.endStruct()
    }
}

extension FileMetaData {
    /// The 4-byte magic at both ends of a Parquet file.
    public static let magic: [UInt8] = Array("PAR1".utf8)
    /// The magic that ends a file whose footer is encrypted.
    public static let encryptedFooterMagic: [UInt8] = Array("PARE".utf8)

    /// Finds the FileMetaData from the end of a file: `tail` is the file's last bytes (at
    /// least 8), `fileSize` its full size. Checks the trailing `PAR1` and that the
    /// little-endian length before it fits in the file (length + 8 + 4 ≤ fileSize, leaving room
    /// for the leading magic, which the caller checks). The metadata is then
    /// `[metadataOffset, metadataOffset + metadataLength)`.
    public static func locateFooter(
        tail: UnsafeRawBufferPointer, fileSize: Int
    ) throws(ParquetFormatError) -> (metadataOffset: Int, metadataLength: Int) {
        guard fileSize >= 12 else {
            throw ParquetFormatError(
                .corrupt, "file of \(fileSize) bytes is too small to be Parquet", offset: 0)
        }
        guard tail.count >= 8, tail.count <= fileSize else {
            throw ParquetFormatError(
                .truncated, "footer needs the last 8 bytes of the file, got \(tail.count)",
                offset: fileSize - 8)
        }
        let end = tail.count
        let trailer = (tail[end - 4], tail[end - 3], tail[end - 2], tail[end - 1])
        if trailer == (0x50, 0x41, 0x52, 0x45) {  // PARE
            throw ParquetFormatError(
                .unsupported, "encrypted footer (PARE) is not supported", offset: fileSize - 4)
        }
        guard trailer == (0x50, 0x41, 0x52, 0x31) else {  // PAR1
            throw ParquetFormatError(
                .corrupt, "file does not end with PAR1 magic", offset: fileSize - 4)
        }
        let length = Int(
            UInt32(littleEndian: tail.loadUnaligned(fromByteOffset: end - 8, as: UInt32.self)))
        guard length + 12 <= fileSize else {
            throw ParquetFormatError(
                .corrupt, "footer length \(length) does not fit in a file of \(fileSize) bytes",
                offset: fileSize - 8)
        }
        return (fileSize - 8 - length, length)
    }

    /// The number of leaf columns in the schema.
    public var leafCount: Int { schema.reduce(0) { $0 + ($1.isLeaf ? 1 : 0) } }
}
