import Columnar
import Foundation
import IcebergTables
import Synchronization
import Tables
import Testing

/// Tables written here, read by pyiceberg 0.12 (SqlCatalog on the same SQLite file) and DuckDB
/// 1.5.5's iceberg extension; tables pyiceberg appended to, read here.
@Suite struct InteropTests {
    /// pyiceberg loads every table of the catalog and scans exactly the expected rows, with
    /// and without row filters; its `inspect.files()` reads our manifests' metrics.
    static let pyicebergChecks = """
        cat = catalog(sys.argv[1], sys.argv[2])
        checks = json.load(open(sys.argv[3]))
        listed = sorted(".".join(t) for ns in cat.list_namespaces() for t in cat.list_tables(ns))
        if listed != checks["tables"]:
            print(f"tables {listed} != {checks['tables']}")
            sys.exit(1)
        for item in checks["checks"]:
            table = cat.load_table(item["table"])
            scan = table.scan(row_filter=item["filter"]) if item.get("filter") else table.scan()
            check(item["table"] + " " + str(item.get("filter")), scan.to_arrow(), item["expected"])
            if "files" in item:
                files = table.inspect.files()
                if files.num_rows != item["files"]:
                    print(f"{item['table']}: {files.num_rows} files, expected {item['files']}")
                    sys.exit(1)
                counts = files.column("record_count").to_pylist()
                if sum(counts) != len(json.load(open(item["expected"]))["rows"]):
                    print(f"{item['table']}: record counts {counts}")
                    sys.exit(1)
        """

    /// DuckDB scans each metadata file and sees exactly the expected rows.
    static let duckdbChecks = """
        con = duck()
        for item in json.load(open(sys.argv[1])):
            result = con.execute(f"SELECT * FROM iceberg_scan('{item['metadata']}')")
            table = result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.fetch_arrow_table()
            check("duckdb " + item["table"], table, item["expected"])
        """

    /// pyiceberg appends rows (`id`, `event_time` as microseconds, `region`, `amount`) to a table.
    static let pyicebergAppend = """
        cat = catalog(sys.argv[1], sys.argv[2])
        table = cat.load_table(sys.argv[3])
        rows = json.load(open(sys.argv[4]))
        schema = table.schema().as_arrow()
        columns = []
        for index, field in enumerate(schema):
            values = [row[index] if index < len(row) else None for row in rows]
            if pa.types.is_timestamp(field.type):
                columns.append(pa.array(values, pa.int64()).cast(field.type))
            else:
                columns.append(pa.array(values).cast(field.type))
        table.append(pa.Table.from_arrays(columns, schema=schema))
        print("appended", len(rows))
        """

    /// pyiceberg appends batches one commit each, reloading and retrying (with a short random
    /// wait, at most 200 times a batch) when another writer committed first (pyiceberg 0.12
    /// raises CommitFailedException and does not retry by itself).
    static let pyicebergAppendLoop = """
        import random, time
        from pyiceberg.exceptions import CommitFailedException
        cat = catalog(sys.argv[1], sys.argv[2])
        batches = json.load(open(sys.argv[4]))
        conflicts = 0
        for rows in batches:
            for attempt in range(200):
                table = cat.load_table(sys.argv[3])
                schema = table.schema().as_arrow()
                columns = []
                for index, field in enumerate(schema):
                    values = [row[index] for row in rows]
                    if pa.types.is_timestamp(field.type):
                        columns.append(pa.array(values, pa.int64()).cast(field.type))
                    else:
                        columns.append(pa.array(values).cast(field.type))
                try:
                    table.append(pa.Table.from_arrays(columns, schema=schema))
                    break
                except CommitFailedException:
                    conflicts += 1
                    time.sleep(random.uniform(0, 0.05))
            else:
                print("gave up after 200 conflicts on one batch")
                sys.exit(1)
        print("appended", len(batches), "conflicts", conflicts)
        """

    struct Check {
        var table: String
        var filter: String?
        var rows: [[Any]]
        var files: Int?
        var columns = Events.columns
    }

