import TestServers
import Database
import Foundation
import Testing

/// The same checks as SQLite, plus PostgreSQL's own, against a throwaway PostgreSQL 15 server.
@Suite("PostgreSQL", .postgresServer)
struct PostgresTests {
    private func open(maxConnections: Int = 4) async throws -> any SQLDatabase {
        guard case .postgres(var configuration) = try DatabaseURL.parse(try PostgresTestServer.current.url) else {
            throw TestServerError(message: "the test server URL did not parse as PostgreSQL")
        }
        configuration.maxConnections = maxConnections
        return try await PostgresDatabase(configuration: configuration)
    }

    @Test func crudWithEveryValueKind() async throws {
        try await using(try await open()) { try await Conformance.crudMatrix($0, prefix: "crud") }
    }

    @Test func transactionRollsBackOnThrow() async throws {
        try await using(try await open()) { try await Conformance.rollbackOnThrow($0, prefix: "rollback") }
    }

    @Test func errorsAreMapped() async throws {
        try await using(try await open()) { try await Conformance.errorMapping($0, prefix: "errors") }
    }

    @Test func connectionsStayInTheirBody() async throws {
        try await using(try await open()) { try await Conformance.connectionScope($0) }
    }

    @Test func scriptsRunSeveralStatements() async throws {
        try await using(try await open()) { try await Conformance.scripts($0, prefix: "script") }
    }

    @Test func fourTasksShareOnePool() async throws {
        try await using(try await open()) { try await Conformance.concurrentCounter([$0], prefix: "counter") }
    }

    @Test func fourTasksOnASingleConnection() async throws {
        try await using(try await open(maxConnections: 1)) {
            try await Conformance.concurrentCounter([$0], prefix: "counter1", transactionsPerTask: 10)
        }
    }

    /// The URL form, libpq's key=value form over TCP with the default sslmode (prefer, against a
    /// server without TLS), and key=value over the Unix socket.
    @Test func opensThroughEveryConnectionStringForm() async throws {
        let server = try PostgresTestServer.current
        for text in [
            "postgres:" + server.url, "postgres:host=127.0.0.1 port=\(server.port) dbname=postgres user=postgres",
            "ducklake:postgres:host=\(server.socketDirectory) port=\(server.port) dbname=postgres user=postgres",
        ] {
            let db = try await DatabaseURL.open(text)
            try await using(db) { db in
                let one = try await db.query("SELECT 1 AS one")[0].int64("one")
                #expect(one == 1)
                #expect(db.dialect == .postgres)
            }
        }
    }

