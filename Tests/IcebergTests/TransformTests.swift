import Columnar
@testable import Iceberg
import Testing

@Suite struct TransformTests {
    typealias S = IcebergTestSupport

    /// Appendix B of the spec: the 32-bit hash of one value of each type.
    @Test func specHashVectors() throws {
        #expect(try Transform.bucketHash(.int(34)) == 2_017_239_379)
        #expect(try Transform.bucketHash(.long(34)) == 2_017_239_379)
        #expect(try Transform.bucketHash(.decimal(1420)) == -500_754_589)  // 14.20
        #expect(try Transform.bucketHash(.date(Int32(S.days(2017, 11, 16)))) == -653_330_422)
        #expect(try Transform.bucketHash(.time((22 * 3600 + 31 * 60 + 8) * 1_000_000)) == -662_762_989)
        #expect(try Transform.bucketHash(.timestamp(S.micros(2017, 11, 16, 22, 31, 8))) == -2_047_944_441)
        // 2017-11-16T14:31:08-08:00 is the same instant.
        #expect(try Transform.bucketHash(.timestamptz(S.micros(2017, 11, 16, 22, 31, 8))) == -2_047_944_441)
        #expect(try Transform.bucketHash(.timestamp(S.micros(2017, 11, 16, 22, 31, 8) + 1)) == -1_207_196_810)
        #expect(try Transform.bucketHash(.string("iceberg")) == 1_210_000_089)
        let uuid = try #require(IcebergLiteral.parseUUID("f79c3e09-677c-4bbd-a479-3f349cb785e7"))
        #expect(try Transform.bucketHash(.uuid(uuid)) == 1_488_055_340)
        #expect(try Transform.bucketHash(.fixed([0, 1, 2, 3])) == -188_683_207)
        #expect(try Transform.bucketHash(.binary([0, 1, 2, 3])) == -188_683_207)
        #expect(throws: IcebergError.self) { try Transform.bucketHash(.double(1)) }
    }

    @Test func bucketValues() throws {
        #expect(try Transform.bucket(16).apply(.int(34), source: .int) == .int(3))
        #expect(try Transform.bucket(16).apply(nil, source: .int) == nil)
        // pyiceberg put ids 10 and 12 in bucket 0, 11 in bucket 3, 13 in bucket 1 of bucket[4]
        // (Fixtures/pyiceberg-events-manifest.avro).
        let expected: [Int64: Int32] = [10: 0, 11: 3, 12: 0, 13: 1]
        for (id, bucket) in expected {
            #expect(try Transform.bucket(4).apply(.long(id), source: .long) == .int(bucket))
        }
        #expect(throws: IcebergError.self) { try Transform.bucket(4).apply(.double(1), source: .double) }
    }

    /// The spec's truncate examples.
    @Test func truncateVectors() throws {
        #expect(try Transform.truncate(10).apply(.int(1), source: .int) == .int(0))
        #expect(try Transform.truncate(10).apply(.int(-1), source: .int) == .int(-10))
        #expect(try Transform.truncate(10).apply(.long(1), source: .long) == .long(0))
        #expect(try Transform.truncate(10).apply(.long(-1), source: .long) == .long(-10))
        // 10.65 truncated to a width of 50 (unscaled) is 10.50.
        #expect(try Transform.truncate(50).apply(.decimal(1065), source: .decimal(precision: 9, scale: 2)) == .decimal(1050))
        #expect(try Transform.truncate(3).apply(.string("iceberg"), source: .string) == .string("ice"))
        // Code points, not bytes or UTF-16 units.
        #expect(try Transform.truncate(2).apply(.string("é😀x"), source: .string) == .string("é😀"))
        #expect(try Transform.truncate(2).apply(.binary([1, 2, 3]), source: .binary) == .binary([1, 2]))
        #expect(throws: IcebergError.self) { try Transform.truncate(2).apply(.date(3), source: .date) }
    }

