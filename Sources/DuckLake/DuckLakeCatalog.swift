public import Columnar
import Database
import Foundation
public import Tables

// DuckLake 1.0 tables: the catalog is a SQL database (SQLite or PostgreSQL) holding DuckLake's
// tables exactly as DuckDB 1.5.5's ducklake extension writes them, the data are Parquet files
// in an object store. Each change is one snapshot, committed in one SQL transaction.
//   DuckLakeCatalog.swift  open (creating the catalog as DuckDB would), tables, history, files
//   Catalog/    the catalog's DDL, its rows as values, the queries every operation shares
//   Schema/     DuckLake type names, column rows <-> schemas with field ids, evolution, DuckDB's
//               text forms of values (statistics, partition values, inlined rows), batch fitting
//   Commit/     appends (Parquet files as batches arrive) and their one-transaction commit, the
//               retry loop (fresh snapshot on collisions, unknown COMMIT outcomes looked up)
//   Scan/       plans pruned by partition values and typed statistics; inlined rows and deletes
//   Maintenance/  compaction and snapshot expiry
// DuckDB attaches a lake written here, and Lakegate appends to lakes DuckDB wrote (inlined
// rows and deletes included); Tests/DuckLakeTests checks both with DuckDB itself.

/// A DuckLake: its catalog database and the object store of its data files.
public final class DuckLakeCatalog: TableCatalog {
    public let location: LakeLocation
    let database: any SQLDatabase
    let store: any ObjectStore
    let author: String?
    /// The data path recorded in the catalog (absolute, ending in `/`).
    let dataPath: String
    /// How a commit is retried when another writer took its snapshot id first.
    let retry: RetryPolicy
    var dialect: SQLDialect { database.dialect }

    struct RetryPolicy: Sendable {
        var attempts = 20
        var firstDelay: Duration = .milliseconds(5)
        var maxDelay: Duration = .seconds(1)
        /// PostgreSQL: take an advisory lock first so Lakegate's writers queue (tests turn
        /// it off to exercise the retries).
        var serializesCommits = true
    }

