import Columnar
import Database
@testable import DuckLake
import Foundation
import Tables
import Testing

/// The catalog on SQLite: every operation, checked against the rows it leaves in the
/// catalog and the files in storage.
@Suite struct CatalogTests {
    let events = try! TableIdentifier(name: "events")

    @Test func appendsAreRecordedAsDuckDBWouldRecordThem() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            try await catalog.createTable(events, schema: try eventBatch(start: 0, count: 1).schema, partitionBy: [])
            let append = try await catalog.beginAppend(events, schema: try eventBatch(start: 0, count: 1).schema)
            try await append.write(try eventBatch(start: 0, count: 3))
            try await append.write(try eventBatch(start: 3, count: 2))
            let outcome = try await append.commit(idempotencyKey: nil, message: "first load")
            #expect(outcome == .committed(snapshot: 2, files: 1, rows: 5))

            let files = try await lake.sql(
                "SELECT data_file_id, begin_snapshot, path, path_is_relative, record_count, file_size_bytes, footer_size, row_id_start FROM ducklake_data_file")
            #expect(files.count == 1)
            let path = try files[0].string("path")
            #expect(path.hasPrefix("ducklake-") && path.hasSuffix(".parquet"))
            let bytes = [UInt8](FileManager.default.contents(atPath: lake.dataPath + "/main/events/" + path)!)
            #expect(try files[0].int64("file_size_bytes") == Int64(bytes.count))
            let footer = bytes[(bytes.count - 8)..<(bytes.count - 4)].enumerated().reduce(0) { $0 | Int64($1.element) << (8 * Int64($1.offset)) }
            #expect(try files[0].int64("footer_size") == footer)
            #expect(try files[0].int64("row_id_start") == 0)
            #expect(try files[0].int64("begin_snapshot") == 2)
            #expect(try files[0].int64("data_file_id") == 0)

            let stats = try await lake.sql(
                "SELECT column_id, value_count, null_count, min_value, max_value, contains_nan FROM ducklake_file_column_stats ORDER BY column_id")
            #expect(try stats.map { try $0.string("min_value") } == ["0", "event-0", "2024-01-01 00:00:00+00"])
            #expect(try stats.map { try $0.string("max_value") } == ["4", "event-4", "2024-01-01 04:00:00+00"])
            #expect(try stats.map { try $0.int64("value_count") } == [5, 5, 5])
            let tableStats = try await lake.sql("SELECT record_count, next_row_id, file_size_bytes FROM ducklake_table_stats")
            #expect(try tableStats[0].int64(0) == 5 && tableStats[0].int64(1) == 5 && tableStats[0].int64(2) == Int64(bytes.count))
            let changes = try await lake.sql("SELECT changes_made, author, commit_message FROM ducklake_snapshot_changes ORDER BY snapshot_id")
            #expect(try changes.map { try $0.string(0) } == [#"created_schema:"main""#, #"created_table:"main"."events""#, "inserted_into_table:1"])
            #expect(try changes[2].string(1) == "tests" && changes[2].string(2) == "first load")

