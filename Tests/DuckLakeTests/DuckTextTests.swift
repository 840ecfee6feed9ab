import Columnar
@testable import DuckLake
import Tables
import Testing

/// DuckDB's VARCHAR forms, each expected string printed by DuckDB 1.5.5 itself
/// (`SELECT CAST(x AS VARCHAR)`); the interop suite checks more against a live DuckDB.
@Suite struct DuckTextTests {
    @Test func doublesAsDuckDBPrintsThem() {
        let cases: [(Double, String)] = [
            (1e16, "1e+16"), (1e15, "1000000000000000.0"), (123456789012345680, "1.2345678901234568e+17"), (1e-5, "1e-05"),
            (0.0001, "0.0001"), (0.001, "0.001"), (123456789.125, "123456789.125"), (-0.0, "-0.0"), (1.0, "1.0"),
            (1e21, "1e+21"), (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1, "0.1"), (100.0, "100.0"),
            (1234567.0, "1234567.0"), (0.00001234, "1.234e-05"), (9.999e15, "9999000000000000.0"), (.infinity, "inf"),
            (-.infinity, "-inf"), (.nan, "nan"), (0.6666666666666666, "0.6666666666666666"), (33.0, "33.0"),
        ]
        for (value, text) in cases { #expect(DuckText.double(value) == text, "\(value)") }
    }

    @Test func floatsAsDuckDBPrintsThem() {
        let cases: [(Float, String)] = [
            (1e16, "1e+16"), (0.1, "0.1"), (1e-5, "1e-05"), (16_777_216, "16777216.0"), (3.4028235e38, "3.4028235e+38"),
            (1e7, "10000000.0"), (123456.7, "123456.7"), (1e8, "100000000.0"), (123456792, "123456790.0"),
            (1e15, "1000000000000000.0"), (0.0001, "0.0001"), (0.2857143, "0.2857143"), (14.142858, "14.142858"),
        ]
        for (value, text) in cases { #expect(DuckText.float(value) == text, "\(value)") }
    }

    @Test func datesTimesAndTimestamps() {
        let day: Int64 = 86_400_000_000
        #expect(DuckText.date(0) == "1970-01-01")
        #expect(DuckText.date(-1) == "1969-12-31")
        #expect(DuckText.date(TextFormatting.days(fromCivil: 1, 1, 1)) == "0001-01-01")
        #expect(DuckText.date(TextFormatting.days(fromCivil: 0, 12, 31)) == "0001-12-31 (BC)")
        #expect(DuckText.date(TextFormatting.days(fromCivil: 10000, 1, 1)) == "10000-01-01")
        #expect(DuckText.timestamp(-1, unit: .microsecond, utc: false) == "1969-12-31 23:59:59.999999")
        #expect(DuckText.timestamp(-1, unit: .microsecond, utc: true) == "1969-12-31 23:59:59.999999+00")
        #expect(DuckText.timestamp(1_704_103_200_120_000, unit: .microsecond, utc: true) == "2024-01-01 10:00:00.12+00")
        #expect(DuckText.timestamp(1_704_067_200_500, unit: .millisecond, utc: false) == "2024-01-01 00:00:00.5")
        #expect(
            DuckText.timestamp(1_704_067_200_123_456_789, unit: .nanosecond, utc: false) == "2024-01-01 00:00:00.123456789")
        #expect(
            DuckText.timestamp(TextFormatting.days(fromCivil: 0, 1, 1) * day, unit: .microsecond, utc: true)
                == "0001-01-01 (BC) 00:00:00+00")
        #expect(DuckText.timestamp(TextFormatting.days(fromCivil: 10000, 1, 1) * day, unit: .microsecond, utc: false) == "10000-01-01 00:00:00")
        #expect(DuckText.time(3_723_500_000, unit: .microsecond) == "01:02:03.5")
        #expect(DuckText.time(0, unit: .microsecond) == "00:00:00")
        #expect(DuckText.time(86_399_999_999, unit: .microsecond) == "23:59:59.999999")
    }

    @Test func otherScalars() {
        #expect(DuckText.format(.bool(true), type: .boolean) == "true")
        #expect(DuckText.format(.decimal(-5, scale: 2), type: .decimal(precision: 10, scale: 2)) == "-0.05")
        #expect(DuckText.format(.decimal(14850, scale: 2), type: .decimal(precision: 10, scale: 2)) == "148.50")
        #expect(DuckText.format(.decimal(0, scale: 5), type: .decimal(precision: 38, scale: 5)) == "0.00000")
        #expect(DuckText.format(.binary([0xFF, 0xAB]), type: .binary) == "FFAB")
        #expect(DuckText.format(.string("a\u{0}b"), type: .string) == nil)
        let uuid: [UInt8] = [0x28, 0x10, 0x98, 0x81, 0xad, 0x06, 0x43, 0x24, 0x8b, 0xec, 0x18, 0x84, 0x73, 0x21, 0xea, 0xe8]
        #expect(DuckText.format(.binary(uuid), type: .uuid) == "28109881-ad06-4324-8bec-18847321eae8")
    }