    /// Opens the lake at `location` (a `ducklake:` location), creating an empty DuckLake
    /// catalog when the database has none. `author` goes into every snapshot's
    /// `snapshot_changes.author`.
    public static func open(location: LakeLocation, store: any ObjectStore, author: String?) async throws(TableError)
        -> DuckLakeCatalog
    {
        guard location.format == .ducklake else {
            throw TableError(.invalidArgument, "not a DuckLake location: \(location)")
        }
        let configuration: DatabaseConfiguration
        switch location.catalog {
        case .sqlite(let path):
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            configuration = .sqlite(SQLiteConfiguration(path: path))
        case .postgres(let connection):
            do {
                configuration = try DatabaseURL.parse("postgres:" + connection)
            } catch {
                throw TableError(.invalidArgument, "the PostgreSQL connection string: \(error.message)")
            }
        case .none:
            throw TableError(.invalidArgument, "a DuckLake needs a catalog database")
        }
        let database: any SQLDatabase
        do {
            database = try await configuration.open()
        } catch {
            // The configuration's description hides a password; the error never carries one.
            throw TableError.catalog(error, "cannot open the catalog \(configuration)")
        }
        do {
            return try await open(database: database, location: location, store: store, author: author)
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// Opens a lake over an open catalog database (tests wrap the database to inject faults).
    package static func open(
        database: any SQLDatabase, location: LakeLocation, store: any ObjectStore, author: String?,
        retryAttempts: Int? = nil, serializesCommits: Bool = true
    ) async throws(TableError) -> DuckLakeCatalog {
        let dataPath = store.rootURL.hasPrefix("file://") ? String(store.rootURL.dropFirst("file://".count)) : store.rootURL
        let metadata = try await bootstrap(database, dataPath: dataPath)
        guard metadata["version"] == CatalogDDL.version else {
            throw TableError(
                .unsupported,
                "DuckLake catalog version \(metadata["version"] ?? "unknown"); Lakegate reads and writes version \(CatalogDDL.version) (DuckDB 1.5)")
        }
        if metadata["encrypted"] == "true" {
            throw TableError(.unsupported, "encrypted DuckLakes are not supported")
        }
        // Paths in the catalog are relative to the recorded data path: files written to another
        // folder would be invisible to DuckDB (and the lake's files invisible to us).
        if let recorded = metadata["data_path"], trimmedSlashes(recorded) != trimmedSlashes(dataPath) {
            throw TableError(
                .invalidArgument,
                "this lake keeps its data files in \(recorded) (ducklake_metadata.data_path), not in \(dataPath): pass that folder as the data path")
        }
        var retry = RetryPolicy()
        if let retryAttempts { retry.attempts = retryAttempts }
        retry.serializesCommits = serializesCommits
        return DuckLakeCatalog(
            location: location, database: database, store: store, author: author,
            dataPath: metadata["data_path"] ?? dataPath, retry: retry)
    }

    private init(
        location: LakeLocation, database: any SQLDatabase, store: any ObjectStore, author: String?, dataPath: String,
        retry: RetryPolicy
    ) {
        self.location = location
        self.database = database
        self.store = store
        self.author = author
        self.dataPath = dataPath
        self.retry = retry
    }

    /// Creates DuckLake's tables and first snapshot when the catalog has none (in one
    /// transaction, so two processes opening a new lake at once create it once), and
    /// Lakegate's table of idempotency keys. Returns the lake's metadata.
    private static func bootstrap(_ database: any SQLDatabase, dataPath: String) async throws(TableError) -> [String: String] {
        try await guarded("cannot initialise the DuckLake catalog") {
            try await database.transaction { connection in
                if connection.dialect == .postgres {
                    // Serialises concurrent first opens (the SQLite side has BEGIN IMMEDIATE).
                    _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.commitLockKey))")
                }
                let exists = try await connection.queryFirst(
                    CatalogDDL.existsQuery(connection.dialect), [.text("ducklake_metadata")]) != nil
                if !exists {
                    for statement in CatalogDDL.tables(connection.dialect) { try await connection.execute(statement) }
                    let now = CatalogTime.text()
                    for (key, value) in [
                        ("version", CatalogDDL.version), ("created_by", "Lakegate 0.1.0"),
                        ("data_path", dataPath.hasSuffix("/") ? dataPath : dataPath + "/"), ("encrypted", "false"),
                    ] {
                        try await connection.execute(
                            #"INSERT INTO ducklake_metadata ("key", "value", "scope", scope_id) VALUES (?, ?, NULL, NULL)"#,
                            [.text(key), .text(value)])
                    }
                    try await connection.execute(
                        "INSERT INTO ducklake_snapshot (snapshot_id, snapshot_time, schema_version, next_catalog_id, next_file_id) VALUES (0, ?, 0, 1, 0)",
                        [.text(now)])
                    try await connection.execute(
                        #"INSERT INTO ducklake_snapshot_changes (snapshot_id, changes_made, author, commit_message, commit_extra_info) VALUES (0, 'created_schema:"main"', NULL, NULL, NULL)"#
                    )
                    try await connection.execute(
                        "INSERT INTO ducklake_schema (schema_id, schema_uuid, begin_snapshot, end_snapshot, schema_name, path, path_is_relative) VALUES (0, ?, 0, NULL, 'main', 'main/', ?)",
                        [.text(UUIDv7.make()), .boolean(true)])
                }
                try await connection.execute(CatalogDDL.lakegateCommits(connection.dialect))
                return try await CatalogQueries.metadata(connection)
            }
        }
    }

    public func close() async {
        try? await database.close()
    }

    // MARK: Tables

