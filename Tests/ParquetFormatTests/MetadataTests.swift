import Testing
import ThriftCompact

@testable import ParquetFormat

/// The ParquetFormatError thrown by `body`, or nil.
private func parquetError(_ body: () throws -> Void) -> ParquetFormatError? {
    do {
        try body()
        return nil
    } catch let error as ParquetFormatError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

private func decodePageHeader(_ bytes: [UInt8], fileOffset: Int = 0) throws -> (
    header: PageHeader, headerLength: Int
) {
    try bytes.withUnsafeBytes { try PageHeader.decode(from: $0, fileOffset: fileOffset) }
}

@Suite struct PageHeaderTests {
    /// FORMATS.md 1.2, checked against a pyarrow file.
    static let workedExample: [UInt8] = [
        0x15, 0x00, 0x15, 0x2C, 0x15, 0x2C, 0x2C, 0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06,
        0x1C, 0x00, 0x00, 0x00,
    ]

    @Test func workedExampleDecodesAndReencodesByteExact() throws {
        let page: [UInt8] = Self.workedExample + [0xDE, 0xAD]  // the page body follows
        let (header, length) = try decodePageHeader(page, fileOffset: 4)
        #expect(length == 19)
        #expect(
            header
                == PageHeader(
                    type: .dataPage, uncompressedPageSize: 22, compressedPageSize: 22,
                    dataPageHeader: DataPageHeader(
                        numValues: 3, encoding: .plain, definitionLevelEncoding: .rle,
                        repetitionLevelEncoding: .rle, statistics: Statistics())))
        #expect(header.crc == nil)
        #expect(header.dataPageHeader?.statistics?.nullCount == nil)
        #expect(header.encode() == Self.workedExample)
    }

    @Test func everyTruncationIsReportedAsTruncated() {
        for length in 0..<Self.workedExample.count {
            let prefix = Array(Self.workedExample.prefix(length))
            let error = parquetError { _ = try decodePageHeader(prefix, fileOffset: 1000) }
            #expect(error?.code == .truncated, "prefix of \(length) bytes")
            if let offset = error?.offset { #expect((1000...1000 + length).contains(offset)) }
        }
    }

    @Test func missingRequiredFieldIsCorrupt() {
        // type and uncompressed size only.
        let error = parquetError {
            _ = try decodePageHeader([0x15, 0x00, 0x15, 0x2C, 0x00], fileOffset: 64)
        }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("compressed_page_size") == true)
        #expect(error?.offset == 64)
        // A DataPageHeader without its encoding.
        let noEncoding: [UInt8] = [
            0x15, 0x00, 0x15, 0x2C, 0x15, 0x2C, 0x2C, 0x15, 0x06, 0x00, 0x00,
        ]
        let nested = parquetError { _ = try decodePageHeader(noEncoding, fileOffset: 64) }
        #expect(nested?.code == .corrupt)
        #expect(nested?.message.contains("DataPageHeader") == true)
        #expect(nested?.offset == 71)
    }

    @Test func negativeSizesAreCorrupt() {
        // compressed_page_size = -1
        let bytes: [UInt8] = [0x15, 0x00, 0x15, 0x2C, 0x15, 0x01, 0x00]
        let error = parquetError { _ = try decodePageHeader(bytes) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("negative") == true)
        // DictionaryPageHeader.num_values = -3
        var writer = ThriftCompactWriter()
        writer.beginStruct()
        writer.writeField(id: 1, i32: PageType.dictionaryPage.rawValue)
        writer.writeField(id: 2, i32: 0)
        writer.writeField(id: 3, i32: 0)
        writer.writeFieldHeader(id: 7, type: .struct)
        writer.beginStruct()
        writer.writeField(id: 1, i32: -3)
        writer.writeField(id: 2, i32: 0)
        writer.endStruct()
        writer.endStruct()
        let dictionary = writer.bytes
        #expect(parquetError { _ = try decodePageHeader(dictionary) }?.code == .corrupt)
    }

    @Test func unknownFieldsAreSkipped() throws {
        var writer = ThriftCompactWriter()
        writer.beginStruct()
        writer.writeField(id: 1, i32: 2)
        writer.writeField(id: 2, i32: 100)
        writer.writeField(id: 3, i32: 60)
        writer.writeField(id: 4, i32: -123456)
        writer.writeEmptyStructField(id: 6)  // index_page_header: skipped
        writer.writeFieldHeader(id: 7, type: .struct)
        writer.beginStruct()
        writer.writeField(id: 1, i32: 10)
        writer.writeField(id: 2, i32: 0)
        writer.writeField(id: 3, bool: true)
        writer.writeField(id: 9, string: "future field")
        writer.endStruct()
        writer.writeField(id: 20, list: ["x", "y"], of: .binary) { $0.writeString($1) }
        writer.writeField(id: 21, double: 1)
        writer.writeField(id: 2, bool: true)  // a known id with an unexpected type
        writer.endStruct()
        let (header, length) = try decodePageHeader(writer.bytes)
        #expect(length == writer.bytes.count)
        #expect(
            header
                == PageHeader(
                    type: .dictionaryPage, uncompressedPageSize: 100, compressedPageSize: 60,
                    crc: -123456,
                    dictionaryPageHeader: DictionaryPageHeader(
                        numValues: 10, encoding: .plain, isSorted: true)))
    }

    @Test func dataPageV2IsCompressedDefaultsToTrue() throws {
        var v2 = DataPageHeaderV2(
            numValues: 10, numNulls: 2, numRows: 10, encoding: .rleDictionary,
            definitionLevelsByteLength: 4, repetitionLevelsByteLength: 0)
        // Written without field 7.
        var writer = ThriftCompactWriter()
        writer.beginStruct()
        for (id, value) in [(1, 10), (2, 2), (3, 10), (4, 8), (5, 4), (6, 0)] as [(Int16, Int32)] {
            writer.writeField(id: id, i32: value)
        }
        writer.endStruct()
        #expect(try DataPageHeaderV2.decode(writer.bytes) == v2)
        #expect(try DataPageHeaderV2.decode(writer.bytes).isCompressed)
        v2.isCompressed = false
        let encoded = v2.encode()
        #expect(
            encoded == [
                0x15, 0x14, 0x15, 0x04, 0x15, 0x14, 0x15, 0x10, 0x15, 0x08, 0x15, 0x00, 0x12, 0x00,
            ])
        #expect(try DataPageHeaderV2.decode(encoded) == v2)
        // More nulls than values.
        v2.numNulls = 11
        #expect(parquetError { _ = try DataPageHeaderV2.decode(v2.encode()) }?.code == .corrupt)
    }

    @Test func dataPageV2LevelsMustFitInThePage() {
        let header = PageHeader(
            type: .dataPageV2, uncompressedPageSize: 100, compressedPageSize: 10,
            dataPageHeaderV2: DataPageHeaderV2(
                numValues: 5, numNulls: 0, numRows: 5, encoding: .plain,
                definitionLevelsByteLength: 8, repetitionLevelsByteLength: 3))
        let error = parquetError { _ = try decodePageHeader(header.encode(), fileOffset: 9) }
        #expect(error?.code == .corrupt)
        #expect(error?.offset == 9)
    }

    @Test func hugeDeclaredLengthsThrowWithoutAllocating() {
        // A PageHeader whose statistics.max claims 2 GB.
        let bytes: [UInt8] = [
            0x15, 0x00, 0x15, 0x2C, 0x15, 0x2C, 0x2C, 0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15,
            0x06,
            0x1C, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00,
        ]
        let error = parquetError { _ = try decodePageHeader(bytes, fileOffset: 500) }
        #expect(error?.code == .truncated)
        #expect(error?.offset == 517)
        // A FileMetaData whose schema list claims 2^31-1 elements.
        let schema: [UInt8] = [0x15, 0x02, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00]
        #expect(parquetError { _ = try FileMetaData.decode(schema) }?.code == .truncated)
        // Nested 200 deep: limit exceeded.
        let deep: [UInt8] =
            [0x15, 0x00] + [UInt8](repeating: 0x1C, count: 200) + [UInt8](repeating: 0, count: 201)
        #expect(parquetError { _ = try decodePageHeader(deep) }?.code == .limitExceeded)
    }
}

