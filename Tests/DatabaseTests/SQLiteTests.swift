import TestServers
@testable import Database
import Foundation
import Testing

@Suite("SQLite")
struct SQLiteTests {
    private func open(_ directory: String, name: String = "catalog.sqlite", busyTimeout: Duration = .seconds(60)) async throws
        -> SQLiteDatabase
    {
        try await SQLiteDatabase(
            configuration: SQLiteConfiguration(path: directory + "/" + name, busyTimeout: busyTimeout))
    }

    @Test func crudWithEveryValueKind() async throws {
        try await withTemporaryDirectory { dir in
            try await using(try await open(dir)) { try await Conformance.crudMatrix($0, prefix: "t") }
        }
    }

    @Test func transactionRollsBackOnThrow() async throws {
        try await withTemporaryDirectory { dir in
            try await using(try await open(dir)) { try await Conformance.rollbackOnThrow($0, prefix: "t") }
        }
    }

    @Test func errorsAreMapped() async throws {
        try await withTemporaryDirectory { dir in
            try await using(try await open(dir)) { try await Conformance.errorMapping($0, prefix: "t") }
        }
    }

    @Test func connectionsStayInTheirBody() async throws {
        try await withTemporaryDirectory { dir in
            try await using(try await open(dir)) { try await Conformance.connectionScope($0) }
        }
    }

    @Test func scriptsRunSeveralStatements() async throws {
        try await withTemporaryDirectory { dir in
            try await using(try await open(dir)) { try await Conformance.scripts($0, prefix: "t") }
        }
    }

    @Test func fourTasksShareOneDatabaseObject() async throws {
        try await withTemporaryDirectory { dir in
            try await using(try await open(dir)) { try await Conformance.concurrentCounter([$0], prefix: "t") }
        }
    }

    /// Four database objects are four connections to one file, locking as four processes would.
    @Test func fourDatabaseObjectsWriteOneFile() async throws {
        try await withTemporaryDirectory { dir in
            var databases: [SQLiteDatabase] = []
            for _ in 0..<4 { databases.append(try await open(dir)) }
            try await Conformance.concurrentCounter(databases, prefix: "t")
            for db in databases { try await db.close() }
        }
    }