    @Test func parsingComparesTypedValues() {
        // Text order would put "10" before "9"; typed order does not.
        let nine = DuckText.parse("9", type: .int64)!
        let ten = DuckText.parse("10", type: .int64)!
        #expect(ValueOrder.less(nine, ten))
        #expect(DuckText.parse("2024-01-01 02:00:00+00", type: .timestamp(.microsecond, utc: true))
            == .timestamp(1_704_074_400_000_000, .microsecond, utc: true))
        #expect(DuckText.parse("2024-01-01T03:00:00+01:00", type: .timestamp(.microsecond, utc: true))
            == .timestamp(1_704_074_400_000_000, .microsecond, utc: true))
        #expect(DuckText.parse("2024-01-01T02:00:00Z", type: .timestamp(.microsecond, utc: true))
            == .timestamp(1_704_074_400_000_000, .microsecond, utc: true))
        #expect(DuckText.parse("0001-12-31 (BC)", type: .date) == .date(TextFormatting.days(fromCivil: 0, 12, 31)))
        #expect(DuckText.parse("148.5", type: .decimal(precision: 10, scale: 2)) == .decimal(14850, scale: 2))
        #expect(DuckText.parse("1.234e-05", type: .float64) == .double(1.234e-05))
        #expect(DuckText.parse("0", type: .boolean) == .bool(false))
        #expect(DuckText.parse("true", type: .boolean) == .bool(true))
        #expect(DuckText.parse("x", type: .int64) == nil)
        #expect(DuckText.parse("01:02:03.5", type: .time(.microsecond)) == .time(3_723_500_000, .microsecond))
    }

    @Test func nestedLiteralsOfInlinedRows() {
        let list = DataType.list(Field("element", .int32))
        #expect(InlinedValues.text("[0, NULL]", type: list) == .list([.int(0), .null]))
        #expect(InlinedValues.text("[]", type: list) == .list([]))
        let strings = DataType.list(Field("element", .string))
        #expect(
            InlinedValues.text(#"[a b, 'c,d', 'e\'f', NULL, '', 'NULL', ' x']"#, type: strings)
                == .list([.string("a b"), .string("c,d"), .string("e'f"), .null, .string(""), .string("NULL"), .string(" x")]))
        let structure = DataType.structure([Field("x", .int32), Field("y", .string)])
        #expect(InlinedValues.text(#"{'x': 0, 'y': 'y,"'}"#, type: structure) == .structure([.int(0), .string("y,\"")]))
        #expect(InlinedValues.text("{'x': 1, 'y': x y}", type: structure) == .structure([.int(1), .string("x y")]))
        let map = DataType.map(key: Field("key", .string, nullable: false), value: Field("value", .int64))
        #expect(InlinedValues.text("{k=0, a b=2}", type: map)
            == .map([.init(key: .string("k"), value: .int(0)), .init(key: .string("a b"), value: .int(2))]))
        let nested = DataType.list(Field("element", structure))
        #expect(InlinedValues.text("[{'x': 1, 'y': a}, NULL]", type: nested) == .list([.structure([.int(1), .string("a")]), .null]))
        #expect(InlinedValues.value(.blob(Array("x".utf8)), type: .string) == .string("x"))
        #expect(InlinedValues.value(.text("2024-01-01 00:00:00.25+00"), type: .timestamp(.microsecond, utc: true))
            == .timestamp(1_704_067_200_250_000, .microsecond, utc: true))
    }

    @Test func partitionFolderNamesAsDuckDBWritesThem() {
        #expect(PartitionPath.segment(key: "c", value: "a/b c=d%é") == "c=a%2Fb%20c%3Dd%25%C3%A9")
        #expect(PartitionPath.segment(key: "c", value: nil) == "c=__HIVE_DEFAULT_PARTITION__")
        #expect(PartitionPath.segment(key: "d", value: "2024-01-02") == "d=2024-01-02")
        #expect(PartitionPath.segment(key: "c", value: "") == "c=")
    }

    @Test func changesParse() {
        let parsed = CatalogQueries.parseChanges(#"created_schema:"a,b",created_table:"a,b"."t",inserted_into_table:3"#)
        #expect(parsed.map(\.kind) == ["created_schema", "created_table", "inserted_into_table"])
        #expect(parsed[1].argument == #""a,b"."t""#)
        #expect(parsed[2].argument == "3")
    }
}