@Suite struct LogicalTypeTests {
    static let all: [LogicalType] = [
        .string, .map, .list, .enumType, .decimal(scale: 2, precision: 10), .date,
        .time(isAdjustedToUTC: false, unit: .millis), .time(isAdjustedToUTC: true, unit: .nanos),
        .timestamp(isAdjustedToUTC: true, unit: .micros),
        .timestamp(isAdjustedToUTC: false, unit: .nanos),
        .integer(bitWidth: 8, isSigned: false), .integer(bitWidth: 64, isSigned: true),
        .unknown, .json, .bson, .uuid, .float16, .variant(specificationVersion: 1),
        .variant(specificationVersion: nil), .geometry(crs: "OGC:CRS84"), .geometry(crs: nil),
        .geography(crs: "srid:4326", algorithm: .karney), .vector, .other(fieldId: 42),
    ]

    @Test(arguments: all)
    func roundTrips(type: LogicalType) throws {
        #expect(try LogicalType.decode(type.encode()) == type)
    }

    @Test func exactBytes() {
        #expect(LogicalType.string.encode() == [0x1C, 0x00, 0x00])
        #expect(
            LogicalType.decimal(scale: 2, precision: 10).encode() == [
                0x5C, 0x15, 0x04, 0x15, 0x14, 0x00, 0x00,
            ])
        // TIMESTAMP(isAdjustedToUTC=true, MICROS): 8C {11 {2C {} 00} 00} 00
        #expect(
            LogicalType.timestamp(isAdjustedToUTC: true, unit: .micros).encode()
                == [0x8C, 0x11, 0x1C, 0x2C, 0x00, 0x00, 0x00, 0x00])
        #expect(
            LogicalType.integer(bitWidth: 16, isSigned: true).encode()
                == [0xAC, 0x13, 0x10, 0x11, 0x00, 0x00])
        #expect(LogicalType.unknown.encode() == [0xBC, 0x00, 0x00])
    }

    @Test func unknownMembersBecomeOther() throws {
        // Member 30 holding fields of its own.
        var writer = ThriftCompactWriter()
        writer.beginStruct()
        writer.writeFieldHeader(id: 30, type: .struct)
        writer.beginStruct()
        writer.writeField(id: 1, string: "content")
        writer.writeField(id: 2, i64: 99)
        writer.endStruct()
        writer.endStruct()
        #expect(try LogicalType.decode(writer.bytes) == .other(fieldId: 30))
        // A TIMESTAMP with a unit from the future.
        let futureUnit: [UInt8] = [0x8C, 0x11, 0x1C, 0x4C, 0x00, 0x00, 0x00, 0x00]
        #expect(try LogicalType.decode(futureUnit) == .other(fieldId: 8))
        // A member that is not a struct.
        #expect(try LogicalType.decode([0x05, 0x28, 0x02, 0x00]) == .other(fieldId: 20))
    }

    @Test func missingRequiredMemberFieldsAreCorrupt() {
        // DECIMAL without precision.
        let error = parquetError { _ = try LogicalType.decode([0x5C, 0x15, 0x04, 0x00, 0x00]) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("precision") == true)
        #expect(parquetError { _ = try LogicalType.decode([0x00]) }?.code == .corrupt)
    }

    @Test func emptyUnionInSchemaElementMeansNoLogicalType() throws {
        // SchemaElement { 4: "a", 10: {} }
        let bytes: [UInt8] = [0x48, 0x01, 0x61, 0x6C, 0x00, 0x00]
        let element = try SchemaElement.decode(bytes)
        #expect(element.name == "a")
        #expect(element.logicalType == nil)
    }
}

