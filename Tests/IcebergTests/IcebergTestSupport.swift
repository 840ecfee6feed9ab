import Columnar
import Foundation
@testable import Iceberg
import LakegateCore

/// Helpers shared by the Iceberg tests.
enum IcebergTestSupport {
    /// The bytes of a fixture file (written by pyiceberg 0.12.0, see Fixtures/make_fixtures.py).
    static func fixture(_ name: String, filePath: String = #filePath) throws -> [UInt8] {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + name)
        return Array(try Data(contentsOf: url))
    }

    static func column(_ type: DataType, _ values: [Value]) throws -> Column {
        let builder = ColumnBuilder(type: type)
        for value in values { try builder.append(value) }
        return builder.finish()
    }

    /// Days since the epoch of a civil date.
    static func days(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        TextFormatting.days(fromCivil: year, month, day)
    }

    /// Microseconds since the epoch of a UTC civil time.
    static func micros(_ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64 = 0, _ minute: Int64 = 0, _ second: Int64 = 0) -> Int64 {
        ((days(year, month, day) * 24 + hour) * 3600 + minute * 60 + second) * 1_000_000
    }

    static let sync: [UInt8] = Array(0..<16)

    /// The schema of pyiceberg's fixture table, as a Columnar schema.
    static let eventsColumnar = Schema([
        Field("id", .int64, nullable: false),
        Field("event_time", .timestamp(.microsecond, utc: true)),
        Field("name", .string),
        Field("price", .decimal(precision: 10, scale: 2)),
        Field("tags", .list(Field("element", .string))),
        Field("attrs", .map(key: Field("key", .string, nullable: false), value: Field("value", .int64))),
        Field("loc", .structure([Field("lat", .float64), Field("lon", .float64)])),
    ])
}
