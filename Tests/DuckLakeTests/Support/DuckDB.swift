import TestServers
import Foundation
import Testing

/// DuckDB 1.5.5 with its ducklake extension, from the project's venv (scripts/setup.sh
/// installs it, extensions loaded offline). Each call is one `python` process that attaches
/// the lake, runs `statements`, then `queries`, and prints every query's rows as JSON; every
/// value comes back as DuckDB's own text (queries cast to VARCHAR), so comparisons are exact.
/// A missing venv fails the test: a silently skipped interop check would prove nothing.
enum DuckDB {
    static let root = URL(fileURLWithPath: #filePath)  // Tests/DuckLakeTests/Support/DuckDB.swift
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python").path
    static let extensions = root.appendingPathComponent(".venv/duckdb-extensions").path

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let script = #"""
        import duckdb, json, sys
        spec = json.loads(open(sys.argv[1]).read())
        con = duckdb.connect(config={'allow_unsigned_extensions': True, 'extension_directory': spec['extensions'],
                                     'autoinstall_known_extensions': False})
        con.execute("LOAD ducklake")
        con.execute("LOAD " + spec['backend'])
        options = "DATA_PATH '" + spec['data_path'] + "'"
        if spec.get('inlining') is not None:
            options += ", DATA_INLINING_ROW_LIMIT " + str(spec['inlining'])
        con.execute("ATTACH 'ducklake:" + spec['catalog'] + "' AS lake (" + options + ")")
        con.execute("USE lake")
        for statement in spec['statements']:
            con.execute(statement)
        out = []
        for query in spec['queries']:
            rows = con.execute(query).fetchall()
            out.append([[None if v is None else str(v) for v in row] for row in rows])
        # A filter: DuckDB's filtered scan (pruned by DuckLake's statistics and partitions)
        # beside the unfiltered scan filtered here in Python, as sorted ids.
        import datetime, decimal, operator, uuid
        ops = {'=': operator.eq, '!=': operator.ne, '<': operator.lt, '<=': operator.le, '>': operator.gt, '>=': operator.ge}
        for f in spec.get('filters', []):
            literal = eval(f['py'])
            filtered = sorted(r[0] for r in con.execute(
                f"SELECT id FROM {f['table']} WHERE {f['column']} {f['op']} {f['sql']}").fetchall())
            everything = con.execute(f"SELECT id, {f['column']} FROM {f['table']}").fetchall()
            expected = sorted(r[0] for r in everything if r[1] is not None and ops[f['op']](r[1], literal))
            out.append([[str(i) for i in filtered], [str(i) for i in expected]])
        print(json.dumps(out))
        """#

    /// `catalog` as DuckLake's ATTACH takes it: `sqlite:/path` or `postgres:host=… dbname=…`.
    /// A predicate for DuckDB's filtered scan and the same in Python (`py` evaluates to the
    /// literal: `datetime.date(2024, 1, 2)`, `decimal.Decimal('1.5')`).
    struct Filter {
        var table: String
        var column: String
        var op: String
        var sql: String
        var py: String
    }

    static func run(
        catalog: String, dataPath: String, statements: [String] = [], queries: [String] = [], filters: [Filter] = [],
        inlining: Int? = nil
    ) async throws -> [[[String?]]] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "\(python) is missing: run scripts/setup.sh (DuckDB 1.5.5 and its extensions)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lakegate-duckdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptPath = directory.appendingPathComponent("run.py").path
        let specPath = directory.appendingPathComponent("spec.json").path
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        var spec: [String: Any] = [
            "extensions": extensions, "backend": catalog.hasPrefix("postgres:") ? "postgres" : "sqlite",
            "catalog": catalog, "data_path": dataPath.hasSuffix("/") ? dataPath : dataPath + "/",
            "statements": statements, "queries": queries,
            "filters": filters.map { ["table": $0.table, "column": $0.column, "op": $0.op, "sql": $0.sql, "py": $0.py] },
        ]
        if let inlining { spec["inlining"] = inlining }
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specPath))
        let result = try await TestProcess.run(python, [scriptPath, specPath])
        guard result.exitCode == 0 else {
            throw Failure(description: "DuckDB failed (exit \(result.exitCode.map(String.init) ?? "?")): \(result.errors)")
        }
        guard let data = result.output.data(using: .utf8),
            let parsed = try JSONSerialization.jsonObject(with: data) as? [[[Any]]]
        else {
            throw Failure(description: "DuckDB printed no JSON: \(result.output.prefix(500)) \(result.errors.prefix(500))")
        }
        return parsed.map { rows in rows.map { row in row.map { $0 as? String } } }
    }

    /// One query's rows.
    static func query(catalog: String, dataPath: String, _ sql: String, statements: [String] = [], inlining: Int? = nil)
        async throws -> [[String?]]
    {
        try await run(catalog: catalog, dataPath: dataPath, statements: statements, queries: [sql], inlining: inlining)[0]
    }
}