    func runPyiceberg(_ lake: TestLake, tables: [String], _ checks: [Check]) async throws {
        var items: [[String: Any]] = []
        for check in checks {
            var item: [String: Any] = [
                "table": check.table, "expected": try Python.expected(columns: check.columns, rows: check.rows, in: lake.root),
            ]
            if let filter = check.filter { item["filter"] = filter }
            if let files = check.files { item["files"] = files }
            items.append(item)
        }
        let path = lake.root + "/checks.json"
        try JSONSerialization.data(withJSONObject: ["tables": tables, "checks": items]).write(to: URL(fileURLWithPath: path))
        let output = try await Python.run(Self.pyicebergChecks, [lake.catalogPath, lake.dataPath, path])
        #expect(output.components(separatedBy: "OK").count - 1 == checks.count, "\(output)")
    }

    func runDuckDB(_ lake: TestLake, _ catalog: IcebergCatalog, _ checks: [Check]) async throws {
        var items: [[String: Any]] = []
        for check in checks {
            let table = try TableIdentifier(parsing: check.table)
            let metadata = try #require(try await catalog.describe(table)?.properties.first { $0.0 == "metadata_location" }?.1)
            items.append([
                "table": check.table, "metadata": metadata,
                "expected": try Python.expected(columns: check.columns, rows: check.rows, in: lake.root),
            ])
        }
        let path = lake.root + "/duck.json"
        try JSONSerialization.data(withJSONObject: items).write(to: URL(fileURLWithPath: path))
        let output = try await Python.run(Self.duckdbChecks, [path])
        #expect(output.components(separatedBy: "OK").count - 1 == checks.count, "\(output)")
    }

    func pyicebergAppends(_ lake: TestLake, _ table: String, _ rows: [[Any]]) async throws {
        let path = lake.root + "/append-\(UUID().uuidString).json"
        try JSONSerialization.data(withJSONObject: rows).write(to: URL(fileURLWithPath: path))
        try await Python.run(Self.pyicebergAppend, [lake.catalogPath, lake.dataPath, table, path])
    }

