import Testing
@testable import Columnar

@Suite struct ColumnBuilderTests {
    @Test func flatColumnWithNullsKeepsValuesAndValidity() throws {
        let builder = ColumnBuilder(type: .int64)
        builder.append(fixed: Int64(7))
        builder.appendNull()
        builder.append(fixed: Int64(-3))
        let column = builder.finish()
        try column.validate()
        #expect(column.count == 3)
        #expect(column.nullCount == 1)
        #expect(column.values.count == 24)
        #expect(column.value(at: 0) == .int(7))
        #expect(column.value(at: 1) == .null)
        #expect(column.value(at: 2) == .int(-3))
    }

    @Test func stringsShareOneDataBufferWithOffsets() throws {
        let builder = ColumnBuilder(type: .string)
        builder.append(string: "ab")
        builder.appendNull()
        builder.append(string: "")
        builder.append(string: "☃")
        let column = builder.finish()
        try column.validate()
        #expect(column.offsets == [0, 2, 2, 2, 5])
        #expect(column.values == Array("ab☃".utf8))
        #expect(column.string(at: 3) == "☃")
        #expect(column.value(at: 1) == .null)
    }

    @Test func nestedListOfStructsRoundTripsThroughValues() throws {
        let element = Field("item", .structure([Field("a", .int32), Field("b", .string)]))
        let type = DataType.list(element)
        let rows: [Value] = [
            .list([.structure([.int(1), .string("x")]), .structure([.null, .null])]),
            .null,
            .list([]),
            .list([.null]),
        ]
        let builder = ColumnBuilder(type: type)
        for row in rows { try builder.append(row) }
        let column = builder.finish()
        try column.validate()
        #expect(column.offsets == [0, 2, 2, 2, 3])
        #expect(column.children[0].count == 3)
        for (i, row) in rows.enumerated() { #expect(column.value(at: i) == row) }
        let slice = column.slice(1..<4)
        #expect(slice.value(at: 0) == .null)
        #expect(slice.value(at: 2) == .list([.null]))
    }

    @Test func truncateTakesBackValuesOfEveryShape() throws {
        let element = Field("item", .structure([Field("a", .int32), Field("b", .string)]))
        let type = DataType.structure([Field("id", .int64), Field("tags", .list(element)), Field("name", .string)])
        let kept: [Value] = [
            .structure([.int(1), .list([.structure([.int(1), .string("x")])]), .string("one")]),
            .null,
            .structure([.int(3), .list([]), .null]),
        ]
        let dropped: [Value] = [
            .structure([.int(4), .list([.structure([.int(2), .string("yy")]), .null]), .string("four")]),
            .structure([.null, .null, .string("five")]),
        ]
        let builder = ColumnBuilder(type: type)
        for row in kept + dropped { try builder.append(row) }
        builder.truncate(to: kept.count)
        // Appending after a truncation continues from the kept values.
        let last = Value.structure([.int(6), .list([.structure([.null, .string("z")])]), .string("six")])
        try builder.append(last)
        let column = builder.finish()
        try column.validate()
        #expect(column.count == 4)
        #expect(column.nullCount == 1)
        for (i, row) in (kept + [last]).enumerated() { #expect(column.value(at: i) == row) }
    }

    @Test func mapKeepsEntryOrder() throws {
        let type = DataType.map(key: Field("key", .string, nullable: false), value: Field("value", .int64))
        let row = Value.map([.init(key: .string("b"), value: .int(2)), .init(key: .string("a"), value: .null)])
        let builder = ColumnBuilder(type: type)
        try builder.append(row)
        builder.appendNull()
        let column = builder.finish()
        try column.validate()
        #expect(column.value(at: 0) == row)
        #expect(column.isNull(1))
    }

    @Test func appendingTheWrongKindOfValueIsATypedError() {
        let builder = ColumnBuilder(type: .int8)
        #expect(throws: ColumnarError.self) { try builder.append(.string("x")) }
        #expect(throws: ColumnarError.self) { try builder.append(.int(300)) }
    }

    @Test func layoutValidationRejectsInconsistentBuffers() {
        #expect(throws: ColumnarError.self) {
            _ = try Column(type: .string, count: 2, values: [1, 2], offsets: [0, 3, 1])
        }
        #expect(throws: ColumnarError.self) {
            _ = try Column(type: .int32, count: 3, values: [0, 0, 0, 0])
        }
    }

    @Test func recordBatchChecksLengthsAndTypes() throws {
        let a = try Column(type: .int32, count: 1, values: [1, 0, 0, 0])
        let b = try Column(type: .int32, count: 2, values: [1, 0, 0, 0, 2, 0, 0, 0])
        #expect(throws: ColumnarError.self) {
            _ = try RecordBatch(schema: Schema([Field("a", .int32), Field("b", .int32)]), columns: [a, b])
        }
        #expect(throws: ColumnarError.self) {
            _ = try RecordBatch(schema: Schema([Field("a", .int64)]), columns: [a])
        }
        let batch = try RecordBatch(schema: Schema([Field("b", .int32)]), columns: [b])
        #expect(batch.row(1) == [.int(2)])
    }
}

@Suite struct BitmapTests {
    @Test func packsLeastSignificantBitFirst() {
        var bitmap = Bitmap()
        for value in [true, false, true, true, false, false, false, false, true] { bitmap.append(value) }
        #expect(bitmap.bytes == [0b0000_1101, 0b0000_0001])
        #expect(bitmap.setCount == 4)
        let fromBytes = [UInt8]([1, 0, 1, 1, 0, 0, 0, 0, 1]).withUnsafeBufferPointer { Bitmap(bools: $0) }
        #expect(fromBytes == bitmap)
    }
}