    public func listTables() async throws(TableError) -> [TableIdentifier] {
        let names = try await guarded("cannot list tables") {
            try await database.withConnection { connection in
                let snapshot = try await CatalogQueries.latestSnapshot(connection)
                let s = SQLValue.integer(snapshot.id)
                return try await connection.query(
                    """
                    SELECT s.schema_name, t.table_name FROM ducklake_table t JOIN ducklake_schema s ON s.schema_id = t.schema_id
                    WHERE t.begin_snapshot <= ? AND (t.end_snapshot IS NULL OR t.end_snapshot > ?)
                    AND s.begin_snapshot <= ? AND (s.end_snapshot IS NULL OR s.end_snapshot > ?)
                    ORDER BY s.schema_name, t.table_name
                    """, [s, s, s, s]
                ).map { (try $0.string(0), try $0.string(1)) }
            }
        }
        var tables: [TableIdentifier] = []
        for (namespace, name) in names {
            // A table whose name Lakegate cannot spell (DuckDB allows any) is left out.
            if let identifier = try? TableIdentifier(namespace: namespace, name: name) { tables.append(identifier) }
        }
        return tables
    }

    /// The table at the latest snapshot, nil when absent.
    func loadTable(_ table: TableIdentifier) async throws(TableError) -> LoadedTable? {
        try await guarded("cannot read the table", subject: table.description) {
            try await database.withConnection { connection in
                let snapshot = try await CatalogQueries.latestSnapshot(connection)
                return try await CatalogQueries.loadTable(connection, table, at: snapshot)
            }
        }
    }

    func requireTable(_ table: TableIdentifier) async throws(TableError) -> LoadedTable {
        guard let loaded = try await loadTable(table) else {
            throw TableError(.notFound, "no such table", subject: table.description)
        }
        return loaded
    }

    public func describe(_ table: TableIdentifier) async throws(TableError) -> TableDescription? {
        guard let loaded = try await loadTable(table) else { return nil }
        let live = try await liveFiles(loaded)
        let deleted = live.reduce(0) { $0 + $1.deletedRows }
        let inlined = try await inlinedRowCount(loaded)
        return TableDescription(
            identifier: table, schema: loaded.schema, partitionBy: loaded.partitioning.map(\.spelled),
            currentSnapshot: loaded.snapshot.id,
            recordCount: live.reduce(0) { $0 + $1.recordCount } - deleted + inlined, fileCount: live.count,
            totalBytes: live.reduce(0) { $0 + $1.fileSize },
            properties: [
                ("format", "ducklake"), ("catalog-version", CatalogDDL.version), ("data_path", dataPath),
                ("table_id", String(loaded.id)), ("table_uuid", loaded.uuid), ("path", pathText(loaded.path)),
                ("schema_version", String(loaded.snapshot.schemaVersion)),
            ])
    }

