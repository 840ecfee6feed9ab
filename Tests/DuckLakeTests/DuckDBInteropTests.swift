import Columnar
import Database
@testable import DuckLake
import Foundation
import Tables
import Testing

/// The real proof: DuckDB 1.5.5's ducklake extension reads what Lakegate writes, value for
/// value, and Lakegate reads and extends what DuckDB writes (inlined rows and deletes too).
@Suite(.serialized) struct DuckDBInteropTests {
    static let allTypes = Schema([
        Field("id", .int64), Field("i32", .int32), Field("i16", .int16), Field("i8", .int8), Field("u32", .uint32),
        Field("u64", .uint64), Field("f64", .float64), Field("f32", .float32), Field("s", .string),
        Field("ts", .timestamp(.microsecond, utc: true)), Field("tsn", .timestamp(.microsecond, utc: false)),
        Field("tsms", .timestamp(.millisecond, utc: false)), Field("d", .date), Field("b", .boolean),
        Field("dec", .decimal(precision: 10, scale: 2)), Field("big", .decimal(precision: 38, scale: 5)), Field("u", .uuid),
        Field("bin", .binary), Field("t", .time(.microsecond)), Field("l", .list(Field("item", .int32))),
        Field("ls", .list(Field("item", .string))), Field("st", .structure([Field("x", .int32), Field("y", .string)])),
        Field("m", .map(key: Field("key", .string, nullable: false), value: Field("value", .int64))),
        Field("ln", .list(Field("item", .structure([Field("a", .int64)])))),
    ])

    static func allTypesRow(_ i: Int) -> [Value] {
        let n = Int64(i)
        let base: Int64 = 1_704_067_200_000_000
        let f64: Value = i % 11 == 0 ? .null : .double([5: .infinity, 6: -.infinity, 7: 1e16, 8: -0.0, 9: 1.5e-7][i] ?? 0.1 * Double(i))
        let strings: [Int: Value] = [1: .string("é,'\" x"), 2: .string(""), 3: .null]
        let ts: Value = .timestamp(i == 4 ? -1 : base + n * 3_600_000_000 + n * 123_456, .microsecond, utc: true)
        var big = Int128(n) * 1_000_000_000_000_000_000_000_000_000 + 12345
        if i % 2 == 1 { big = -big }
        let list: Value = i % 5 == 0 ? .list([]) : i % 5 == 1 ? .null : .list([.int(n), .null, .int(-n)])
        let structure: Value = i % 4 == 0 ? .null : i % 4 == 1 ? .structure([.null, .string("z")]) : .structure([.int(n), .string("y\(i)")])
        let map: Value = i % 6 == 0 ? .map([]) : .map([.init(key: .string("k\(i)"), value: .int(n)), .init(key: .string("z"), value: .null)])
        return [
            .int(n), i % 7 == 3 ? .null : .int(n * 1000 - 15000), .int(n * 100 - 1500), .int(n - 15),
            .uint(UInt64(i) * 100_000_000), .uint(UInt64.max - UInt64(i)), f64, .double(Double(Float(i) / 7)),
            strings[i] ?? .string("row-\(i)"), ts, .timestamp(base + n * 86_400_000_000, .microsecond, utc: false),
            .timestamp(base / 1000 + n * 1500, .millisecond, utc: false), .date(i == 10 ? -1 : 19_723 + n * 40),
            i % 3 == 0 ? .null : .bool(i % 2 == 0), .decimal(Int128(n * 1234 - 10000), scale: 2), .decimal(big, scale: 5),
            .binary([UInt8(i), 0x1d, 0x4e, 0x5f, 0x10, 0x22, 0x43, 0x11, 0x8b, 0xec, 0x18, 0x84, 0x73, 0x21, 0xea, 0xe8]),
            .binary([0x00, 0xff, UInt8(i)]), .time(n * 3_600_000_000 % 86_400_000_000 + 500_000, .microsecond), list,
            .list([.string("a\(i)"), .string("b")]), structure, map,
            .list([.structure([i % 3 == 0 ? .null : .int(n)])]),
        ]
    }