@Suite struct EnumTests {
    @Test func unknownValuesSurvive() throws {
        let element = SchemaElement(
            name: "x", type: PhysicalType(rawValue: 42), repetitionType: .optional,
            convertedType: ConvertedType(rawValue: 99))
        let decoded = try SchemaElement.decode(element.encode())
        #expect(decoded.type?.rawValue == 42)
        #expect(decoded.type?.isKnown == false)
        #expect(decoded.convertedType == ConvertedType(rawValue: 99))
        #expect(decoded == element)
    }

    @Test func namesAndValues() {
        #expect(PhysicalType.fixedLenByteArray.rawValue == 7)
        #expect(PhysicalType.int96.description == "INT96")
        #expect(PhysicalType(rawValue: 8).description == "PhysicalType(8)")
        #expect(CompressionCodec.lz4Raw.rawValue == 7)
        #expect(CompressionCodec.zstd.description == "ZSTD")
        #expect(PageType.dataPageV2.rawValue == 3)
        #expect(Encoding.byteStreamSplit.rawValue == 9)
        #expect(Encoding.rleDictionary.description == "RLE_DICTIONARY")
        #expect(ConvertedType.int64.rawValue == 18)
        #expect(ConvertedType.interval.rawValue == 21)
        #expect(FieldRepetitionType.repeated.rawValue == 2)
        #expect(BoundaryOrder.descending.rawValue == 2)
    }
}

