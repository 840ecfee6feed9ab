import Columnar
import Foundation
import LakegateCore
import Parquet
import ParquetFormat
import StorageLocal
import Testing

@Suite struct WriteTests {
    typealias S = WriteTestSupport

    static let primitiveFields: [Field] = [
        Field("b", .boolean), Field("i8", .int8), Field("i16", .int16), Field("i32", .int32), Field("i64", .int64),
        Field("u8", .uint8), Field("u16", .uint16), Field("u32", .uint32), Field("u64", .uint64),
        Field("f16", .float16), Field("f32", .float32), Field("f64", .float64),
        Field("d5", .decimal(precision: 5, scale: 2)), Field("d15", .decimal(precision: 15, scale: 3)),
        Field("d30", .decimal(precision: 30, scale: 4)), Field("s", .string), Field("bin", .binary),
        Field("fsb", .fixedSizeBinary(3)), Field("date", .date), Field("tms", .time(.millisecond)),
        Field("tus", .time(.microsecond)), Field("tns", .time(.nanosecond)),
        Field("tsms", .timestamp(.millisecond, utc: false)), Field("tsus", .timestamp(.microsecond, utc: true)),
        Field("tsns", .timestamp(.nanosecond, utc: true)), Field("uuid", .uuid), Field("n", .null),
        Field("req", .int64, nullable: false),
    ]

    static let primitiveRows: [[Value]] = [
        [.bool(true), .int(-128), .int(-32768), .int(Int64(Int32.min)), .int(.min), .uint(0), .uint(0), .uint(0), .uint(0),
         .double(1.5), .double(-2.5), .double(-0.0), .decimal(-12345, scale: 2), .decimal(123_456_789_012_345, scale: 3),
         .decimal(-Int128(10).power(29) + 1, scale: 4), .string("héllo"), .binary([0, 255]), .binary([1, 2, 3]),
         .date(-719162), .time(0, .millisecond), .time(1, .microsecond), .time(86_399_999_999_999, .nanosecond),
         .timestamp(-1, .millisecond, utc: false), .timestamp(1_700_000_000_123_456, .microsecond, utc: true),
         .timestamp(1, .nanosecond, utc: true), .binary(Array(0..<16)), .null, .int(7)],
        [.null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null,
         .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .int(8)],
        [.bool(false), .int(127), .int(32767), .int(Int64(Int32.max)), .int(.max), .uint(255), .uint(65535),
         .uint(UInt64(UInt32.max)), .uint(.max), .double(-0.0), .double(.infinity), .double(0.0),
         .decimal(99999, scale: 2), .decimal(-999_999_999_999_999_999, scale: 3),
         .decimal(Int128(10).power(29) - 1, scale: 4), .string(""), .binary([]), .binary([255, 255, 255]),
         .date(2_932_896), .time(86_399_999, .millisecond), .time(86_399_999_999, .microsecond), .time(5, .nanosecond),
         .timestamp(1_000, .millisecond, utc: false), .timestamp(.min + 1, .microsecond, utc: true),
         .timestamp(.max, .nanosecond, utc: true), .binary(Array(repeating: 0xAB, count: 16)), .null, .int(9)],
    ]

    static func primitiveBatch() throws -> RecordBatch {
        let columns = (0..<primitiveFields.count).map { c in primitiveRows.map { $0[c] } }
        return try S.batch(primitiveFields, columns)
    }

    @Test func writesEveryPrimitiveType() throws {
        let batch = try Self.primitiveBatch()
        for options in [
            ParquetWriteOptions(), ParquetWriteOptions(dictionary: false),
            ParquetWriteOptions(dataPageVersion: .v2, integerEncoding: .deltaBinaryPacked),
        ] {
            let bytes = try S.write(batch.schema, [batch], options: options)
            let footer = try S.footer(bytes)
            #expect(footer.numRows == 3)
            #expect(footer.rowGroups.count == 1)
            #expect(footer.schema.count == Self.primitiveFields.count + 1)
            if let directory = ProcessInfo.processInfo.environment["LAKEGATE_WRITE_SAMPLES"] {
                let name = options.dictionary ? (options.dataPageVersion == .v2 ? "v2" : "dict") : "plain"
                try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/primitives-\(name).parquet"))
            }
        }
    }
}

extension Int128 {
    fileprivate func power(_ n: Int) -> Int128 {
        var result: Int128 = 1
        for _ in 0..<n { result *= self }
        return result
    }
}