    public func createTable(_ table: TableIdentifier, schema: Schema, partitionBy: [String]) async throws(TableError) {
        if try await loadTable(table) != nil { return }
        // Check the partitioning against the schema before touching the catalog.
        var partitions: [(CalendarTransform, String)] = []
        for text in partitionBy {
            let (transform, column) = try CalendarTransform.parse(text)
            guard let field = schema[column] else {
                throw TableError(.invalidArgument, "partition column '\(column)' is not in the schema", subject: table.description)
            }
            if transform != .identity {
                switch DuckLakeTypes.canonical(field.type) {
                case .date, .timestamp: break
                default:
                    throw TableError(
                        .invalidArgument, "\(transform.rawValue)() needs a date or timestamp column; '\(column)' is \(field.type)",
                        subject: table.description)
                }
            } else if field.type.isNested {
                throw TableError(.invalidArgument, "cannot partition by the nested column '\(column)'", subject: table.description)
            }
            partitions.append((transform, column))
        }
        var rows: [ColumnRow] = []
        var nextId: Int64 = 1
        let fields = try TableSchema.assignIds(schema.fields, parent: nil, nextId: &nextId, rows: &rows)
        let author = self.author
        let partitionSpec = partitions
        _ = try await commitLoop(subject: table.description) { connection in
            let snapshot = try await CatalogQueries.latestSnapshot(connection)
            if try await CatalogQueries.loadTable(connection, table, at: snapshot) != nil { return () }
            var nextCatalogId = snapshot.nextCatalogId
            let newSnapshot = snapshot.id + 1
            var changes: [String] = []
            let schemaId: Int64
            if let existing = try await CatalogQueries.schemaRow(connection, name: table.namespace, at: snapshot.id) {
                schemaId = existing.id
            } else {
                schemaId = nextCatalogId
                nextCatalogId += 1
                try await connection.execute(
                    "INSERT INTO ducklake_schema (schema_id, schema_uuid, begin_snapshot, end_snapshot, schema_name, path, path_is_relative) VALUES (?, ?, ?, NULL, ?, ?, ?)",
                    [
                        .integer(schemaId), .text(UUIDv7.make()), .integer(newSnapshot), .text(table.namespace),
                        .text(table.namespace + "/"), .boolean(true),
                    ])
                changes.append("created_schema:\(quoted(table.namespace))")
            }
            let tableId = nextCatalogId
            nextCatalogId += 1
            try await connection.execute(
                "INSERT INTO ducklake_table (table_id, table_uuid, begin_snapshot, end_snapshot, schema_id, table_name, path, path_is_relative) VALUES (?, ?, ?, NULL, ?, ?, ?, ?)",
                [
                    .integer(tableId), .text(UUIDv7.make()), .integer(newSnapshot), .integer(schemaId), .text(table.name),
                    .text(table.name + "/"), .boolean(true),
                ])
            try await Self.insertColumns(connection, rows, tableId: tableId, snapshot: newSnapshot)
            if !partitionSpec.isEmpty {
                let partitionId = nextCatalogId
                nextCatalogId += 1
                try await connection.execute(
                    "INSERT INTO ducklake_partition_info (partition_id, table_id, begin_snapshot, end_snapshot) VALUES (?, ?, ?, NULL)",
                    [.integer(partitionId), .integer(tableId), .integer(newSnapshot)])
                for (index, (transform, column)) in partitionSpec.enumerated() {
                    let columnId = Int64(fields.first { $0.name == column }!.id!)
                    try await connection.execute(
                        #"INSERT INTO ducklake_partition_column (partition_id, table_id, partition_key_index, column_id, "transform") VALUES (?, ?, ?, ?, ?)"#,
                        [.integer(partitionId), .integer(tableId), .integer(Int64(index)), .integer(columnId), .text(transform.rawValue)])
                }
            }
            changes.append("created_table:\(quoted(table.namespace)).\(quoted(table.name))")
            try await Self.insertSnapshot(
                connection, SnapshotRow(
                    id: newSnapshot, schemaVersion: snapshot.schemaVersion + 1, nextCatalogId: nextCatalogId,
                    nextFileId: snapshot.nextFileId),
                changes: changes.joined(separator: ","), author: author, message: nil, extraInfo: nil)
            try await connection.execute(
                "INSERT INTO ducklake_schema_versions (begin_snapshot, schema_version, table_id) VALUES (?, ?, ?)",
                [.integer(newSnapshot), .integer(snapshot.schemaVersion + 1), .integer(tableId)])
            return ()
        } afterUnknownOutcome: { () async throws(TableError) -> Void? in
            try await self.loadTable(table) != nil ? () : nil
        }
    }