@Suite struct PageIndexTests {
    @Test func columnIndexRoundTripsWithBoolList() throws {
        let index = ColumnIndex(
            nullPages: [false, true, false], minValues: [[1, 0, 0, 0], [], [5, 0, 0, 0]],
            maxValues: [[4, 0, 0, 0], [], [9, 0, 0, 0]], boundaryOrder: .ascending,
            nullCounts: [0, 10, 1], definitionLevelHistograms: [0, 5, 10, 0, 1, 4])
        let bytes = index.encode()
        // null_pages: list<bool> of 3, element type 1, values 2/1/2.
        #expect(Array(bytes.prefix(5)) == [0x19, 0x31, 0x02, 0x01, 0x02])
        #expect(try ColumnIndex.decode(bytes) == index)
    }

    @Test func columnIndexAcceptsZeroAsFalse() throws {
        var bytes = ColumnIndex(
            nullPages: [false, true], minValues: [[1], []], maxValues: [[2], []],
            boundaryOrder: .unordered
        ).encode()
        bytes[2] = 0x00
        #expect(try ColumnIndex.decode(bytes).nullPages == [false, true])
    }

    @Test func columnIndexListsMustAgree() {
        let index = ColumnIndex(
            nullPages: [false, false], minValues: [[1]], maxValues: [[2], [3]],
            boundaryOrder: .unordered)
        #expect(parquetError { _ = try ColumnIndex.decode(index.encode()) }?.code == .corrupt)
    }

    @Test func offsetIndexRoundTrips() throws {
        let index = OffsetIndex(
            pageLocations: [
                PageLocation(offset: 4, compressedPageSize: 120, firstRowIndex: 0),
                PageLocation(offset: 124, compressedPageSize: 1 << 20, firstRowIndex: 1000),
            ],
            unencodedByteArrayDataBytes: [300, 7])
        let bytes = index.encode()
        #expect(Array(bytes.prefix(8)) == [0x19, 0x2C, 0x16, 0x08, 0x15, 0xF0, 0x01, 0x16])
        #expect(try OffsetIndex.decode(bytes) == index)
        let negative = OffsetIndex(pageLocations: [
            PageLocation(offset: -1, compressedPageSize: 1, firstRowIndex: 0)
        ])
        #expect(parquetError { _ = try OffsetIndex.decode(negative.encode()) }?.code == .corrupt)
    }
}

@Suite struct FooterTests {
    private func locate(_ tail: [UInt8], fileSize: Int) throws -> (
        metadataOffset: Int, metadataLength: Int
    ) {
        try tail.withUnsafeBytes { try FileMetaData.locateFooter(tail: $0, fileSize: fileSize) }
    }

    @Test func locatesTheMetadata() throws {
        let tail: [UInt8] = [0xAA, 0x2C, 0x01, 0x00, 0x00] + Array("PAR1".utf8)
        let (offset, length) = try locate(tail, fileSize: 1000)
        #expect(length == 300)
        #expect(offset == 1000 - 8 - 300)
        // The smallest file that fits: magic + metadata + length + magic.
        #expect(try locate(tail, fileSize: 312) == (0 + 4, 300))
    }

