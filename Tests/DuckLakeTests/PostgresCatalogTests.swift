import TestServers
import Columnar
import Database
@testable import DuckLake
import Foundation
import Tables
import Testing

/// The same catalog on PostgreSQL (a throwaway server; a fresh database per test), read and
/// written by DuckDB through its postgres extension.
@Suite(.postgresServer, .serialized) struct PostgresCatalogTests {
    struct PostgresLake {
        let files: TestLake
        let url: String
        /// The catalog as DuckDB's ATTACH takes it.
        let duckCatalog: String
        var location: LakeLocation { LakeLocation(format: .ducklake, catalog: .postgres(connection: url), dataPath: files.dataPath) }

        func open(author: String? = "tests") async throws -> DuckLakeCatalog {
            try await DuckLakeCatalog.open(location: location, store: files.store, author: author)
        }

        func sql(_ text: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
            let database = try await DatabaseURL.open(url)
            do {
                let rows = try await database.query(text, binds)
                try await database.close()
                return rows
            } catch {
                try? await database.close()
                throw error
            }
        }
    }

    private func withPostgresLake<T>(_ body: (PostgresLake) async throws -> T) async throws -> T {
        let server = try PostgresTestServer.current
        let name = "lake_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let admin = try await DatabaseURL.open(server.url)
        try await admin.execute("CREATE DATABASE \(name)")
        try await admin.close()
        let files = try TestLake.make()
        defer { files.remove() }
        let lake = PostgresLake(
            files: files, url: server.url(user: "postgres", database: String(name)),
            duckCatalog: "postgres:host=127.0.0.1 port=\(server.port) dbname=\(name) user=postgres")
        return try await body(lake)
    }

    @Test func aNewCatalogIsTheCatalogDuckDBCreates() async throws {
        try await withPostgresLake { ours in
            await (try await ours.open()).close()
            try await withPostgresLake { theirs in
                _ = try await DuckDB.run(catalog: theirs.duckCatalog, dataPath: theirs.files.dataPath)
                let query = """
                    SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
                    WHERE table_schema = 'public' AND table_name LIKE 'ducklake%' ORDER BY table_name, ordinal_position
                    """
                let a = try await ours.sql(query).map { $0.values }
                let b = try await theirs.sql(query).map { $0.values }
                #expect(a == b)
                #expect(Set(a.map { $0[0] }).count == 28)
                let keys = """
                    SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
                    JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
                    WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_name LIKE 'ducklake%' ORDER BY 1
                    """
                #expect(try await ours.sql(keys).map { $0.values } == theirs.sql(keys).map { $0.values })
                let rows = "SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM ducklake_snapshot"
                #expect(try await ours.sql(rows).map { $0.values } == theirs.sql(rows).map { $0.values })
            }
        }
    }

