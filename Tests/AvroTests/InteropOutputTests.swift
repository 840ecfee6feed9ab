@testable import Avro
import Columnar
import Foundation
import LakegateCore
import Testing

/// Files for fastavro to read: one per codec with every type, and the values fastavro should
/// see, in the canonical JSON of `Fixtures/make_fixtures.py --check`. They are written to the
/// directory named by LAKEGATE_AVRO_OUT (when set); the check is run by hand:
///
///     LAKEGATE_AVRO_OUT=/tmp/avro-out swift test --filter AvroTests.InteropOutputTests
///     .venv/bin/python Tests/AvroTests/Fixtures/make_fixtures.py --check /tmp/avro-out
@Suite struct InteropOutputTests {
    static let uuid: [UInt8] = [0x12, 0x3E, 0x45, 0x67, 0xE8, 0x9B, 0x12, 0xD3, 0xA4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00]

    /// Every type, with values inside what Python's datetime can hold.
    static let columns: [(Field, [Value])] = [
        (Field("bool", .boolean, nullable: false), [.bool(true), .bool(false), .bool(true)]),
        (Field("i8", .int8), [.int(-128), .null, .int(127)]),
        (Field("i16", .int16, nullable: false), [.int(-32768), .int(0), .int(32767)]),
        (Field("i32", .int32, id: 3), [.int(Int64(Int32.min)), .int(Int64(Int32.max)), .null]),
        (Field("i64", .int64, nullable: false), [.int(Int64.min), .int(Int64.max), .int(0)]),
        (Field("u8", .uint8), [.uint(255), .null, .uint(0)]),
        (Field("u16", .uint16), [.uint(65535), .uint(1), .null]),
        (Field("u32", .uint32), [.uint(UInt64(UInt32.max)), .uint(2), .null]),
        (Field("u64", .uint64), [.uint(UInt64(Int64.max)), .uint(3), .null]),
        (Field("f16", .float16), [.double(1.5), .double(-65504), .null]),
        (Field("f32", .float32, nullable: false), [.double(3.25), .double(-.infinity), .double(-0.0)]),
        (Field("f64", .float64), [.double(0.1), .double(.greatestFiniteMagnitude), .null]),
        (Field("dec", .decimal(precision: 9, scale: 2)), [.decimal(12345, scale: 2), .decimal(-1, scale: 2), .null]),
        (Field("dec38", .decimal(precision: 38, scale: 0), nullable: false), [
            .decimal(Int128("99999999999999999999999999999999999999")!, scale: 0),
            .decimal(-Int128("99999999999999999999999999999999999999")!, scale: 0), .decimal(0, scale: 0),
        ]),
        (Field("str", .string), [.string("h\u{E9}llo \u{2713}"), .string(""), .null]),
        (Field("bin", .binary), [.binary([0, 255]), .binary([]), .null]),
        (Field("fixed", .fixedSizeBinary(4), nullable: false), [.binary([1, 2, 3, 4]), .binary([0, 0, 0, 0]), .binary([255, 0, 255, 0])]),
        (Field("enum", .string, metadata: ["avro.enum.symbols": #"["RED","GREEN"]"#]), [.string("GREEN"), .null, .string("RED")]),
        (Field("date", .date), [.date(19782), .date(-25567), .null]),
        (Field("time_ms", .time(.millisecond)), [.time(49_530_123, .millisecond), .time(0, .millisecond), .null]),
        (Field("time_us", .time(.microsecond)), [.time(86_399_999_999, .microsecond), .time(1, .microsecond), .null]),
        (Field("time_ns", .time(.nanosecond)), [.time(86_399_999_999_999, .nanosecond), .time(1, .nanosecond), .null]),
        (Field("ts_ms", .timestamp(.millisecond, utc: true)), [.timestamp(1_709_208_000_123, .millisecond, utc: true), .timestamp(-1, .millisecond, utc: true), .null]),
        (Field("ts_us", .timestamp(.microsecond, utc: true)), [.timestamp(1_709_208_000_123_456, .microsecond, utc: true), .timestamp(-62_135_596_800_000_000, .microsecond, utc: true), .null]),
        (Field("ts_ns", .timestamp(.nanosecond, utc: true)), [.timestamp(1_700_000_000_123_456_789, .nanosecond, utc: true), .timestamp(-1, .nanosecond, utc: true), .null]),
        (Field("lts_ms", .timestamp(.millisecond, utc: false)), [.timestamp(946_684_800_001, .millisecond, utc: false), .timestamp(0, .millisecond, utc: false), .null]),
        (Field("lts_us", .timestamp(.microsecond, utc: false)), [.timestamp(253_402_300_799_999_999, .microsecond, utc: false), .timestamp(-1, .microsecond, utc: false), .null]),
        (Field("uuid", .uuid), [.binary(uuid), .binary(Array(repeating: 0, count: 16)), .null]),
        (Field("nothing", .null), [.null, .null, .null]),
        (Field("list", .list(Field("element", .int64, nullable: true, id: 101)), id: 100), [.list([.int(1), .null, .int(3)]), .list([]), .null]),
        (Field("struct", .structure([Field("a", .int32, nullable: false), Field("b", .string)])), [
            .structure([.int(1), .string("x")]), .null, .structure([.int(2), .null]),
        ]),
        (Field("map", .map(key: Field("key", .string, nullable: false), value: Field("value", .float64, nullable: true))), [
            .map([.init(key: .string("a"), value: .double(1)), .init(key: .string("b"), value: .null)]), .map([]), .null,
        ]),
        (Field("int_map", .map(key: Field("key", .int32, nullable: false, id: 201), value: Field("value", .string, nullable: false, id: 202)), id: 200), [
            .map([.init(key: .int(7), value: .string("seven"))]), .null, .map([]),
        ]),
        (Field("nested", .list(Field("element", .structure([
            Field("tags", .list(Field("element", .string, nullable: false)), nullable: false),
        ]), nullable: true))), [.list([.structure([.list([.string("t")])]), .null]), .list([]), .null]),
    ]

    @Test(arguments: RoundTripTests.codecs)
    func writesFilesForFastavro(_ codec: AvroCodec) throws {
        let fields = Self.columns.map(\.0)
        let batch = try RecordBatch(schema: Schema(fields), columns: Self.columns.map { try AvroTestSupport.column($0.0.type, $0.1) })
        let file = try AvroTestSupport.write(batch.schema, [batch], options: AvroWriteOptions(codec: codec))
        // Our own reader agrees first.
        let rows = try AvroTestSupport.rows(file)
        #expect(rows.count == 3)
        var rowsJSON: [String] = []
        for row in 0..<3 {
            let members = Self.columns.map { column in AvroJSON.string(column.0.name) + ":" + Self.canonical(column.1[row], column.0.type) }
            rowsJSON.append("{" + members.joined(separator: ",") + "}")
        }
        guard let directory = ProcessInfo.processInfo.environment["LAKEGATE_AVRO_OUT"] else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: directory).appendingPathComponent(codec.name)
        try Data(file).write(to: base.appendingPathExtension("avro"))
        let expected = #"{"codec":"\#(codec.name)","rows":[\#(rowsJSON.joined(separator: ","))]}"#
        try Data(expected.utf8).write(to: base.appendingPathExtension("json"))
    }

    /// A value in the canonical JSON of make_fixtures.py's `plain()`.
    static func canonical(_ value: Value, _ type: DataType) -> String {
        if value == .null { return "null" }
        switch (value, type) {
        case (.bool(let b), _): return b ? "true" : "false"
        case (.int(let v), .time(.millisecond)): return #"{"time_us":\#(v * 1000)}"#
        case (.int(let v), _): return String(v)
        case (.uint(let v), _): return String(v)
        case (.double(let d), _):
            let bits = type == .float64 ? d.bitPattern : Double(Float(d)).bitPattern
            return #""f:\#(String(bits, radix: 16))""#
        case (.decimal(let v, let scale), _): return #"{"decimal":"\#(v)","scale":\#(scale)}"#
        case (.string(let s), _): return AvroJSON.string(s)
        case (.binary(let b), .uuid): return AvroJSON.string(uuidText(b))
        case (.binary(let b), _): return #"{"hex":"\#(b.map { String(format: "%02x", $0) }.joined())"}"#
        case (.date(let d), _): return #"{"date":\#(d)}"#
        case (.time(let v, .millisecond), _): return #"{"time_us":\#(v * 1000)}"#
        case (.time(let v, .microsecond), _): return #"{"time_us":\#(v)}"#
        case (.time(let v, _), _): return String(v)  // time-nanos: fastavro sees a long
        case (.timestamp(let v, let unit, let utc), _):
            let key = utc ? "ts_us" : "local_us"
            switch unit {
            case .millisecond: return #"{"\#(key)":\#(v * 1000)}"#
            case .microsecond: return #"{"\#(key)":\#(v)}"#
            case .nanosecond: return String(v)  // timestamp-nanos: not known to fastavro 1.12
            }
        case (.list(let items), .list(let element)):
            return "[" + items.map { canonical($0, element.type) }.joined(separator: ",") + "]"
        case (.structure(let values), .structure(let fields)):
            return "{" + zip(fields, values).map { AvroJSON.string($0.name) + ":" + canonical($1, $0.type) }.joined(separator: ",") + "}"
        case (.map(let entries), .map(let key, let valueField)):
            if key.type == .string {
                return "{" + entries.map { canonical($0.key, .string) + ":" + canonical($0.value, valueField.type) }.joined(separator: ",") + "}"
            }
            return "[" + entries.map { #"{"key":\#(canonical($0.key, key.type)),"value":\#(canonical($0.value, valueField.type))}"# }.joined(separator: ",") + "]"
        default:
            return "\"unexpected\""
        }
    }

    static func uuidText(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { ColumnEncoder.appendUUID($0, to: &out) }
        return String(decoding: out.dropFirst(), as: UTF8.self)
    }
}
