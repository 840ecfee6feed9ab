import Columnar
import Foundation
import LakegateCore
import Parquet
import ParquetFormat
import StorageLocal
import Testing

/// Files written by `ParquetFileWriter`, read back by `ParquetFileReader`, value for value.
@Suite struct WriteRoundTripTests {
    typealias S = WriteTestSupport

    static let optionVariants: [(String, ParquetWriteOptions)] = [
        ("default", ParquetWriteOptions()),
        ("plain", ParquetWriteOptions(codec: .none, dictionary: false)),
        ("v2-delta", ParquetWriteOptions(codec: .zstd(), dictionary: false, dataPageVersion: .v2, integerEncoding: .deltaBinaryPacked)),
        ("v2-dict", ParquetWriteOptions(codec: .gzip(), dataPageVersion: .v2)),
        ("lz4", ParquetWriteOptions(codec: .lz4Raw, integerEncoding: .deltaBinaryPacked)),
        ("tiny-pages", ParquetWriteOptions(pageBytes: 1, dictionaryPageBytes: 1, writePageChecksums: true)),
    ]

    /// All rows of a file, in order, as values.
    static func readRows(_ bytes: [UInt8]) throws -> (schema: Schema, rows: [[Value]]) {
        let reader = try ParquetFileReader(source: MemoryByteSource(bytes))
        var rows: [[Value]] = []
        for group in 0..<reader.rowGroupCount {
            let batch = try reader.readRowGroup(group)
            for row in 0..<batch.rowCount { rows.append(batch.row(row)) }
        }
        return (reader.schema, rows)
    }

    static func rows(of batches: [RecordBatch]) -> [[Value]] {
        batches.flatMap { batch in (0..<batch.rowCount).map { batch.row($0) } }
    }

    static func expectRoundTrip(
        _ schema: Schema, _ batches: [RecordBatch], options: ParquetWriteOptions,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let bytes = try S.write(schema, batches, options: options)
        let (readSchema, rows) = try readRows(bytes)
        #expect(readSchema.fields == schema.fields, sourceLocation: sourceLocation)
        let expected = Self.rows(of: batches)
        #expect(rows.count == expected.count, sourceLocation: sourceLocation)
        for (index, (got, want)) in zip(rows, expected).enumerated() where got != want {
            Issue.record("row \(index): read \(got), wrote \(want)", sourceLocation: sourceLocation)
            break
        }
    }

    @Test(arguments: optionVariants.map(\.0))
    func everyPrimitiveType(variant: String) throws {
        let options = Self.optionVariants.first { $0.0 == variant }!.1
        let batch = try WriteTests.primitiveBatch()
        try Self.expectRoundTrip(batch.schema, [batch, batch], options: options)
    }

    @Test(arguments: optionVariants.map(\.0))
    func nestedTypesWithNullsAtEveryLevel(variant: String) throws {
        let options = Self.optionVariants.first { $0.0 == variant }!.1
        let batch = try WriteNestedTests.batch()
        try Self.expectRoundTrip(batch.schema, [batch, batch.slice(1..<3), batch], options: options)
    }

    @Test func zeroRows() throws {
        let batch = try WriteTests.primitiveBatch().slice(0..<0)
        let bytes = try S.write(batch.schema, [batch])
        let footer = try S.footer(bytes)
        #expect(footer.numRows == 0)
        #expect(footer.rowGroups.isEmpty)
        let (schema, rows) = try Self.readRows(bytes)
        #expect(schema.fields == batch.schema.fields)
        #expect(rows.isEmpty)
        // No batch at all is the same file.
        #expect(try S.write(batch.schema, []) == bytes)
    }

    @Test func oneRow() throws {
        let batch = try WriteNestedTests.batch().slice(0..<1)
        try Self.expectRoundTrip(batch.schema, [batch], options: ParquetWriteOptions())
        let primitive = try WriteTests.primitiveBatch().slice(2..<3)
        try Self.expectRoundTrip(primitive.schema, [primitive], options: ParquetWriteOptions(dataPageVersion: .v2))
    }

