import Columnar
import LakegateCore
import Parquet
import Testing

@Suite struct WriteGrowingSchemaTests {
    /// Rows written before a field was added read back as nulls in it, in flushed row groups
    /// and in the buffered one alike; nested added fields work too.
    @Test func addedFieldsAreNullInEarlierRows() throws {
        let id = Field("id", .int64)
        let tags = Field("tags", .list(Field("element", .string)))
        let note = Field("note", .string)
        let writer = try ParquetFileWriter(sink: MemoryByteSink(), schema: Schema([id]))
        try writer.write(WriteTestSupport.batch([id], [[.int(1), .int(2)]]))
        try writer.flushRowGroup()
        try writer.write(WriteTestSupport.batch([id], [[.int(3)]]))
        try writer.addFields([tags, note])
        try writer.write(
            WriteTestSupport.batch(
                [id, tags, note], [[.int(4)], [.list([.string("a"), .null])], [.string("four")]]))
        try writer.close()
        #expect(writer.rowGroups.count == 2)
        #expect(writer.rowGroups.allSatisfy { $0.columns.count == 3 })

        let bytes = (writer.sink as! MemoryByteSink).bytes
        let reader = try ParquetFileReader(source: MemoryByteSource(bytes), path: nil)
        #expect(reader.schema.fields.map(\.name) == ["id", "tags", "note"])
        var rows: [[Value]] = []
        for group in 0..<reader.rowGroupCount {
            let batch = try reader.readRowGroup(group)
            rows += (0..<batch.rowCount).map { batch.row($0) }
        }
        #expect(rows == [
            [.int(1), .null, .null],
            [.int(2), .null, .null],
            [.int(3), .null, .null],
            [.int(4), .list([.string("a"), .null]), .string("four")],
        ])
    }

    @Test func addedFieldsMustBeNullable() throws {
        let writer = try ParquetFileWriter(sink: MemoryByteSink(), schema: Schema([Field("id", .int64)]))
        #expect(throws: ParquetError.self) { try writer.addFields([Field("x", .int64, nullable: false)]) }
    }
}