    @Test func temporalTransforms() throws {
        let instant = IcebergLiteral.timestamptz(S.micros(2017, 11, 16, 22, 31, 8))
        #expect(try Transform.year.apply(instant, source: .timestamptz) == .int(47))
        #expect(try Transform.month.apply(instant, source: .timestamptz) == .int(47 * 12 + 10))
        #expect(try Transform.day.apply(instant, source: .timestamptz) == .date(17486))
        #expect(try Transform.hour.apply(instant, source: .timestamptz) == .int(419_686))
        let date = IcebergLiteral.date(Int32(S.days(2017, 11, 16)))
        #expect(try Transform.year.apply(date, source: .date) == .int(47))
        #expect(try Transform.month.apply(date, source: .date) == .int(574))
        #expect(try Transform.day.apply(date, source: .date) == date)
        #expect(throws: IcebergError.self) { try Transform.hour.apply(date, source: .date) }
        // Floored before the epoch: one microsecond before 1970 is in 1969-12-31 23:00.
        let before = IcebergLiteral.timestamp(-1)
        #expect(try Transform.year.apply(before, source: .timestamp) == .int(-1))
        #expect(try Transform.month.apply(before, source: .timestamp) == .int(-1))
        #expect(try Transform.day.apply(before, source: .timestamp) == .date(-1))
        #expect(try Transform.hour.apply(before, source: .timestamp) == .int(-1))
        #expect(try Transform.day.resultType(source: .timestamp) == .date)
        #expect(try Transform.month.resultType(source: .date) == .int)
    }

    @Test func parsingAndPrinting() {
        let cases: [(String, Transform)] = [
            ("identity", .identity), ("bucket[16]", .bucket(16)), ("truncate[4]", .truncate(4)), ("year", .year),
            ("month", .month), ("day", .day), ("hour", .hour), ("void", .void),
        ]
        for (text, transform) in cases {
            #expect(Transform(parsing: text) == transform)
            #expect(transform.description == text)
        }
        #expect(Transform(parsing: "bucket[0]") == .unknown("bucket[0]"))
        #expect(Transform(parsing: "zorder") == .unknown("zorder"))
        #expect(Transform.day.defaultFieldName(sourceName: "event_time") == "event_time_day")
        #expect(Transform.bucket(4).defaultFieldName(sourceName: "id") == "id_bucket_4")
        #expect(Transform.truncate(3).defaultFieldName(sourceName: "name") == "name_trunc_3")
    }

    @Test func humanStrings() {
        #expect(Transform.day.humanString(.date(Int32(S.days(2025, 1, 5))), resultType: .date) == "2025-01-05")
        #expect(Transform.month.humanString(.int(660), resultType: .int) == "2025-01")
        #expect(Transform.year.humanString(.int(55), resultType: .int) == "2025")
        #expect(Transform.hour.humanString(.int(Int32(S.days(2025, 1, 5) * 24 + 10)), resultType: .int) == "2025-01-05-10")
        #expect(Transform.bucket(4).humanString(.int(3), resultType: .int) == "3")
        #expect(Transform.identity.humanString(nil, resultType: .string) == "null")
        #expect(Transform.identity.humanString(.decimal(1420), resultType: .decimal(precision: 9, scale: 2)) == "14.20")
        #expect(Transform.identity.humanString(.timestamptz(S.micros(2017, 11, 16, 22, 31, 8)), resultType: .timestamptz) == "2017-11-16T22:31:08+00:00")
        #expect(Transform.identity.humanString(.timestamp(S.micros(2017, 11, 16, 22, 31, 8) + 1), resultType: .timestamp) == "2017-11-16T22:31:08.000001")
        #expect(Transform.identity.humanString(.binary([0, 1, 2, 3]), resultType: .binary) == "AAECAw==")
        #expect(Transform.identity.humanString(.boolean(true), resultType: .boolean) == "true")
        #expect(PartitionSpec.quotePlus("a b/c=d_e.f-g~h") == "a+b%2Fc%3Dd_e.f-g~h")
        #expect(PartitionSpec.quotePlus("é") == "%C3%A9")
    }

