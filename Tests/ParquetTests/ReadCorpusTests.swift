import Columnar
import Foundation
import LakegateCore
import Parquet
import Testing

/// Files of apache/parquet-testing read value for value; expectations are what pyarrow 26
/// reads from the same files.
@Suite struct ReadCorpusTests {
    @Test func alltypesPlainImpalaBaseline() throws {
        let reader = try ReadCorpus.reader("data/alltypes_plain.parquet")
        #expect(reader.rowCount == 8)
        #expect(reader.rowGroupCount == 1)
        let types = reader.schema.fields.map(\.type)
        #expect(
            types == [
                .int32, .boolean, .int32, .int32, .int32, .int64, .float32, .float64, .binary, .binary,
                .timestamp(.nanosecond, utc: false),
            ])
        #expect(reader.schema.fields.allSatisfy { $0.nullable })
        let batch = try reader.readRowGroup(0)
        #expect(batch.rowCount == 8)
        let id = batch.column(named: "id")!
        #expect((0..<8).map { id.value(at: $0) } == [4, 5, 6, 7, 2, 3, 0, 1].map { .int($0) })
        let flags = batch.column(named: "bool_col")!
        #expect((0..<8).map { flags.value(at: $0) } == (0..<8).map { .bool($0 % 2 == 0) })
        let timestamps = batch.column(named: "timestamp_col")!
        let expected: [Int64] = [
            1_235_865_600_000_000_000, 1_235_865_660_000_000_000, 1_238_544_000_000_000_000,
            1_238_544_060_000_000_000, 1_233_446_400_000_000_000, 1_233_446_460_000_000_000,
            1_230_768_000_000_000_000, 1_230_768_060_000_000_000,
        ]
        #expect((0..<8).map { timestamps.value(at: $0) } == expected.map { .timestamp($0, .nanosecond, utc: false) })
        #expect(batch.column(named: "string_col")!.value(at: 1) == bytes("1"))
        #expect(batch.column(named: "date_string_col")!.value(at: 2) == bytes("04/01/09"))
        #expect(batch.column(named: "double_col")!.value(at: 1) == .double(10.1))
        #expect(batch.column(named: "float_col")!.value(at: 1) == .double(Double(Float(1.1))))
    }

    @Test func alltypesDictionaryAndSnappyAgreeWithPlain() throws {
        let plain = try ReadCorpus.rows("data/alltypes_plain.parquet")
        #expect(try ReadCorpus.rows("data/alltypes_dictionary.parquet") == [plain[6], plain[7]])
        #expect(try ReadCorpus.rows("data/alltypes_plain.snappy.parquet") == [plain[2], plain[3]])
    }

    @Test func dataPageV2WithDeltaAndRLEBooleans() throws {
        let reader = try ReadCorpus.reader("data/datapage_v2.snappy.parquet")
        #expect(
            reader.schema.fields.map(\.type) == [
                .string, .int32, .float64, .boolean, .list(Field("element", .int32, nullable: false)),
            ])
        let rows = try ReadCorpus.rows("data/datapage_v2.snappy.parquet")
        #expect(
            rows == [
                [str("abc"), int(1), .double(2), .bool(true), list(int(1), int(2), int(3))],
                [str("abc"), int(2), .double(3), .bool(true), .null],
                [str("abc"), int(3), .double(4), .bool(true), .null],
                [.null, int(4), .double(5), .bool(false), list(int(1), int(2), int(3))],
                [str("abc"), int(5), .double(2), .bool(true), list(int(1), int(2))],
            ])
    }

    @Test func emptyDataPagesV2() throws {
        #expect(try ReadCorpus.rows("data/datapage_v2_empty_datapage.snappy.parquet") == [[.null]])
        let values = try ReadCorpus.column("data/page_v2_empty_compressed.parquet", "integer_column")
        #expect(values.count == 10)
    }

    @Test func nestedListsOfListsOfStrings() throws {
        let rows = try ReadCorpus.rows("data/nested_lists.snappy.parquet")
        #expect(
            rows == [
                [list(list(list(str("a"), str("b")), list(str("c"))), list(.null, list(str("d")))), int(1)],
                [list(list(list(str("a"), str("b")), list(str("c"), str("d"))), list(.null, list(str("e")))), int(1)],
                [
                    list(list(list(str("a"), str("b")), list(str("c"), str("d")), list(str("e"))), list(.null, list(str("f")))),
                    int(1),
                ],
            ])
    }

    @Test func nestedMapsOfMaps() throws {
        let reader = try ReadCorpus.reader("data/nested_maps.snappy.parquet")
        guard case .map(let key, let value) = reader.schema.fields[0].type else {
            Issue.record("a is not a map: \(reader.schema.fields[0].type)")
            return
        }
        #expect(key == Field("key", .string, nullable: false))
        #expect(value.type == .map(key: Field("key", .int32, nullable: false), value: Field("value", .boolean, nullable: false)))
        let a = try ReadCorpus.column("data/nested_maps.snappy.parquet", "a")
        #expect(
            a == [
                map((str("a"), map((int(1), .bool(true)), (int(2), .bool(false))))),
                map((str("b"), map((int(1), .bool(true))))),
                map((str("c"), .null)),
                map((str("d"), .map([]))),
                map((str("e"), map((int(1), .bool(true))))),
                map((str("f"), map((int(3), .bool(true)), (int(4), .bool(false)), (int(5), .bool(true))))),
            ])
    }

    @Test func nullableImpalaNullsAtEveryLevel() throws {
        let file = "data/nullable.impala.parquet"
        #expect(try ReadCorpus.column(file, "id") == (1...7).map { int($0) })
        #expect(
            try ReadCorpus.column(file, "int_array") == [
                list(int(1), int(2), int(3)), list(.null, int(1), int(2), .null, int(3), .null), list(), .null, .null,
                .null, .null,
            ])
        #expect(
            try ReadCorpus.column(file, "int_array_Array") == [
                list(list(int(1), int(2)), list(int(3), int(4))),
                list(list(.null, int(1), int(2), .null), list(int(3), .null, int(4)), list(), .null),
                list(.null), list(), .null, .null, list(.null, list(int(5), int(6))),
            ])
        #expect(
            try ReadCorpus.column(file, "int_map") == [
                map((str("k1"), int(1)), (str("k2"), int(100))), map((str("k1"), int(2)), (str("k2"), .null)),
                .map([]), .map([]), .map([]), .null, map((str("k1"), .null), (str("k3"), .null)),
            ])
        #expect(
            try ReadCorpus.column(file, "int_Map_Array") == [
                list(map((str("k1"), int(1)))), list(map((str("k3"), .null), (str("k1"), int(1))), .null, .map([])),
                list(.null, .null), list(), .null, .null, .null,
            ])
        let nested = try ReadCorpus.column(file, "nested_struct")
        #expect(nested[5] == .null)
        let efStruct = { (e: Value, f: Value) in Value.structure([e, f]) }
        #expect(
            nested[0] == .structure([
                int(1), list(int(1)),
                .structure([list(list(efStruct(int(10), str("aaa")), efStruct(int(-10), str("bbb"))), list(efStruct(int(11), str("c"))))]),
                map((str("foo"), .structure([.structure([list(.double(1.1))])]))),
            ]))
        #expect(
            nested[6] == .structure([int(7), list(int(2), int(3), .null), .structure([list(list(), list(.null), .null)]), .null]))
    }

    @Test func nonNullableImpala() throws {
        let rows = try ReadCorpus.rows("data/nonnullable.impala.parquet")
        #expect(rows.count == 1)
        #expect(rows[0][0] == int(8))
        #expect(rows[0][1] == list(int(-1)))
        #expect(rows[0][2] == list(list(int(-1), int(-2)), list()))
    }

    @Test func deltaBinaryPackedAgainstExpectedCSV() throws {
        let expected = try ReadCorpus.csv("data/delta_binary_packed_expect.csv")
        let reader = try ReadCorpus.reader("data/delta_binary_packed.parquet")
        #expect(reader.schema.fields.map(\.name) == expected.header)
        let rows = try ReadCorpus.rows("data/delta_binary_packed.parquet")
        #expect(rows.count == expected.rows.count)
        for (row, wanted) in zip(rows, expected.rows) {
            #expect(row == wanted.map { $0.map { Value.int(Int64($0)!) } ?? .null })
        }
    }

    @Test func deltaByteArrayAgainstExpectedCSV() throws {
        let expected = try ReadCorpus.csv("data/delta_byte_array_expect.csv")
        let rows = try ReadCorpus.rows("data/delta_byte_array.parquet")
        #expect(rows.count == expected.rows.count)
        for (row, wanted) in zip(rows, expected.rows) {
            #expect(row == wanted.map { $0.map(Value.string) ?? .null })
        }
    }

    @Test func deltaEncodingsWithAndWithoutNulls() throws {
        for name in ["optional", "required"] {
            let expected = try ReadCorpus.csv("data/delta_encoding_\(name)_column_expect.csv")
            let reader = try ReadCorpus.reader("data/delta_encoding_\(name)_column.parquet")
            let rows = try ReadCorpus.rows("data/delta_encoding_\(name)_column.parquet")
            #expect(rows.count == expected.rows.count)
            for (row, wanted) in zip(rows, expected.rows) {
                let converted = zip(reader.schema.fields, wanted).map { field, text -> Value in
                    guard let text else { return .null }
                    return field.type == .string ? .string(text) : .int(Int64(text)!)
                }
                #expect(row == converted)
            }
        }
    }

    @Test func decimalsOnEveryPhysicalType() throws {
        let cases: [(String, DataType)] = [
            ("data/int32_decimal.parquet", .decimal(precision: 4, scale: 2)),
            ("data/int64_decimal.parquet", .decimal(precision: 10, scale: 2)),
            ("data/fixed_length_decimal.parquet", .decimal(precision: 25, scale: 2)),
            ("data/fixed_length_decimal_legacy.parquet", .decimal(precision: 13, scale: 2)),
            ("data/byte_array_decimal.parquet", .decimal(precision: 4, scale: 2)),
        ]
        for (file, type) in cases {
            let reader = try ReadCorpus.reader(file)
            #expect(reader.schema.fields[0].type == type, "\(file)")
            let values = try ReadCorpus.column(file, "value")
            // Each file holds 1.00 ... 24.00.
            #expect(values == (1...24).map { Value.decimal(Int128($0 * 100), scale: 2) }, "\(file)")
        }
    }

    @Test func byteStreamSplit() throws {
        let rows = try ReadCorpus.rows("data/byte_stream_split.zstd.parquet")
        #expect(rows.count == 300)
        #expect(rows[0] == [.double(Double(Float(1.764052391052246))), .double(-1.3065268517353166)])
        #expect(rows[2] == [.double(Double(Float(0.978738009929657))), .double(-0.11816404512856976)])
        // The extended file stores each column twice, PLAIN and BYTE_STREAM_SPLIT.
        let reader = try ReadCorpus.reader("data/byte_stream_split_extended.gzip.parquet")
        let batch = try reader.readRowGroup(0)
        for pair in stride(from: 0, to: batch.columns.count, by: 2) {
            let plain = batch.columns[pair]
            let split = batch.columns[pair + 1]
            #expect(plain.type == split.type)
            #expect((0..<batch.rowCount).allSatisfy { plain.value(at: $0) == split.value(at: $0) || plain.value(at: $0).isNaN })
        }
    }

    @Test func int96FromSparkWrapsLikeArrow() throws {
        let values = try ReadCorpus.column("data/int96_from_spark.parquet", "a")
        let expected: [Int64?] = [
            1_704_141_296_123_456_000, 1_704_070_800_000_000_000, -4_852_191_831_933_722_624,
            1_735_599_600_000_000_000, nil, 5_606_152_519_850_745_856,
        ]
        #expect(values == expected.map { $0.map { Value.timestamp($0, .nanosecond, utc: false) } ?? .null })
    }

    @Test func legacyListAndMapShapes() throws {
        let old = try ReadCorpus.reader("data/old_list_structure.parquet")
        #expect(
            old.schema.fields[0].type
                == .list(Field("array", .list(Field("array", .int32, nullable: false)), nullable: false)))
        #expect(try ReadCorpus.column("data/old_list_structure.parquet", "a") == [list(list(int(1), int(2)), list(int(3), int(4)))])

        let noValue = try ReadCorpus.reader("data/map_no_value.parquet")
        #expect(noValue.schema.fields[1].type == .list(Field("key", .int32, nullable: false)))
        let rows = try ReadCorpus.rows("data/map_no_value.parquet")
        #expect(rows[0] == [map((int(1), .null), (int(2), .null), (int(3), .null)), list(int(1), int(2), int(3)), list(int(1), int(2), int(3))])

        let repeated = try ReadCorpus.rows("data/repeated_primitive_no_list.parquet")
        #expect(repeated[1] == [list(), list(str("three")), .structure([list(), list(str("three"))])])
        #expect(repeated[2][0] == list(int(4)))

        let noAnnotation = try ReadCorpus.reader("data/repeated_no_annotation.parquet")
        let phone = Field(
            "phone", .structure([Field("number", .int64, nullable: false), Field("kind", .string)]), nullable: false)
        #expect(noAnnotation.schema.fields[1].type == .structure([Field("phone", .list(phone), nullable: false)]))
        // The footer says 0 rows; its row group holds 6, which is what readers return.
        let phones = try ReadCorpus.rows("data/repeated_no_annotation.parquet")
        #expect(noAnnotation.rowCount == 6)
        #expect(phones.map { $0[0] } == (1...6).map { int($0) })
        let entry = { (number: Int64, kind: Value) in Value.structure([int(number), kind]) }
        #expect(phones[0][1] == .null)
        #expect(phones[2][1] == .structure([list()]))
        #expect(
            phones[5][1]
                == .structure([list(entry(1_111_111_111, str("home")), entry(2_222_222_222, .null), entry(3_333_333_333, str("mobile")))]))
    }

    @Test func listNamingAndNullTypes() throws {
        let rows = try ReadCorpus.rows("data/list_columns.parquet")
        #expect(rows[0] == [list(int(1), int(2), int(3)), list(str("abc"), str("efg"), str("hij"))])
        #expect(rows[1] == [list(.null, int(1)), .null])
        let nullList = try ReadCorpus.reader("data/null_list.parquet")
        #expect(nullList.schema.fields[0].type == .list(Field("item", .null)))
        #expect(try ReadCorpus.rows("data/null_list.parquet") == [[list()]])
        let unknown = try ReadCorpus.reader("data/unknown-logical-type.parquet")
        #expect(unknown.schema.fields.map(\.type) == [.string, .binary])
    }

    @Test func codecs() throws {
        for file in ["data/lz4_raw_compressed.parquet", "data/hadoop_lz4_compressed.parquet", "data/non_hadoop_lz4_compressed.parquet"] {
            let rows = try ReadCorpus.rows(file)
            #expect(rows.count == 4, "\(file)")
            #expect(rows[0][0] == int(1_593_604_800), "\(file)")
            #expect(rows[0][1] == bytes("abc"), "\(file)")
        }
        #expect(try ReadCorpus.rows("data/concatenated_gzip_members.parquet").map { $0[0] } == (1...513).map { .uint(UInt64($0)) })
        #expect(try ReadCorpus.rows("data/lz4_raw_compressed_larger.parquet").count == 10_000)
        #expect(try ReadCorpus.rows("data/hadoop_lz4_compressed_larger.parquet").count == 10_000)
    }

    @Test func dictionaryPageOffsetZeroAndMalformedDictionaryHeaders() throws {
        let values = try ReadCorpus.column("data/dict-page-offset-zero.parquet", "l_partkey")
        #expect(values.count == 39)
        #expect(values.allSatisfy { $0 == int(1552) })
        // Written by an old parquet-mr whose chunk sizes leave out the dictionary page header.
        let nation = try ReadCorpus.rows("data/nation.dict-malformed.parquet")
        #expect(nation.count == 25)
        #expect(nation[0][1] == bytes("ALGERIA"))
    }

    @Test func checksumsAreVerifiedByDefault() throws {
        for file in ["data/datapage_v1-corrupt-checksum.parquet", "data/rle-dict-uncompressed-corrupt-checksum.parquet"] {
            #expect(throws: ParquetError.self) { _ = try ReadCorpus.rows(file) }
            do {
                _ = try ReadCorpus.rows(file)
            } catch let error as ParquetError {
                #expect(error.code == .checksumMismatch)
                #expect(error.path?.hasSuffix(file) == true)
                #expect(error.column != nil)
            }
            let rows = try ReadCorpus.rows(file, options: ParquetReadOptions(verifyChecksums: false))
            #expect(rows.count > 0)
        }
        for file in [
            "data/datapage_v1-snappy-compressed-checksum.parquet", "data/datapage_v1-uncompressed-checksum.parquet",
            "data/plain-dict-uncompressed-checksum.parquet", "data/rle-dict-snappy-checksum.parquet",
        ] {
            #expect(try ReadCorpus.rows(file).count > 0, "\(file)")
        }
    }

    @Test func fieldIdsAndMetadata() throws {
        let reader = try ReadCorpus.reader("data/binary.parquet")
        #expect(reader.schema.fields[0].id == 1)
        #expect(reader.schema.metadata["writer.model.name"] == "protobuf")
        let withArrowSchema = try ReadCorpus.reader("data/list_columns.parquet")
        #expect(withArrowSchema.schema.metadata["ARROW:schema"] == nil)
    }

    @Test func projectionKeepsRequestedOrder() throws {
        let reader = try ReadCorpus.reader("data/nested_maps.snappy.parquet")
        let batch = try reader.readRowGroup(0, columns: ["c", "a"])
        #expect(batch.schema.fields.map(\.name) == ["c", "a"])
        #expect(batch.row(2) == [.double(1), map((str("c"), .null))])
        let empty = try reader.readRowGroup(0, columns: [])
        #expect(empty.rowCount == 6)
        #expect(empty.columns.isEmpty)
        #expect(throws: ParquetError.self) { try reader.readRowGroup(0, columns: ["nope"]) }
        #expect(throws: ParquetError.self) { try reader.readRowGroup(1) }
    }

    @Test func everyValidCorpusFileReads() throws {
        // Files pyarrow reads (large_string_map needs more than 2 GiB of strings in one batch).
        var files = try ReadCorpus.files(in: "data").map { "data/" + $0 }
        files += try ReadCorpus.files(in: "data/geospatial").map { "data/geospatial/" + $0 }
        let skipped: Set<String> = [
            "data/large_string_map.brotli.parquet", "data/incorrect_map_schema.parquet",
            "data/datapage_v1-corrupt-checksum.parquet", "data/rle-dict-uncompressed-corrupt-checksum.parquet",
        ]
        for file in files where !skipped.contains(file) {
            let reader = try ReadCorpus.reader(file)
            var rows = 0
            for group in 0..<reader.rowGroupCount {
                let batch = try reader.readRowGroup(group)
                for column in batch.columns { try column.validate() }
                rows += batch.rowCount
            }
            #expect(rows == reader.rowCount, "\(file)")
        }
    }
}

extension Value {
    var isNaN: Bool {
        if case .double(let d) = self { return d.isNaN }
        return false
    }
}