    public func dropTable(_ table: TableIdentifier) async throws(TableError) {
        let author = self.author
        let dropped: Bool = try await commitLoop(subject: table.description) { connection in
            let snapshot = try await CatalogQueries.latestSnapshot(connection)
            guard let loaded = try await CatalogQueries.loadTable(connection, table, at: snapshot) else { return false }
            let newSnapshot = snapshot.id + 1
            let end: [SQLValue] = [.integer(newSnapshot), .integer(loaded.id)]
            // As DuckDB's DROP TABLE: the table, its columns, partitioning and files end here;
            // the files stay until snapshot expiry no longer needs them.
            try await connection.execute(
                "UPDATE ducklake_table SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL", end)
            try await connection.execute(
                "UPDATE ducklake_column SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL", end)
            try await connection.execute(
                "UPDATE ducklake_partition_info SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL", end)
            try await connection.execute(
                "UPDATE ducklake_data_file SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL", end)
            try await connection.execute(
                "UPDATE ducklake_delete_file SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL", end)
            try await Self.insertSnapshot(
                connection, SnapshotRow(
                    id: newSnapshot, schemaVersion: snapshot.schemaVersion + 1, nextCatalogId: snapshot.nextCatalogId,
                    nextFileId: snapshot.nextFileId),
                changes: "dropped_table:\(loaded.id)", author: author, message: nil, extraInfo: nil)
            return true
        } afterUnknownOutcome: { () async throws(TableError) -> Bool? in
            try await self.loadTable(table) == nil ? true : nil
        }
        if !dropped { throw TableError(.notFound, "no such table", subject: table.description) }
    }

    // MARK: History and files

    public func history(_ table: TableIdentifier) async throws(TableError) -> [SnapshotDescription] {
        let loaded = try await requireTable(table)
        let rows = try await guarded("cannot read the history", subject: table.description) {
            try await database.withConnection { connection in
                try await connection.query(
                    """
                    SELECT s.snapshot_id, CAST(s.snapshot_time AS VARCHAR) AS snapshot_time, c.changes_made, c.commit_message, k.idempotency_key
                    FROM ducklake_snapshot s JOIN ducklake_snapshot_changes c ON c.snapshot_id = s.snapshot_id
                    LEFT JOIN lakegate_commits k ON k.snapshot_id = s.snapshot_id
                    ORDER BY s.snapshot_id
                    """)
            }
        }
        let created = "\(quoted(table.namespace)).\(quoted(table.name))"
        let id = String(loaded.id)
        var result: [SnapshotDescription] = []
        for row in rows {
            let changes: String
            do {
                changes = try row.optionalString("changes_made") ?? ""
            } catch {
                throw TableError.catalog(error, "cannot read the history", subject: table.description)
            }
            var operation: String?
            for (kind, argument) in CatalogQueries.parseChanges(changes) {
                if kind == "created_table" && argument == created {
                    operation = "create"
                } else if argument == id {
                    operation = operation ?? Self.operation(kind)
                }
            }
            guard let operation else { continue }
            let snapshotId = (try? row.int64("snapshot_id")) ?? 0
            let time = ((try? row.optionalString("snapshot_time")) ?? nil).flatMap(CatalogTime.seconds) ?? 0
            let message = (try? row.optionalString("commit_message")) ?? nil
            result.append(
                SnapshotDescription(
                    id: snapshotId, timestamp: time, operation: operation,
                    summary: message.map { "\(changes) (\($0))" } ?? changes,
                    idempotencyKey: (try? row.optionalString("idempotency_key")) ?? nil))
        }
        return result
    }

    private static func operation(_ kind: String) -> String {
        switch kind {
        case "inserted_into_table", "inlined_insert": "append"
        case "merge_adjacent", "rewrite_delete", "compacted_table": "replace"
        case "deleted_from_table", "inlined_delete": "delete"
        case "altered_table": "alter"
        case "dropped_table": "drop"
        case "inline_flush", "flushed_inlined": "flush"
        default: kind
        }
    }

    public func files(_ table: TableIdentifier) async throws(TableError) -> [DataFileDescription] {
        let loaded = try await requireTable(table)
        return try await liveFiles(loaded).map { file in
            DataFileDescription(
                url: url(of: file.location), recordCount: file.recordCount, fileSize: file.fileSize,
                partition: file.partitionValues.map { "\($0.key)=\($0.value ?? "null")" })
        }
    }