    /// Column-wise results agree with value-by-value results, nulls included.
    @Test func columnsMatchValues() throws {
        let stamps: [Value] = [
            .timestamp(S.micros(2025, 1, 5, 10, 30), .microsecond, utc: true), .null,
            .timestamp(-1, .microsecond, utc: true), .timestamp(S.micros(2024, 2, 29, 23, 59, 59), .microsecond, utc: true),
        ]
        let column = try S.column(.timestamp(.microsecond, utc: true), stamps)
        for transform in [Transform.year, .month, .day, .hour, .bucket(7), .identity, .void] {
            let out = try transform.apply(to: column, source: .timestamptz)
            let resultType = try transform.resultType(source: .timestamptz)
            #expect(out.type == IcebergSchema.columnarType(resultType))
            for (row, value) in stamps.enumerated() {
                let literal = IcebergLiteral(columnar: value, type: .timestamptz)
                let expected = try transform.apply(literal, source: .timestamptz)
                #expect(IcebergLiteral(columnar: out.value(at: row), type: resultType) == expected, "\(transform) row \(row)")
            }
        }
        // Milliseconds are converted to microseconds first.
        let millis = try S.column(.timestamp(.millisecond, utc: false), [.timestamp(S.micros(2025, 1, 5) / 1000, .millisecond, utc: false)])
        #expect(try Transform.day.apply(to: millis, source: .timestamp).value(at: 0) == .date(S.days(2025, 1, 5)))

        let longs: [Value] = [.int(10), .int(11), .null, .int(-7), .int(13)]
        let longColumn = try S.column(.int64, longs)
        for transform in [Transform.bucket(4), .truncate(5), .identity] {
            let out = try transform.apply(to: longColumn, source: .long)
            for (row, value) in longs.enumerated() {
                let expected = try transform.apply(IcebergLiteral(columnar: value, type: .long), source: .long)
                let resultType = try transform.resultType(source: .long)
                #expect(IcebergLiteral(columnar: out.value(at: row), type: resultType) == expected)
            }
        }
        // An int8 column holds int values.
        let small = try S.column(.int8, [.int(34), .int(-1)])
        #expect(try Transform.bucket(16).apply(to: small, source: .int).value(at: 0) == .int(3))
        #expect(try Transform.truncate(10).apply(to: small, source: .int).value(at: 1) == .int(-10))

        let strings: [Value] = [.string("iceberg"), .null, .string("é😀x"), .string("")]
        let stringColumn = try S.column(.string, strings)
        for transform in [Transform.bucket(100), .truncate(2), .identity] {
            let out = try transform.apply(to: stringColumn, source: .string)
            for (row, value) in strings.enumerated() {
                let expected = try transform.apply(IcebergLiteral(columnar: value, type: .string), source: .string)
                #expect(IcebergLiteral(columnar: out.value(at: row), type: try transform.resultType(source: .string)) == expected)
            }
        }
        let decimals = try S.column(.decimal(precision: 9, scale: 2), [.decimal(1420, scale: 2), .decimal(1065, scale: 2)])
        #expect(try Transform.bucket(1000).apply(to: decimals, source: .decimal(precision: 9, scale: 2)).value(at: 0) == .int(Int64((-500_754_589 & Int32.max) % 1000)))
        #expect(try Transform.truncate(50).apply(to: decimals, source: .decimal(precision: 9, scale: 2)).value(at: 1) == .decimal(1050, scale: 2))
        // A column that does not hold the source type is refused.
        #expect(throws: IcebergError.self) { try Transform.bucket(4).apply(to: stringColumn, source: .long) }
    }

    @Test func splitAndPaths() throws {
        let schema = try IcebergSchema(columnar: S.eventsColumnar)
        let spec = try PartitionSpec(
            schema: schema, fields: [UnboundPartitionField("event_time", .day), UnboundPartitionField("id", .bucket(4))])
        #expect(spec.fields.map(\.name) == ["event_time_day", "id_bucket_4"])
        #expect(spec.fields.map(\.fieldId) == [1000, 1001])
        let fields = S.eventsColumnar.fields
        var columns: [Column] = []
        let ids: [Int64] = [10, 11, 12, 13]
        for field in fields {
            let builder = ColumnBuilder(type: field.type)
            for id in ids {
                switch field.name {
                case "id": try builder.append(.int(id))
                case "event_time": try builder.append(.timestamp(S.micros(2025, 1, 5 + id % 2, 10, 30), .microsecond, utc: true))
                default: builder.appendNull()
                }
            }
            columns.append(builder.finish())
        }
        let batch = try RecordBatch(schema: S.eventsColumnar, columns: columns)
        let groups = try spec.split(batch, schema: schema)
        let paths = try groups.map { try spec.partitionPath($0.values, schema: schema) }
        // The same directories pyiceberg made for these rows.
        #expect(paths == ["event_time_day=2025-01-05/id_bucket_4=0", "event_time_day=2025-01-06/id_bucket_4=3", "event_time_day=2025-01-06/id_bucket_4=1"])
        #expect(groups.map(\.rows) == [[0, 2], [1], [3]])
        #expect(try PartitionSpec.unpartitioned.partitionPath(.unpartitioned, schema: schema) == "")
        // A partition of a nested struct field.
        let nested = try PartitionSpec(schema: schema, fields: [UnboundPartitionField("loc.lat", .identity)])
        #expect(nested.fields[0].name == "lat")
        #expect(try nested.split(batch, schema: schema).count == 1)
        #expect(throws: IcebergError.self) { try PartitionSpec(schema: schema, fields: [UnboundPartitionField("tags.element", .identity)]) }
        #expect(throws: IcebergError.self) { try PartitionSpec(schema: schema, fields: [UnboundPartitionField("name", .day)]) }
    }
}