    @Test func pyicebergAndDuckDBReadOurTables() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            let events = try TableIdentifier(parsing: "main.events")
            let plain = try TableIdentifier(parsing: "main.plain")
            let buckets = try TableIdentifier(parsing: "raw.buckets")
            let evolved = try TableIdentifier(parsing: "raw.evolved")
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["day(event_time)"])
            try await catalog.createTable(plain, schema: Events.schema, partitionBy: [])
            try await catalog.createTable(buckets, schema: Events.schema, partitionBy: ["bucket[4](id)", "truncate[1](region)", "month(event_time)"])
            try await catalog.createTable(evolved, schema: Events.schema, partitionBy: ["hour(event_time)", "year(event_time)"])
            for table in [events, plain, buckets] {
                try await append(catalog, table, [try Events.batch(0..<6)])
                try await append(catalog, table, [try Events.batch(6..<12), try Events.batch(12..<13)], key: "\(table)-2")
            }
            // A column added by the second append: the first rows read it as null.
            try await append(catalog, evolved, [try Events.batch(0..<3)])
            let wider = Schema(Events.schema.fields + [Field("note", .string)])
            let builders = wider.fields.map { ColumnBuilder(type: $0.type) }
            for id in 3..<5 {
                try builders[0].append(.int(Int64(id)))
                try builders[1].append(.timestamp(Events.time(id), .microsecond, utc: true))
                try builders[2].append(.string(Events.region(id)))
                try builders[3].append(.double(Events.amount(id)))
                try builders[4].append(.string("n\(id)"))
            }
            try await append(catalog, evolved, [try RecordBatch(schema: wider, columns: builders.map { $0.finish() })])
            let evolvedRows: [[Any]] = Events.rows(Array(0..<5)).enumerated().map { id, row in row + [id >= 3 ? "n\(id)" : NSNull()] }

            let all = Array(0..<13)
            let eventsFiles = try await catalog.files(events).count
            try await runPyiceberg(
                lake, tables: ["main.events", "main.plain", "raw.buckets", "raw.evolved"],
                [
                    Check(table: "main.events", rows: Events.rows(all), files: eventsFiles),
                    Check(table: "main.events", filter: "event_time >= '2025-01-06T00:00:00+00:00'", rows: Events.rows(all.filter { Events.time($0) >= Events.start + 24 * Events.hour })),
                    Check(table: "main.events", filter: "region == 'eu'", rows: Events.rows(all.filter { $0 % 3 == 0 })),
                    Check(table: "main.plain", rows: Events.rows(all), files: 2),
                    Check(table: "raw.buckets", rows: Events.rows(all)),
                    Check(table: "raw.buckets", filter: "id == 5", rows: Events.rows([5])),
                    Check(table: "raw.buckets", filter: "region == 'us' and id > 6", rows: Events.rows([7, 10])),
                    Check(table: "raw.evolved", rows: evolvedRows, files: 5, columns: Events.columns + ["note"]),
                    Check(table: "raw.evolved", filter: "note is null", rows: Array(evolvedRows.prefix(3)), columns: Events.columns + ["note"]),
                ])
            try await runDuckDB(
                lake, catalog,
                [
                    Check(table: "main.events", rows: Events.rows(all)),
                    Check(table: "main.plain", rows: Events.rows(all)),
                    Check(table: "raw.buckets", rows: Events.rows(all)),
                    Check(table: "raw.evolved", rows: evolvedRows, columns: Events.columns + ["note"]),
                ])
        }
    }

    @Test func pyicebergAppendsAndWeReadItsRows() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            let events = try TableIdentifier(parsing: "main.events")
            // pyiceberg writes partitions other than identity only with pyiceberg-core (Rust),
            // which the project does not install.
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["region"])
            try await append(catalog, events, [try Events.batch(0..<10)])
            try await pyicebergAppends(lake, "main.events", Events.rows(Array(100..<105)))

            #expect(ids(try await tableRows(catalog, events)) == Array(0..<10) + Array(100..<105))
            let rows = try await tableRows(catalog, events)
            #expect(rows.last == [.int(104), .timestamp(Events.time(104), .microsecond, utc: true), .string(Events.region(104)), .double(Events.amount(104))])
            let history = try await catalog.history(events)
            #expect(history.map(\.operation) == ["append", "append"])
            #expect(try await catalog.describe(events)?.recordCount == 15)
            // Its partition values prune like ours.
            let plan = try await catalog.plan(events, filter: try ScanFilter(parsing: "region = us"))
            #expect(plan.tasks.map(\.recordCount).reduce(0, +) == 3 + 2)  // ids 1, 4, 7 and 100, 103

            // We append on top of its snapshot; both readers see everything.
            try await append(catalog, events, [try Events.batch(10..<12)], key: "after-pyiceberg")
            let expected = Array(0..<12) + Array(100..<105)
            #expect(ids(try await tableRows(catalog, events)) == expected)
            try await runPyiceberg(lake, tables: ["main.events"], [Check(table: "main.events", rows: Events.rows(expected))])
            try await runDuckDB(lake, catalog, [Check(table: "main.events", rows: Events.rows(expected))])
        }
    }

    @Test func compactionAndExpiryKeepTheRowsForOtherReaders() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            let events = try TableIdentifier(parsing: "main.events")
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["region"])
            for start in stride(from: 0, to: 24, by: 4) { try await append(catalog, events, [try Events.batch(start..<(start + 4))]) }
            try await pyicebergAppends(lake, "main.events", Events.rows(Array(50..<56)))
            for start in stride(from: 24, to: 30, by: 3) { try await append(catalog, events, [try Events.batch(start..<(start + 3))]) }
            let expected = Array(0..<30) + Array(50..<56)
            let filesBefore = try await catalog.files(events).count

            let compacted = try await catalog.compact(events)
            #expect(compacted.filesRemoved == filesBefore && compacted.filesAdded == 3)
            // Before expiry the rewritten manifests list the replaced files as DELETED.
            try await runPyiceberg(lake, tables: ["main.events"], [Check(table: "main.events", rows: Events.rows(expected), files: 3)])
            try await runDuckDB(lake, catalog, [Check(table: "main.events", rows: Events.rows(expected))])
            let expired = try await catalog.expireSnapshots(events, olderThan: 0)
            #expect(expired.filesDeleted > filesBefore)
            #expect(try await lake.objects(under: "main/events/data").count == 3)
            #expect(ids(try await tableRows(catalog, events)) == expected)

            try await runPyiceberg(lake, tables: ["main.events"], [
                Check(table: "main.events", rows: Events.rows(expected), files: 3),
                Check(table: "main.events", filter: "region == 'ap'", rows: Events.rows(expected.filter { $0 % 3 == 2 })),
            ])
            try await runDuckDB(lake, catalog, [Check(table: "main.events", rows: Events.rows(expected))])

            // pyiceberg keeps appending to the compacted, expired table.
            try await pyicebergAppends(lake, "main.events", Events.rows([60]))
            #expect(ids(try await tableRows(catalog, events)) == expected + [60])
        }
    }

    /// pyiceberg and this catalog append to one table at the same time; each retries when the
    /// other committed first, and every batch of both lands exactly once. Both sides are bounded:
    /// we make 12 commits, starting once pyiceberg's first landed (so the two overlap), and
    /// pyiceberg retries each batch at most 200 times (it wins at the latest once we are done).
    @Test func pyicebergAndWeAppendConcurrently() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            let events = try TableIdentifier(parsing: "main.events")
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["region"])
            let theirs = (0..<12).map { batch in Events.rows(Array((1000 + batch * 5)..<(1000 + batch * 5 + 5))) }
            let path = lake.root + "/batches.json"
            try JSONSerialization.data(withJSONObject: theirs).write(to: URL(fileURLWithPath: path))
            let arguments = [lake.catalogPath, lake.dataPath, "main.events", path]
            // The Python process runs on a thread of its own (waiting for it blocks).
            let done = Mutex(false)
            let python = Task.detached {
                defer { done.withLock { $0 = true } }
                return try await Python.run(Self.pyicebergAppendLoop, arguments)
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while try await catalog.history(events).isEmpty, !done.withLock({ $0 }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            for batch in 0..<12 {
                try await append(catalog, events, [try Events.batch((batch * 5)..<(batch * 5 + 5))], key: "ours-\(batch)")
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...60)))
            }
            let output = try await python.value
            #expect(output.contains("appended 12"))
            let order = try await catalog.history(events).map { $0.idempotencyKey == nil ? "p" : "l" }.joined()
            print("pyiceberg and lakegate appending at once: \(output.split(separator: "\n").last ?? ""); commit order \(order)")
            let expected = Array(0..<60) + Array(1000..<1060)
            #expect(ids(try await tableRows(catalog, events)) == expected)
            #expect(try await catalog.history(events).count == 24)
            #expect(try await catalog.describe(events)?.recordCount == expected.count)
            try await runPyiceberg(lake, tables: ["main.events"], [Check(table: "main.events", rows: Events.rows(expected))])
        }
    }

    /// Every Iceberg type Lakegate writes, nested ones included, read by pyiceberg and DuckDB.
    @Test func everyTypeReadsBackElsewhere() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            let table = try TableIdentifier(parsing: "main.types")
            let schema = Schema([
                Field("id", .int64, nullable: false),
                Field("small", .int32),
                Field("ratio", .float32),
                Field("price", .decimal(precision: 10, scale: 2)),
                Field("flag", .boolean),
                Field("name", .string),
                Field("blob", .binary),
                Field("day", .date),
                Field("local", .timestamp(.microsecond, utc: false)),
                Field("at", .timestamp(.microsecond, utc: true)),
                Field("tags", .list(Field("element", .string))),
                Field("attrs", .map(key: Field("key", .string, nullable: false), value: Field("value", .int64))),
                Field("loc", .structure([Field("lat", .float64), Field("lon", .float64)])),
            ])
            try await catalog.createTable(table, schema: schema, partitionBy: ["month(day)", "truncate[2](name)"])
            var rows: [[Value]] = []
            var expected: [[Any]] = []
            for id in 0..<6 {
                let isNull = id == 5
                rows.append([
                    .int(Int64(id)), isNull ? .null : .int(Int64(id * 1000 - 2000)), isNull ? .null : .double(Double(id) / 4),
                    isNull ? .null : .decimal(Int128(id * 12345 - 30000), scale: 2), isNull ? .null : .bool(id % 2 == 0),
                    isNull ? .null : .string("name-\(id) é"), isNull ? .null : .binary([UInt8(id), 0xFF, 0]),
                    isNull ? .null : .date(Int64(20_000 + id * 40)),
                    isNull ? .null : .timestamp(Events.time(id), .microsecond, utc: false),
                    isNull ? .null : .timestamp(Events.time(id) + 1, .microsecond, utc: true),
                    isNull ? .null : .list((0..<id).map { .string("t\($0)") }),
                    isNull ? .null : .map((0..<(id % 3)).map { Value.MapEntry(key: .string("k\($0)"), value: .int(Int64($0 * id))) }),
                    isNull ? .null : .structure([.double(Double(id) + 0.5), id == 2 ? .null : .double(-Double(id))]),
                ])
                let decimal = Double(id * 12345 - 30000) / 100
                expected.append([
                    id, isNull ? NSNull() : id * 1000 - 2000, isNull ? NSNull() : Double(id) / 4,
                    isNull ? NSNull() : String(format: "%.2f", decimal), isNull ? NSNull() : id % 2 == 0,
                    isNull ? NSNull() : "name-\(id) é", isNull ? NSNull() : String(format: "%02xff00", id),
                    isNull ? NSNull() : 20_000 + id * 40, isNull ? NSNull() : Events.time(id),
                    isNull ? NSNull() : Events.time(id) + 1,
                    isNull ? NSNull() : (0..<id).map { "t\($0)" },
                    isNull ? NSNull() : (0..<(id % 3)).map { [ "k\($0)", $0 * id ] as [Any] },
                    isNull ? NSNull() : ["lat": Double(id) + 0.5, "lon": id == 2 ? NSNull() : -Double(id)] as [String: Any],
                ])
            }
            let builders = schema.fields.map { ColumnBuilder(type: $0.type) }
            for row in rows { for (builder, value) in zip(builders, row) { try builder.append(value) } }
            try await append(catalog, table, [try RecordBatch(schema: schema, columns: builders.map { $0.finish() })])
            #expect(try await tableRows(catalog, table) == rows)

            var check = Check(table: "main.types", rows: expected)
            check.columns = schema.fields.map(\.name)
            var filtered = Check(table: "main.types", filter: "name == 'name-3 é'", rows: [expected[3]])
            filtered.columns = check.columns
            try await runPyiceberg(lake, tables: ["main.types"], [check, filtered])
            try await runDuckDB(lake, catalog, [check])
        }
    }

    /// A table whose appends merged their manifests reads the same elsewhere.
    @Test func mergedManifestsReadElsewhere() async throws {
        try await withLake { lake in
            let catalog = try await lake.open(IcebergCatalogOptions(manifestMergeMinCount: 4))
            defer { Task { await catalog.close() } }
            let events = try TableIdentifier(parsing: "main.events")
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["region"])
            for index in 0..<10 { try await append(catalog, events, [try Events.batch((index * 3)..<(index * 3 + 3))]) }
            try await pyicebergAppends(lake, "main.events", Events.rows([100, 101]))
            for index in 10..<14 { try await append(catalog, events, [try Events.batch((index * 3)..<(index * 3 + 3))]) }
            #expect(try await currentManifests(catalog, events).count < 6)
            let expected = Array(0..<42) + [100, 101]
            #expect(ids(try await tableRows(catalog, events)) == expected)
            let files = try await catalog.files(events).count
            try await runPyiceberg(lake, tables: ["main.events"], [
                Check(table: "main.events", rows: Events.rows(expected), files: files),
                Check(table: "main.events", filter: "region == 'us'", rows: Events.rows(expected.filter { $0 % 3 == 1 })),
            ])
            try await runDuckDB(lake, catalog, [Check(table: "main.events", rows: Events.rows(expected))])
        }
    }
}
