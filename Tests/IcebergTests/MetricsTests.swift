import Columnar
@testable import Iceberg
import Testing

@Suite struct MetricsTests {
    typealias S = IcebergTestSupport

    @Test func metricsOfBatches() throws {
        let schema = try IcebergSchema(columnar: S.eventsColumnar)
        let columnar = schema.columnarSchema()
        func batch(_ rows: [[Value]]) throws -> RecordBatch {
            let builders = columnar.fields.map { ColumnBuilder(type: $0.type) }
            for row in rows { for (builder, value) in zip(builders, row) { try builder.append(value) } }
            return try RecordBatch(schema: columnar, columns: builders.map { $0.finish() })
        }
        var metrics = ColumnMetrics(schema: schema, truncateLength: 4)
        try metrics.add(batch([
            [.int(10), .timestamp(5, .microsecond, utc: true), .string("abcdef"), .decimal(2420, scale: 2),
             .list([.string("a"), .null]), .map([.init(key: .string("k"), value: .int(1))]), .structure([.double(.nan), .double(1)])],
            [.int(12), .null, .string("abd\u{10FFFF}zz"), .decimal(-5, scale: 2), .null, .null, .null],
        ]))
        try metrics.add(batch([[.int(-3), .timestamp(2, .microsecond, utc: true), .null, .null, .list([]), .map([]), .structure([.double(-2), .null])]]))
        #expect(metrics.recordCount == 3)
        #expect(metrics.valueCounts == [1: 3, 2: 3, 3: 3, 4: 3, 8: 2, 9: 1, 10: 1, 11: 3, 12: 3])
        #expect(metrics.nullValueCounts == [1: 0, 2: 1, 3: 1, 4: 1, 8: 1, 9: 0, 10: 0, 11: 1, 12: 2])
        #expect(metrics.nanValueCounts == [11: 1, 12: 0])
        let lower = metrics.lowerBounds
        let upper = metrics.upperBounds
        #expect(lower[1] == IcebergLiteral.long(-3).binaryBound && upper[1] == IcebergLiteral.long(12).binaryBound)
        #expect(lower[2] == IcebergLiteral.timestamptz(2).binaryBound && upper[2] == IcebergLiteral.timestamptz(5).binaryBound)
        #expect(lower[4] == IcebergLiteral.decimal(-5).binaryBound && upper[4] == IcebergLiteral.decimal(2420).binaryBound)
        // Truncated to 4 code points; the upper bound rounds up past U+10FFFF to "abe".
        #expect(lower[3] == Array("abcd".utf8))
        #expect(upper[3] == Array("abe".utf8))
        // NaN is not a bound; list and map contents get no bounds.
        #expect(lower[11] == IcebergLiteral.double(-2).binaryBound && upper[11] == IcebergLiteral.double(-2).binaryBound)
        #expect(lower[8] == nil && lower[9] == nil)
        let file = metrics.dataFile(path: "p", partition: .unpartitioned, fileSizeInBytes: 10, columnSizes: [1: 5])
        #expect(file.recordCount == 3 && file.columnSizes == [1: 5] && file.lowerBounds == lower)
        #expect(ColumnMetrics.roundedUp("\u{10FFFF}") == nil)
    }
}
