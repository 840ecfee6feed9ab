import ThriftCompact

/// Where one data page is (an entry of OffsetIndex).
public struct PageLocation: ThriftMetadata {
    /// 1 (required): file offset of the page header.
    public var offset: Int64
    /// 2 (required): header plus compressed body.
    public var compressedPageSize: Int32
    /// 3 (required): index in the row group of the page's first row.
    public var firstRowIndex: Int64

    public init(offset: Int64, compressedPageSize: Int32, firstRowIndex: Int64) {
        self.offset = offset
        self.compressedPageSize = compressedPageSize
        self.firstRowIndex = firstRowIndex
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var offset: Int64?
        var compressedPageSize: Int32?
        var firstRowIndex: Int64?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i64): offset = try reader.readI64()
            case (2, .i32): compressedPageSize = try reader.readI32()
            case (3, .i64): firstRowIndex = try reader.readI64()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "PageLocation"
        return Self(
            offset: try nonNegative(
                try required(offset, "offset (1)", of: name, at: start), "offset", of: name,
                at: start),
            compressedPageSize: try nonNegative(
                try required(compressedPageSize, "compressed_page_size (2)", of: name, at: start),
                "compressed_page_size", of: name, at: start),
            firstRowIndex: try nonNegative(
                try required(firstRowIndex, "first_row_index (3)", of: name, at: start),
                "first_row_index", of: name, at: start))
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, i64: offset)
        writer.writeField(id: 2, i32: compressedPageSize)
        writer.writeField(id: 3, i64: firstRowIndex)
        writer.endStruct()
    }
}

/// The page locations of one column chunk (page index).
public struct OffsetIndex: ThriftMetadata {
    /// 1 (required): ordered by offset.
    public var pageLocations: [PageLocation]
    /// 2: per page, bytes of BYTE_ARRAY values without length prefixes.
    public var unencodedByteArrayDataBytes: [Int64]?

    public init(pageLocations: [PageLocation], unencodedByteArrayDataBytes: [Int64]? = nil) {
        self.pageLocations = pageLocations
        self.unencodedByteArrayDataBytes = unencodedByteArrayDataBytes
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var pageLocations: [PageLocation]?
        var unencoded: [Int64]?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .list): pageLocations = try reader.readStructList(PageLocation.self)
            case (2, .list): unencoded = try reader.readI64List()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        return Self(
            pageLocations: try required(
                pageLocations, "page_locations (1)", of: "OffsetIndex", at: start),
            unencodedByteArrayDataBytes: unencoded)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, structList: pageLocations)
        if let unencodedByteArrayDataBytes {
            writer.writeField(id: 2, i64List: unencodedByteArrayDataBytes)
        }
        writer.endStruct()
    }
}

/// Per-page min/max and null information of one column chunk (page index).
/// `nullPages`, `minValues` and `maxValues` have one entry per page (checked when decoding).
public struct ColumnIndex: ThriftMetadata {
    /// 1 (required): true for a page of nulls only (its min/max entries are empty).
    public var nullPages: [Bool]
    /// 2 (required)
    public var minValues: [[UInt8]]
    /// 3 (required)
    public var maxValues: [[UInt8]]
    /// 4 (required)
    public var boundaryOrder: BoundaryOrder
    /// 5
    public var nullCounts: [Int64]?
    /// 6: per page, max repetition level + 1 entries, concatenated.
    public var repetitionLevelHistograms: [Int64]?
    /// 7: per page, max definition level + 1 entries, concatenated.
    public var definitionLevelHistograms: [Int64]?
    /// 8
    public var nanCounts: [Int64]?

    public init(
        nullPages: [Bool], minValues: [[UInt8]], maxValues: [[UInt8]],
        boundaryOrder: BoundaryOrder, nullCounts: [Int64]? = nil,
        repetitionLevelHistograms: [Int64]? = nil, definitionLevelHistograms: [Int64]? = nil,
        nanCounts: [Int64]? = nil
    ) {
        self.nullPages = nullPages
        self.minValues = minValues
        self.maxValues = maxValues
        self.boundaryOrder = boundaryOrder
        self.nullCounts = nullCounts
        self.repetitionLevelHistograms = repetitionLevelHistograms
        self.definitionLevelHistograms = definitionLevelHistograms
        self.nanCounts = nanCounts
    }

    public static func read(from reader: inout ThriftCompactReader) throws -> Self {
        let start = reader.position
        var nullPages: [Bool]?
        var minValues: [[UInt8]]?
        var maxValues: [[UInt8]]?
        var boundaryOrder: BoundaryOrder?
        var nullCounts: [Int64]?
        var repetitionLevelHistograms: [Int64]?
        var definitionLevelHistograms: [Int64]?
        var nanCounts: [Int64]?
        try reader.beginStruct()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .list):
                nullPages = try reader.readList(of: .boolTrue) { reader throws(ThriftError) in
                    try reader.readBoolElement()
                }
            case (2, .list):
                minValues = try reader.readList(of: .binary) { reader throws(ThriftError) in
                    try reader.readBinary()
                }
            case (3, .list):
                maxValues = try reader.readList(of: .binary) { reader throws(ThriftError) in
                    try reader.readBinary()
                }
            case (4, .i32): boundaryOrder = BoundaryOrder(rawValue: try reader.readI32())
            case (5, .list): nullCounts = try reader.readI64List()
            case (6, .list): repetitionLevelHistograms = try reader.readI64List()
            case (7, .list): definitionLevelHistograms = try reader.readI64List()
            case (8, .list): nanCounts = try reader.readI64List()
            default: try reader.skip(type: field.type)
            }
        }
        reader.endStruct()
        let name = "ColumnIndex"
        let nullPagesList = try required(nullPages, "null_pages (1)", of: name, at: start)
        let minList = try required(minValues, "min_values (2)", of: name, at: start)
        let maxList = try required(maxValues, "max_values (3)", of: name, at: start)
        let pages = nullPagesList.count
        guard minList.count == pages, maxList.count == pages,
            nullCounts.map({ $0.count == pages }) ?? true,
            nanCounts.map({ $0.count == pages }) ?? true
        else {
            throw ParquetFormatError(
                .corrupt, "ColumnIndex lists do not all have one entry per page", offset: start)
        }
        return Self(
            nullPages: nullPagesList, minValues: minList, maxValues: maxList,
            boundaryOrder: try required(boundaryOrder, "boundary_order (4)", of: name, at: start),
            nullCounts: nullCounts, repetitionLevelHistograms: repetitionLevelHistograms,
            definitionLevelHistograms: definitionLevelHistograms, nanCounts: nanCounts)
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeField(id: 1, list: nullPages, of: .boolTrue) { $0.writeBoolElement($1) }
        writer.writeField(id: 2, list: minValues, of: .binary) { $0.writeBinary($1) }
        writer.writeField(id: 3, list: maxValues, of: .binary) { $0.writeBinary($1) }
        writer.writeField(id: 4, i32: boundaryOrder.rawValue)
        if let nullCounts { writer.writeField(id: 5, i64List: nullCounts) }
        if let repetitionLevelHistograms {
            writer.writeField(id: 6, i64List: repetitionLevelHistograms)
        }
        if let definitionLevelHistograms {
            writer.writeField(id: 7, i64List: definitionLevelHistograms)
        }
        if let nanCounts { writer.writeField(id: 8, i64List: nanCounts) }
        writer.endStruct()
    }
}
