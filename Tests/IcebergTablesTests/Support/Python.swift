import TestServers
import Foundation
import Testing

/// Runs small Python scripts with the project's virtual environment (pyiceberg, DuckDB), set up
/// by scripts/setup.sh. A missing interpreter fails the test: interop that silently skipped
/// would prove nothing.
enum Python {
    static let repository = URL(fileURLWithPath: #filePath)  // Tests/IcebergTablesTests/Support/this file
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let executable = repository.appendingPathComponent(".venv/bin/python").path
    static let duckdbExtensions = repository.appendingPathComponent(".venv/duckdb-extensions").path

    /// Helpers every script starts with: `canon(table)` (an Arrow table's rows as JSON-ready
    /// lists: timestamps as microseconds, dates as days), `check(label, table, path)` (compares
    /// with the expected JSON file `{"columns": [...], "rows": [...]}` and exits 1 on a
    /// difference), `catalog(path, warehouse)` (pyiceberg's SqlCatalog named lakegate) and
    /// `duck()` (DuckDB with the iceberg extension loaded offline).
    static let prelude = """
        import json, sys
        import pyarrow as pa

        def canon(table):
            columns = {}
            for field in table.schema:
                column = table.column(field.name)
                if pa.types.is_timestamp(field.type):
                    column = column.cast(pa.int64())
                elif pa.types.is_date(field.type):
                    column = column.cast(pa.int32())
                elif pa.types.is_decimal(field.type):
                    column = column.cast(pa.string())
                columns[field.name] = column.to_pylist()
            names = list(columns)
            rows = [[columns[n][i] for n in names] for i in range(table.num_rows)]
            # Nested values, bytes, decimals, UUIDs: through JSON (bytes as hex, others as str).
            rows = json.loads(json.dumps(rows, default=lambda v: v.hex() if isinstance(v, (bytes, bytearray)) else str(v)))
            rows.sort(key=lambda r: (r[0] is None, r[0]))
            return names, rows

        def check(label, table, path):
            names, rows = canon(table)
            expected = json.load(open(path))
            want = sorted(expected["rows"], key=lambda r: (r[0] is None, r[0]))
            if names != expected["columns"]:
                print(f"{label}: columns {names} != {expected['columns']}")
                sys.exit(1)
            if rows != want:
                print(f"{label}: {len(rows)} rows, expected {len(want)}")
                for got, exp in zip(rows, want):
                    if got != exp:
                        print(f"  first difference: {got} != {exp}")
                        break
                sys.exit(1)
            print(f"{label}: {len(rows)} rows OK")

        def catalog(path, warehouse):
            from pyiceberg.catalog.sql import SqlCatalog
            return SqlCatalog("lakegate", uri="sqlite:///" + path, warehouse="file://" + warehouse)

        def duck():
            import duckdb
            con = duckdb.connect(config={"allow_unsigned_extensions": True,
                "extension_directory": "\(duckdbExtensions)", "autoinstall_known_extensions": False})
            con.execute("LOAD iceberg")
            return con

        """

    /// Runs `script` (after the prelude) with `arguments` as sys.argv[1...]; fails the test
    /// unless it exits 0. Returns its standard output.
    @discardableResult
    static func run(_ script: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        try #require(
            FileManager.default.isExecutableFile(atPath: executable),
            "no Python at \(executable): run scripts/setup.sh", sourceLocation: sourceLocation)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lakegate-ice-\(UUID().uuidString).py").path
        try (prelude + script).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await TestProcess.run(executable, [path] + arguments)
        #expect(
            result.exitCode == 0, "python failed (exit \(result.exitCode.map(String.init) ?? "?")):\n\(result.output)\n\(result.errors)",
            sourceLocation: sourceLocation)
        return result.output
    }

    /// Writes the expected rows as JSON for `check`; returns the file's path.
    static func expected(columns: [String], rows: [[Any]], in folder: String) throws -> String {
        let path = folder + "/expected-\(UUID().uuidString).json"
        let data = try JSONSerialization.data(withJSONObject: ["columns": columns, "rows": rows])
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}
