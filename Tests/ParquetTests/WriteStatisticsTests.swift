import Columnar
import Foundation
import LakegateCore
import Parquet
import ParquetFormat
import Testing

/// Column chunk statistics: order, truncation, floats, and agreement with DuckDB.
@Suite struct WriteStatisticsTests {
    typealias S = WriteTestSupport

    static func statistics(
        _ field: Field, _ values: [Value], options: ParquetWriteOptions = ParquetWriteOptions()
    ) throws -> Statistics {
        let batch = try S.batch([field], [values])
        let bytes = try S.write(batch.schema, [batch], options: options)
        return try #require(try S.footer(bytes).rowGroups[0].columns[0].metaData?.statistics)
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    static func le(_ value: Double) -> [UInt8] { le(value.bitPattern) }
    static func le(_ value: Float) -> [UInt8] { le(value.bitPattern) }

    @Test(arguments: [true, false])
    func signedIntegers(dictionary: Bool) throws {
        let stats = try Self.statistics(
            Field("x", .int32), [.int(5), .int(-3), .null, .int(10), .null],
            options: ParquetWriteOptions(dictionary: dictionary))
        #expect(stats.nullCount == 2)
        #expect(stats.minValue == Self.le(Int32(-3)))
        #expect(stats.maxValue == Self.le(Int32(10)))
        // Signed orders also fill the deprecated fields, as pyarrow does.
        #expect(stats.min == Self.le(Int32(-3)))
        #expect(stats.max == Self.le(Int32(10)))
        #expect(stats.isMinValueExact == true && stats.isMaxValueExact == true)

        let small = try Self.statistics(Field("x", .int8), [.int(-128), .int(127)])
        #expect(small.minValue == Self.le(Int32(-128)) && small.maxValue == Self.le(Int32(127)))
        let dates = try Self.statistics(Field("d", .date), [.date(-5), .date(3)])
        #expect(dates.minValue == Self.le(Int32(-5)) && dates.maxValue == Self.le(Int32(3)))
        let decimals = try Self.statistics(
            Field("d", .decimal(precision: 12, scale: 2)), [.decimal(-1, scale: 2), .decimal(7, scale: 2)])
        #expect(decimals.minValue == Self.le(Int64(-1)) && decimals.maxValue == Self.le(Int64(7)))
    }

    @Test(arguments: [true, false])
    func unsignedIntegers(dictionary: Bool) throws {
        let options = ParquetWriteOptions(dictionary: dictionary)
        let u32 = try Self.statistics(Field("x", .uint32), [.uint(1), .uint(UInt64(UInt32.max)), .uint(7)], options: options)
        #expect(u32.minValue == Self.le(UInt32(1)))
        #expect(u32.maxValue == Self.le(UInt32.max))
        #expect(u32.min == nil && u32.max == nil)
        let u64 = try Self.statistics(Field("x", .uint64), [.uint(.max), .uint(0)], options: options)
        #expect(u64.minValue == Self.le(UInt64(0)) && u64.maxValue == Self.le(UInt64.max))
        let u8 = try Self.statistics(Field("x", .uint8), [.uint(200), .uint(3)], options: options)
        #expect(u8.minValue == Self.le(UInt32(3)) && u8.maxValue == Self.le(UInt32(200)))
    }

    @Test(arguments: [true, false])
    func stringsAreTruncatedAndRoundedUp(dictionary: Bool) throws {
        let options = ParquetWriteOptions(dictionary: dictionary, statisticsTruncateLength: 4)
        let stats = try Self.statistics(
            Field("s", .string), [.string("banana"), .string("apple"), .string("cherry"), .null], options: options)
        #expect(stats.minValue == Array("appl".utf8))
        #expect(stats.isMinValueExact == false)
        #expect(stats.maxValue == Array("ches".utf8))
        #expect(stats.isMaxValueExact == false)
        // Byte strings are never in the deprecated fields.
        #expect(stats.min == nil && stats.max == nil)
        #expect(stats.nullCount == 1)

        let short = try Self.statistics(Field("s", .string), [.string("abc"), .string("b")], options: options)
        #expect(short.minValue == Array("abc".utf8) && short.maxValue == Array("b".utf8))
        #expect(short.isMinValueExact == true && short.isMaxValueExact == true)

        // Bytewise unsigned order: "é" (0xC3 0xA9) sorts after "z".
        let accents = try Self.statistics(Field("s", .string), [.string("é"), .string("z"), .string("")])
        #expect(accents.minValue == [] && accents.maxValue == Array("é".utf8))
    }

    @Test func truncationKeepsUTF8Valid() throws {
        let options = ParquetWriteOptions(statisticsTruncateLength: 4)
        // "aéé" is 61 C3A9 C3A9: four bytes would split the second "é".
        let stats = try Self.statistics(Field("s", .string), [.string("aééx"), .string("aéé")], options: options)
        #expect(stats.minValue == Array("aé".utf8))
        #expect(stats.maxValue == Array("aê".utf8))
        #expect(stats.isMaxValueExact == false)
    }

    @Test func binaryMaximumCarries() throws {
        let options = ParquetWriteOptions(statisticsTruncateLength: 3)
        let stats = try Self.statistics(
            Field("b", .binary), [.binary([0x61, 0xFF, 0xFF, 0x01]), .binary([0x00])], options: options)
        #expect(stats.maxValue == [0x62])
        #expect(stats.isMaxValueExact == false)
        #expect(stats.minValue == [0x00])
        // Nothing shorter bounds all-0xFF bytes: the whole value stays, exact.
        let ff = try Self.statistics(Field("b", .binary), [.binary([0xFF, 0xFF, 0xFF, 0xFF])], options: options)
        #expect(ff.maxValue == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(ff.isMaxValueExact == true)
        #expect(ff.minValue == [0xFF, 0xFF, 0xFF])
        #expect(ff.isMinValueExact == false)
    }

    @Test(arguments: [true, false])
    func floatsSkipNaNAndSignZeros(dictionary: Bool) throws {
        let options = ParquetWriteOptions(dictionary: dictionary)
        let stats = try Self.statistics(
            Field("f", .float64), [.double(.nan), .double(1.0), .double(-2.0), .null], options: options)
        #expect(stats.minValue == Self.le(-2.0) && stats.maxValue == Self.le(1.0))
        #expect(stats.min == Self.le(-2.0) && stats.max == Self.le(1.0))

        let nans = try Self.statistics(Field("f", .float64), [.double(.nan), .double(.nan)], options: options)
        #expect(nans.minValue == nil && nans.maxValue == nil && nans.min == nil)
        #expect(nans.nullCount == 0)

        let zeros = try Self.statistics(Field("f", .float32), [.double(0.0), .double(0.0)], options: options)
        #expect(zeros.minValue == Self.le(Float(-0.0)))
        #expect(zeros.maxValue == Self.le(Float(0.0)))
        let negativeZero = try Self.statistics(Field("f", .float64), [.double(-5), .double(-0.0)], options: options)
        #expect(negativeZero.minValue == Self.le(-5.0))
        #expect(negativeZero.maxValue == Self.le(0.0))

        let half = try Self.statistics(Field("h", .float16), [.double(.nan), .double(-1.5), .double(0.0)], options: options)
        #expect(half.minValue == Self.le(Float16(-1.5).bitPattern))
        #expect(half.maxValue == Self.le(Float16(0.0).bitPattern))
    }

    @Test func wideDecimalsCompareSigned() throws {
        let field = Field("d", .decimal(precision: 30, scale: 0))
        let stats = try Self.statistics(field, [.decimal(1, scale: 0), .decimal(-1, scale: 0), .decimal(256, scale: 0)])
        // 13-byte big-endian two's complement.
        #expect(stats.minValue == [UInt8](repeating: 0xFF, count: 13))
        #expect(stats.maxValue == [UInt8](repeating: 0, count: 11) + [0x01, 0x00])
    }

    @Test func byteOrderForFixedSizeBinaryAndBooleans() throws {
        let fixed = try Self.statistics(Field("f", .fixedSizeBinary(2)), [.binary([0x80, 0]), .binary([0x7F, 0xFF])])
        #expect(fixed.minValue == [0x7F, 0xFF] && fixed.maxValue == [0x80, 0])
        #expect(fixed.min == nil)
        let booleans = try Self.statistics(Field("b", .boolean), [.bool(true), .null, .bool(true)])
        #expect(booleans.minValue == [1] && booleans.maxValue == [1] && booleans.nullCount == 1)
    }

    @Test func nestedLeavesCountNullsPerEntry() throws {
        // Entries: 1, null element, empty list, null list → 1 value, 3 nulls.
        let field = Field("l", .list(Field("element", .int32)))
        let stats = try Self.statistics(field, [.list([.int(1), .null]), .list([]), .null])
        #expect(stats.nullCount == 3)
        #expect(stats.minValue == Self.le(Int32(1)) && stats.maxValue == Self.le(Int32(1)))
    }

    @Test func columnOrdersCoverEveryLeaf() throws {
        let batch = try WriteNestedTests.batch()
        let footer = try S.footer(try S.write(batch.schema, [batch]))
        #expect(footer.columnOrders?.count == footer.rowGroups[0].columns.count)
        #expect(footer.columnOrders?.allSatisfy { $0 == .typeDefinedOrder } == true)
    }

    /// With `LAKEGATE_PYTHON` set: DuckDB's parquet_metadata and pyarrow's reading agree with
    /// what was written (statistics of every column, values of every row).
    @Test func duckDBAndPyarrowAgree() throws {
        guard ProcessInfo.processInfo.environment["LAKEGATE_PYTHON"] != nil else { return }
        let directory = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let primitives = try WriteTests.primitiveBatch()
        let nested = try WriteNestedTests.batch()
        var paths: [String] = []
        for (name, batch) in [("primitives", primitives), ("nested", nested)] {
            for (variant, options) in WriteRoundTripTests.optionVariants {
                let path = directory.appendingPathComponent("\(name)-\(variant).parquet").path
                try Data(try S.write(batch.schema, [batch], options: options)).write(to: URL(fileURLWithPath: path))
                paths.append(path)
            }
        }
        // pyarrow rewrites each file; both files' statistics (DuckDB's view) and values must
        // agree, except where Lakegate deliberately differs: a null-type column has a
        // null_count, and a local millisecond timestamp has no converted type.
        let script = """
            import sys, duckdb, pyarrow.parquet as pq
            cols = "path_in_schema, type, stats_null_count, stats_min_value, stats_max_value, stats_min, stats_max, num_values"
            bad = 0
            for f in sys.argv[1:]:
                t = pq.read_table(f)
                ref = f + ".ref.parquet"
                pq.write_table(t, ref, store_schema=False, store_decimal_as_integer=True)
                ours = duckdb.sql(f"select {cols} from parquet_metadata('{f}') order by column_id").fetchall()
                theirs = duckdb.sql(f"select {cols} from parquet_metadata('{ref}') order by column_id").fetchall()
                for a, b in zip(ours, theirs):
                    if a != b and a[0] != "n":
                        bad += 1
                        print("stats", f, a, b)
                if not t.equals(pq.read_table(ref)):
                    bad += 1
                    print("values", f)
                a = duckdb.sql(f"select columns(*)::varchar from '{f}'").fetchall()
                b = duckdb.sql(f"select columns(*)::varchar from '{ref}'").fetchall()
                if a != b:
                    bad += 1
                    print("duckdb values", f)
            print(bad)
            """
        let output = try S.python(script, arguments: paths)
        #expect(output?.split(separator: "\n").last == "0", "\(output ?? "")")
    }
}
