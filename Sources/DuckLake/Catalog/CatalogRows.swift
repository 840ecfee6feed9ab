import Columnar
import Database
import Tables

/// The latest state of the lake: every commit adds one snapshot, numbered from 0.
struct SnapshotRow: Sendable, Hashable {
    var id: Int64
    var schemaVersion: Int64
    var nextCatalogId: Int64
    var nextFileId: Int64
}

/// Where a table's files live: a path relative to the lake's data path, or an absolute one
/// (DuckLake allows both at each level: schema, table, file).
enum CatalogPath: Sendable, Hashable {
    case relative(String)
    case absolute(String)

    /// `path` under this folder, or `path` itself when it is not relative.
    func appending(_ path: String, relative: Bool) -> CatalogPath {
        guard relative else { return .absolute(path) }
        switch self {
        case .relative(let base): return .relative(Self.join(base, path))
        case .absolute(let base): return .absolute(Self.join(base, path))
        }
    }

    static func join(_ base: String, _ path: String) -> String {
        if base.isEmpty { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }
}

/// A partition field of a table: the column it reads and the transform.
struct PartitionField: Sendable, Hashable {
    var keyIndex: Int
    var columnId: Int64
    var transform: String
    /// The top-level column's name and its index in the table schema.
    var columnName: String
    var columnIndex: Int

    /// `day(ts)` or `country`, as `--partition` spells it.
    var spelled: String { transform == "identity" ? columnName : "\(transform)(\(columnName))" }
    /// The key of the file's folder: the column for identity, the transform otherwise.
    var folderKey: String { transform == "identity" ? columnName : transform }
}

/// A table as of one snapshot: its row, columns (as a schema with field ids) and partitioning.
struct LoadedTable: Sendable {
    var identifier: TableIdentifier
    var id: Int64
    var uuid: String
    var schemaId: Int64
    /// The table's folder.
    var path: CatalogPath
    var columns: [ColumnRow]
    var schema: Schema
    var partitionId: Int64?
    var partitioning: [PartitionField]
    /// The snapshot it was read at.
    var snapshot: SnapshotRow
}

/// The queries every operation shares. Reads name a snapshot and keep to the rows visible in
/// it (`begin_snapshot <= s AND (end_snapshot IS NULL OR end_snapshot > s)`), so they are
/// consistent outside a transaction too: later commits only add rows or end them later.
enum CatalogQueries {
    static let visible = "begin_snapshot <= ? AND (end_snapshot IS NULL OR end_snapshot > ?)"

    /// The newest snapshot, through the primary key's index (one lookup, whatever the history).
    static nonisolated(nonsending) func latestSnapshot(_ connection: any SQLConnection) async throws -> SnapshotRow {
        guard
            let row = try await connection.queryFirst(
                "SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM ducklake_snapshot ORDER BY snapshot_id DESC LIMIT 1"
            )
        else { throw TableError(.corrupt, "the catalog has no snapshot") }
        return SnapshotRow(
            id: try row.int64(0), schemaVersion: try row.int64(1), nextCatalogId: try row.int64(2), nextFileId: try row.int64(3))
    }

    static nonisolated(nonsending) func schemaRow(_ connection: any SQLConnection, name: String, at snapshot: Int64) async throws
        -> (id: Int64, path: CatalogPath)?
    {
        guard
            let row = try await connection.queryFirst(
                "SELECT schema_id, path, path_is_relative FROM ducklake_schema WHERE schema_name = ? AND \(visible)",
                [.text(name), .integer(snapshot), .integer(snapshot)])
        else { return nil }
        let path = try row.optionalString("path") ?? (name + "/")
        let relative = try row.optionalBool("path_is_relative") ?? true
        return (try row.int64("schema_id"), relative ? .relative(path) : .absolute(path))
    }

    /// The table as of `snapshot`, nil when it does not exist then.
    static nonisolated(nonsending) func loadTable(_ connection: any SQLConnection, _ identifier: TableIdentifier, at snapshot: SnapshotRow)
        async throws -> LoadedTable?
    {
        guard let schema = try await schemaRow(connection, name: identifier.namespace, at: snapshot.id) else { return nil }
        guard
            let row = try await connection.queryFirst(
                "SELECT table_id, CAST(table_uuid AS VARCHAR) AS table_uuid, path, path_is_relative FROM ducklake_table WHERE schema_id = ? AND table_name = ? AND \(visible)",
                [.integer(schema.id), .text(identifier.name), .integer(snapshot.id), .integer(snapshot.id)])
        else { return nil }
        let tableId = try row.int64("table_id")
        let path = schema.path.appending(
            try row.optionalString("path") ?? (identifier.name + "/"), relative: try row.optionalBool("path_is_relative") ?? true)
        let columns = try await columnRows(connection, tableId: tableId, at: snapshot.id)
        let tableSchema = try TableSchema.schema(from: columns, table: identifier.description)
        let (partitionId, partitioning) = try await partitionSpec(
            connection, tableId: tableId, columns: columns, schema: tableSchema, at: snapshot.id)
        return LoadedTable(
            identifier: identifier, id: tableId, uuid: try row.optionalString("table_uuid") ?? "", schemaId: schema.id,
            path: path, columns: columns, schema: tableSchema, partitionId: partitionId, partitioning: partitioning,
            snapshot: snapshot)
    }

