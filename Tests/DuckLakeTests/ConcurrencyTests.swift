import Columnar
import Database
@testable import DuckLake
import Foundation
import Synchronization
import Tables
import Testing

/// Writers racing for the same snapshot, and commits whose outcome the connection did not
/// report.
@Suite struct ConcurrencyTests {
    let events = try! TableIdentifier(name: "events")

    @Test func fourWritersOnOneSQLiteFile() async throws {
        try await withLake { lake in
            let setup = try await lake.open()
            let schema = try eventBatch(start: 0, count: 1).schema
            try await setup.createTable(events, schema: schema, partitionBy: [])
            await setup.close()
            let table = events
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        // Each task its own catalog object: as separate processes would.
                        let catalog = try await lake.open(author: "writer-\(writer)")
                        for round in 0..<25 {
                            let append = try await catalog.beginAppend(table, schema: schema)
                            try await append.write(try eventBatch(start: (writer * 25 + round) * 10, count: 10))
                            let outcome = try await append.commit(idempotencyKey: "w\(writer)-r\(round)", message: nil)
                            guard case .committed(_, 1, 10) = outcome else {
                                throw TableError(.conflict, "unexpected outcome \(outcome)")
                            }
                        }
                        await catalog.close()
                    }
                }
                try await group.waitForAll()
            }
            let catalog = try await lake.open()
            let description = try #require(try await catalog.describe(events))
            #expect(description.fileCount == 100 && description.recordCount == 1000)
            let (_, rows, _) = try await scanRows(catalog, events)
            #expect(sortedById(rows).map { $0[0] } == (0..<1000).map { .int(Int64($0)) })
            // Row ids are disjoint and contiguous, the table stats exact.
            let starts = try await lake.sql("SELECT row_id_start, record_count FROM ducklake_data_file ORDER BY row_id_start")
            #expect(try starts.enumerated().allSatisfy { try $0.element.int64(0) == Int64($0.offset * 10) })
            let stats = try await lake.sql("SELECT record_count, next_row_id FROM ducklake_table_stats")
            #expect(try stats[0].int64(0) == 1000 && stats[0].int64(1) == 1000)
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_snapshot")[0].int64(0) == 102)
            #expect(try await lake.sql("SELECT COUNT(*) FROM lakegate_commits")[0].int64(0) == 100)
            #expect(lake.parquetFiles().count == 100)
        }
    }

    @Test(arguments: [true, false])
    func aCommitThatLandedButWasNotReported(withKey: Bool) async throws {
        try await withLake { lake in
            let (catalog, faults) = try await openFaulty(lake)
            let schema = try eventBatch(start: 0, count: 1).schema
            try await catalog.createTable(events, schema: schema, partitionBy: [])
            let append = try await catalog.beginAppend(events, schema: schema)
            try await append.write(try eventBatch(start: 0, count: 10))
            faults.arm([.lostAfterCommit])
            let outcome = try await append.commit(idempotencyKey: withKey ? "k" : nil, message: nil)
            #expect(outcome == .committed(snapshot: 2, files: 1, rows: 10))
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_snapshot")[0].int64(0) == 3)
            #expect(lake.parquetFiles().count == 1)
            #expect(try await catalog.describe(events)?.recordCount == 10)
        }
    }

    @Test func aCommitThatDidNotLandIsRetried() async throws {
        try await withLake { lake in
            let (catalog, faults) = try await openFaulty(lake)
            let schema = try eventBatch(start: 0, count: 1).schema
            try await catalog.createTable(events, schema: schema, partitionBy: [])
            let append = try await catalog.beginAppend(events, schema: schema)
            try await append.write(try eventBatch(start: 0, count: 10))
            faults.arm([.lostBeforeCommit, .uniqueViolation, .busy])
            #expect(try await append.commit(idempotencyKey: "k", message: nil) == .committed(snapshot: 2, files: 1, rows: 10))
            #expect(try await lake.sql("SELECT COUNT(*) FROM ducklake_data_file")[0].int64(0) == 1)
            #expect(try await catalog.describe(events)?.recordCount == 10)
        }
    }

    @Test func anUnresolvableOutcomeKeepsTheFiles() async throws {
        try await withLake { lake in
            let (catalog, faults) = try await openFaulty(lake, attempts: 3)
            let schema = try eventBatch(start: 0, count: 1).schema
            try await catalog.createTable(events, schema: schema, partitionBy: [])
            let append = try await catalog.beginAppend(events, schema: schema)
            try await append.write(try eventBatch(start: 0, count: 10))
            // The commit lands, then every lookup fails: the files must stay.
            faults.arm([.lostAfterCommit], failConnections: 3)
            await expectTableError(.io) { _ = try await append.commit(idempotencyKey: "k", message: nil) }
            #expect(lake.parquetFiles().count == 1)
            // Once the database answers again, a retry of the same key sees it committed.
            let again = try await catalog.beginAppend(events, schema: schema)
            try await again.write(try eventBatch(start: 0, count: 10))
            #expect(try await again.commit(idempotencyKey: "k", message: nil) == .alreadyCommitted(snapshot: 2))
            #expect(lake.parquetFiles().count == 1)
        }
    }

    @Test func aConflictDeletesTheFilesOfTheLosingAppend() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let other = try await lake.open()
            let schema = try eventBatch(start: 0, count: 1).schema
            try await catalog.createTable(events, schema: schema, partitionBy: [])
            let append = try await catalog.beginAppend(events, schema: schema)
            try await append.write(try eventBatch(start: 0, count: 10))
            try await other.dropTable(events)
            await expectTableError(.conflict) { _ = try await append.commit(idempotencyKey: nil, message: nil) }
            #expect(lake.parquetFiles().isEmpty)
        }
    }

    @Test func appendsGoAfterAConcurrentCompatibleSchemaChange() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            let other = try await lake.open()
            let schema = try eventBatch(start: 0, count: 1).schema
            try await catalog.createTable(events, schema: schema, partitionBy: [])
            let append = try await catalog.beginAppend(events, schema: schema)
            try await append.write(try eventBatch(start: 0, count: 10))
            // Another writer adds a column in between.
            let wider = Schema(schema.fields + [Field("extra", .string)])
            let evolving = try await other.beginAppend(events, schema: wider)
            try await evolving.write(try makeBatch(wider, [[.int(100), .string("x"), .null, .string("e")]]))
            _ = try await evolving.commit(idempotencyKey: nil, message: nil)
            #expect(try await append.commit(idempotencyKey: nil, message: nil) == .committed(snapshot: 3, files: 1, rows: 10))
            #expect(try await catalog.describe(events)?.recordCount == 11)
        }
    }

    private func openFaulty(_ lake: TestLake, attempts: Int? = nil) async throws -> (DuckLakeCatalog, FaultyDatabase) {
        let inner = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: lake.catalogPath))
        let faulty = FaultyDatabase(inner)
        let catalog = try await DuckLakeCatalog.open(
            database: faulty, location: lake.location, store: lake.store, author: "tests", retryAttempts: attempts)
        return (catalog, faulty)
    }
}