    static func dumpQuery(_ table: String, _ schema: Schema) -> String {
        "SELECT " + schema.fields.map(castSQL).joined(separator: ", ") + " FROM \(table) ORDER BY id"
    }

    static func expectedDump(_ rows: [[Value]], _ schema: Schema) -> [[String?]] {
        rows.map { row in zip(row, schema.fields).map { expectedText($0, $1.type) } }
    }

    @Test func aNewCatalogIsTheCatalogDuckDBCreates() async throws {
        try await withLake { lake in
            await (try await lake.open()).close()
            let duck = try TestLake.make()
            defer { duck.remove() }
            _ = try await DuckDB.run(catalog: "sqlite:\(duck.catalogPath)", dataPath: duck.dataPath)
            let schemaSQL = "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE 'ducklake%' ORDER BY name"
            let ours = try await lake.sql(schemaSQL).map { [try $0.string(0), try $0.string(1)] }
            let theirs = try await duck.sql(schemaSQL).map { [try $0.string(0), try $0.string(1)] }
            #expect(ours == theirs)
            #expect(ours.count == 28)
            for (query, columns) in [
                (#"SELECT "key", "value", "scope", scope_id FROM ducklake_metadata WHERE "key" NOT IN ('created_by', 'data_path') ORDER BY "key""#, 4),
                ("SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM ducklake_snapshot", 4),
                ("SELECT * FROM ducklake_snapshot_changes", 5),
                ("SELECT schema_id, begin_snapshot, end_snapshot, schema_name, path, path_is_relative FROM ducklake_schema", 6),
                ("SELECT COUNT(*) FROM ducklake_schema_versions", 1),
            ] {
                let a = try await lake.sql(query).map { row in (0..<columns).map { row[$0] } }
                let b = try await duck.sql(query).map { row in (0..<columns).map { row[$0] } }
                #expect(a == b, "\(query)")
            }
            let times = try await lake.sql("SELECT snapshot_time, (SELECT value FROM ducklake_metadata WHERE key = 'data_path') FROM ducklake_snapshot")
            #expect(CatalogTime.seconds(try times[0].string(0)) != nil)
            #expect(try times[0].string(1) == lake.dataPath + "/")
        }
    }

    @Test func duckDBReadsEveryTypeAsWritten() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "all_types")
            let schema = Self.allTypes
            try await catalog.createTable(table, schema: schema, partitionBy: [])
            var rows: [[Value]] = []
            for chunk in 0..<3 {
                let chunkRows = (chunk * 10..<(chunk * 10 + 10)).map(Self.allTypesRow)
                rows += chunkRows
                let append = try await catalog.beginAppend(table, schema: schema)
                try await append.write(try makeBatch(schema, chunkRows))
                _ = try await append.commit(idempotencyKey: nil, message: nil)
            }
            let description = try #require(try await catalog.describe(table))
            let stored = description.schema
            let scalarColumns = stored.fields.filter { !$0.type.isNested && $0.type != .binary }
            let statsQuery = "SELECT " + scalarColumns.map { "CAST(min(\($0.name)) AS VARCHAR), CAST(max(\($0.name)) AS VARCHAR)" }.joined(separator: ", ") + " FROM all_types"
            let result = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                queries: [Self.dumpQuery("all_types", stored), "SELECT COUNT(*) FROM all_types", statsQuery])
            #expect(result[1] == [["30"]])
            let expected = Self.expectedDump(rows, stored)
            #expect(result[0].count == expected.count)
            for (got, want) in zip(result[0], expected) {
                for (index, field) in stored.fields.enumerated() where got[index] != want[index] {
                    Issue.record("row \(want[0] ?? "?") column \(field.name): DuckDB read \(got[index] ?? "NULL"), wrote \(want[index] ?? "NULL")")
                }
            }
            // Our table statistics are DuckDB's own min and max, as DuckDB prints them.
            let ids = Dictionary(uniqueKeysWithValues: stored.fields.map { ($0.name, Int64($0.id!)) })
            let stats = try await lake.sql("SELECT column_id, min_value, max_value FROM ducklake_table_column_stats")
            var bounds: [Int64: (String?, String?)] = [:]
            for row in stats { bounds[try row.int64(0)] = (try row.optionalString("min_value"), try row.optionalString("max_value")) }
            for (index, field) in scalarColumns.enumerated() {
                let mine = bounds[ids[field.name]!]
                #expect(mine?.0 == result[2][0][2 * index], "min of \(field.name)")
                #expect(mine?.1 == result[2][0][2 * index + 1], "max of \(field.name)")
            }
            // Every leaf has its statistics row in every file.
            let leaves = try await lake.sql("SELECT COUNT(*) FROM ducklake_file_column_stats")
            var leafCount = 0
            func countLeaves(_ type: DataType) { if type.children.isEmpty { leafCount += 1 } else { type.children.forEach { countLeaves($0.type) } } }
            stored.fields.forEach { countLeaves($0.type) }
            #expect(leafCount == 26)
            #expect(try leaves[0].int64(0) == Int64(3 * leafCount))
            // And Lakegate reads back what it wrote.
            let (_, read, _) = try await scanRows(catalog, table)
            #expect(Self.expectedDump(sortedById(read), stored) == expected)
            await catalog.close()
        }
    }

    static let eventSchema = Schema([
        Field("id", .int64), Field("ts", .timestamp(.microsecond, utc: true)), Field("country", .string),
        Field("amount", .float64), Field("qty", .int32), Field("dec", .decimal(precision: 10, scale: 2)), Field("d", .date),
        Field("name", .string), Field("flag", .boolean), Field("tsn", .timestamp(.microsecond, utc: false)),
    ])

    static func eventRow(_ i: Int) -> [Value] {
        let n = Int64(i)
        let base: Int64 = 1_704_067_200_000_000
        let countries = ["CH", "DE", "FR", "AT"]
        return [
            .int(n), .timestamp(base + n * 900_000_000, .microsecond, utc: true), .string(countries[(i / 7) % 4]),
            .double(Double(i % 50) * 0.75), i % 13 == 0 ? .null : .int(n * 3 % 250), .decimal(Int128(n * 37 % 5000), scale: 2),
            .date(19_723 + n / 10), .string("n-\(i)"), .bool(i % 5 == 0), .timestamp(base + n * 1_800_000_000, .microsecond, utc: false),
        ]
    }

    static let filters: [(String, DuckDB.Filter)] = [
        ("id > 120", .init(table: "events", column: "id", op: ">", sql: "120", py: "120")),
        ("id <= 37", .init(table: "events", column: "id", op: "<=", sql: "37", py: "37")),
        ("id = 200", .init(table: "events", column: "id", op: "=", sql: "200", py: "200")),
        ("id != 5", .init(table: "events", column: "id", op: "!=", sql: "5", py: "5")),
        ("ts >= 2024-01-03 00:00:00+00", .init(table: "events", column: "ts", op: ">=", sql: "TIMESTAMPTZ '2024-01-03 00:00:00+00'", py: "datetime.datetime(2024, 1, 3, tzinfo=datetime.timezone.utc)")),
        ("ts < 2024-01-02 12:30:00+00", .init(table: "events", column: "ts", op: "<", sql: "TIMESTAMPTZ '2024-01-02 12:30:00+00'", py: "datetime.datetime(2024, 1, 2, 12, 30, tzinfo=datetime.timezone.utc)")),
        ("country = CH", .init(table: "events", column: "country", op: "=", sql: "'CH'", py: "'CH'")),
        ("country != DE", .init(table: "events", column: "country", op: "!=", sql: "'DE'", py: "'DE'")),
        ("country > DE", .init(table: "events", column: "country", op: ">", sql: "'DE'", py: "'DE'")),
        ("amount < 10.5", .init(table: "events", column: "amount", op: "<", sql: "10.5", py: "10.5")),
        ("qty >= 100", .init(table: "events", column: "qty", op: ">=", sql: "100", py: "100")),
        ("dec > 12.34", .init(table: "events", column: "dec", op: ">", sql: "12.34", py: "decimal.Decimal('12.34')")),
        ("d = 2024-01-20", .init(table: "events", column: "d", op: "=", sql: "DATE '2024-01-20'", py: "datetime.date(2024, 1, 20)")),
        ("name = n-42", .init(table: "events", column: "name", op: "=", sql: "'n-42'", py: "'n-42'")),
        ("flag = true", .init(table: "events", column: "flag", op: "=", sql: "true", py: "True")),
        ("tsn < 2024-01-05 00:00:00", .init(table: "events", column: "tsn", op: "<", sql: "TIMESTAMP '2024-01-05 00:00:00'", py: "datetime.datetime(2024, 1, 5)")),
    ]

    @Test func filteredScansMatchTheUnfilteredScanFilteredInPython() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "events")
            let schema = Self.eventSchema
            try await catalog.createTable(table, schema: schema, partitionBy: ["day(ts)", "country"])
            var rows: [[Value]] = []
            for chunk in 0..<6 {
                let chunkRows = (chunk * 50..<(chunk * 50 + 50)).map(Self.eventRow)
                rows += chunkRows
                let append = try await catalog.beginAppend(table, schema: schema)
                try await append.write(try makeBatch(schema, chunkRows))
                _ = try await append.commit(idempotencyKey: "chunk-\(chunk)", message: nil)
            }
            let filters = Self.filters.map(\.1)
            // Timestamps with a zone need pytz in Python; compare them as UTC wall clock there.
            let pyFilters = filters.map { filter -> DuckDB.Filter in
                guard filter.column == "ts" else { return filter }
                var f = filter
                f.py = f.py.replacingOccurrences(of: ", tzinfo=datetime.timezone.utc", with: "")
                f.column = "CAST(ts AS TIMESTAMP)"
                f.sql = f.sql.replacingOccurrences(of: "TIMESTAMPTZ", with: "TIMESTAMP").replacingOccurrences(of: "+00", with: "")
                return f
            }
            // DuckDB's pruning only sees the real column: run the timestamptz filters as such too.
            let direct = filters.filter { $0.column == "ts" }.map {
                "SELECT list(id ORDER BY id)::VARCHAR FROM events WHERE ts \($0.op) \($0.sql)"
            }
            let result = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath, queries: direct, filters: pyFilters)
            for (index, (text, _)) in Self.filters.enumerated() {
                let pair = result[direct.count + index]
                #expect(pair[0] == pair[1], "DuckDB's filtered scan for \(text) lost or added rows")
                #expect(!pair[1].isEmpty, "\(text) matches rows")
                // Lakegate's own plan keeps every matching row too.
                let filter = try ScanFilter(parsing: text)
                let (_, read, plan) = try await scanRows(catalog, table, filter: filter)
                let predicate = try ScanPredicate(filter, schema: plan.schema, table: "events")
                let column = plan.schema.index(of: filter.column)!
                let matching = read.filter { row in
                    row[column] != .null && ScanPredicate.mayMatch(low: row[column], high: row[column], op: predicate.op, literal: predicate.literal)
                }
                let ids = sortedById(matching).map { row -> String? in if case .int(let v) = row[0] { String(v) } else { nil } }
                #expect(ids == pair[1], "Lakegate's plan for \(text)")
                if (text.hasPrefix("id") && !text.contains("!=")) || text.hasPrefix("country = ") { #expect(plan.prunedFiles > 0, "\(text) prunes") }
            }
            // The timestamptz filters, run on the column itself, agree with Python too.
            for (offset, filter) in filters.filter({ $0.column == "ts" }).enumerated() {
                let index = Self.filters.firstIndex { $0.1.column == filter.column && $0.1.op == filter.op }!
                let expected = "[" + result[direct.count + index][1].compactMap { $0 }.joined(separator: ", ") + "]"
                #expect(result[offset][0][0] == expected, "ts \(filter.op) \(filter.sql)")
            }
            await catalog.close()
        }
    }

    @Test func compactionAndExpiryKeepEveryRowForDuckDB() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "events")
            let schema = Self.eventSchema
            try await catalog.createTable(table, schema: schema, partitionBy: ["country"])
            for chunk in 0..<8 {
                let append = try await catalog.beginAppend(table, schema: schema)
                try await append.write(try makeBatch(schema, (chunk * 25..<(chunk * 25 + 25)).map(Self.eventRow)))
                _ = try await append.commit(idempotencyKey: nil, message: nil)
            }
            let query = Self.dumpQuery("events", schema)
            let before = try await DuckDB.query(catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath, query)
            #expect(before.count == 200)
            let filesBefore = try await catalog.files(table).count
            let compaction = try await catalog.compact(table)
            #expect(compaction.filesRemoved == filesBefore && compaction.filesAdded == 4)
            let afterCompaction = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                queries: [query, "SELECT COUNT(*) FROM ducklake_list_files('lake', 'events')"])
            #expect(afterCompaction[0] == before)
            #expect(afterCompaction[1] == [["4"]])
            // Older snapshots still read the merged files (time travel), until expiry.
            let compactedAt = try #require(compaction.snapshot)
            let travel = try await DuckDB.query(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                "SELECT COUNT(*) FROM events AT (VERSION => \(compactedAt - 1))")
            #expect(travel == [["200"]])
            let expiry = try await catalog.expireSnapshots(table, olderThan: 0)
            #expect(expiry.filesDeleted == filesBefore)
            let afterExpiry = try await DuckDB.query(catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath, query)
            #expect(afterExpiry == before)
            #expect(lake.parquetFiles().count == 4)
            await catalog.close()
        }
    }

    @Test func duckDBAppendsToOurLakeAndWeReadItsRows() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "events")
            let schema = Self.eventSchema
            try await catalog.createTable(table, schema: schema, partitionBy: ["day(ts)"])
            let first = try await catalog.beginAppend(table, schema: schema)
            try await first.write(try makeBatch(schema, (0..<20).map(Self.eventRow)))
            _ = try await first.commit(idempotencyKey: nil, message: nil)
            // A few rows (inlined by DuckDB's default), then many (a Parquet file), then a delete.
            _ = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                statements: [
                    "INSERT INTO events (id, ts, country, name) VALUES (1000, TIMESTAMPTZ '2024-03-01 10:00:00.5+00', 'CH', 'inlined-1'), (1001, NULL, NULL, 'inlined-2')",
                    "INSERT INTO events (id, ts, country, amount) SELECT 2000 + i, TIMESTAMPTZ '2024-03-02 00:00:00+00' + INTERVAL (i) MINUTE, 'DE', i / 4 FROM range(300) r(i)",
                    "DELETE FROM events WHERE id IN (3, 2005, 1001)",
                ])
            let (readSchema, rows, plan) = try await scanRows(catalog, table)
            let expectedCount = 20 + 2 + 300 - 3
            #expect(rows.count == expectedCount)
            let ids = Set(rows.map { $0[0] })
            #expect(!ids.contains(.int(3)) && !ids.contains(.int(2005)) && !ids.contains(.int(1001)))
            #expect(ids.contains(.int(1000)) && ids.contains(.int(2299)))
            #expect(!plan.inlinedRows.isEmpty)
            let inlined = rows.first { $0[0] == .int(1000) }!
            #expect(inlined[1] == .timestamp(1_709_287_200_500_000, .microsecond, utc: true))
            #expect(inlined[readSchema.index(of: "name")!] == .string("inlined-1"))
            // Our next append continues after DuckDB's row ids, and DuckDB reads everything.
            let second = try await catalog.beginAppend(table, schema: schema)
            try await second.write(try makeBatch(schema, (20..<30).map(Self.eventRow)))
            _ = try await second.commit(idempotencyKey: nil, message: nil)
            let rowIds = try await lake.sql("SELECT MAX(row_id_start + record_count) FROM ducklake_data_file")
            let nextRowId = try await lake.sql("SELECT next_row_id FROM ducklake_table_stats")
            #expect(try rowIds[0].int64(0) == nextRowId[0].int64(0))
            let counted = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                queries: [
                    "SELECT COUNT(*), COUNT(DISTINCT rowid) FROM events",
                    "SELECT CAST(id AS VARCHAR) FROM events ORDER BY id",
                ])
            #expect(counted[0] == [["329", "329"]])
            let mine = sortedById(try await scanRows(catalog, table).rows).map { row -> String? in
                if case .int(let v) = row[0] { String(v) } else { nil }
            }
            #expect(counted[1].map { $0[0] } == mine)
            await catalog.close()
        }
    }

    @Test func columnsAddedMidAppendAreNullInEarlierFilesForDuckDB() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "events")
            let narrow = Schema([Field("id", .int64)])
            let wide = Schema([Field("id", .int64), Field("extra", .string)])
            try await catalog.createTable(table, schema: narrow, partitionBy: [])
            let append = try await catalog.beginAppend(table, schema: narrow)
            try await append.write(try makeBatch(narrow, [[.int(1)], [.int(2)]]))
            try await append.write(try makeBatch(wide, [[.int(3), .string("x")]]))
            #expect(try await append.commit(idempotencyKey: nil, message: nil) == .committed(snapshot: 2, files: 2, rows: 3))
            let result = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                queries: [
                    "SELECT COUNT(*) FROM events WHERE extra IS NOT NULL", "SELECT COUNT(*) FROM events WHERE extra IS NULL",
                    "SELECT CAST(id AS VARCHAR), extra FROM events ORDER BY id",
                ])
            #expect(result[0] == [["1"]] && result[1] == [["2"]])
            #expect(result[2] == [["1", nil], ["2", nil], ["3", "x"]])
            await catalog.close()
        }
    }

    @Test func duckDBCompactsOurFilesAndOurExpiryDeletesWhatItScheduled() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "events")
            let schema = Self.eventSchema
            try await catalog.createTable(table, schema: schema, partitionBy: [])
            for chunk in 0..<4 {
                let append = try await catalog.beginAppend(table, schema: schema)
                try await append.write(try makeBatch(schema, (chunk * 25..<(chunk * 25 + 25)).map(Self.eventRow)))
                _ = try await append.commit(idempotencyKey: nil, message: nil)
            }
            let query = Self.dumpQuery("events", schema)
            let result = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                statements: ["CALL ducklake_merge_adjacent_files('lake')"],
                queries: [query, "SELECT COUNT(*) FROM __ducklake_metadata_lake.ducklake_files_scheduled_for_deletion"])
            #expect(result[0].count == 100)
            #expect(result[1] == [["4"]])
            // We read DuckDB's merged file (row ids and snapshots inside it), append after it.
            let (readSchema, rows, plan) = try await scanRows(catalog, table)
            #expect(plan.tasks.count == 1)
            #expect(Self.expectedDump(sortedById(rows), readSchema) == result[0])
            let append = try await catalog.beginAppend(table, schema: schema)
            try await append.write(try makeBatch(schema, (100..<110).map(Self.eventRow)))
            _ = try await append.commit(idempotencyKey: nil, message: nil)
            let expiry = try await catalog.expireSnapshots(table, olderThan: 0)
            #expect(expiry.filesDeleted == 4)
            #expect(lake.parquetFiles().count == 2)
            let after = try await DuckDB.query(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath, "SELECT COUNT(*), COUNT(DISTINCT rowid) FROM events")
            #expect(after == [["110", "110"]])
            await catalog.close()
        }
    }

    @Test func weAppendToADuckDBLakeWithInlinedData() async throws {
        try await withLake { lake in
            let columns = "id BIGINT, s VARCHAR, l INTEGER[], st STRUCT(a INTEGER, b VARCHAR), ts TIMESTAMPTZ, d DATE, dec DECIMAL(10,2), f DOUBLE, b BOOLEAN, u UUID, m MAP(VARCHAR, INTEGER)"
            let dump = "SELECT CAST(id AS VARCHAR), s, CAST(l AS VARCHAR), CAST(st AS VARCHAR), CAST(ts AS VARCHAR), CAST(d AS VARCHAR), CAST(dec AS VARCHAR), CAST(f AS VARCHAR), CAST(b AS VARCHAR), CAST(u AS VARCHAR), CAST(m AS VARCHAR) FROM t ORDER BY id"
            let created = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                statements: [
                    "CREATE TABLE t (\(columns))",
                    "INSERT INTO t VALUES (1, 'a, ''b''', [1, NULL, 3], {'a': 1, 'b': 'x y'}, TIMESTAMPTZ '2024-01-01 00:00:00.25+00', DATE '2024-01-02', 12.5, 0.1, true, '28109881-ad06-4324-8bec-18847321eae8', MAP {'k': 1}), (2, NULL, [], NULL, NULL, NULL, NULL, 'nan', NULL, NULL, NULL), (3, 'gone', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
                    "INSERT INTO t (id, s, f) SELECT 100 + i, 's' || i, i * 0.5 FROM range(50) r(i)",
                    "DELETE FROM t WHERE id IN (3, 120)",
                ],
                queries: [dump, "SELECT COUNT(*) FROM __ducklake_metadata_lake.ducklake_inlined_data_tables"])
            #expect(created[0].count == 51)
            #expect(created[1] == [["1"]])
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "t")
            let description = try #require(try await catalog.describe(table))
            #expect(description.recordCount == 51)
            let (schema, rows, plan) = try await scanRows(catalog, table)
            #expect(!plan.inlinedRows.isEmpty)
            #expect(Self.expectedDump(sortedById(rows), schema) == created[0])

            // Our append (with a new column) goes after DuckDB's rows; nothing of theirs breaks.
            let ours = Schema([Field("id", .int64), Field("s", .string), Field("extra", .string)])
            let append = try await catalog.beginAppend(table, schema: ours)
            try await append.write(try makeBatch(ours, [[.int(500), .string("ours"), .string("e1")], [.int(501), .null, .null]]))
            _ = try await append.commit(idempotencyKey: nil, message: nil)
            let after = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                queries: [
                    dump.replacingOccurrences(of: " FROM t ORDER BY id", with: ", extra FROM t ORDER BY id"), "SELECT COUNT(*) FROM t",
                    // Table statistics must admit the nulls of older rows, or DuckDB drops this filter.
                    "SELECT COUNT(*) FROM t WHERE extra IS NOT NULL",
                ])
            #expect(after[1] == [["53"]])
            #expect(after[2] == [["1"]])
            #expect(after[0].prefix(51).map { Array($0.prefix(11)) } == created[0])
            #expect(after[0].suffix(2).map { [$0[0], $0[1], $0[11]] } == [["500", "ours", "e1"], ["501", nil, nil]])
            // DuckDB keeps inlining into our new schema version, and we read that back.
            _ = try await DuckDB.run(
                catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath,
                statements: ["INSERT INTO t (id, s, extra) VALUES (600, 'duck', 'e2')"])
            let (_, again, _) = try await scanRows(catalog, table)
            #expect(again.count == 54)
            let extra = try #require(again.first { $0[0] == .int(600) })
            #expect(extra.last == .string("e2"))
            // Compaction leaves files with deletes and inlined rows alone; DuckDB agrees after.
            _ = try await catalog.compact(table)
            _ = try await catalog.expireSnapshots(table, olderThan: 0)
            let final = try await DuckDB.query(catalog: "sqlite:\(lake.catalogPath)", dataPath: lake.dataPath, "SELECT COUNT(*) FROM t")
            #expect(final == [["54"]])
            #expect(try await scanRows(catalog, table).rows.count == 54)
            await catalog.close()
        }
    }
}
