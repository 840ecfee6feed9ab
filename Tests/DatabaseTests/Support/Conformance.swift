import Database
import Testing

/// Checks every implementation of SQLDatabase must pass, run by the SQLite and PostgreSQL suites.
/// Each check creates its own tables, named with `prefix` so that suites running side by side on
/// one PostgreSQL database do not collide.
enum Conformance {
    static func kindsTable(_ name: String, _ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite:
            "CREATE TABLE \(name) (id INTEGER PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT, b BLOB, flag BOOLEAN)"
        case .postgres:
            "CREATE TABLE \(name) (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT, b BYTEA, flag BOOLEAN)"
        }
    }

    /// Every SQLValue kind in, the same values out; UPDATE and DELETE counts; row accessors.
    static func crudMatrix(_ db: any SQLDatabase, prefix: String) async throws {
        let table = "\(prefix)_kinds"
        try await db.withConnection { try await $0.executeScript(kindsTable(table, db.dialect)) }
        let rows: [[SQLValue]] = [
            [1, .integer(.max), 1.5, "héllo ☃ 'quoted' ? ; \"x\"", .blob([0, 1, 2, 255, 0]), true],
            [2, .integer(.min), -0.25, "", .blob([]), false],
            [3, 0, .real(.greatestFiniteMagnitude), .text(String(repeating: "long ", count: 2000)), .blob(Array(repeating: 7, count: 100_000)), .null],
            [4, .null, .null, .null, .null, .null],
        ]
        let inserted = try await db.transaction { conn in
            var count = 0
            for row in rows {
                count += try await conn.execute("INSERT INTO \(table) (id, i, r, t, b, flag) VALUES (?, ?, ?, ?, ?, ?)", row)
            }
            return count
        }
        #expect(inserted == 4)

        let read = try await db.query("SELECT id, i, r, t, b, flag FROM \(table) ORDER BY id")
        #expect(read.map(\.values) == rows)
        #expect(read.first?.columns == ["id", "i", "r", "t", "b", "flag"])

        let first = try #require(read.first)
        #expect(try first.int64("id") == 1)
        #expect(try first.int64(1) == .max)
        #expect(try first.double("r") == 1.5)
        #expect(try first.string("T") == "héllo ☃ 'quoted' ? ; \"x\"")  // names match without case
        #expect(try first.bytes("b") == [0, 1, 2, 255, 0])
        #expect(try first.bool("flag") == true)
        #expect(try first.isNull("i") == false)
        #expect(try read[3].isNull("i"))
        #expect(try read[3].optionalInt64("i") == nil)
        #expect(try read[3].optionalString("t") == nil)
        #expect(try read[1].optionalBool("flag") == false)
        #expect(try first.double("id") == 1)  // an integer reads as a double
        await expectDatabaseError(.typeMismatch) { _ = try first.int64("t") }
        await expectDatabaseError(.typeMismatch) { _ = try first.string("i") }
        await expectDatabaseError(.typeMismatch) { _ = try read[3].int64("i") }  // NULL
        await expectDatabaseError(.noSuchColumn) { _ = try first.int64("missing") }
        await expectDatabaseError(.noSuchColumn) { _ = try first.int64(17) }

        // A bind as a WHERE value, and the count of rows changed.
        let updated = try await db.execute("UPDATE \(table) SET t = ?, flag = ? WHERE id >= ?", ["changed", true, 2])
        #expect(updated == 3)
        let changed = try await db.query("SELECT t, flag FROM \(table) WHERE t = ? ORDER BY id", ["changed"])
        #expect(changed.count == 3)
        #expect(try changed.allSatisfy { try $0.bool("flag") })
        let unchanged = try await db.execute("UPDATE \(table) SET t = ? WHERE id = ?", ["x", 999])
        #expect(unchanged == 0)
        let deleted = try await db.execute("DELETE FROM \(table) WHERE id IN (?, ?)", [1, 2])
        #expect(deleted == 2)
        let left = try await db.query("SELECT COUNT(*) AS n FROM \(table)")
        #expect(try left.first?.int64("N") == 2)
        #expect(try await db.query("SELECT id FROM \(table) WHERE id = ?", [1]).isEmpty)
        // DDL reports no rows.
        #expect(try await db.execute("CREATE TABLE \(table)_empty (id BIGINT)") == 0)
    }

    /// A throwing body rolls back everything it did and its error reaches the caller unchanged.
    static func rollbackOnThrow(_ db: any SQLDatabase, prefix: String) async throws {
        let table = "\(prefix)_rollback"
        try await db.execute("CREATE TABLE \(table) (id BIGINT PRIMARY KEY, note TEXT)")
        try await db.execute("INSERT INTO \(table) VALUES (?, ?)", [1, "kept"])
        await #expect(throws: PlannedFailure.self) {
            try await db.transaction { conn in
                try await conn.execute("INSERT INTO \(table) VALUES (?, ?)", [2, "gone"])
                try await conn.execute("UPDATE \(table) SET note = ? WHERE id = ?", ["gone too", 1])
                throw PlannedFailure()
            }
        }
        let rows = try await db.query("SELECT id, note FROM \(table) ORDER BY id")
        #expect(rows.map(\.values) == [[1, "kept"]])

        // A failing statement inside rolls back the statements before it.
        await expectDatabaseError(.uniqueViolation) {
            try await db.transaction { conn in
                try await conn.execute("INSERT INTO \(table) VALUES (?, ?)", [3, "gone"])
                try await conn.execute("INSERT INTO \(table) VALUES (?, ?)", [1, "duplicate"])
            }
        }
        #expect(try await db.query("SELECT id FROM \(table)").count == 1)

        // The value a transaction returns, and a database still usable after the failures.
        let count = try await db.transaction { conn in
            try await conn.execute("INSERT INTO \(table) VALUES (?, ?)", [4, "committed"])
            return try await conn.query("SELECT COUNT(*) AS n FROM \(table)").first?.int64("n")
        }
        #expect(count == 2)
    }

    /// Database errors carry the kind, the database's code and message, and the SQL, never binds.
    static func errorMapping(_ db: any SQLDatabase, prefix: String) async throws {
        let table = "\(prefix)_errors"
        try await db.execute("CREATE TABLE \(table) (id BIGINT PRIMARY KEY, name TEXT NOT NULL, qty BIGINT CHECK (qty >= 0))")
        try await db.execute("INSERT INTO \(table) VALUES (?, ?, ?)", [1, "a", 1])
        let unique = await expectDatabaseError(.uniqueViolation) {
            try await db.execute("INSERT INTO \(table) VALUES (?, ?, ?)", [1, "bind-value-that-must-not-leak", 2])
        }
        let description = String(describing: unique)
        #expect(!description.contains("bind-value-that-must-not-leak"))
        #expect(unique?.sql == "INSERT INTO \(table) VALUES (?, ?, ?)")
        #expect(unique?.message.isEmpty == false)
        #expect(unique?.sqlState == (db.dialect == .postgres ? "23505" : nil))
        #expect(unique?.sqliteCode == (db.dialect == .sqlite ? 1555 : nil))  // SQLITE_CONSTRAINT_PRIMARYKEY

        await expectDatabaseError(.constraint) {
            try await db.execute("INSERT INTO \(table) VALUES (?, ?, ?)", [2, .null, 1])
        }
        await expectDatabaseError(.constraint) {
            try await db.execute("INSERT INTO \(table) VALUES (?, ?, ?)", [3, "b", -1])
        }
        await expectDatabaseError(.syntax) { try await db.execute("INSERT INTO nowhere_\(prefix) VALUES (1)") }
        await expectDatabaseError(.syntax) { try await db.execute("SELEKT 1") }
        // One statement per execute; scripts take several.
        await expectDatabaseError(.syntax) { try await db.execute("SELECT 1; SELECT 2") }
        // Placeholders and binds must agree.
        await expectDatabaseError(.other) { try await db.execute("SELECT ?", [1, 2]) }

        let long = "SELECT " + String(repeating: "1 + ", count: 200) + "x"
        let truncated = await expectDatabaseError(.syntax) { _ = try await db.query(long) }
        #expect((truncated?.sql?.count ?? 0) <= 201)
    }

    /// A connection lent to a body refuses work once the body is over.
    static func connectionScope(_ db: any SQLDatabase) async throws {
        let escaped = try await db.withConnection { $0 }
        await expectDatabaseError(.other) { _ = try await escaped.query("SELECT 1") }
        let escapedFromTransaction = try await db.transaction { $0 }
        await expectDatabaseError(.other) { _ = try await escapedFromTransaction.query("SELECT 1") }
    }

    /// Scripts run statement after statement; a ';' inside a string is not a separator.
    static func scripts(_ db: any SQLDatabase, prefix: String) async throws {
        let table = "\(prefix)_script"
        try await db.transaction { conn in
            try await conn.executeScript(
                """
                -- a comment; with a semicolon
                CREATE TABLE \(table) (id BIGINT PRIMARY KEY, note TEXT);
                INSERT INTO \(table) VALUES (1, 'a; b');
                /* another; comment */
                INSERT INTO \(table) VALUES (2, 'it''s ? here');
                """)
        }
        let rows = try await db.query("SELECT note FROM \(table) ORDER BY id")
        #expect(try rows.map { try $0.string("note") } == ["a; b", "it's ? here"])
    }

    /// Tasks × transactions, each a read-modify-write of one counter: no update may be lost.
    /// On PostgreSQL the read takes the row lock (FOR UPDATE); SQLite's BEGIN IMMEDIATE already
    /// holds the writer lock.
    static func concurrentCounter(
        _ databases: [any SQLDatabase], prefix: String, tasks: Int = 4, transactionsPerTask: Int = 50
    ) async throws {
        let db = databases[0]
        let table = "\(prefix)_counter"
        try await db.execute("CREATE TABLE \(table) (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)")
        try await db.execute("INSERT INTO \(table) VALUES (1, 0)")
        let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                let db = databases[task % databases.count]
                group.addTask {
                    for _ in 0..<transactionsPerTask {
                        try await db.transaction { conn in
                            let n = try await conn.query("SELECT n FROM \(table) WHERE id = 1\(lock)")[0].int64("n")
                            try await conn.execute("UPDATE \(table) SET n = ? WHERE id = 1", [.integer(n + 1)])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = try await db.query("SELECT n FROM \(table) WHERE id = 1")[0].int64("n")
        #expect(total == Int64(tasks * transactionsPerTask))
    }
}