    static nonisolated(nonsending) func columnRows(_ connection: any SQLConnection, tableId: Int64, at snapshot: Int64) async throws -> [ColumnRow] {
        let rows = try await connection.query(
            "SELECT column_id, column_order, column_name, column_type, parent_column, nulls_allowed, initial_default, default_value FROM ducklake_column WHERE table_id = ? AND \(visible) ORDER BY column_order",
            [.integer(tableId), .integer(snapshot), .integer(snapshot)])
        return try rows.map { row in
            ColumnRow(
                id: try row.int64("column_id"), order: try row.optionalInt64("column_order") ?? row.int64("column_id"),
                name: try row.string("column_name"), type: try row.string("column_type"),
                parent: try row.optionalInt64("parent_column"), nullsAllowed: try row.optionalBool("nulls_allowed") ?? true,
                initialDefault: try row.optionalString("initial_default"), defaultValue: try row.optionalString("default_value"))
        }
    }

    /// The largest column id the table ever used (ended columns included: ids are never reused).
    static nonisolated(nonsending) func maxColumnId(_ connection: any SQLConnection, tableId: Int64) async throws -> Int64 {
        let row = try await connection.queryFirst(
            "SELECT MAX(column_id) AS m FROM ducklake_column WHERE table_id = ?", [.integer(tableId)])
        return try row?.optionalInt64("m") ?? 0
    }

    static nonisolated(nonsending) func partitionSpec(_ connection: any SQLConnection, tableId: Int64, columns: [ColumnRow], schema: Schema, at snapshot: Int64
    ) async throws -> (Int64?, [PartitionField]) {
        guard
            let info = try await connection.queryFirst(
                "SELECT partition_id FROM ducklake_partition_info WHERE table_id = ? AND \(visible) ORDER BY partition_id DESC",
                [.integer(tableId), .integer(snapshot), .integer(snapshot)])
        else { return (nil, []) }
        let partitionId = try info.int64("partition_id")
        let rows = try await connection.query(
            #"SELECT partition_key_index, column_id, "transform" FROM ducklake_partition_column WHERE partition_id = ? AND table_id = ? ORDER BY partition_key_index"#,
            [.integer(partitionId), .integer(tableId)])
        var fields: [PartitionField] = []
        for row in rows {
            let columnId = try row.int64("column_id")
            guard let column = columns.first(where: { $0.id == columnId }),
                let index = schema.fields.firstIndex(where: { $0.id.map(Int64.init) == columnId })
            else {
                throw TableError(.unsupported, "partitioning on column \(columnId), which is not a top-level column")
            }
            fields.append(
                PartitionField(
                    keyIndex: Int(try row.int64("partition_key_index")), columnId: columnId,
                    transform: try row.string("transform").lowercased(), columnName: column.name, columnIndex: index))
        }
        return (partitionId, fields)
    }

    /// The `changes_made` of every snapshot after `snapshot` (a range of the primary key).
    static nonisolated(nonsending) func changes(_ connection: any SQLConnection, after snapshot: Int64) async throws -> [String] {
        let rows = try await connection.query(
            "SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id > ? ORDER BY snapshot_id",
            [.integer(snapshot)])
        return try rows.map { try $0.optionalString(at: 0) ?? "" }
    }

    /// `changes_made` split into (kind, argument) pairs: `inserted_into_table:3`,
    /// `created_table:"main"."t"`. Commas inside quoted names do not split.
    static func parseChanges(_ text: String) -> [(kind: String, argument: String)] {
        var result: [(String, String)] = []
        var current = ""
        var inQuotes = false
        for character in text {
            if character == "\"" { inQuotes.toggle() }
            if character == "," && !inQuotes {
                result.append(split(current))
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { result.append(split(current)) }
        return result
    }

    private static func split(_ change: String) -> (String, String) {
        guard let colon = change.firstIndex(of: ":") else { return (change, "") }
        return (String(change[..<colon]), String(change[change.index(after: colon)...]))
    }

    static nonisolated(nonsending) func metadata(_ connection: any SQLConnection) async throws -> [String: String] {
        let rows = try await connection.query(
            #"SELECT "key", "value" FROM ducklake_metadata WHERE "scope" IS NULL"#)
        var values: [String: String] = [:]
        for row in rows { values[try row.string(0)] = try row.string(1) }
        return values
    }
}