    @Test func fieldIdsAndMetadataSurvive() throws {
        let fields = [
            Field("id", .int64, nullable: false, id: 1),
            Field("tags", .list(Field("element", .string, id: 3)), id: 2),
            Field(
                "attrs", .map(key: Field("key", .string, nullable: false, id: 5), value: Field("value", .int32, id: 6)),
                id: 4),
            Field("point", .structure([Field("x", .float64, id: 8), Field("y", .float64, id: 9)]), id: 7),
        ]
        let schema = Schema(fields, metadata: ["owner": "lakegate", "note": "ids"])
        let batch = try RecordBatch(
            schema: schema,
            columns: [
                S.column(.int64, [.int(1), .int(2)]),
                S.column(fields[1].type, [.list([.string("a")]), .null]),
                S.column(fields[2].type, [.map([.init(key: .string("k"), value: .int(1))]), .map([])]),
                S.column(fields[3].type, [.structure([.double(1), .double(2)]), .null]),
            ])
        let bytes = try S.write(schema, [batch])
        let footer = try S.footer(bytes)
        #expect(footer.schema.map(\.fieldId) == [nil, 1, 2, nil, 3, 4, nil, 5, 6, 7, 8, 9])
        #expect(footer.keyValueMetadata?.map(\.key) == ["owner", "note"])
        let (readSchema, rows) = try Self.readRows(bytes)
        #expect(readSchema.fields.map(\.id) == [1, 2, 4, 7])
        #expect(readSchema.metadata["owner"] == "lakegate")
        #expect(rows == Self.rows(of: [batch]))
    }

    @Test func manyPagesAndRowGroups() throws {
        // 50k rows of mixed columns; small pages and row groups so that every boundary is hit.
        let count = 50_000
        var generator = SplitMix(seed: 42)
        let fields = [
            Field("id", .int64, nullable: false), Field("name", .string), Field("score", .float64),
            Field("tags", .list(Field("element", .string))),
        ]
        let schema = Schema(fields)
        let id = ColumnBuilder(type: .int64)
        let name = ColumnBuilder(type: .string)
        let score = ColumnBuilder(type: .float64)
        let tags = ColumnBuilder(type: fields[3].type)
        for row in 0..<count {
            id.append(fixed: Int64(row))
            if generator.next() % 10 == 0 { name.appendNull() } else { name.append(string: "name-\(generator.next() % 5000)") }
            score.append(fixed: Double(generator.next() % 1_000_000) / 7)
            let n = Int(generator.next() % 4)
            if n == 3 {
                tags.appendNull()
            } else {
                for _ in 0..<n { tags.children[0].append(string: "t\(generator.next() % 100)") }
                tags.appendList()
            }
        }
        let batch = try RecordBatch(schema: schema, columns: [id.finish(), name.finish(), score.finish(), tags.finish()])
        let options = ParquetWriteOptions(
            codec: .snappy, rowGroupBytes: 256 << 10, pageBytes: 8 << 10, dictionaryPageBytes: 16 << 10)
        let bytes = try S.write(schema, [batch.slice(0..<1000), batch.slice(1000..<count)], options: options)
        let footer = try S.footer(bytes)
        #expect(footer.rowGroups.count > 1)
        #expect(footer.rowGroups.reduce(0) { $0 + $1.numRows } == Int64(count))
        let pages = try S.pages(bytes, footer.rowGroups[0].columns[0].metaData!)
        #expect(pages.count > 2)
        let (_, rows) = try Self.readRows(bytes)
        #expect(rows.count == count)
        #expect(rows == Self.rows(of: [batch]))
    }

    @Test func localFileSinkWorks() throws {
        let directory = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("file.parquet").path
        let batch = try WriteTests.primitiveBatch()
        let sink = try LocalFileSink(path: path)
        let writer = try ParquetFileWriter(sink: sink, schema: batch.schema)
        try writer.write(batch)
        try writer.close()
        try sink.commit()
        let source = try LocalFileSource(path: path)
        #expect(writer.fileSize == source.size)
        #expect(writer.footerLength! + 12 < source.size)
        let reader = try ParquetFileReader(source: source)
        let read = try reader.readRowGroup(0)
        #expect((0..<3).map { read.row($0) } == (0..<3).map { batch.row($0) })
    }
}

/// A small deterministic generator for test data.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