/// Wraps a database and makes chosen transactions fail as a dying connection would.
final class FaultyDatabase: SQLDatabase {
    enum Fault: Sendable {
        /// COMMIT succeeds, the caller hears the connection died during it.
        case lostAfterCommit
        /// The transaction rolls back, the caller hears the connection died during COMMIT.
        case lostBeforeCommit
        case uniqueViolation
        case busy
    }

    private let inner: any SQLDatabase
    private let faults = Mutex<[Fault]>([])
    /// Calls outside transactions that fail after a fault (lookups while the server is away).
    private let failing = Mutex(0)

    init(_ inner: any SQLDatabase) { self.inner = inner }

    var dialect: SQLDialect { inner.dialect }

    func arm(_ faults: [Fault], failConnections: Int = 0) {
        self.faults.withLock { $0 = faults }
        failing.withLock { $0 = failConnections }
    }

    private struct Abandon: Error {}

    @discardableResult
    nonisolated(nonsending) func transaction<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T {
        let fault = faults.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        let lost = DatabaseError(.connectionLost(outcomeUnknown: true), message: "injected: connection lost during COMMIT")
        switch fault {
        case nil:
            try checkConnection()
            return try await inner.transaction(body)
        case .lostAfterCommit:
            _ = try await inner.transaction(body)
            throw lost
        case .lostBeforeCommit:
            do {
                _ = try await inner.transaction { connection in
                    _ = try await body(connection)
                    throw Abandon()
                }
            } catch is Abandon {}
            throw lost
        case .uniqueViolation:
            throw DatabaseError(.uniqueViolation, message: "injected: duplicate key")
        case .busy:
            throw DatabaseError(.busy, message: "injected: database is locked")
        }
    }

    @discardableResult
    nonisolated(nonsending) func withConnection<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T {
        try checkConnection()
        return try await inner.withConnection(body)
    }

    private func checkConnection() throws {
        let fail = failing.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        if fail { throw DatabaseError(.connectionLost(outcomeUnknown: false), message: "injected: server unreachable") }
    }

    func close() async throws { try await inner.close() }
}