    /// A NULL bind has no type, so it fits any column; text binds are typed by the server too.
    @Test func nullAndTextBindsIntoTypedColumns() async throws {
        try await using(try await open()) { db in
            try await db.execute(
                """
                CREATE TABLE typed (id BIGINT PRIMARY KEY, i8 BIGINT, i4 INTEGER, i2 SMALLINT, flag BOOLEAN,
                    name VARCHAR(40), at TIMESTAMPTZ, day DATE, plain TIMESTAMP, amount NUMERIC(20, 4), f4 REAL,
                    f8 DOUBLE PRECISION, id2 UUID, doc JSONB, raw BYTEA)
                """)
            try await db.execute(
                "INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [1, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null, .null])
            try await db.execute(
                "INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    2, 8_000_000_000, 7, 3, true, "name ☃", "2024-05-06 07:08:09.123456+00", "2024-02-29",
                    "1999-12-31 23:59:59", "-12345678.9012", 1.5, 2.25, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                    #"{"a": [1, 2]}"#, .blob([0, 255]),
                ])
            let rows = try await db.query("SELECT * FROM typed ORDER BY id")
            #expect(rows[0].values == [1] + Array(repeating: SQLValue.null, count: 14))
            #expect(
                rows[1].values == [
                    2, 8_000_000_000, 7, 3, true, "name ☃", "2024-05-06T07:08:09.123456Z", "2024-02-29",
                    "1999-12-31T23:59:59", "-12345678.9012", 1.5, 2.25, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                    #"{"a": [1, 2]}"#, .blob([0, 255]),
                ])
            // An integer bind into narrower or other numeric columns, and into a WHERE on them.
            try await db.execute("UPDATE typed SET i4 = ?, i2 = ?, amount = ? WHERE id = ?", [40, 20, 3, 1])
            let updated = try await db.query("SELECT i4, i2, amount FROM typed WHERE i4 = ? AND i2 = ?", [40, 20])
            #expect(updated.map(\.values) == [[40, 20, "3.0000"]])
            // Without a context a NULL or text bind needs a cast.
            #expect(try await db.query("SELECT CAST(? AS TEXT) IS NULL AS missing", [.null])[0].bool("missing"))
        }
    }

    @Test func decodesServerTypes() async throws {
        try await using(try await open()) { db in
            let row = try await db.query(
                """
                SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 0.5::float4 AS d, 'x'::name AS e, true AS f,
                    0.000012::numeric AS g, 'NaN'::numeric AS h, 123456789012345678901234567890::numeric AS i,
                    '-0.5'::numeric(10, 3) AS j, 'infinity'::timestamptz AS k, '1970-01-01 00:00:00+00'::timestamptz AS l,
                    '0044-03-15 12:00:00+00'::timestamptz AS m, 'char'::char(6) AS n, '{}'::json AS o, pg_sleep(0) AS p,
                    100000::numeric AS q, 'abc'::bytea AS r
                """)[0]
            #expect(
                row.values == [
                    1, 2, 3, 0.5, "x", true, "0.000012", "NaN", "123456789012345678901234567890", "-0.500", "infinity",
                    "1970-01-01T00:00:00Z", "0044-03-15T12:00:00Z", "char  ", "{}", .null, "100000", .blob([97, 98, 99]),
                ])
            await expectDatabaseError(.typeMismatch) { _ = try await db.query("SELECT ARRAY[1, 2] AS a") }
            #expect(try await db.query("SELECT ARRAY[1, 2]::text AS a")[0].string("a") == "{1,2}")
        }
    }

    /// `?` becomes $n, except inside quotes, identifiers and comments.
    @Test func placeholdersAreRewritten() async throws {
        try await using(try await open()) { db in
            try await db.execute(#"CREATE TABLE "odd?table" ("a?b" BIGINT, note TEXT)"#)
            try await db.execute(#"INSERT INTO "odd?table" ("a?b", note) VALUES (?, '?') -- really?"#, [5])
            let rows = try await db.query(
                #"SELECT "a?b", note, '?' AS lit, E'\'?' AS esc, $$?$$ AS dollar, ? AS v FROM "odd?table" WHERE "a?b" = ? /* ? */"#,
                ["bound", 5])
            #expect(rows.map(\.values) == [[5, "?", "?", "'?", "?", "bound"]])
        }
    }

    /// REPEATABLE READ: a row changed by a transaction that committed after ours began cannot be
    /// updated by ours.
    @Test func serializationFailureIsMapped() async throws {
        try await using(try await open()) { db in
            try await db.execute("CREATE TABLE serial (id BIGINT PRIMARY KEY, n BIGINT)")
            try await db.execute("INSERT INTO serial VALUES (1, 0)")
            let error = await expectDatabaseError(.serializationFailure) {
                try await db.transaction { conn in
                    try await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    _ = try await conn.query("SELECT n FROM serial WHERE id = 1")
                    // Another pooled connection commits a change meanwhile.
                    try await db.transaction { other in
                        try await other.execute("UPDATE serial SET n = n + 1 WHERE id = 1")
                    }
                    try await conn.execute("UPDATE serial SET n = n + 10 WHERE id = 1")
                }
            }
            #expect(error?.sqlState == "40001")
            #expect(error?.isRetryable == true)
            #expect(try await db.query("SELECT n FROM serial")[0].int64("n") == 1)
        }
    }

    /// The server ends the session while COMMIT runs (a deferred trigger holds COMMIT up): the
    /// outcome is unknown. Ended mid-transaction instead, nothing was committed. Either way the
    /// pool drops the dead connection and the database keeps working.
    @Test func connectionLostDuringCommit() async throws {
        try await using(try await open()) { db in
            try await db.withConnection { conn in
                try await conn.executeScript(
                    """
                    CREATE TABLE slow_commit (id BIGINT PRIMARY KEY);
                    CREATE FUNCTION slow_commit_wait() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$;
                    CREATE CONSTRAINT TRIGGER slow_commit_trigger AFTER INSERT ON slow_commit
                        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit_wait();
                    """)
            }
            let clock = ContinuousClock()
            let start = clock.now
            let (pids, pidSink) = AsyncStream.makeStream(of: Int64.self)
            // Once COMMIT is running (the server says so: no timing guess), another connection
            // ends the committing session.
            async let terminator: Void = {
                var iterator = pids.makeAsyncIterator()
                guard let pid = await iterator.next() else { return }
                while try await db.query(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE pid = ?::int AND state = 'active' AND query = 'COMMIT'",
                    [.integer(pid)])[0].int64("n") == 0
                {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await db.execute("SELECT pg_terminate_backend(?::int)", [.integer(pid)])
            }()
            let error = await expectDatabaseError(.connectionLost(outcomeUnknown: true)) {
                try await db.transaction { conn in
                    try await conn.execute("INSERT INTO slow_commit VALUES (1)")
                    pidSink.yield(try await conn.query("SELECT pg_backend_pid() AS pid")[0].int64("pid"))
                }
            }
            pidSink.finish()
            try await terminator
            #expect(error?.isRetryable == false)
            #expect(clock.now - start < .seconds(55), "the session should have ended during the trigger's 60 s sleep")

            #expect(try await db.query("SELECT 1 AS one")[0].int64("one") == 1)
        }
    }

    /// The session ends in the middle of a transaction, many times over: nothing is committed,
    /// nothing more is sent on the dead connection (postgres-nio could leave such a statement
    /// waiting forever), and the pool replaces it.
    @Test func connectionLostMidTransaction() async throws {
        try await using(try await open(maxConnections: 2)) { db in
            try await db.execute("CREATE TABLE mid_transaction (id BIGINT)")
            for round in 0..<20 {
                await expectDatabaseError(.connectionLost(outcomeUnknown: false)) {
                    try await db.transaction { conn in
                        try await conn.execute("INSERT INTO mid_transaction VALUES (?)", [.integer(Int64(round))])
                        _ = try await conn.query("SELECT pg_terminate_backend(pg_backend_pid())")
                    }
                }
                // A body that swallows the loss and goes on gets the same error at once.
                await expectDatabaseError(.connectionLost(outcomeUnknown: false)) {
                    try await db.transaction { conn in
                        _ = try? await conn.query("SELECT pg_terminate_backend(pg_backend_pid())")
                        _ = try await conn.query("SELECT 1")
                    }
                }
                await expectDatabaseError(.connectionLost(outcomeUnknown: false)) {
                    try await db.transaction { conn in
                        _ = try? await conn.query("SELECT pg_terminate_backend(pg_backend_pid())")
                    }
                }
            }
            let rows = try await db.query("SELECT COUNT(*) AS n FROM mid_transaction")
            #expect(try rows[0].int64("n") == 0)
        }
    }

    /// A body that catches a failed statement and returns: PostgreSQL rolls the transaction back
    /// at COMMIT, which must not pass for success.
    @Test func swallowedStatementErrorFailsTheCommit() async throws {
        try await using(try await open()) { db in
            try await db.execute("CREATE TABLE swallowed (id BIGINT PRIMARY KEY)")
            try await db.execute("INSERT INTO swallowed VALUES (1)")
            await expectDatabaseError(.other) {
                try await db.transaction { conn in
                    try await conn.execute("INSERT INTO swallowed VALUES (2)")
                    _ = try? await conn.execute("INSERT INTO swallowed VALUES (1)")
                }
            }
            #expect(try await db.query("SELECT COUNT(*) AS n FROM swallowed")[0].int64("n") == 1)
        }
    }

    /// The password appears in no description of the configuration, the database or an error,
    /// whether the login fails or succeeds.
    @Test func passwordNeverLeaks() async throws {
        let server = try PostgresTestServer.current
        let password = "Sup3r-s3cret-P4ss"
        try await using(try await open()) { db in
            try await db.execute(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(PostgresTestServer.passwordRole)') THEN "
                    + "CREATE ROLE \(PostgresTestServer.passwordRole) LOGIN PASSWORD '\(password)'; END IF; END $$")
        }
        let wrong = server.url(user: PostgresTestServer.passwordRole, password: "wr0ng-\(password)")
        let configuration = try DatabaseURL.parse(wrong)
        var texts = [String(describing: configuration), String(reflecting: configuration), "\(configuration)"]
        var dumped = ""
        dump(configuration, to: &dumped)
        texts.append(dumped)
        do {
            _ = try await configuration.open()
            Issue.record("a wrong password must not log in")
        } catch {
            texts += [String(describing: error), String(reflecting: error), error.localizedDescription]
            #expect((error as? DatabaseError)?.sqlState == "28P01", "\(error)")
        }
        let right = try await DatabaseURL.open(server.url(user: PostgresTestServer.passwordRole, password: password))
        try await using(right) { db in
            let user = try await db.query("SELECT current_user AS u")[0].string("u")
            #expect(user == PostgresTestServer.passwordRole)
            texts.append(String(describing: db))
            texts.append(String(reflecting: db))
            if let db = db as? PostgresDatabase { texts.append(String(describing: db.configuration)) }
            do {
                _ = try await db.query("SELECT * FROM missing_table WHERE x = ?", [.text(password)])
            } catch {
                texts.append(String(describing: error))
            }
        }
        for text in texts {
            #expect(!text.contains(password), "leaked: \(text)")
        }
        #expect(texts[0].contains(":***@"))
    }
}
