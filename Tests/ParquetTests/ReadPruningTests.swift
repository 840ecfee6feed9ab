import Columnar
import Foundation
import LakegateCore
import ParquetFormat
import Testing

@testable import Parquet

/// Row-group pruning by column statistics: it may keep too much, never too little.
@Suite struct ReadPruningTests {
    private let points = "data/geospatial/geography-points.parquet"

    @Test func integerRangesPruneRowGroups() throws {
        let reader = try ReadCorpus.reader(points)
        #expect(reader.rowGroupCount == 50)
        func groups(_ op: ColumnPredicate.Operator, _ value: Value) -> [Int] {
            reader.rowGroups(matching: [ColumnPredicate(column: "id", op: op, value: value)])
        }
        #expect(groups(.equal, .int(100)) == [0, 7, 10, 28, 30, 39, 41])
        #expect(groups(.less, .int(5)) == [43, 45, 48])
        #expect(groups(.lessOrEqual, .int(0)) == [45])
        #expect(groups(.greater, .int(495)) == [17, 20, 23])
        #expect(groups(.greaterOrEqual, .int(499)) == [20])
        #expect(groups(.greater, .int(499)) == [])
        #expect(groups(.notEqual, .int(100)) == Array(0..<50))
        #expect(groups(.isNull, .null) == [])
        #expect(groups(.isNotNull, .null) == Array(0..<50))
        // Other integer-like spellings of the same value.
        #expect(groups(.equal, .uint(100)) == groups(.equal, .int(100)))
        #expect(groups(.equal, .double(100)) == groups(.equal, .int(100)))
        #expect(groups(.equal, .decimal(10_000, scale: 2)) == groups(.equal, .int(100)))
        // Not exactly representable, or of another kind: nothing is pruned.
        #expect(groups(.equal, .double(100.5)) == Array(0..<50))
        #expect(groups(.equal, .string("100")) == Array(0..<50))
        // Predicates combine: a group must pass all of them.
        let both = reader.rowGroups(matching: [
            ColumnPredicate(column: "id", op: .greaterOrEqual, value: .int(90)),
            ColumnPredicate(column: "id", op: .lessOrEqual, value: .int(95)),
        ])
        #expect(both == [0, 7, 10, 28, 30, 39, 41, 44, 47])
    }

    @Test func prunedGroupsHoldNoMatchingRow() throws {
        let reader = try ReadCorpus.reader(points)
        for value in stride(from: Int64(0), through: 500, by: 37) {
            for op: ColumnPredicate.Operator in [.equal, .less, .lessOrEqual, .greater, .greaterOrEqual] {
                let kept = Set(reader.rowGroups(matching: [ColumnPredicate(column: "id", op: op, value: .int(value))]))
                for group in 0..<reader.rowGroupCount where !kept.contains(group) {
                    let ids = try reader.readRowGroup(group, columns: ["id"]).columns[0]
                    for row in 0..<ids.count {
                        guard case .int(let id) = ids.value(at: row) else { continue }
                        let matches: Bool
                        switch op {
                        case .equal: matches = id == value
                        case .less: matches = id < value
                        case .lessOrEqual: matches = id <= value
                        case .greater: matches = id > value
                        default: matches = id >= value
                        }
                        #expect(!matches, "group \(group) pruned for \(op) \(value) but holds \(id)")
                    }
                }
            }
        }
    }

    @Test func stringsCompareBytewiseAndNullsCount() throws {
        let reader = try ReadCorpus.reader("data/sort_columns.parquet")
        func groups(_ column: String, _ op: ColumnPredicate.Operator, _ value: Value = .null) -> [Int] {
            reader.rowGroups(matching: [ColumnPredicate(column: column, op: op, value: value)])
        }
        #expect(groups("b", .equal, .string("b")) == [0, 1])
        #expect(groups("b", .equal, .string("d")) == [])
        #expect(groups("b", .less, .string("a")) == [])
        #expect(groups("b", .lessOrEqual, .string("a")) == [0, 1])
        #expect(groups("b", .greater, .string("c")) == [])
        #expect(groups("b", .equal, .binary(Array("c".utf8))) == [0, 1])
        #expect(groups("a", .isNull) == [0, 1])
        #expect(groups("b", .isNull) == [])
        #expect(groups("a", .equal, .int(3)) == [])
        #expect(groups("missing", .equal, .int(3)) == [0, 1])
    }