            // The next append continues the row ids.
            let second = try await catalog.beginAppend(events, schema: try eventBatch(start: 0, count: 1).schema)
            try await second.write(try eventBatch(start: 5, count: 4))
            #expect(try await second.commit(idempotencyKey: nil, message: nil) == .committed(snapshot: 3, files: 1, rows: 4))
            let starts = try await lake.sql("SELECT row_id_start FROM ducklake_data_file ORDER BY data_file_id")
            #expect(try starts.map { try $0.int64(0) } == [0, 5])
            let description = try #require(try await catalog.describe(events))
            #expect(description.recordCount == 9 && description.fileCount == 2 && description.currentSnapshot == 3)
            #expect(description.schema.fields.map(\.id) == [1, 2, 3])
            let (_, rows, _) = try await scanRows(catalog, events)
            #expect(sortedById(rows).map { $0[0] } == (0..<9).map { .int(Int64($0)) })
            let history = try await catalog.history(events)
            #expect(history.map(\.operation) == ["create", "append", "append"])
        }
    }

    @Test func anIdempotencyKeyCommitsOnce() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let schema = try eventBatch(start: 0, count: 1).schema
            try await catalog.createTable(events, schema: schema, partitionBy: [])
            let first = try await catalog.beginAppend(events, schema: schema)
            try await first.write(try eventBatch(start: 0, count: 10))
            #expect(try await first.commit(idempotencyKey: "batch-1", message: nil) == .committed(snapshot: 2, files: 1, rows: 10))
            let again = try await catalog.beginAppend(events, schema: schema)
            try await again.write(try eventBatch(start: 0, count: 10))
            #expect(try await again.commit(idempotencyKey: "batch-1", message: nil) == .alreadyCommitted(snapshot: 2))
            // Its file is gone, the catalog unchanged.
            #expect(lake.parquetFiles().count == 1)
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_snapshot")[0].int64(0) == 3)
            #expect(try await catalog.describe(events)?.recordCount == 10)
            let keys = try await lake.sql("SELECT idempotency_key, snapshot_id FROM lakegate_commits")
            #expect(keys.count == 1)
            #expect(try keys[0].int64(1) == 2)
            #expect(try await catalog.history(events).last?.idempotencyKey == "batch-1")
        }
    }

    @Test func newAndWiderColumnsEvolveTheSchema() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let narrow = Schema([Field("id", .int64), Field("n", .int32), Field("f", .float32)])
            try await catalog.createTable(events, schema: narrow, partitionBy: [])
            let first = try await catalog.beginAppend(events, schema: narrow)
            try await first.write(try makeBatch(narrow, [[.int(1), .int(10), .double(1.5)]]))
            _ = try await first.commit(idempotencyKey: nil, message: nil)

            let wide = Schema([
                Field("id", .int64), Field("n", .int64), Field("f", .float64), Field("tag", .string),
                Field("point", .structure([Field("x", .int32), Field("y", .int32)])),
            ])
            let second = try await catalog.beginAppend(events, schema: narrow)
            try await second.write(try makeBatch(narrow, [[.int(2), .int(20), .double(2.5)]]))
            // A later batch brings the new columns.
            try await second.write(
                try makeBatch(wide, [[.int(3), .int(5_000_000_000), .double(0.1), .string("x"), .structure([.int(1), .int(2)])]]))
            #expect(try await second.commit(idempotencyKey: nil, message: nil) == .committed(snapshot: 3, files: 2, rows: 2))

            let columns = try await lake.sql(
                "SELECT column_id, begin_snapshot, end_snapshot, column_name, column_type, parent_column FROM ducklake_column ORDER BY column_id, begin_snapshot")
            let summary = try columns.map {
                "\(try $0.int64(0)):\(try $0.string(3)):\(try $0.string(4)):\(try $0.optionalInt64("end_snapshot").map(String.init) ?? "-"):\(try $0.optionalInt64("parent_column").map(String.init) ?? "-")"
            }
            #expect(summary == [
                "1:id:int64:-:-", "2:n:int32:3:-", "2:n:int64:-:-", "3:f:float32:3:-", "3:f:float64:-:-", "4:tag:varchar:-:-",
                "5:point:struct:-:-", "6:x:int32:-:5", "7:y:int32:-:5",
            ])
            // The older rows are null in the new columns, and the table statistics say so.
            let nulls = try await lake.sql("SELECT column_id, contains_null FROM ducklake_table_column_stats WHERE column_id >= 4 ORDER BY column_id")
            #expect(try nulls.map { try $0.bool(1) } == [true, true, true])
            let versions = try await lake.sql("SELECT begin_snapshot, schema_version, table_id FROM ducklake_schema_versions ORDER BY begin_snapshot")
            #expect(try versions.map { try $0.int64(1) } == [1, 2])
            #expect(try await lake.sql("SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = 3")[0].string(0)
                == "inserted_into_table:1,altered_table:1")
            let (schema, rows, _) = try await scanRows(catalog, events)
            #expect(schema.fields.map(\.type) == [
                .int64, .int64, .float64, .string,
                .structure([Field("x", .int32, id: 6), Field("y", .int32, id: 7)]),
            ])
            #expect(sortedById(rows) == [
                [.int(1), .int(10), .double(1.5), .null, .null],
                [.int(2), .int(20), .double(2.5), .null, .null],
                [.int(3), .int(5_000_000_000), .double(0.1), .string("x"), .structure([.int(1), .int(2)])],
            ])
            // Integers go into a floating-point column (converted, as DuckDB's INSERT does).
            let integers = Schema([Field("id", .int64), Field("f", .int64)])
            let third = try await catalog.beginAppend(events, schema: integers)
            try await third.write(try makeBatch(integers, [[.int(4), .int(7)]]))
            #expect(try await third.commit(idempotencyKey: nil, message: nil) == .committed(snapshot: 4, files: 1, rows: 1))
            #expect(sortedById(try await scanRows(catalog, events).rows).last == [.int(4), .null, .double(7), .null, .null])
            // A column of another kind is refused.
            let bad = Schema([Field("id", .string)])
            await expectTableError(.invalidArgument) { _ = try await catalog.beginAppend(events, schema: bad) }
        }
    }

    @Test func partitionedFilesGoToHiveFolders() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let schema = Schema([Field("id", .int64), Field("ts", .timestamp(.microsecond, utc: true)), Field("country", .string)])
            try await catalog.createTable(events, schema: schema, partitionBy: ["day(ts)", "country"])
            let base: Int64 = 1_704_067_200_000_000
            var rows: [[Value]] = []
            for i in 0..<48 {
                let ts = Value.timestamp(base + Int64(i) * 3_600_000_000, .microsecond, utc: true)
                let country: Value = i % 3 == 0 ? .null : .string(i % 2 == 0 ? "CH" : "a/b")
                rows.append([.int(Int64(i)), ts, country])
            }
            let append = try await catalog.beginAppend(events, schema: schema)
            try await append.write(try makeBatch(schema, rows))
            guard case .committed(_, let files, 48) = try await append.commit(idempotencyKey: nil, message: nil) else {
                Issue.record("not committed")
                return
            }
            #expect(files == 6)
            #expect(try await catalog.describe(events)?.partitionBy == ["day(ts)", "country"])
            let paths = try await lake.sql("SELECT path, partition_id FROM ducklake_data_file ORDER BY path").map { try $0.string(0) }
            let folders = Set(paths.map { $0.split(separator: "/").dropLast().joined(separator: "/") })
            #expect(folders == [
                "day=1/country=CH", "day=1/country=a%2Fb", "day=1/country=__HIVE_DEFAULT_PARTITION__",
                "day=2/country=CH", "day=2/country=a%2Fb", "day=2/country=__HIVE_DEFAULT_PARTITION__",
            ])
            let partition = try await lake.sql(
                #"SELECT partition_id, partition_key_index, column_id, "transform" FROM ducklake_partition_column ORDER BY partition_key_index"#)
            #expect(try partition.map { try $0.string(3) } == ["day", "identity"])
            #expect(try partition.map { try $0.int64(2) } == [2, 3])
            let values = try await lake.sql("SELECT DISTINCT partition_key_index, partition_value FROM ducklake_file_partition_value ORDER BY 1, 2")
            #expect(try values.map { try $0.optionalString("partition_value") ?? "NULL" } == ["1", "2", "NULL", "CH", "a/b"])
            let described = try await catalog.files(events)
            #expect(described.allSatisfy { $0.partition.count == 2 && $0.partition[0].hasPrefix("day=") })
            let (_, read, _) = try await scanRows(catalog, events)
            #expect(sortedById(read) == rows)
        }
    }

    @Test func plansPruneByStatisticsAndPartitions() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let schema = Schema([Field("id", .int64), Field("price", .float64), Field("day", .date), Field("country", .string)])
            try await catalog.createTable(events, schema: schema, partitionBy: ["country"])
            var all: [[Value]] = []
            for chunk in 0..<4 {
                let rows: [[Value]] = (0..<25).map { i in
                    let id = chunk * 25 + i
                    return [.int(Int64(id)), .double(Double(id) * 0.5), .date(19_700 + Int64(id)), .string(chunk % 2 == 0 ? "CH" : "DE")]
                }
                all += rows
                let append = try await catalog.beginAppend(events, schema: schema)
                try await append.write(try makeBatch(schema, rows))
                _ = try await append.commit(idempotencyKey: nil, message: nil)
            }
            func check(_ text: String, expectedPruned: Int, _ matches: ([Value]) -> Bool) async throws {
                let filter = try ScanFilter(parsing: text)
                let (_, rows, plan) = try await scanRows(catalog, events, filter: filter)
                #expect(plan.prunedFiles == expectedPruned, "\(text)")
                // Pruning never drops a matching row.
                let kept = Set(rows.map { $0[0] })
                for row in all where matches(row) { #expect(kept.contains(row[0]), "\(text) lost \(row[0])") }
            }
            // 9 < 10 numerically; as text "9" > "10" would wrongly prune.
            try await check("id >= 90", expectedPruned: 3) { if case .int(let v) = $0[0] { v >= 90 } else { false } }
            try await check("id < 9", expectedPruned: 3) { if case .int(let v) = $0[0] { v < 9 } else { false } }
            try await check("price = 12.5", expectedPruned: 3) { $0[1] == .double(12.5) }
            try await check("day > 2024-01-01", expectedPruned: 0) { if case .date(let d) = $0[2] { d > 19_723 } else { false } }
            try await check("day <= 1970-01-05", expectedPruned: 4) { _ in false }
            try await check("country = 'DE'", expectedPruned: 2) { $0[3] == .string("DE") }
            try await check("country != 'DE'", expectedPruned: 2) { $0[3] != .string("DE") }
            try await check("id != 5", expectedPruned: 0) { $0[0] != .int(5) }
            await expectTableError(.invalidArgument) { _ = try await catalog.plan(events, filter: try ScanFilter(parsing: "id = abc")) }
            await expectTableError(.invalidArgument) { _ = try await catalog.plan(events, filter: try ScanFilter(parsing: "nope = 1")) }
        }
    }

    @Test func compactionMergesSmallFilesAndExpiryDeletesTheOldOnes() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let schema = Schema([Field("id", .int64), Field("country", .string)])
            try await catalog.createTable(events, schema: schema, partitionBy: ["country"])
            var expected: [[Value]] = []
            for round in 0..<5 {
                let rows: [[Value]] = (0..<10).map { [.int(Int64(round * 10 + $0)), .string($0 % 2 == 0 ? "CH" : "DE")] }
                expected += rows
                let append = try await catalog.beginAppend(events, schema: schema)
                try await append.write(try makeBatch(schema, rows))
                _ = try await append.commit(idempotencyKey: nil, message: nil)
            }
            #expect(try await catalog.files(events).count == 10)
            let result = try await catalog.compact(events)
            #expect(result.filesAdded == 2 && result.filesRemoved == 10 && result.snapshot == 7)
            let files = try await catalog.files(events)
            #expect(files.count == 2)
            #expect(Set(files.map { $0.partition }) == [["country=CH"], ["country=DE"]])
            #expect(sortedById(try await scanRows(catalog, events).rows) == expected)
            // Old files still back the older snapshots until expiry.
            #expect(lake.parquetFiles().count == 12)
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_data_file WHERE end_snapshot = 7")[0].int64(0) == 10)
            #expect(try await catalog.history(events).last?.operation == "replace")
            // Nothing left to merge.
            #expect(try await catalog.compact(events).filesAdded == 0)

            let expiry = try await catalog.expireSnapshots(events, olderThan: 0)
            #expect(expiry.filesRemoved == 10 && expiry.filesDeleted == 10)
            #expect(lake.parquetFiles().count == 2)
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_snapshot")[0].int64(0) == 1)
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_data_file")[0].int64(0) == 2)
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_files_scheduled_for_deletion")[0].int64(0) == 0)
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_file_column_stats")[0].int64(0) == 4)
            #expect(sortedById(try await scanRows(catalog, events).rows) == expected)
            // Appending still works after expiry.
            let append = try await catalog.beginAppend(events, schema: schema)
            try await append.write(try makeBatch(schema, [[.int(100), .string("CH")]]))
            #expect(try await append.commit(idempotencyKey: nil, message: nil) == .committed(snapshot: 8, files: 1, rows: 1))
        }
    }

    @Test func expiryKeepsRecentSnapshots() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let schema = try eventBatch(start: 0, count: 1).schema
            try await catalog.createTable(events, schema: schema, partitionBy: [])
            for round in 0..<3 {
                let append = try await catalog.beginAppend(events, schema: schema)
                try await append.write(try eventBatch(start: round * 10, count: 10))
                _ = try await append.commit(idempotencyKey: nil, message: nil)
            }
            _ = try await catalog.compact(events)
            let result = try await catalog.expireSnapshots(events, olderThan: 3600)
            #expect(result.filesDeleted == 0 && result.filesRemoved == 0)
            #expect(lake.parquetFiles().count == 4)
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_snapshot")[0].int64(0) == 6)
        }
    }

    @Test func dropTableEndsEverything() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let schema = try eventBatch(start: 0, count: 1).schema
            try await catalog.createTable(events, schema: schema, partitionBy: [])
            let append = try await catalog.beginAppend(events, schema: schema)
            try await append.write(try eventBatch(start: 0, count: 10))
            _ = try await append.commit(idempotencyKey: nil, message: nil)
            #expect(try await catalog.listTables() == [events])
            try await catalog.dropTable(events)
            #expect(try await catalog.listTables() == [])
            #expect(try await catalog.describe(events) == nil)
            await expectTableError(.notFound) { try await catalog.dropTable(events) }
            await expectTableError(.notFound) { _ = try await catalog.beginAppend(events, schema: schema) }
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_data_file WHERE end_snapshot = 3")[0].int64(0) == 1)
            _ = try await catalog.expireSnapshots(events, olderThan: 0)
            #expect(lake.parquetFiles().isEmpty)
            // The name can be used again.
            try await catalog.createTable(events, schema: schema, partitionBy: [])
            #expect(try await catalog.describe(events)?.recordCount == 0)
        }
    }

    @Test func aLakeOpensOnlyWithItsOwnDataPath() async throws {
        try await withLake { lake in
            await (try await lake.open()).close()
            let elsewhere = try LocalObjectStore(root: lake.directory + "/elsewhere")
            await expectTableError(.invalidArgument) {
                _ = try await DuckLakeCatalog.open(location: lake.location, store: elsewhere, author: nil)
            }
            // A catalog of another version is refused, not rewritten.
            _ = try await lake.sql("UPDATE ducklake_metadata SET value = '0.3' WHERE key = 'version'")
            await expectTableError(.unsupported) { _ = try await lake.open() }
        }
    }

    @Test func createTableIsIdempotentAndNamespacesAreSchemas() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(namespace: "sales", name: "orders")
            let schema = Schema([
                Field("id", .int64), Field("tags", .list(Field("item", .string))),
                Field("attrs", .map(key: Field("k", .string, nullable: false), value: Field("v", .int32))),
            ])
            try await catalog.createTable(table, schema: schema, partitionBy: [])
            try await catalog.createTable(table, schema: Schema([Field("other", .string)]), partitionBy: [])
            #expect(try await catalog.listTables() == [table])
            let columns = try await lake.sql("SELECT column_id, column_name, column_type, parent_column FROM ducklake_column ORDER BY column_id")
            #expect(try columns.map { "\(try $0.int64(0)) \(try $0.string(1)) \(try $0.string(2))" } == [
                "1 id int64", "2 tags list", "3 element varchar", "4 attrs map", "5 key varchar", "6 value int32",
            ])
            let schemas = try await lake.sql("SELECT schema_id, schema_name, path FROM ducklake_schema ORDER BY schema_id")
            #expect(try schemas.map { try $0.string(2) } == ["main/", "sales/"])
            let snapshots = try await lake.sql("SELECT snapshot_id, schema_version, next_catalog_id FROM ducklake_snapshot ORDER BY snapshot_id")
            #expect(try snapshots.map { try $0.int64(2) } == [1, 3])
            await expectTableError(.invalidArgument) {
                try await catalog.createTable(try TableIdentifier(name: "p"), schema: schema, partitionBy: ["day(id)"])
            }
        }
    }
}
