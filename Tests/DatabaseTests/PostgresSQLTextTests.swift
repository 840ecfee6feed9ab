@testable import Database
import Testing

@Suite("PostgreSQL SQL text")
struct PostgresSQLTextTests {
    @Test(arguments: [
        ("SELECT ?", "SELECT $1", 1),
        ("INSERT INTO t VALUES (?, ?, ?)", "INSERT INTO t VALUES ($1, $2, $3)", 3),
        ("SELECT '?', ?", "SELECT '?', $1", 1),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1),
        (#"SELECT E'\'?', ?"#, #"SELECT E'\'?', $1"#, 1),
        (#"SELECT "a?b" FROM "t?" WHERE x = ?"#, #"SELECT "a?b" FROM "t?" WHERE x = $1"#, 1),
        (#"SELECT "a""?" , ?"#, #"SELECT "a""?" , $1"#, 1),
        ("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2),
        ("SELECT /* ? /* nested ? */ ? */ ?", "SELECT /* ? /* nested ? */ ? */ $1", 1),
        ("SELECT $$?$$, $tag$ ? $x$ ? $tag$, ?", "SELECT $$?$$, $tag$ ? $x$ ? $tag$, $1", 1),
        ("SELECT $1, ?", "SELECT $1, $1", 1),
        ("SELECT 'héllo ☃', ?", "SELECT 'héllo ☃', $1", 1),
        ("SELECT 'unterminated ?", "SELECT 'unterminated ?", 0),
    ])
    func rewritesPlaceholders(sql: String, expected: String, count: Int) {
        let result = PostgresSQLText.rewritePlaceholders(sql)
        #expect(result.sql == expected)
        #expect(result.count == count)
    }

    @Test func splitsScripts() {
        let script = """
            -- header; comment
            CREATE TABLE a (x TEXT DEFAULT 'a;b');
            ;;
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            /* trailing; */ INSERT INTO "we;ird" VALUES (E'\\';')
            """
        #expect(
            PostgresSQLText.splitStatements(script) == [
                "-- header; comment\nCREATE TABLE a (x TEXT DEFAULT 'a;b')",
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$",
                "/* trailing; */ INSERT INTO \"we;ird\" VALUES (E'\\';')",
            ])
        #expect(PostgresSQLText.splitStatements("  -- only a comment\n ; ").isEmpty)
    }

    @Test func decodesNumericAndTimes() {
        #expect(PostgresValues.timestamp(0, zone: "Z") == "2000-01-01T00:00:00Z")
        #expect(PostgresValues.timestamp(-1, zone: "Z") == "1999-12-31T23:59:59.999999Z")
        #expect(PostgresValues.timestamp(86_400_000_000 * 366 + 1_500_000, zone: "") == "2001-01-01T00:00:01.5")
        #expect(PostgresValues.date(Int32(-730_485)) == "0000-01-01")
        #expect(PostgresValues.date(Int32.max) == "infinity")
    }
}