    @Test func listsAreNeverPrunedOn() throws {
        let reader = try ReadCorpus.reader("data/list_columns.parquet")
        #expect(reader.rowGroups(matching: [ColumnPredicate(column: "int64_list.list.item", op: .equal, value: .int(-99))]) == [0])
        #expect(reader.rowGroups(matching: [ColumnPredicate(column: "int64_list", op: .isNull)]) == [0])
    }

    // MARK: Decisions on crafted statistics

    private func leaf(_ physical: PhysicalType, _ type: DataType, _ order: StatisticsOrder, typeLength: Int = 0) -> LeafDescriptor {
        LeafDescriptor(
            index: 0, path: ["x"], dottedPath: "x", physicalType: physical, typeLength: typeLength, type: type,
            conversion: .copy(width: type.byteWidth ?? 0), maxDefinitionLevel: 1, maxRepetitionLevel: 0,
            repeatedDefinitionLevels: [], statisticsOrder: order)
    }

    private func chunk(_ physical: PhysicalType, rows: Int64, _ statistics: Statistics) -> ColumnChunk {
        ColumnChunk(
            fileOffset: 0,
            metaData: ColumnMetaData(
                type: physical, encodings: [.plain], pathInSchema: ["x"], codec: .uncompressed, numValues: rows,
                totalUncompressedSize: 0, totalCompressedSize: 0, dataPageOffset: 4, statistics: statistics))
    }

    private func prunes(
        _ leaf: LeafDescriptor, _ statistics: Statistics, _ op: ColumnPredicate.Operator, _ value: Value,
        rows: Int64 = 10, order: ColumnOrder? = .typeDefinedOrder
    ) -> Bool {
        StatisticsPruning.provesNoMatch(
            ColumnPredicate(column: "x", op: op, value: value), leaf: leaf,
            chunk: chunk(leaf.physicalType, rows: rows, statistics), rows: rows, columnOrder: order,
            hasColumnOrders: order != nil)
    }

    private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    private func le(_ value: Double) -> [UInt8] { le(value.bitPattern) }

    @Test func deprecatedMinMaxOnlyForSignedNumbers() {
        let int64 = leaf(.int64, .int64, .signed)
        let old = Statistics(max: le(Int64(20)), min: le(Int64(10)), nullCount: 0)
        #expect(prunes(int64, old, .equal, .int(5)))
        #expect(!prunes(int64, old, .equal, .int(15)))
        let strings = leaf(.byteArray, .string, .bytes)
        let oldStrings = Statistics(max: Array("m".utf8), min: Array("c".utf8))
        #expect(!prunes(strings, oldStrings, .equal, .string("a")))
        let unsigned = leaf(.int32, .uint32, .unsigned)
        #expect(!prunes(unsigned, Statistics(max: le(Int32(-1)), min: le(Int32(0))), .greater, .uint(5)))
        // min_value/max_value in the type's order: unsigned.
        #expect(prunes(unsigned, Statistics(maxValue: le(UInt32(7)), minValue: le(UInt32(1))), .greater, .uint(7)))
        #expect(!prunes(unsigned, Statistics(maxValue: le(UInt32.max), minValue: le(UInt32(1))), .greater, .uint(7)))
    }

