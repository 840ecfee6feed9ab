import Columnar
import Foundation
import LakegateCore
import Parquet
import ParquetFormat
import Testing

/// Page bodies, page headers, chunk layout and row groups, checked byte by byte.
@Suite struct WritePageTests {
    typealias S = WriteTestSupport

    static let rawOptions = ParquetWriteOptions(codec: .none, dictionary: false)

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...($0 + 1)]), radix: 16)! }
    }

    /// The single data page body of column `column` in row group 0.
    static func onlyPageBody(_ bytes: [UInt8], column: Int = 0) throws -> (header: PageHeader, body: [UInt8]) {
        let metadata = try S.footer(bytes).rowGroups[0].columns[column].metaData!
        let pages = try S.pages(bytes, metadata)
        #expect(pages.count == 1)
        let (header, start) = pages[0]
        return (header, Array(bytes[start..<(start + Int(header.compressedPageSize))]))
    }

    @Test func listLevelsAreByteExact() throws {
        // FORMATS.md 1.4: optional list<optional int32>, rows [1,2], [], null.
        let field = Field("l", .list(Field("element", .int32)))
        let batch = try S.batch([field], [[.list([.int(1), .int(2)]), .list([]), .null]])
        let bytes = try S.write(batch.schema, [batch], options: Self.rawOptions)
        let (header, body) = try Self.onlyPageBody(bytes)
        #expect(body == Self.hex("02000000 03 02  03000000 03 1f 00  01000000 02000000"))
        #expect(header.dataPageHeader?.numValues == 4)
        let metadata = try S.footer(bytes).rowGroups[0].columns[0].metaData!
        #expect(metadata.numValues == 4)
        #expect(metadata.pathInSchema == ["l", "list", "element"])
        #expect(metadata.statistics?.nullCount == 2)
    }

    @Test func flatLevelsAreByteExact() throws {
        // FORMATS.md 1.4: optional int64 [1, 2, null].
        let batch = try S.batch([Field("x", .int64)], [[.int(1), .int(2), .null]])
        let bytes = try S.write(batch.schema, [batch], options: Self.rawOptions)
        let (header, body) = try Self.onlyPageBody(bytes)
        #expect(body == Self.hex("02000000 03 03  0100000000000000 0200000000000000"))
        #expect(header.type == .dataPage)
        #expect(header.uncompressedPageSize == 22)
        #expect(header.compressedPageSize == 22)
        #expect(header.dataPageHeader?.numValues == 3)
        #expect(header.dataPageHeader?.encoding == .plain)
        #expect(header.dataPageHeader?.definitionLevelEncoding == .rle)
        #expect(header.dataPageHeader?.repetitionLevelEncoding == .rle)
    }

    @Test func requiredColumnsHaveNoLevels() throws {
        let batch = try S.batch([Field("x", .int32, nullable: false)], [[.int(1), .int(-1)]])
        let bytes = try S.write(batch.schema, [batch], options: Self.rawOptions)
        #expect(try Self.onlyPageBody(bytes).body == Self.hex("01000000 ffffffff"))
    }

    @Test func dictionaryPageComesFirst() throws {
        let batch = try S.batch([Field("s", .string)], [[.string("b"), .string("a"), .string("b"), .null]])
        let bytes = try S.write(batch.schema, [batch], options: ParquetWriteOptions(codec: .none))
        let metadata = try S.footer(bytes).rowGroups[0].columns[0].metaData!
        #expect(metadata.dictionaryPageOffset == 4)
        #expect(metadata.encodings == [.plain, .rle, .rleDictionary])
        #expect(
            metadata.encodingStats == [
                PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1),
                PageEncodingStats(pageType: .dataPage, encoding: .rleDictionary, count: 1),
            ])
        let pages = try S.pages(bytes, metadata)
        #expect(pages.map(\.header.type) == [.dictionaryPage, .dataPage])
        #expect(Int64(pages[1].body) - Int64(pages[1].header.encode().count) == metadata.dataPageOffset)
        #expect(pages[0].header.dictionaryPageHeader?.numValues == 2)
        let dictionary = Array(bytes[pages[0].body..<(pages[0].body + 10)])
        #expect(dictionary == Self.hex("01000000 62 01000000 61"))
        // Definition levels 1,1,1,0; then bit width 1 and indices 0,1,0.
        let data = Array(bytes[pages[1].body..<(pages[1].body + Int(pages[1].header.compressedPageSize))])
        #expect(data == Self.hex("02000000 03 07  01 03 02"))
        // Sizes include the headers.
        let headers = pages.reduce(0) { $0 + $1.header.encode().count }
        let bodies = pages.reduce(0) { $0 + Int($1.header.compressedPageSize) }
        #expect(metadata.totalCompressedSize == Int64(headers + bodies))
        #expect(metadata.totalUncompressedSize == Int64(headers + bodies))
    }

    @Test func dictionaryFallsBackToPlainPastTheLimit() throws {
        // Each value twice in a row: the dictionary pays off on the first page, then outgrows
        // its limit.
        let values = (0..<20_000).map { Value.string("value-\($0 / 2)") }
        let batch = try S.batch([Field("s", .string)], [values])
        let options = ParquetWriteOptions(pageBytes: 16 << 10, dictionaryPageBytes: 32 << 10)
        let bytes = try S.write(batch.schema, [batch], options: options)
        let metadata = try S.footer(bytes).rowGroups[0].columns[0].metaData!
        #expect(metadata.encodings.contains(.rleDictionary))
        #expect(metadata.encodings.contains(.plain))
        let pages = try S.pages(bytes, metadata)
        #expect(pages[0].header.type == .dictionaryPage)
        let kinds = pages.dropFirst().map { $0.header.dataPageHeader!.encoding }
        // Dictionary pages first, then PLAIN to the end of the chunk.
        let firstPlain = kinds.firstIndex(of: .plain)!
        #expect(firstPlain > 0)
        #expect(kinds[..<firstPlain].allSatisfy { $0 == .rleDictionary })
        #expect(kinds[firstPlain...].allSatisfy { $0 == .plain })
        let dictionaryBytes = Int(pages[0].header.uncompressedPageSize)
        #expect(dictionaryBytes > 32 << 10 && dictionaryBytes < 48 << 10)
        #expect(
            metadata.encodingStats?.map(\.encoding) == [.plain, .rleDictionary, .plain]
                && metadata.encodingStats?.map(\.count).dropFirst().reduce(0, +) == Int32(kinds.count))
        let (_, rows) = try WriteRoundTripTests.readRows(bytes)
        #expect(rows.map { $0[0] } == values)
    }

    /// A key column (every value distinct on the first page) gets no dictionary: the first
    /// page is written PLAIN from the dictionary's own bytes, and so is the rest.
    @Test func distinctValuesSkipTheDictionary() throws {
        let strings = (0..<20_000).map { Value.string("id-\($0)") }
        let numbers = (0..<20_000).map { Value.int(Int64($0) * 7_919) }
        let batch = try S.batch([Field("s", .string), Field("n", .int64)], [strings, numbers])
        let options = ParquetWriteOptions(pageBytes: 16 << 10, dictionaryPageBytes: 32 << 10)
        let bytes = try S.write(batch.schema, [batch], options: options)
        for column in try S.footer(bytes).rowGroups[0].columns {
            let metadata = column.metaData!
            #expect(!metadata.encodings.contains(.rleDictionary))
            #expect(metadata.dictionaryPageOffset == nil)
            let pages = try S.pages(bytes, metadata)
            #expect(pages.count > 2)
            #expect(pages.allSatisfy { $0.header.dataPageHeader?.encoding == .plain })
        }
        let (_, rows) = try WriteRoundTripTests.readRows(bytes)
        #expect(rows.map { $0[0] } == strings)
        #expect(rows.map { $0[1] } == numbers)
    }

    /// A chunk whose first plain page does not compress (random bytes) is stored uncompressed;
    /// one whose values compress keeps the codec.
    @Test func incompressibleChunksAreStoredUncompressed() throws {
        var state: UInt64 = 1
        let random = (0..<40_000).map { _ -> Value in
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return .int(Int64(bitPattern: state))
        }
        let repetitive = (0..<40_000).map { Value.int(Int64($0 % 1_000) * 1_000_003) }
        let batch = try S.batch([Field("random", .int64), Field("repetitive", .int64)], [random, repetitive])
        let options = ParquetWriteOptions(codec: .zstd(level: 3), dictionary: false)
        let bytes = try S.write(batch.schema, [batch], options: options)
        let columns = try S.footer(bytes).rowGroups[0].columns.map { $0.metaData! }
        #expect(columns[0].codec == .uncompressed)
        #expect(columns[0].totalCompressedSize == columns[0].totalUncompressedSize)
        #expect(columns[1].codec == .zstd)
        #expect(columns[1].totalCompressedSize * 2 < columns[1].totalUncompressedSize)
        let (_, rows) = try WriteRoundTripTests.readRows(bytes)
        #expect(rows.map { $0[0] } == random)
        #expect(rows.map { $0[1] } == repetitive)
    }

    @Test func pagesCloseAtThePageSize() throws {
        let values = (0..<100_000).map { Value.int(Int64($0)) }
        let batch = try S.batch([Field("x", .int64, nullable: false)], [values])
        let bytes = try S.write(batch.schema, [batch], options: ParquetWriteOptions(codec: .none, pageBytes: 64 << 10, dictionary: false))
        let metadata = try S.footer(bytes).rowGroups[0].columns[0].metaData!
        let pages = try S.pages(bytes, metadata)
        #expect(pages.count == 13)
        for page in pages.dropLast() {
            #expect(page.header.uncompressedPageSize >= 64 << 10)
            #expect(page.header.uncompressedPageSize < (64 << 10) + ColumnPageLimit.batchBytes)
        }
        #expect(pages.reduce(0) { $0 + Int($1.header.dataPageHeader!.numValues) } == 100_000)
    }

    @Test func v2PagesStartAtRowBoundaries() throws {
        var rows: [Value] = []
        for row in 0..<5000 {
            rows.append(row % 7 == 0 ? .null : .list((0..<(row % 5)).map { .int(Int64($0 + row)) }))
        }
        let field = Field("l", .list(Field("element", .int64)))
        let batch = try S.batch([field], [rows])
        let options = ParquetWriteOptions(codec: .snappy, pageBytes: 2 << 10, dictionary: false, dataPageVersion: .v2)
        let bytes = try S.write(batch.schema, [batch], options: options)
        let metadata = try S.footer(bytes).rowGroups[0].columns[0].metaData!
        let pages = try S.pages(bytes, metadata)
        #expect(pages.count > 5)
        var totalRows = 0
        var totalValues = 0
        var totalNulls = 0
        for (header, start) in pages {
            let v2 = try #require(header.dataPageHeaderV2)
            #expect(header.type == .dataPageV2)
            #expect(v2.isCompressed)
            totalRows += Int(v2.numRows)
            totalValues += Int(v2.numValues)
            totalNulls += Int(v2.numNulls)
            // Levels are stored uncompressed: the first repetition level of the page is 0
            // (a bit-packed or RLE run whose first value is 0).
            let firstRun = bytes[start]
            if firstRun & 1 == 1 {
                #expect(bytes[start + 1] & 1 == 0)
            } else {
                #expect(bytes[start + 1] == 0)
            }
        }
        #expect(totalRows == 5000)
        #expect(Int64(totalValues) == metadata.numValues)
        #expect(Int64(totalNulls) == metadata.statistics?.nullCount)
        #expect(metadata.encodingStats?.first?.pageType == .dataPageV2)
        let (_, read) = try WriteRoundTripTests.readRows(bytes)
        #expect(read.map { $0[0] } == rows)
    }

    @Test func rowGroupsSplitByBytes() throws {
        let values = (0..<200_000).map { Value.int(Int64($0) &* 0x9E37_79B9) }
        let batch = try S.batch([Field("x", .int64, nullable: false)], [values])
        let limit = 256 << 10
        let options = ParquetWriteOptions(codec: .none, rowGroupBytes: limit, dictionary: false)
        let writer = try ParquetFileWriter(sink: MemoryByteSink(), schema: batch.schema, options: options)
        try writer.write(batch)
        let footer = try writer.close()
        // 1.6 MB of values: seven row groups of ~256 KiB.
        #expect(footer.rowGroups.count == 7)
        for group in footer.rowGroups.dropLast() {
            #expect(group.totalCompressedSize! >= Int64(limit))
            #expect(group.totalCompressedSize! < Int64(limit) + 64 << 10)
        }
        #expect(footer.rowGroups.reduce(0) { $0 + $1.numRows } == 200_000)
        #expect(footer.rowGroups.map(\.ordinal) == (0..<7).map { Int16($0) })
        var offset: Int64 = 4
        for group in footer.rowGroups {
            #expect(group.fileOffset == offset)
            #expect(group.columns[0].metaData!.dataPageOffset == offset)
            offset += group.totalCompressedSize!
        }
        let bytes = (writer.sink as! MemoryByteSink).bytes
        #expect(writer.fileSize == bytes.count)
        #expect(writer.footerLength == bytes.count - Int(offset) - 8)
    }

    @Test func flushRowGroupStartsANewOne() throws {
        let batch = try S.batch([Field("x", .int32)], [[.int(1), .null]])
        let writer = try ParquetFileWriter(sink: MemoryByteSink(), schema: batch.schema)
        try writer.write(batch)
        try writer.flushRowGroup()
        try writer.flushRowGroup()  // nothing buffered: no empty row group
        try writer.write(batch)
        let footer = try writer.close()
        #expect(footer.rowGroups.map(\.numRows) == [2, 2])
        #expect(footer.numRows == 4)
    }

    @Test(arguments: [
        ParquetWriteOptions.Codec.none, .snappy, .gzip(), .gzip(level: 9), .zstd(), .zstd(level: 19), .lz4Raw,
    ])
    func everyCodec(codec: ParquetWriteOptions.Codec) throws {
        let batch = try WriteNestedTests.batch()
        let bytes = try S.write(batch.schema, [batch], options: ParquetWriteOptions(codec: codec, writePageChecksums: true))
        let footer = try S.footer(bytes)
        let expected: ParquetFormat.CompressionCodec =
            switch codec {
            case .none: .uncompressed
            case .snappy: .snappy
            case .gzip: .gzip
            case .zstd: .zstd
            case .lz4Raw: .lz4Raw
            }
        for chunk in footer.rowGroups[0].columns {
            let metadata = chunk.metaData!
            #expect(metadata.codec == expected)
            for (header, start) in try S.pages(bytes, metadata) {
                let stored = Array(bytes[start..<(start + Int(header.compressedPageSize))])
                #expect(header.crc == Int32(bitPattern: TestCRC32.checksum(stored)))
            }
        }
        let (_, rows) = try WriteRoundTripTests.readRows(bytes)
        #expect(rows == WriteRoundTripTests.rows(of: [batch]))
    }

    @Test func rejectsBadInput() throws {
        let schema = Schema([Field("x", .int32, nullable: false)])
        let writer = try ParquetFileWriter(sink: MemoryByteSink(), schema: schema)
        let withNull = try RecordBatch(
            schema: Schema([Field("x", .int32)]), columns: [S.column(.int32, [.int(1), .null])])
        #expect(throws: ParquetError.self) { try writer.write(withNull) }
        // A failed writer stays failed.
        let good = try S.batch([Field("x", .int32, nullable: false)], [[.int(1)]])
        #expect(throws: ParquetError.self) { try writer.write(good) }

        let other = try ParquetFileWriter(sink: MemoryByteSink(), schema: schema)
        let wrongType = try S.batch([Field("x", .int64)], [[.int(1)]])
        #expect(throws: ParquetError.self) { try other.write(wrongType) }
        try other.close()
        #expect(throws: ParquetError.self) { try other.write(good) }

        #expect(throws: ParquetError.self) { try ParquetFileWriter(sink: MemoryByteSink(), schema: Schema([])) }
        #expect(throws: ParquetError.self) {
            try ParquetFileWriter(sink: MemoryByteSink(), schema: Schema([Field("s", .structure([]))]))
        }
        #expect(throws: ParquetError.self) {
            try ParquetFileWriter(sink: MemoryByteSink(), schema: Schema([Field("d", .decimal(precision: 40, scale: 2))]))
        }
        // A decimal wider than its precision's storage.
        let decimal = try S.batch([Field("d", .decimal(precision: 4, scale: 0))], [[.decimal(Int128(Int64.max), scale: 0)]])
        #expect(throws: ParquetError.self) { try S.write(decimal.schema, [decimal]) }
    }
}

/// Size of one batch of values handed to a page (1024 values of 8 bytes), for page-size bounds.
enum ColumnPageLimit {
    static let batchBytes: Int32 = 1024 * 8
}

/// CRC-32 (IEEE), bit by bit: an independent check of the page checksums.
enum TestCRC32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