    // MARK: Paths

    /// The object key of a catalog path inside the store (a folder's without its trailing
    /// `/`), nil when it lies elsewhere.
    func key(of path: CatalogPath) -> ObjectKey? {
        func key(_ text: Substring) -> ObjectKey? {
            var text = text
            while text.hasSuffix("/") { text = text.dropLast() }
            return try? ObjectKey(String(text))
        }
        switch path {
        case .relative(let relative): return key(Substring(relative))
        case .absolute(let absolute):
            for root in [dataPath, store.rootURL] where absolute.hasPrefix(root) {
                return key(absolute.dropFirst(root.count))
            }
            if absolute.hasPrefix("file://") { return self.key(of: .absolute(String(absolute.dropFirst("file://".count)))) }
            return nil
        }
    }

    /// An absolute URL of a catalog path (`file:///…` for local paths).
    func url(of path: CatalogPath) -> String {
        if let key = key(of: path) { return store.url(of: key) }
        switch path {
        case .relative(let relative): return store.rootURL + relative
        case .absolute(let absolute): return absolute.hasPrefix("/") ? "file://" + absolute : absolute
        }
    }

    func pathText(_ path: CatalogPath) -> String {
        switch path {
        case .relative(let relative): return CatalogPath.join(dataPath, relative)
        case .absolute(let absolute): return absolute
        }
    }

    // MARK: Shared writes

    static nonisolated(nonsending) func insertSnapshot(_ connection: any SQLConnection, _ snapshot: SnapshotRow, changes: String, author: String?, message: String?,
        extraInfo: String?
    ) async throws {
        try await connection.execute(
            "INSERT INTO ducklake_snapshot (snapshot_id, snapshot_time, schema_version, next_catalog_id, next_file_id) VALUES (?, ?, ?, ?, ?)",
            [
                .integer(snapshot.id), .text(CatalogTime.text()), .integer(snapshot.schemaVersion),
                .integer(snapshot.nextCatalogId), .integer(snapshot.nextFileId),
            ])
        try await connection.execute(
            "INSERT INTO ducklake_snapshot_changes (snapshot_id, changes_made, author, commit_message, commit_extra_info) VALUES (?, ?, ?, ?, ?)",
            [
                .integer(snapshot.id), .text(changes), author.map { .text($0) } ?? .null, message.map { .text($0) } ?? .null,
                extraInfo.map { .text($0) } ?? .null,
            ])
    }

    static nonisolated(nonsending) func insertColumns(_ connection: any SQLConnection, _ rows: [ColumnRow], tableId: Int64, snapshot: Int64) async throws {
        for chunk in rows.chunked(100) {
            var sql =
                "INSERT INTO ducklake_column (column_id, begin_snapshot, end_snapshot, table_id, column_order, column_name, column_type, initial_default, default_value, nulls_allowed, parent_column, default_value_type, default_value_dialect) VALUES "
            var binds: [SQLValue] = []
            for (index, row) in chunk.enumerated() {
                sql += index == 0 ? "" : ", "
                sql += "(?, ?, NULL, ?, ?, ?, ?, NULL, 'NULL', ?, ?, ?, 'duckdb')"
                let nested = ["list", "struct", "map"].contains(row.type)
                binds += [
                    .integer(row.id), .integer(snapshot), .integer(tableId), .integer(row.order), .text(row.name),
                    .text(row.type), .boolean(row.nullsAllowed), row.parent.map { .integer($0) } ?? .null,
                    .text(nested ? "" : "literal"),
                ]
            }
            try await connection.execute(sql, binds)
        }
    }
}

private func trimmedSlashes(_ path: String) -> Substring {
    var text = Substring(path)
    while text.count > 1 && text.hasSuffix("/") { text = text.dropLast() }
    return text
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