    @Test func unknownColumnOrderIgnoresMinMaxValue() {
        let int64 = leaf(.int64, .int64, .signed)
        let stats = Statistics(nullCount: 0, maxValue: le(Int64(20)), minValue: le(Int64(10)))
        #expect(prunes(int64, stats, .equal, .int(5)))
        #expect(!prunes(int64, stats, .equal, .int(5), order: .undefined(fieldId: 9)))
        #expect(prunes(int64, stats, .equal, .int(5), order: nil))
    }

    @Test func floatsNeverPruneUnsafelyAroundNaN() {
        let double = leaf(.double, .float64, .signed)
        let stats = Statistics(maxValue: le(5.0), minValue: le(-2.0))
        #expect(prunes(double, stats, .greater, .double(5)))
        #expect(!prunes(double, stats, .greater, .double(4.5)))
        #expect(!prunes(double, stats, .equal, .double(.nan)))
        #expect(!prunes(double, Statistics(maxValue: le(Double.nan), minValue: le(-2.0)), .greater, .double(100)))
        // x != 3 holds for NaN rows: prune only when there are none.
        let constant = Statistics(maxValue: le(3.0), minValue: le(3.0))
        #expect(!prunes(double, constant, .notEqual, .double(3)))
        var noNaN = constant
        noNaN.nanCount = 0
        #expect(prunes(double, noNaN, .notEqual, .double(3)))
        // -0.0 and +0.0 are equal.
        #expect(!prunes(double, Statistics(maxValue: le(0.0), minValue: le(-0.0)), .equal, .double(0)))
    }

    @Test func nullCountsAndAllNullChunks() {
        let int64 = leaf(.int64, .int64, .signed)
        let allNull = Statistics(nullCount: 10)
        #expect(prunes(int64, allNull, .equal, .int(1)))
        #expect(prunes(int64, allNull, .isNotNull, .null))
        #expect(!prunes(int64, allNull, .isNull, .null))
        #expect(!prunes(int64, Statistics(), .isNull, .null))
        #expect(!prunes(int64, Statistics(nullCount: 11), .isNotNull, .null))
    }

    @Test func decimalsTimestampsAndTruncatedBounds() {
        let decimal = leaf(.fixedLenByteArray, .decimal(precision: 9, scale: 2), .decimalBytes, typeLength: 4)
        // 1.00 ... 24.00 as big-endian two's complement.
        let stats = Statistics(maxValue: [0, 0, 0x09, 0x60], minValue: [0, 0, 0, 100])
        #expect(prunes(decimal, stats, .greater, .decimal(2400, scale: 2)))
        #expect(!prunes(decimal, stats, .greater, .decimal(2399, scale: 2)))
        #expect(prunes(decimal, stats, .less, .int(1)))
        #expect(!prunes(decimal, stats, .less, .decimal(1001, scale: 3)))
        #expect(prunes(decimal, Statistics(maxValue: [0xFF, 0xFF, 0xFF, 0xFF], minValue: [0xFF, 0xFF, 0xFF, 0x00]), .greater, .int(0)))

        let timestamp = leaf(.int64, .timestamp(.microsecond, utc: true), .signed)
        let range = Statistics(maxValue: le(Int64(2_000_000)), minValue: le(Int64(1_000_000)))
        #expect(prunes(timestamp, range, .less, .timestamp(1_000, .millisecond, utc: true)))
        #expect(!prunes(timestamp, range, .less, .timestamp(1_001, .millisecond, utc: true)))
        #expect(!prunes(timestamp, range, .less, .timestamp(1_000_000_500, .nanosecond, utc: true)))

        let strings = leaf(.byteArray, .string, .bytes)
        var truncated = Statistics(maxValue: Array("b".utf8), minValue: Array("b".utf8))
        #expect(prunes(strings, truncated, .notEqual, .string("b")))
        truncated.isMaxValueExact = false
        #expect(!prunes(strings, truncated, .notEqual, .string("b")))
        #expect(prunes(strings, truncated, .equal, .string("c")))
    }
}