    @Test func duckDBReadsEveryTypeFromAPostgresCatalog() async throws {
        try await withPostgresLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "all_types")
            let schema = DuckDBInteropTests.allTypes
            try await catalog.createTable(table, schema: schema, partitionBy: [])
            var rows: [[Value]] = []
            for chunk in 0..<3 {
                let chunkRows = (chunk * 10..<(chunk * 10 + 10)).map(DuckDBInteropTests.allTypesRow)
                rows += chunkRows
                let append = try await catalog.beginAppend(table, schema: schema)
                try await append.write(try makeBatch(schema, chunkRows))
                #expect(try await append.commit(idempotencyKey: "c\(chunk)", message: "chunk") == .committed(snapshot: Int64(2 + chunk), files: 1, rows: 10))
            }
            let again = try await catalog.beginAppend(table, schema: schema)
            try await again.write(try makeBatch(schema, [DuckDBInteropTests.allTypesRow(0)]))
            #expect(try await again.commit(idempotencyKey: "c1", message: nil) == .alreadyCommitted(snapshot: 3))
            let stored = try #require(try await catalog.describe(table)).schema
            let result = try await DuckDB.run(
                catalog: lake.duckCatalog, dataPath: lake.files.dataPath,
                queries: [DuckDBInteropTests.dumpQuery("all_types", stored)])
            #expect(result[0] == DuckDBInteropTests.expectedDump(rows, stored))
            #expect(DuckDBInteropTests.expectedDump(sortedById(try await scanRows(catalog, table).rows), stored)
                == DuckDBInteropTests.expectedDump(rows, stored))
            let history = try await catalog.history(table)
            #expect(history.map(\.operation) == ["create", "append", "append", "append"])
            #expect(history.allSatisfy { $0.timestamp > 1_700_000_000 })
            await catalog.close()
        }
    }

    @Test func partitionsFiltersCompactionAndExpiry() async throws {
        try await withPostgresLake { lake in
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "events")
            let schema = DuckDBInteropTests.eventSchema
            try await catalog.createTable(table, schema: schema, partitionBy: ["day(ts)", "country"])
            for chunk in 0..<4 {
                let append = try await catalog.beginAppend(table, schema: schema)
                try await append.write(try makeBatch(schema, (chunk * 50..<(chunk * 50 + 50)).map(DuckDBInteropTests.eventRow)))
                _ = try await append.commit(idempotencyKey: nil, message: nil)
            }
            let filters = DuckDBInteropTests.filters.map(\.1).filter { $0.column != "ts" }
            let query = DuckDBInteropTests.dumpQuery("events", schema)
            let before = try await DuckDB.run(catalog: lake.duckCatalog, dataPath: lake.files.dataPath, queries: [query], filters: filters)
            #expect(before[0].count == 200)
            for pair in before.dropFirst() { #expect(pair[0] == pair[1]) }
            let filtered = try await catalog.plan(table, filter: try ScanFilter(parsing: "id < 30"))
            #expect(filtered.prunedFiles > 0)
            let compaction = try await catalog.compact(table)
            #expect(compaction.filesAdded > 0 && compaction.filesRemoved > compaction.filesAdded)
            let expiry = try await catalog.expireSnapshots(table, olderThan: 0)
            #expect(expiry.filesDeleted == compaction.filesRemoved)
            let after = try await DuckDB.run(catalog: lake.duckCatalog, dataPath: lake.files.dataPath, queries: [query], filters: filters)
            #expect(after[0] == before[0])
            for pair in after.dropFirst() { #expect(pair[0] == pair[1]) }
            #expect(lake.files.parquetFiles().count == (try await catalog.files(table).count))
            await catalog.close()
        }
    }

    @Test func fourWritersOnOnePostgresCatalog() async throws {
        try await withPostgresLake { lake in
            let setup = try await lake.open()
            let schema = try eventBatch(start: 0, count: 1).schema
            let table = try TableIdentifier(name: "events")
            try await setup.createTable(table, schema: schema, partitionBy: [])
            await setup.close()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        let catalog = try await lake.open(author: "writer-\(writer)")
                        do {
                            for round in 0..<25 {
                                let append = try await catalog.beginAppend(table, schema: schema)
                                try await append.write(try eventBatch(start: (writer * 25 + round) * 10, count: 10))
                                let outcome = try await append.commit(idempotencyKey: "w\(writer)-r\(round)", message: nil)
                                guard case .committed(_, 1, 10) = outcome else {
                                    throw TableError(.conflict, "unexpected outcome \(outcome)")
                                }
                            }
                        } catch {
                            await catalog.close()
                            throw error
                        }
                        await catalog.close()
                    }
                }
                try await group.waitForAll()
            }
            let catalog = try await lake.open()
            let description = try #require(try await catalog.describe(table))
            #expect(description.fileCount == 100 && description.recordCount == 1000)
            let starts = try await lake.sql("SELECT row_id_start FROM ducklake_data_file ORDER BY row_id_start")
            #expect(try starts.enumerated().allSatisfy { try $0.element.int64(0) == Int64($0.offset * 10) })
            let stats = try await lake.sql("SELECT record_count, next_row_id FROM ducklake_table_stats")
            #expect(try stats[0].int64(0) == 1000 && stats[0].int64(1) == 1000)
            #expect(lake.files.parquetFiles().count == 100)
            let counted = try await DuckDB.query(
                catalog: lake.duckCatalog, dataPath: lake.files.dataPath, "SELECT COUNT(*), COUNT(DISTINCT id), COUNT(DISTINCT rowid) FROM events")
            #expect(counted == [["1000", "1000", "1000"]])
            await catalog.close()
        }
    }

    @Test func writersThatCollideRetryOnAFreshSnapshot() async throws {
        try await withPostgresLake { lake in
            let setup = try await lake.open()
            let schema = try eventBatch(start: 0, count: 1).schema
            let table = try TableIdentifier(name: "events")
            try await setup.createTable(table, schema: schema, partitionBy: [])
            await setup.close()
            // Without the advisory lock, as two DuckDB writers would: both take snapshot S+1,
            // one gets the primary-key violation and retries.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<3 {
                    group.addTask {
                        let database = try await DatabaseURL.open(lake.url)
                        let catalog = try await DuckLakeCatalog.open(
                            database: database, location: lake.location, store: lake.files.store, author: nil,
                            retryAttempts: 100, serializesCommits: false)
                        do {
                            for round in 0..<10 {
                                let append = try await catalog.beginAppend(table, schema: schema)
                                try await append.write(try eventBatch(start: (writer * 10 + round) * 10, count: 10))
                                _ = try await append.commit(idempotencyKey: nil, message: nil)
                            }
                        } catch {
                            await catalog.close()
                            throw error
                        }
                        await catalog.close()
                    }
                }
                try await group.waitForAll()
            }
            let stats = try await lake.sql("SELECT record_count, next_row_id FROM ducklake_table_stats")
            #expect(try stats[0].int64(0) == 300 && stats[0].int64(1) == 300)
            let starts = try await lake.sql("SELECT row_id_start FROM ducklake_data_file ORDER BY row_id_start")
            #expect(try starts.enumerated().allSatisfy { try $0.element.int64(0) == Int64($0.offset * 10) })
            #expect(lake.files.parquetFiles().count == 30)
            let counted = try await DuckDB.query(
                catalog: lake.duckCatalog, dataPath: lake.files.dataPath, "SELECT COUNT(*), COUNT(DISTINCT id) FROM events")
            #expect(counted == [["300", "300"]])
        }
    }

    @Test func inlinedRowsOnPostgres() async throws {
        try await withPostgresLake { lake in
            let dump = "SELECT CAST(id AS VARCHAR), s, CAST(l AS VARCHAR), CAST(st AS VARCHAR), CAST(ts AS VARCHAR), CAST(d AS VARCHAR), CAST(dec AS VARCHAR), CAST(f AS VARCHAR), CAST(b AS VARCHAR), CAST(u AS VARCHAR), CAST(t AS VARCHAR), hex(bl) FROM t ORDER BY id"
            let created = try await DuckDB.run(
                catalog: lake.duckCatalog, dataPath: lake.files.dataPath,
                statements: [
                    "CREATE TABLE t (id BIGINT, s VARCHAR, l INTEGER[], st STRUCT(a INTEGER, b VARCHAR), ts TIMESTAMPTZ, d DATE, dec DECIMAL(10,2), f DOUBLE, b BOOLEAN, u UUID, t TIME, bl BLOB)",
                    "INSERT INTO t VALUES (1, 'a, ''b''', [1, NULL, 3], {'a': 1, 'b': 'x y'}, TIMESTAMPTZ '2024-01-01 00:00:00.25+00', DATE '2024-01-02', 12.5, 0.1, true, '28109881-ad06-4324-8bec-18847321eae8', TIME '01:02:03.5', '\\x00ab'::BLOB), (2, NULL, [], NULL, NULL, NULL, NULL, 'inf', false, NULL, NULL, NULL)",
                ],
                queries: [dump])
            let catalog = try await lake.open()
            let table = try TableIdentifier(name: "t")
            let (schema, rows, plan) = try await scanRows(catalog, table)
            #expect(plan.inlinedRows.count == 1 && plan.tasks.isEmpty)
            #expect(DuckDBInteropTests.expectedDump(sortedById(rows), schema) == created[0])
            // A schema change: the new version's inlined table, with PostgreSQL's types.
            let ours = Schema([Field("id", .int64), Field("extra", .int32)])
            let append = try await catalog.beginAppend(table, schema: ours)
            try await append.write(try makeBatch(ours, [[.int(3), .int(7)]]))
            _ = try await append.commit(idempotencyKey: nil, message: nil)
            let after = try await DuckDB.run(
                catalog: lake.duckCatalog, dataPath: lake.files.dataPath,
                statements: ["INSERT INTO t (id, s, extra) VALUES (4, 'duck', 8)"],
                queries: ["SELECT CAST(id AS VARCHAR), s, CAST(extra AS VARCHAR) FROM t ORDER BY id"])
            #expect(after[0] == [["1", "a, 'b'", nil], ["2", nil, nil], ["3", nil, "7"], ["4", "duck", "8"]])
            let read = sortedById(try await scanRows(catalog, table).rows)
            #expect(read.map { [$0[0], $0[1], $0.last!] } == [
                [.int(1), .string("a, 'b'"), .null], [.int(2), .null, .null], [.int(3), .null, .int(7)],
                [.int(4), .string("duck"), .int(8)],
            ])
            await catalog.close()
        }
    }
}