    /// A second process (Python's sqlite3 module) increments the same counter while two tasks
    /// here do: every increment survives, with both sides taking the lock by BEGIN IMMEDIATE.
    @Test func anotherProcessWritesTheSameFile() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/shared.sqlite"
            let db = try await open(dir, name: "shared.sqlite")
            try await db.withConnection { conn in
                try await conn.executeScript(
                    "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0);"
                        + "CREATE TABLE events (what TEXT)")
            }
            let script = """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
                db.execute("INSERT INTO events VALUES ('started')")
                for _ in range(200):
                    db.execute("BEGIN IMMEDIATE")
                    n = db.execute("SELECT n FROM counter WHERE id = 1").fetchone()[0]
                    db.execute("UPDATE counter SET n = ? WHERE id = 1", (n + 1,))
                    db.execute("COMMIT")
                """
            let child = try TestProcess.spawn("python3", ["-c", script, path])
            // Start once the other process is writing, so that the two overlap.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            while try await db.query("SELECT COUNT(*) FROM events")[0].int64(0) == 0, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        for _ in 0..<100 {
                            try await db.transaction { conn in
                                let n = try await conn.query("SELECT n FROM counter WHERE id = 1")[0].int64("n")
                                try await conn.execute("UPDATE counter SET n = ? WHERE id = 1", [.integer(n + 1)])
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let result = await child.finished()
            #expect(result.exitCode == 0, "python3: \(result.errors)")
            #expect(try await db.query("SELECT n FROM counter")[0].int64("n") == 400)
            try await db.close()
        }
    }

    @Test func opensWithWALAndTheConfiguredPragmas() async throws {
        try await withTemporaryDirectory { dir in
            let db = try await SQLiteDatabase(
                configuration: SQLiteConfiguration(path: dir + "/p.sqlite", busyTimeout: .milliseconds(1500), synchronous: .full))
            try await using(db) { db in
                let journalMode = try await db.query("PRAGMA journal_mode")[0].string(0)
                #expect(journalMode == "wal")
                #expect(try await db.query("PRAGMA synchronous")[0].int64(0) == 2)  // FULL
                // The busy timeout is our own handler's (busyAfterTheTimeout), not SQLite's pragma.
                #expect(try await db.query("PRAGMA foreign_keys")[0].int64(0) == 1)
                #expect(db.dialect == .sqlite)
            }
        }
    }

    @Test func foreignKeysAreEnforced() async throws {
        try await withTemporaryDirectory { dir in
            try await using(try await open(dir)) { db in
                try await db.withConnection { conn in
                    try await conn.executeScript(
                        """
                        CREATE TABLE parent (id INTEGER PRIMARY KEY);
                        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
                        """)
                }
                let error = await expectDatabaseError(.constraint) {
                    try await db.execute("INSERT INTO child VALUES (?, ?)", [1, 42])
                }
                #expect(error?.sqliteCode == 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
            }
        }
    }

    /// While one object holds the writer lock, another's BEGIN IMMEDIATE waits and then succeeds.
    @Test func secondWriterWaitsForTheFirst() async throws {
        try await withTemporaryDirectory { dir in
            let first = try await open(dir)
            let second = try await open(dir)
            try await first.execute("CREATE TABLE log (who TEXT, at INTEGER)")
            let clock = ContinuousClock()
            let (entered, signal) = AsyncStream.makeStream(of: Void.self)
            async let holder: Void = first.transaction { conn in
                try await conn.execute("INSERT INTO log VALUES ('first', 1)")
                signal.yield()
                try await Task.sleep(for: .milliseconds(400))
            }
            var iterator = entered.makeAsyncIterator()
            _ = await iterator.next()
            let start = clock.now
            try await second.transaction { conn in
                try await conn.execute("INSERT INTO log VALUES ('second', 2)")
            }
            let waited = clock.now - start
            try await holder
            #expect(waited >= .milliseconds(200), "the second writer should have waited for the lock, waited \(waited)")
            let rows = try await second.query("SELECT who FROM log ORDER BY at")
            #expect(try rows.map { try $0.string("who") } == ["first", "second"])
            try await first.close()
            try await second.close()
        }
    }

    /// The busy handler retries soon at first (a commit holds the lock for well under a
    /// millisecond), then every 10 ms, and gives up at the timeout.
    @Test func busyWaitsStartShortAndAddUpToTheTimeout() {
        #expect((0..<10).map { SQLiteBusyWait.delay($0) } == [50, 100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000])
        #expect(SQLiteBusyWait.slept(before: 0) == 0)
        #expect(SQLiteBusyWait.slept(before: 3) == 350)
        #expect(SQLiteBusyWait.slept(before: 8) == 12_750)
        #expect(SQLiteBusyWait.slept(before: 10) == 32_750)
    }

    /// Past the busy timeout the waiting writer gets .busy, and the holder is unaffected.
    @Test func busyAfterTheTimeout() async throws {
        try await withTemporaryDirectory { dir in
            let holderDB = try await open(dir)
            let impatient = try await open(dir, busyTimeout: .milliseconds(100))
            try await holderDB.execute("CREATE TABLE t (x INTEGER)")
            let (entered, signal) = AsyncStream.makeStream(of: Void.self)
            // The holder keeps its transaction open until the checks are done (no timing).
            let (release, letGo) = AsyncStream.makeStream(of: Void.self)
            async let holder: Void = holderDB.transaction { conn in
                try await conn.execute("INSERT INTO t VALUES (1)")
                signal.yield()
                var waiting = release.makeAsyncIterator()
                _ = await waiting.next()
            }
            var iterator = entered.makeAsyncIterator()
            _ = await iterator.next()
            let error = await expectDatabaseError(.busy) {
                _ = try await impatient.transaction { conn in try await conn.execute("INSERT INTO t VALUES (2)") }
            }
            #expect(error?.isRetryable == true)
            // Readers are not blocked by the writer (WAL): they see the last commit.
            #expect(try await impatient.query("SELECT COUNT(*) FROM t")[0].int64(0) == 0)
            letGo.yield()
            letGo.finish()
            try await holder
            #expect(try await impatient.query("SELECT COUNT(*) FROM t")[0].int64(0) == 1)
            try await holderDB.close()
            try await impatient.close()
        }
    }

    /// SQLite stores booleans as 0/1: a BOOLEAN column reads as .boolean, an INTEGER one as
    /// .integer that bool() accepts.
    @Test func booleansStoredAsIntegers() async throws {
        let db = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: ":memory:"))
        try await using(db) { db in
            try await db.execute("CREATE TABLE b (flag BOOLEAN, plain INTEGER)")
            try await db.execute("INSERT INTO b VALUES (?, ?)", [true, false])
            let row = try await db.query("SELECT flag, plain, typeof(flag) AS kind FROM b")[0]
            #expect(row["flag"] == .boolean(true))
            #expect(row["plain"] == .integer(0))
            #expect(try row.bool("plain") == false)
            #expect(try row.string("kind") == "integer")
        }
    }

    @Test func closedDatabaseRefusesWork() async throws {
        let db = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: ":memory:"))
        try await db.close()
        await expectDatabaseError(.other) { _ = try await db.query("SELECT 1") }
    }

    @Test func unopenableFileIsAnError() async throws {
        await expectDatabaseError(.other) {
            _ = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: "/nonexistent-dir/x/catalog.sqlite"))
        }
    }

    /// The statement cache evicts without breaking statements still in use.
    @Test func statementCacheEviction() async throws {
        let db = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: ":memory:", statementCacheCapacity: 2))
        try await using(db) { db in
            for round in 0..<3 {
                for k in 0..<5 {
                    let value = try await db.query("SELECT ? + \(k) AS v", [.integer(Int64(round))])[0].int64("v")
                    #expect(value == Int64(round + k))
                }
            }
        }
    }
}

extension SQLRow {
    fileprivate subscript(_ column: String) -> SQLValue? { try? value(column) }
}
