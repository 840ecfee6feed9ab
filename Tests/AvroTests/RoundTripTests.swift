@testable import Avro
import Columnar
import LakegateCore
import Testing

/// Write → read through every codec, for every type.
@Suite struct RoundTripTests {
    static let codecs: [AvroCodec] = [.null, .deflate(), .snappy, .zstandard()]

    /// A type, values to write, and what reading gives back (type and values).
    struct Case: Sendable, CustomStringConvertible {
        var type: DataType
        var values: [Value]
        var readType: DataType
        var readValues: [Value]
        var metadata: KeyValueMetadata = [:]
        var description: String { "\(type)" }

        init(_ type: DataType, _ values: [Value], as readType: DataType? = nil, reading: [Value]? = nil, metadata: KeyValueMetadata = [:]) {
            self.type = type
            self.values = values
            self.readType = readType ?? type
            self.readValues = reading ?? values
            self.metadata = metadata
        }
    }

    static let uuidA: [UInt8] = [0x12, 0x3E, 0x45, 0x67, 0xE8, 0x9B, 0x12, 0xD3, 0xA4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00]

    static let cases: [Case] = [
        Case(.boolean, [.bool(true), .bool(false), .bool(true)]),
        Case(.int8, [.int(-128), .int(127), .int(0)], as: .int32),
        Case(.int16, [.int(-32768), .int(32767), .int(1)], as: .int32),
        Case(.int32, [.int(Int64(Int32.min)), .int(Int64(Int32.max)), .int(0)]),
        Case(.int64, [.int(Int64.min), .int(Int64.max), .int(-1)]),
        Case(.uint8, [.uint(0), .uint(255), .uint(7)], as: .int32, reading: [.int(0), .int(255), .int(7)]),
        Case(.uint16, [.uint(0), .uint(65535), .uint(7)], as: .int32, reading: [.int(0), .int(65535), .int(7)]),
        Case(.uint32, [.uint(0), .uint(UInt64(UInt32.max)), .uint(7)], as: .int64, reading: [.int(0), .int(Int64(UInt32.max)), .int(7)]),
        Case(.uint64, [.uint(0), .uint(UInt64(Int64.max)), .uint(7)], as: .int64, reading: [.int(0), .int(Int64.max), .int(7)]),
        Case(.float16, [.double(1.5), .double(-2), .double(65504)], as: .float32),
        Case(.float32, [.double(1.5), .double(.infinity), .double(-0.0)]),
        Case(.float64, [.double(0.1), .double(-1e300), .double(.leastNonzeroMagnitude)]),
        Case(.decimal(precision: 5, scale: 2), [.decimal(12345, scale: 2), .decimal(-99999, scale: 2), .decimal(0, scale: 2)]),
        Case(.decimal(precision: 38, scale: 10), [
            .decimal(Int128("99999999999999999999999999999999999999")!, scale: 10),
            .decimal(-Int128("99999999999999999999999999999999999999")!, scale: 10), .decimal(1, scale: 10),
        ]),
        Case(.decimal(precision: 1, scale: 0), [.decimal(9, scale: 0), .decimal(-9, scale: 0), .decimal(0, scale: 0)]),
        Case(.string, [.string(""), .string("h\u{E9}llo \u{2713}"), .string(String(repeating: "x", count: 1000))]),
        Case(.binary, [.binary([]), .binary([0, 255, 1]), .binary(Array(repeating: 7, count: 300))]),
        Case(.fixedSizeBinary(3), [.binary([1, 2, 3]), .binary([0, 0, 0]), .binary([255, 254, 253])]),
        Case(.fixedSizeBinary(0), [.binary([]), .binary([]), .binary([])]),
        Case(.date, [.date(0), .date(-719_162), .date(2_932_896)]),
        Case(.time(.millisecond), [.time(0, .millisecond), .time(86_399_999, .millisecond), .time(1, .millisecond)]),
        Case(.time(.microsecond), [.time(0, .microsecond), .time(86_399_999_999, .microsecond), .time(1, .microsecond)]),
        Case(.time(.nanosecond), [.time(0, .nanosecond), .time(86_399_999_999_999, .nanosecond), .time(1, .nanosecond)]),
        Case(.uuid, [.binary(uuidA), .binary(Array(repeating: 0, count: 16)), .binary(Array(repeating: 255, count: 16))]),
        Case(.null, [.null, .null, .null]),
        Case(.string, [.string("RED"), .string("BLUE"), .string("RED")], metadata: ["avro.enum.symbols": #"["RED","GREEN","BLUE"]"#]),
        Case(.fixedSizeBinary(12), [.binary(Array(repeating: 1, count: 12)), .binary(Array(repeating: 0, count: 12)), .binary(Array(0..<12))],
             metadata: ["avro.logicalType": "duration"]),
    ] + TimeUnit.allCases.flatMap { unit in
        [true, false].map { utc in
            Case(.timestamp(unit, utc: utc), [.timestamp(0, unit, utc: utc), .timestamp(Int64.min, unit, utc: utc), .timestamp(Int64.max, unit, utc: utc)])
        }
    }

    @Test(arguments: cases, codecs)
    func everyType(_ c: Case, codec: AvroCodec) throws {
        // The same values twice: not nullable, and nullable with nulls between them.
        let nullableValues = c.values.flatMap { [$0, .null] }
        let fields = [
            Field("plain", c.type, nullable: c.type == .null, id: 1, metadata: c.metadata),
            Field("maybe", c.type, nullable: true, id: 2, metadata: c.metadata),
        ]
        let plain = try AvroTestSupport.column(c.type, c.values + c.values)
        let maybe = try AvroTestSupport.column(c.type, nullableValues)
        let batch = try RecordBatch(schema: Schema(fields), columns: [plain, maybe])
        let file = try AvroTestSupport.write(batch.schema, [batch], options: AvroWriteOptions(codec: codec))
        let (schema, batches) = try AvroTestSupport.read(file)
        #expect(schema.fields.map(\.type) == [c.readType, c.readType])
        #expect(schema.fields.map(\.nullable) == [c.type == .null, true])
        #expect(schema.fields.map(\.id) == [1, 2])
        #expect(schema.fields[0].metadata == c.metadata)
        let rows = batches.flatMap { batch in (0..<batch.rowCount).map { batch.row($0) } }
        #expect(AvroTestSupport.columnValues(rows, 0) == c.readValues + c.readValues)
        #expect(AvroTestSupport.columnValues(rows, 1) == c.readValues.flatMap { [$0, .null] })
    }

    @Test func nanAndSignedZeroKeepTheirBits() throws {
        let field = Field("f", .float64, nullable: false)
        let values: [Double] = [.nan, -.nan, -0.0, Double(bitPattern: 0x7FF0_0000_0000_0001)]
        let batch = try AvroTestSupport.batch([field, Field("g", .float32, nullable: false)], columns: [
            values.map { .double($0) }, values.map { .double($0) },
        ])
        let (_, batches) = try AvroTestSupport.read(try AvroTestSupport.write(batch.schema, [batch]))
        batches[0].columns[0].withValues(as: UInt64.self) { read in
            #expect(Array(read) == values.map(\.bitPattern))
        }
        batches[0].columns[1].withValues(as: UInt32.self) { read in
            #expect(Array(read) == values.map { Float($0).bitPattern })
        }
    }

    static let nestedFields: [Field] = [
        Field("id", .int64, nullable: false, id: 1),
        Field("point", .structure([Field("x", .float64, nullable: false, id: 3), Field("label", .string, id: 4)]), id: 2),
        Field("tags", .list(Field("element", .string, nullable: true, id: 6)), nullable: false, id: 5),
        Field("attrs", .map(key: Field("key", .string, nullable: false), value: Field("value", .list(Field("element", .int32, nullable: false)), nullable: true))),
        Field("byId", .map(key: Field("key", .int64, nullable: false, id: 8), value: Field("value", .string, nullable: false, id: 9)), id: 7),
        Field("grid", .list(Field("element", .list(Field("element", .int32, nullable: false)), nullable: false))),
        Field("people", .list(Field("element", .structure([
            Field("name", .string, nullable: false),
            Field("emails", .list(Field("element", .string, nullable: false)), nullable: true),
        ]), nullable: true))),
        Field("deep", .structure([Field("inner", .structure([Field("v", .int32, nullable: false)]), nullable: false)])),
    ]

    static let nestedColumns: [[Value]] = [
        [.int(1), .int(2), .int(3)],
        [.structure([.double(1.5), .string("a")]), .null, .structure([.double(-1), .null])],
        [.list([.string("x"), .null, .string("z")]), .list([]), .list([.null])],
        [.map([.init(key: .string("k"), value: .list([.int(1), .int(2)])), .init(key: .string("n"), value: .null)]), .null, .map([])],
        [.map([.init(key: .int(-5), value: .string("minus five"))]), .map([]), .null],
        [.list([.list([.int(1)]), .list([]), .list([.int(2), .int(3)])]), .null, .list([])],
        [.list([.structure([.string("ann"), .list([.string("a@x")])]), .null, .structure([.string("bob"), .null])]), .list([]), .null],
        [.structure([.structure([.int(7)])]), .null, .structure([.structure([.int(-7)])])],
    ]

    @Test(arguments: codecs)
    func nested(_ codec: AvroCodec) throws {
        let batch = try AvroTestSupport.batch(Self.nestedFields, columns: Self.nestedColumns)
        let file = try AvroTestSupport.write(batch.schema, [batch], options: AvroWriteOptions(codec: codec))
        let (schema, _) = try AvroTestSupport.read(file)
        #expect(schema.fields == Self.nestedFields)
        let rows = try AvroTestSupport.rows(file)
        for (index, column) in Self.nestedColumns.enumerated() {
            #expect(AvroTestSupport.columnValues(rows, index) == column, "column \(Self.nestedFields[index].name)")
        }
    }

    @Test func emptyFiles() throws {
        let schema = Schema([Field("a", .int64), Field("b", .string, nullable: false)], metadata: ["origin": "test"])
        for batches in [[], [try AvroTestSupport.batch(schema.fields, columns: [[], []])]] {
            let file = try AvroTestSupport.write(schema, batches)
            let reader = try AvroFileReader(source: MemoryByteSource(file))
            #expect(reader.schema == schema)
            #expect(try reader.nextBatch() == nil)
            #expect(try reader.nextBatch() == nil)
            #expect(reader.headerSize == file.count)
        }
    }

    @Test func recordsWithoutFields() throws {
        let file = try AvroTestSupport.write(Schema([]), [RecordBatch(emptySchemaRows: 5), RecordBatch(emptySchemaRows: 2)])
        let (schema, batches) = try AvroTestSupport.read(file)
        #expect(schema.fields.isEmpty)
        #expect(batches.map(\.rowCount) == [7])
    }

    @Test func topLevelTypesOtherThanRecords() throws {
        let file = AvroTestSupport.container(
            schema: #"["null","long"]"#, blocks: [(3, [0x02, 0x54, 0x00, 0x02, 0x01])])
        let (schema, batches) = try AvroTestSupport.read(file)
        #expect(schema.fields == [Field("value", .int64, nullable: true)])
        #expect(batches[0].columns[0].value(at: 0) == .int(42))
        #expect(batches[0].columns[0].value(at: 1) == .null)
        #expect(batches[0].columns[0].value(at: 2) == .int(-1))
    }

    /// Many blocks, batches that span blocks, and blocks split over batches.
    @Test(arguments: codecs)
    func bigFiles(_ codec: AvroCodec) throws {
        let n = 100_000
        let fields = [Field("n", .int64, nullable: false), Field("s", .string, nullable: true)]
        let builderN = ColumnBuilder(type: .int64)
        let builderS = ColumnBuilder(type: .string)
        for i in 0..<n {
            builderN.append(fixed: Int64(i) * 7919 - 1_000_000)
            if i % 11 == 0 { builderS.appendNull() } else { builderS.append(string: "row \(i)") }
        }
        let batch = try RecordBatch(schema: Schema(fields), columns: [builderN.finish(), builderS.finish()])
        func check(_ batches: [RecordBatch]) {
            #expect(batches.reduce(0) { $0 + $1.rowCount } == n)
            var i = 0
            for batch in batches {
                for row in 0..<batch.rowCount {
                    if batch.columns[0].value(at: row, as: Int64.self) != Int64(i) * 7919 - 1_000_000 {
                        Issue.record("value \(i) differs")
                        return
                    }
                    let expected: Value = i % 11 == 0 ? .null : .string("row \(i)")
                    if batch.columns[1].value(at: row) != expected {
                        Issue.record("string \(i) differs")
                        return
                    }
                    i += 1
                }
            }
        }
        // Small blocks (many per batch).
        let many = try AvroTestSupport.write(batch.schema, [batch.slice(0..<30_000), batch.slice(30_000..<n)], options: AvroWriteOptions(codec: codec, blockBytes: 16 << 10))
        let (_, manyBatches) = try AvroTestSupport.read(many, options: AvroReadOptions(batchRows: 7_000))
        #expect(manyBatches.dropLast().allSatisfy { $0.rowCount == 7_000 })
        check(manyBatches)
        // One big block (split over batches).
        let one = try AvroTestSupport.write(batch.schema, [batch], options: AvroWriteOptions(codec: codec, blockBytes: 64 << 20))
        let reader = try AvroFileReader(source: MemoryByteSource(one), options: AvroReadOptions(batchRows: 4096))
        check(try reader.readAll())
        #expect(reader.rowsRead == n)
        // A byte budget ends batches early.
        let (_, small) = try AvroTestSupport.read(one, options: AvroReadOptions(batchRows: n, batchBytes: 256 << 10))
        #expect(small.count > 4)
        check(small)
    }

    @Test func writerFlushesBySize() throws {
        let fields = [Field("s", .binary, nullable: false)]
        let values = (0..<100).map { _ in Value.binary(Array(repeating: 1, count: 1000)) }
        let batch = try AvroTestSupport.batch(fields, columns: [values])
        let sink = MemoryByteSink()
        let writer = try AvroFileWriter(sink: sink, schema: batch.schema, options: AvroWriteOptions(blockBytes: 10_000))
        try writer.write(batch)
        #expect(writer.blockCount == 10)
        try writer.close()
        try writer.close()
        #expect(writer.blockCount == 10)
        #expect(writer.rowCount == 100)
        AvroTestSupport.expectError(.invalidArgument) { try writer.write(batch) }
        #expect(try AvroTestSupport.rows(sink.bytes).count == 100)
    }

    @Test func metadataRoundTrips() throws {
        let schema = Schema([Field("a", .int32)], metadata: ["from.schema": "1", "shared": "schema"])
        let file = try AvroTestSupport.write(schema, [], options: AvroWriteOptions(metadata: ["from.options": "2", "shared": "options"], recordName: "ns.Rec"))
        let reader = try AvroFileReader(source: MemoryByteSource(file))
        #expect(reader.schema.metadata["from.schema"] == "1")
        #expect(reader.schema.metadata["from.options"] == "2")
        #expect(reader.schema.metadata["shared"] == "options")
        #expect(reader.metadata["avro.codec"] == "null")
        #expect(reader.avroSchemaJSON.hasPrefix(#"{"type":"record","name":"ns.Rec""#))
    }

    @Test func valuesAvroCannotHoldAreErrors() throws {
        func write(_ field: Field, _ values: [Value]) throws {
            let batch = try AvroTestSupport.batch([field], columns: [values])
            _ = try AvroTestSupport.write(batch.schema, [batch])
        }
        AvroTestSupport.expectError(.invalidArgument) { try write(Field("u", .uint64), [.uint(UInt64(Int64.max) + 1)]) }
        let nullError = AvroTestSupport.expectError(.invalidArgument) {
            let column = try AvroTestSupport.column(.int32, [.int(1), .null])
            let batch = try RecordBatch(schema: Schema([Field("n", .int32, nullable: false)]), columns: [column])
            _ = try AvroTestSupport.write(batch.schema, [batch])
        }
        #expect(nullError?.field == "n")
        AvroTestSupport.expectError(.invalidArgument) {
            try write(Field("e", .string, metadata: ["avro.enum.symbols": #"["A"]"#]), [.string("B")])
        }
        AvroTestSupport.expectError(.invalidArgument) {
            let column = try AvroTestSupport.column(.decimal(precision: 2, scale: 0), [.decimal(1000, scale: 0)])
            let batch = try RecordBatch(schema: Schema([Field("d", .decimal(precision: 2, scale: 0))]), columns: [column])
            _ = try AvroTestSupport.write(batch.schema, [batch])
        }
        AvroTestSupport.expectError(.invalidArgument) {
            _ = try AvroTestSupport.write(Schema([Field("a", .int32)]), [], options: AvroWriteOptions(metadata: ["avro.codec": "x"]))
        }
        AvroTestSupport.expectError(.invalidArgument) {
            _ = try AvroTestSupport.write(Schema([Field("a", .int32)]), [], options: AvroWriteOptions(syncMarker: [1, 2]))
        }
        AvroTestSupport.expectError(.invalidArgument) {
            _ = try AvroTestSupport.write(Schema([Field("a", .int32)]), [], options: AvroWriteOptions(recordName: "bad name"))
        }
        AvroTestSupport.expectError(.invalidArgument) {
            let writer = try AvroFileWriter(sink: MemoryByteSink(), schema: Schema([Field("a", .int32)]))
            try writer.write(try AvroTestSupport.batch([Field("a", .int64)], columns: [[.int(1)]]))
        }
    }

    @Test func codecNames() {
        #expect(AvroCodec(name: "zstd") == .zstandard())
        #expect(AvroCodec(name: "ZSTANDARD") == .zstandard())
        #expect(AvroCodec(name: "none") == .null)
        #expect(AvroCodec(name: "deflate") == .deflate())
        #expect(AvroCodec(name: "snappy")?.name == "snappy")
        #expect(AvroCodec(name: "bzip2") == nil)
    }
}
