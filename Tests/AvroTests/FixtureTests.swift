@testable import Avro
import Columnar
import Foundation
import LakegateCore
import Testing

/// Files written by fastavro 1.12.1 (`Fixtures/make_fixtures.py`), read value by value.
@Suite struct FixtureTests {
    /// Every fixture has a test here; a new file without one fails the suite.
    @Test func everyFixtureIsChecked() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".avro") }
        #expect(Set(files) == ["primitives_null.avro", "logical_deflate.avro", "nested_snappy.avro", "many_blocks_zstandard.avro"])
    }

    private func read(_ name: String) throws -> (AvroFileReader, [[Value]]) {
        let bytes = try AvroTestSupport.fixture(name)
        let reader = try AvroFileReader(source: MemoryByteSource(bytes), path: name)
        let rows = try reader.readAll().flatMap { batch in (0..<batch.rowCount).map { batch.row($0) } }
        #expect(reader.schema.metadata["lakegate.fixture"] == name)
        return (reader, rows)
    }

    @Test func primitives() throws {
        let (reader, rows) = try read("primitives_null.avro")
        #expect(reader.codec == .null)
        #expect(reader.schema.fields == [
            Field("b", .boolean, nullable: false, id: 1), Field("i", .int32, nullable: false, id: 2),
            Field("l", .int64, nullable: false), Field("f", .float32, nullable: false), Field("d", .float64, nullable: false),
            Field("by", .binary, nullable: false), Field("s", .string, nullable: false),
            Field("fx", .fixedSizeBinary(4), nullable: false),
            Field("e", .string, nullable: false, metadata: ["avro.enum.symbols": #"["RED","GREEN","BLUE"]"#]),
            Field("ni", .int32, nullable: true), Field("ns", .string, nullable: true),
        ])
        #expect(rows == [
            [.bool(true), .int(0), .int(0), .double(1.5), .double(-2.25), .binary([]), .string(""), .binary([0, 1, 2, 3]),
             .string("RED"), .null, .string("x")],
            [.bool(false), .int(Int64(Int32.min)), .int(Int64.max), .double(.infinity), .double(1e300), .binary([0xFF, 0]),
             .string("h\u{E9}llo \u{2713}"), .binary(Array("abcd".utf8)), .string("BLUE"), .int(Int64(Int32.max)), .null],
            [.bool(true), .int(64), .int(Int64.min), .double(-0.0), .double(0.1), .binary(Array("bytes".utf8)),
             .string(String(repeating: "a", count: 200)), .binary([255, 255, 255, 255]), .string("GREEN"), .int(-1), .string("")],
        ])
    }

    @Test func logicalTypes() throws {
        let (reader, rows) = try read("logical_deflate.avro")
        #expect(reader.codec == .deflate())
        #expect(reader.schema.fields.map(\.type) == [
            .decimal(precision: 10, scale: 2), .decimal(precision: 20, scale: 4), .uuid, .date, .time(.millisecond),
            .time(.microsecond), .timestamp(.millisecond, utc: true), .timestamp(.microsecond, utc: true),
            .timestamp(.nanosecond, utc: true), .timestamp(.millisecond, utc: false), .timestamp(.microsecond, utc: false),
            .fixedSizeBinary(12), .uuid, .decimal(precision: 38, scale: 0),
        ])
        #expect(reader.schema.fields[11].metadata["avro.logicalType"] == "duration")
        let uuid: [UInt8] = [0x12, 0x3E, 0x45, 0x67, 0xE8, 0x9B, 0x12, 0xD3, 0xA4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00]
        #expect(rows == [
            [.decimal(1_234_567_890, scale: 2), .decimal(Int128("-12345678901234567890")!, scale: 4), .binary(uuid),
             .date(19782), .time(49_530_123, .millisecond), .time(86_399_999_999, .microsecond),
             .timestamp(1_709_208_000_123, .millisecond, utc: true), .timestamp(-1, .microsecond, utc: true),
             .timestamp(1_700_000_000_123_456_789, .nanosecond, utc: true),
             .timestamp(946_684_800_001, .millisecond, utc: false), .timestamp(946_684_800_000_001, .microsecond, utc: false),
             .binary([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]), .binary(Array(0..<16)),
             .decimal(Int128("99999999999999999999999999999999999999")!, scale: 0)],
            [.decimal(-1, scale: 2), .decimal(0, scale: 4), .binary(Array(repeating: 0xFF, count: 16)), .date(-25567),
             .time(0, .millisecond), .time(1, .microsecond), .timestamp(0, .millisecond, utc: true),
             .timestamp(9_223_286_400_000_000, .microsecond, utc: true), .timestamp(-1, .nanosecond, utc: true),
             .timestamp(0, .millisecond, utc: false), .timestamp(-1_000_000, .microsecond, utc: false),
             .binary(Array(repeating: 0, count: 12)), .binary(Array(repeating: 0xFF, count: 16)), .null],
        ])
    }

    @Test func nested() throws {
        let (reader, rows) = try read("nested_snappy.avro")
        #expect(reader.codec == .snappy)
        let point = DataType.structure([Field("x", .float64, nullable: false, id: 3), Field("y", .float64, nullable: false, id: 4)])
        #expect(reader.schema.fields == [
            Field("id", .int64, nullable: false, id: 1),
            Field("point", point, nullable: true, id: 2),
            Field("other", point, nullable: false, id: 5),
            Field("tags", .list(Field("element", .string, nullable: false, id: 7)), nullable: false, id: 6),
            Field("attrs", .map(key: Field("key", .string, nullable: false, id: 9), value: Field("value", .int64, nullable: true, id: 10)), nullable: false, id: 8),
            Field("points", .list(Field("element", point, nullable: true)), nullable: false),
            Field("matrix", .map(key: Field("key", .string, nullable: false), value: Field("value", .list(Field("element", .int32, nullable: false)), nullable: false)), nullable: false),
            Field("int_map", .map(key: Field("key", .int32, nullable: false, id: 12), value: Field("value", .string, nullable: false, id: 13)), nullable: false, id: 11),
        ])
        #expect(rows == [
            [.int(1), .structure([.double(1), .double(2)]), .structure([.double(-1), .double(-2)]), .list([.string("a"), .string("b")]),
             .map([.init(key: .string("k"), value: .int(1)), .init(key: .string("n"), value: .null)]),
             .list([.structure([.double(0.5), .double(0.25)]), .null]),
             .map([.init(key: .string("m"), value: .list([.int(1), .int(2), .int(3)]))]),
             .map([.init(key: .int(7), value: .string("seven"))])],
            [.int(2), .null, .structure([.double(0), .double(0)]), .list([]), .map([]), .list([]),
             .map([.init(key: .string("e"), value: .list([])), .init(key: .string("f"), value: .list([.int(-1)]))]), .map([])],
        ])
    }

    @Test func manyBlocks() throws {
        let bytes = try AvroTestSupport.fixture("many_blocks_zstandard.avro")
        let reader = try AvroFileReader(source: MemoryByteSource(bytes), options: AvroReadOptions(batchRows: 1000))
        #expect(reader.codec == .zstandard())
        let batches = try reader.readAll()
        #expect(batches.map(\.rowCount) == [1000, 1000, 1000])
        var n = 0
        for batch in batches {
            for row in 0..<batch.rowCount {
                #expect(batch.row(row) == [.int(Int64(n)), n % 7 == 0 ? .null : .string("row \(n)")])
                n += 1
            }
        }
    }
}