@Suite struct TextFormattingTests {
    @Test func calendarConversionsRoundTrip() {
        #expect(TextFormatting.civil(fromDays: 0) == (1970, 1, 1))
        #expect(TextFormatting.civil(fromDays: -1) == (1969, 12, 31))
        #expect(TextFormatting.civil(fromDays: 11016) == (2000, 2, 29))
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, d) = TextFormatting.civil(fromDays: days)
            #expect(TextFormatting.days(fromCivil: y, m, d) == days)
        }
    }

    private func text(_ body: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        body(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func temporalValuesUseTheUnitsDigits() {
        #expect(text { TextFormatting.appendTimestamp(1_500, unit: .millisecond, utc: true, to: &$0) } == "1970-01-01T00:00:01.500Z")
        #expect(text { TextFormatting.appendTimestamp(-1, unit: .microsecond, utc: false, to: &$0) } == "1969-12-31T23:59:59.999999")
        #expect(text { TextFormatting.appendTimestamp(86_400_000_000_123, unit: .nanosecond, utc: true, to: &$0) } == "1970-01-02T00:00:00.000000123Z")
        #expect(text { TextFormatting.appendTime(3_723_004, unit: .millisecond, to: &$0) } == "01:02:03.004")
        #expect(text { TextFormatting.appendDate(days: 19_000, to: &$0) } == "2022-01-08")
    }

    @Test func decimalsKeepTheirExactScale() {
        #expect(text { TextFormatting.appendDecimal(12345, scale: 2, to: &$0) } == "123.45")
        #expect(text { TextFormatting.appendDecimal(-5, scale: 3, to: &$0) } == "-0.005")
        #expect(text { TextFormatting.appendDecimal(0, scale: 2, to: &$0) } == "0.00")
        #expect(text { TextFormatting.appendDecimal(42, scale: 0, to: &$0) } == "42")
        let big = Int128("99999999999999999999999999999999999999")!
        #expect(text { TextFormatting.appendDecimal(-big, scale: 10, to: &$0) } == "-9999999999999999999999999999.9999999999")
    }

    @Test func base64AndUUIDAndJSONEscapes() {
        #expect(text { out in [UInt8]("foobar".utf8).withUnsafeBytes { TextFormatting.appendBase64($0, to: &out) } } == "Zm9vYmFy")
        #expect(text { out in [UInt8]("fo".utf8).withUnsafeBytes { TextFormatting.appendBase64($0, to: &out) } } == "Zm8=")
        let id: [UInt8] = [0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00]
        #expect(text { out in id.withUnsafeBytes { TextFormatting.appendUUID($0, to: &out) } } == "123e4567-e89b-12d3-a456-426614174000")
        #expect(text { out in [UInt8]("a\"\n\u{01}".utf8).withUnsafeBytes { TextFormatting.appendJSONString($0, to: &out) } } == "\"a\\\"\\n\\u0001\"")
        #expect(text { out in [UInt8]([0x61, 0xFF]).withUnsafeBytes { TextFormatting.appendJSONString($0, to: &out) } } == "\"a\u{FFFD}\"")
    }

    @Test func jsonLinesSpellEveryKindOfValue() throws {
        let schema = Schema([
            Field("f", .float64), Field("n", .float64), Field("ts", .timestamp(.microsecond, utc: true)),
            Field("l", .list(Field("element", .int32))),
            Field("m", .map(key: Field("key", .string, nullable: false), value: Field("value", .boolean))),
        ])
        let builders = schema.fields.map { ColumnBuilder(type: $0.type) }
        try builders[0].append(.double(0.1))
        try builders[1].append(.double(.nan))
        try builders[2].append(.timestamp(1, .microsecond, utc: true))
        try builders[3].append(.list([.int(1), .null]))
        try builders[4].append(.map([.init(key: .string("k"), value: .bool(true))]))
        let batch = try RecordBatch(schema: schema, columns: builders.map { $0.finish() })
        var out: [UInt8] = []
        JSONLinesEncoder().encode(batch, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == """
            {"f":0.1,"n":"NaN","ts":"1970-01-01T00:00:00.000001Z","l":[1,null],"m":[{"key":"k","value":true}]}\n
            """)
        var csv: [UInt8] = []
        CSVEncoder().encodeHeader(schema, to: &csv)
        CSVEncoder().encode(batch, to: &csv)
        #expect(String(decoding: csv, as: UTF8.self) == """
            f,n,ts,l,m
            0.1,NaN,1970-01-01T00:00:00.000001Z,"[1,null]","[{""key"":""k"",""value"":true}]"\n
            """)
    }
}

@Suite struct DataTypeParsingTests {
    @Test func everyDescriptionParsesBack() {
        let types: [DataType] = [
            .boolean, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float16, .float32, .float64,
            .decimal(precision: 38, scale: 9), .string, .binary, .fixedSizeBinary(16), .date, .time(.millisecond),
            .time(.nanosecond), .timestamp(.microsecond, utc: true), .timestamp(.nanosecond, utc: false), .uuid,
            .list(Field("element", .string)),
            .structure([Field("a", .int32), Field("b c", .list(Field("element", .date)))]),
            .map(key: Field("key", .string, nullable: false), value: Field("value", .int64)),
        ]
        for type in types {
            #expect(DataType(parsing: type.description) == type, "\(type)")
        }
    }

    @Test func aliasesAndErrors() {
        #expect(DataType(parsing: "timestamptz") == .timestamp(.microsecond, utc: true))
        #expect(DataType(parsing: "DOUBLE") == .float64)
        #expect(DataType(parsing: "text") == .string)
        #expect(DataType(parsing: "decimal(39, 2)") == nil)
        #expect(DataType(parsing: "list<int64") == nil)
        #expect(DataType(parsing: "int64 extra") == nil)
        #expect(DataType(parsing: "struct<>") == nil)
    }
}