    @Test func rejectsBadTails() {
        let length300: [UInt8] = [0x2C, 0x01, 0x00, 0x00]
        let tooLong = parquetError { _ = try locate(length300 + Array("PAR1".utf8), fileSize: 311) }
        #expect(tooLong?.code == .corrupt)
        let badMagic = parquetError {
            _ = try locate(length300 + Array("PAR2".utf8), fileSize: 1000)
        }
        #expect(badMagic?.code == .corrupt)
        #expect(badMagic?.offset == 996)
        let encrypted = parquetError {
            _ = try locate(length300 + Array("PARE".utf8), fileSize: 1000)
        }
        #expect(encrypted?.code == .unsupported)
        let short = parquetError { _ = try locate(Array("PAR1".utf8), fileSize: 1000) }
        #expect(short?.code == .truncated)
        let tiny = parquetError { _ = try locate([0, 0, 0, 0] + Array("PAR1".utf8), fileSize: 8) }
        #expect(tiny?.code == .corrupt)
        let huge = parquetError {
            _ = try locate([0xFF, 0xFF, 0xFF, 0xFF] + Array("PAR1".utf8), fileSize: 1 << 20)
        }
        #expect(huge?.code == .corrupt)
    }
}

@Suite struct FileMetaDataRoundTripTests {
    /// A nested schema: struct, list and map groups, with logical types, field ids and stats.
    static let sample: FileMetaData = {
        let schema: [SchemaElement] = [
            SchemaElement(name: "schema", numChildren: 5),
            SchemaElement(
                name: "id", type: .int64, repetitionType: .required, fieldId: 1,
                logicalType: .integer(bitWidth: 64, isSigned: true)),
            SchemaElement(
                name: "name", type: .byteArray, repetitionType: .optional,
                convertedType: .utf8, fieldId: 2, logicalType: .string),
            SchemaElement(name: "address", repetitionType: .optional, numChildren: 2, fieldId: 3),
            SchemaElement(
                name: "street", type: .byteArray, repetitionType: .optional,
                convertedType: .utf8, fieldId: 4, logicalType: .string),
            SchemaElement(
                name: "price", type: .fixedLenByteArray, typeLength: 16,
                repetitionType: .optional, convertedType: .decimal, scale: 2, precision: 38,
                fieldId: 5, logicalType: .decimal(scale: 2, precision: 38)),
            SchemaElement(
                name: "tags", repetitionType: .optional, numChildren: 1,
                convertedType: .list, fieldId: 6, logicalType: .list),
            SchemaElement(name: "list", repetitionType: .repeated, numChildren: 1),
            SchemaElement(
                name: "element", type: .byteArray, repetitionType: .optional,
                fieldId: 7, logicalType: .string),
            SchemaElement(
                name: "attrs", repetitionType: .optional, numChildren: 1,
                convertedType: .map, fieldId: 8, logicalType: .map),
            SchemaElement(name: "key_value", repetitionType: .repeated, numChildren: 2),
            SchemaElement(
                name: "key", type: .byteArray, repetitionType: .required,
                fieldId: 9, logicalType: .string),
            SchemaElement(
                name: "value", type: .int64, repetitionType: .optional, fieldId: 10,
                logicalType: .timestamp(isAdjustedToUTC: true, unit: .micros)),
        ]
        let paths: [[String]] = [
            ["id"], ["name"], ["address", "street"], ["address", "price"],
            ["tags", "list", "element"], ["attrs", "key_value", "key"],
            ["attrs", "key_value", "value"],
        ]
        func chunk(_ index: Int, group: Int) -> ColumnChunk {
            let base = Int64(4 + group * 10_000 + index * 1000)
            return ColumnChunk(
                fileOffset: 0,
                metaData: ColumnMetaData(
                    type: index == 0 ? .int64 : .byteArray,
                    encodings: [.plain, .rle, .rleDictionary], pathInSchema: paths[index],
                    codec: .zstd, numValues: 1000 + Int64(index), totalUncompressedSize: 5000,
                    totalCompressedSize: 900,
                    keyValueMetadata: index == 1 ? [KeyValue(key: "k", value: "v")] : nil,
                    dataPageOffset: base + 100, dictionaryPageOffset: base,
                    statistics: Statistics(
                        max: index == 0 ? [9, 0, 0, 0, 0, 0, 0, 0] : nil,
                        min: index == 0 ? [1, 0, 0, 0, 0, 0, 0, 0] : nil, nullCount: 3,
                        distinctCount: 7, maxValue: Array("zebra".utf8),
                        minValue: Array("ant".utf8),
                        isMaxValueExact: true, isMinValueExact: false),
                    encodingStats: [
                        PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1),
                        PageEncodingStats(pageType: .dataPage, encoding: .rleDictionary, count: 3),
                    ],
                    bloomFilterOffset: 90_000, bloomFilterLength: 1024,
                    sizeStatistics: SizeStatistics(
                        unencodedByteArrayDataBytes: 777, repetitionLevelHistogram: [1000],
                        definitionLevelHistogram: [3, 997])),
                offsetIndexOffset: 80_000 + Int64(index * 40), offsetIndexLength: 40,
                columnIndexOffset: 70_000 + Int64(index * 60), columnIndexLength: 60)
        }
        let rowGroups = (0..<2).map { group in
            RowGroup(
                columns: (0..<paths.count).map { chunk($0, group: group) },
                totalByteSize: 35_000, numRows: 1000,
                sortingColumns: [SortingColumn(columnIdx: 0, descending: false, nullsFirst: true)],
                fileOffset: Int64(4 + group * 10_000), totalCompressedSize: 6300,
                ordinal: Int16(group))
        }
        return FileMetaData(
            version: 1, schema: schema, numRows: 2000, rowGroups: rowGroups,
            keyValueMetadata: [
                KeyValue(key: "lakegate.version", value: "0.1"), KeyValue(key: "no-value"),
                KeyValue(key: "unicode ✓", value: "größe"),
            ],
            createdBy: "lakegate version 0.1.0 (build abc)",
            columnOrders: [
                .typeDefinedOrder, .typeDefinedOrder, .typeDefinedOrder, .typeDefinedOrder,
                .ieee754TotalOrder, .int96TimestampOrder, .undefined(fieldId: 9),
            ])
    }()

    @Test func roundTripsEqualAndByteStable() throws {
        let bytes = Self.sample.encode()
        let decoded = try FileMetaData.decode(bytes)
        #expect(decoded == Self.sample)
        #expect(decoded.encode() == bytes)
        #expect(decoded.leafCount == 7)
        #expect(decoded.schema[12].logicalType == .timestamp(isAdjustedToUTC: true, unit: .micros))
        #expect(
            decoded.rowGroups[1].columns[4].metaData?.pathInSchema == ["tags", "list", "element"])
        #expect(decoded.rowGroups[0].columns[0].metaData?.chunkStartOffset == 4)
        #expect(decoded.keyValueMetadata?[2].value == "größe")
        // Starts with version 1, then the schema list of 13 structs.
        #expect(Array(bytes.prefix(4)) == [0x15, 0x02, 0x19, 0xDC])
    }

    @Test func withFileOffsetErrorsPointIntoTheFile() {
        var broken = Self.sample
        broken.rowGroups[0].numRows = -1
        let bytes = broken.encode()
        let error = bytes.withUnsafeBytes { buffer in
            parquetError { _ = try FileMetaData.decode(buffer, fileOffset: 10_000) }
        }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("RowGroup.num_rows") == true)
        #expect((10_000..<10_000 + bytes.count).contains(error?.offset ?? -1))
    }

    @Test func everyTruncationThrowsAndNeverCrashes() {
        let bytes = Self.sample.encode()
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let prefix = Array(bytes.prefix(length))
            let error = parquetError { _ = try FileMetaData.decode(prefix) }
            #expect(error?.code == .truncated, "prefix of \(length) bytes")
        }
    }

    @Test func missingRequiredFieldsAreCorrupt() {
        // version and num_rows only.
        let error = parquetError { _ = try FileMetaData.decode([0x15, 0x02, 0x26, 0x02, 0x00]) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("schema") == true)
        var noName = ThriftCompactWriter()
        noName.beginStruct()
        noName.writeField(id: 5, i32: 1)
        noName.endStruct()
        #expect(
            parquetError { _ = try SchemaElement.decode(noName.bytes) }?.message.contains("name")
                == true)
        // An empty schema list: not even a root.
        let noRoot = FileMetaData(schema: [], numRows: 0, rowGroups: []).encode()
        #expect(parquetError { _ = try FileMetaData.decode(noRoot) }?.code == .corrupt)
    }
}
