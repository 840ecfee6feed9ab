import TestServers
import Database
import Testing

@Suite("Connection strings")
struct DatabaseURLTests {
    private func postgres(_ text: String) throws -> PostgresConfiguration {
        guard case .postgres(let configuration) = try DatabaseURL.parse(text) else {
            throw TestServerError(message: "not PostgreSQL: \(text)")
        }
        return configuration
    }

    @Test(arguments: [
        ("sqlite:catalog.sqlite", "catalog.sqlite"),
        ("sqlite:/var/lib/lakegate/catalog.db", "/var/lib/lakegate/catalog.db"),
        ("sqlite:///abs/path.db", "/abs/path.db"),
        ("ducklake:sqlite:meta.sqlite", "meta.sqlite"),
        ("plain/relative.db", "plain/relative.db"),
        ("/abs/catalog.sqlite", "/abs/catalog.sqlite"),
        ("sqlite::memory:", ":memory:"),
    ])
    func sqliteForms(text: String, path: String) throws {
        #expect(try DatabaseURL.parse(text) == .sqlite(SQLiteConfiguration(path: path)))
    }

    @Test func postgresURL() throws {
        let c = try postgres("postgres:postgresql://alice:p%40ss@db.example:6543/lake?sslmode=disable&application_name=ingest")
        #expect(c.endpoint == .tcp(host: "db.example", port: 6543))
        #expect(c.username == "alice")
        #expect(c.password == "p@ss")
        #expect(c.database == "lake")
        #expect(c.tls == .disable)
        #expect(c.startupParameters["application_name"] == "ingest")

        let bare = try postgres("postgresql://bob@[::1]/catalog")
        #expect(bare.endpoint == .tcp(host: "::1", port: 5432))
        #expect(bare.password == nil)
        #expect(bare.tls == .prefer)
        #expect(try postgres("postgres://u:pw@h/db").endpoint == .tcp(host: "h", port: 5432))
        // A password with an unencoded '@' still splits at the last one.
        #expect(try postgres("postgresql://u:a@b@h:1/d").password == "a@b")
        // A Unix socket directory as the host parameter.
        #expect(try postgres("postgresql:///db?host=/run/postgresql&port=5433").endpoint == .unixSocket(path: "/run/postgresql/.s.PGSQL.5433"))
    }

    @Test func postgresKeyValues() throws {
        let c = try postgres("ducklake:postgres:dbname=ducklake_catalog host=localhost port = 5433 user=lake password='it\\'s \\\\ q' sslmode=require")
        #expect(c.endpoint == .tcp(host: "localhost", port: 5433))
        #expect(c.database == "ducklake_catalog")
        #expect(c.username == "lake")
        #expect(c.password == "it's \\ q")
        #expect(c.tls == .require)
        let bare = try postgres("host=127.0.0.1 dbname=x user=y")
        #expect(bare.endpoint == .tcp(host: "127.0.0.1", port: 5432))
        #expect(try postgres("postgres:host=/tmp dbname=x user=y").endpoint == .unixSocket(path: "/tmp/.s.PGSQL.5432"))
        // Missing user and database default to the OS user, as libpq does.
        let defaults = try postgres("postgres:host=h")
        #expect(!defaults.username.isEmpty)
        #expect(defaults.database == defaults.username)
    }

    @Test(arguments: [
        "", "sqlite:", "postgres:host=h port=notaport", "postgres:host=h sslmode=sometimes", "postgres:host=h bogus=1",
        "postgresql://u:secret-pw@h:99999/db", "postgres:host=h password='secret-pw", "postgresql://u:secret%zzpw@h/db",
    ])
    func invalidStrings(text: String) async {
        let error = await expectDatabaseError(.invalidConfiguration) { _ = try DatabaseURL.parse(text) }
        #expect(error.map { !String(describing: $0).contains("secret") } ?? true)
    }

    @Test func descriptionsHideThePassword() throws {
        let configuration = try DatabaseURL.parse("postgresql://alice:hunter2-secret@h:5432/lake")
        var dumped = ""
        dump(configuration, to: &dumped)
        guard case .postgres(let inner) = configuration else { throw TestServerError(message: "not PostgreSQL") }
        for text in [
            String(describing: configuration), String(reflecting: configuration), dumped, String(describing: inner),
            String(reflecting: inner), "\(Mirror(reflecting: inner).children.map { "\($0.value)" })",
        ] {
            #expect(!text.contains("hunter2"), "leaked: \(text)")
        }
        #expect(String(describing: configuration) == "postgresql://alice:***@h:5432/lake (sslmode=prefer)")
    }

    @Test func errorsNeverCarryBinds() {
        let error = DatabaseError(.uniqueViolation, message: "duplicate key", sql: String(repeating: "x", count: 500), sqlState: "23505")
        #expect(error.sql?.count == 201)
        #expect(String(describing: error).hasPrefix("DatabaseError.uniqueViolation [SQLSTATE 23505]: duplicate key"))
        #expect(!error.isRetryable)
        #expect(DatabaseError(.connectionLost(outcomeUnknown: false), message: "").isRetryable)
        #expect(!DatabaseError(.connectionLost(outcomeUnknown: true), message: "").isRetryable)
    }
}
