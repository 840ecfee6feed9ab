import TestServers
import Columnar
import Foundation
import IcebergTables
import Tables
import Testing

/// The catalog on PostgreSQL (a throwaway server): the same commit protocol, concurrent
/// writers with their own connection pools, and pyiceberg reading the tables through
/// SQLAlchemy and psycopg. Each test has its own catalog name (and idempotency keys): they
/// share the server's database.
@Suite("Iceberg on PostgreSQL", .postgresServer)
struct PostgresCatalogTests {
    let events = try! TableIdentifier(namespace: "main", name: "events")

    func withPostgresLake<T>(_ body: (TestLake, LakeLocation) async throws -> T) async throws -> T {
        let url = try PostgresTestServer.current.url
        return try await withLake { lake in
            try await body(lake, LakeLocation(format: .iceberg, catalog: .postgres(connection: url), dataPath: lake.dataPath))
        }
    }

    @Test func appendsKeysPruningAndMaintenance() async throws {
        try await withPostgresLake { lake, location in
            let catalog = try await IcebergCatalog.open(location: location, store: try lake.store(), catalogName: "pg_basic")
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["region", "day(event_time)"])
            #expect(try await catalog.listTables() == [events])
            let first = try await append(catalog, events, [try Events.batch(0..<6)], key: "pg_basic-1")
            guard case .committed(let snapshot, _, 6) = first else { Issue.record("\(first)"); return }
            #expect(try await append(catalog, events, [try Events.batch(50..<52)], key: "pg_basic-1") == .alreadyCommitted(snapshot: snapshot))
            for start in stride(from: 6, to: 18, by: 3) { try await append(catalog, events, [try Events.batch(start..<(start + 3))]) }
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<18))
            let pruned = try await catalog.plan(events, filter: try ScanFilter(parsing: "region = eu"))
            #expect(pruned.tasks.map(\.recordCount).reduce(0, +) == 6)

            let compacted = try await catalog.compact(events)
            #expect(compacted.filesAdded > 0 && compacted.filesRemoved > compacted.filesAdded)
            _ = try await catalog.expireSnapshots(events, olderThan: 0)
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<18))
            #expect(try await catalog.history(events).count == 1)

            // Another catalog name on the same database sees none of these tables.
            let other = try await IcebergCatalog.open(location: location, store: try lake.store(), catalogName: "pg_other")
            #expect(try await other.listTables().isEmpty)
            await other.close()

            // pyiceberg reads the table through its PostgreSQL SqlCatalog.
            let server = try PostgresTestServer.current
            let expected = try Python.expected(columns: Events.columns, rows: Events.rows(Array(0..<18)), in: lake.root)
            let output = try await Python.run(
                """
                from pyiceberg.catalog.sql import SqlCatalog
                cat = SqlCatalog("pg_basic", uri=sys.argv[1], warehouse="file://" + sys.argv[2])
                check("postgres main.events", cat.load_table("main.events").scan().to_arrow(), sys.argv[3])
                """,
                ["postgresql+psycopg://postgres@127.0.0.1:\(server.port)/postgres", lake.dataPath, expected])
            #expect(output.contains("18 rows OK"))

            try await catalog.dropTable(events)
            #expect(try await catalog.listTables().isEmpty)
        }
    }

    /// 4 writers, each with its own catalog (and connection pool), 25 appends each.
    @Test func concurrentWriters() async throws {
        try await withPostgresLake { lake, location in
            let store = try lake.store()
            let setup = try await IcebergCatalog.open(location: location, store: store, catalogName: "pg_concurrent")
            try await setup.createTable(events, schema: Events.schema, partitionBy: [])
            await setup.close()
            let table = events
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        let catalog = try await IcebergCatalog.open(location: location, store: store, catalogName: "pg_concurrent")
                        for index in 0..<25 {
                            let start = (writer * 25 + index) * 10
                            let outcome = try await append(
                                catalog, table, [try Events.batch(start..<(start + 10))], key: "pg_concurrent-\(writer)-\(index)")
                            guard case .committed = outcome else { throw TableError(.conflict, "not committed: \(outcome)") }
                        }
                        await catalog.close()
                    }
                }
                try await group.waitForAll()
            }
            let catalog = try await IcebergCatalog.open(location: location, store: store, catalogName: "pg_concurrent")
            #expect(try await catalog.files(events).count == 100)
            #expect(try await catalog.describe(events)?.recordCount == 1000)
            #expect(try await catalog.history(events).count == 100)
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<1000))
            #expect(try await lake.objects(under: "main/events/data").count == 100)
            await catalog.close()
        }
    }
}
