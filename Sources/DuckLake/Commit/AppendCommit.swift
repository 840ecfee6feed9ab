import Columnar
import Database
import Tables

extension DuckLakeCatalog {
    /// Records an append's files in one transaction (see `appendTransaction`), retried on a
    /// fresh snapshot when another writer committed first.
    func commitAppend(_ commit: AppendCommit, tracker: CommitTracker) async throws(TableError) -> CommitOutcome {
        let author = self.author
        let subject = commit.table.identifier.description
        return try await commitLoop(subject: subject) { connection in
            try await Self.appendTransaction(connection, commit, author: author)
        } afterUnknownOutcome: { () async throws(TableError) -> CommitOutcome? in
            tracker.outcomeUnknown = true
            let found = try await self.findCommit(commit)
            if found == nil { tracker.outcomeUnknown = false }
            return found
        }
    }

    /// After a COMMIT whose outcome is unknown: the key's row, or else the first file's path
    /// (file names are unique), tells whether this commit landed.
    private func findCommit(_ commit: AppendCommit) async throws(TableError) -> CommitOutcome? {
        try await guarded("cannot look up the commit", subject: commit.table.identifier.description) {
            try await database.withConnection { connection in
                let rows = commit.files.reduce(0) { $0 + $1.file.recordCount }
                if let first = commit.files.first,
                    let row = try await connection.queryFirst(
                        "SELECT begin_snapshot FROM ducklake_data_file WHERE table_id = ? AND path = ?",
                        [.integer(commit.table.id), .text(first.path)])
                {
                    return .committed(snapshot: try row.int64(0), files: commit.files.count, rows: rows)
                }
                if let key = commit.idempotencyKey,
                    let row = try await connection.queryFirst(
                        "SELECT snapshot_id FROM lakegate_commits WHERE idempotency_key = ?", [.text(key)])
                {
                    // The key landed with other files: another writer's commit, not this one.
                    return .alreadyCommitted(snapshot: try row.int64(0))
                }
                return nil
            }
        }
    }

    /// The whole commit, against the latest snapshot S (the table was read at B <= S):
    /// 1. a key committed before makes it a no-op;
    /// 2. commits after B must not conflict: a dropped table does, an altered one does unless
    ///    this append changes no schema and its files still fit the table; appends,
    ///    compactions and deletes by others do not;
    /// 3. snapshot S+1 (schema version +1 if the schema evolves), its changes row, the
    ///    schema changes, the files with row ids from `table_stats.next_row_id`, their column
    ///    statistics and partition values, the table statistics, the key.
    /// Every lookup is by primary key or over one table's few rows, so a commit costs the
    /// same after a thousand commits as after one.
    static nonisolated(nonsending) func appendTransaction(_ connection: any SQLConnection, _ commit: AppendCommit, author: String?) async throws
        -> CommitOutcome
    {
        let table = commit.table
        if let key = commit.idempotencyKey,
            let row = try await connection.queryFirst(
                "SELECT snapshot_id FROM lakegate_commits WHERE idempotency_key = ?", [.text(key)])
        {
            return .alreadyCommitted(snapshot: try row.int64(0))
        }
        let snapshot = try await CatalogQueries.latestSnapshot(connection)
        if snapshot.id != table.snapshot.id {
            try await checkConcurrentChanges(connection, commit, latest: snapshot)
        }
        let newSnapshot = snapshot.id + 1
        let schemaVersion = snapshot.schemaVersion + (commit.evolution.isEmpty ? 0 : 1)
        let tableId = SQLValue.integer(table.id)
        var changes = ["inserted_into_table:\(table.id)"]
        if commit.files.isEmpty { changes = [] }
        if !commit.evolution.isEmpty { changes.append("altered_table:\(table.id)") }
        // The snapshot row first: a concurrent writer on the same S fails here, before work.
        try await DuckLakeCatalog.insertSnapshot(
            connection,
            SnapshotRow(
                id: newSnapshot, schemaVersion: schemaVersion, nextCatalogId: snapshot.nextCatalogId,
                nextFileId: snapshot.nextFileId + Int64(commit.files.count)),
            changes: changes.joined(separator: ","), author: author, message: commit.message,
            extraInfo: commit.idempotencyKey.map(extraInfo))

        if !commit.evolution.isEmpty {
            for row in commit.evolution.widened {
                try await connection.execute(
                    "UPDATE ducklake_column SET end_snapshot = ? WHERE table_id = ? AND column_id = ? AND end_snapshot IS NULL",
                    [.integer(newSnapshot), tableId, .integer(row.id)])
            }
            try await DuckLakeCatalog.insertColumns(
                connection, commit.evolution.widened + commit.evolution.added, tableId: table.id, snapshot: newSnapshot)
            try await connection.execute(
                "INSERT INTO ducklake_schema_versions (begin_snapshot, schema_version, table_id) VALUES (?, ?, ?)",
                [.integer(newSnapshot), .integer(schemaVersion), tableId])
            try await createInlinedTable(connection, table: table.id, schemaVersion: schemaVersion, schema: commit.schema)
        }

        let stats = try await connection.queryFirst(
            "SELECT record_count, next_row_id, file_size_bytes FROM ducklake_table_stats WHERE table_id = ?", [tableId])
        var nextRowId = try stats?.optionalInt64("next_row_id") ?? 0
        let addedRows = commit.files.reduce(0) { $0 + Int64($1.file.recordCount) }
        let addedBytes = commit.files.reduce(0) { $0 + Int64($1.file.fileSize) }
        var files: [FileRecord] = []
        var fileId = snapshot.nextFileId
        for prepared in commit.files {
            files.append(
                FileRecord(
                    id: fileId, path: prepared.path, file: prepared.file, rowIdStart: nextRowId, partitionId: table.partitionId,
                    partitionValues: prepared.partitionValues))
            fileId += 1
            nextRowId += Int64(prepared.file.recordCount)
        }
        try await insertFiles(connection, files, tableId: table.id, snapshot: newSnapshot)
        if let stats {
            try await connection.execute(
                "UPDATE ducklake_table_stats SET record_count = ?, next_row_id = ?, file_size_bytes = ? WHERE table_id = ?",
                [
                    .integer((try stats.optionalInt64("record_count") ?? 0) + addedRows), .integer(nextRowId),
                    .integer((try stats.optionalInt64("file_size_bytes") ?? 0) + addedBytes), tableId,
                ])
        } else if !files.isEmpty {
            try await connection.execute(
                "INSERT INTO ducklake_table_stats (table_id, record_count, next_row_id, file_size_bytes) VALUES (?, ?, ?, ?)",
                [tableId, .integer(addedRows), .integer(nextRowId), .integer(addedBytes)])
        }
        // Rows without a value for a column: those of files written before it was added
        // (earlier in this append, or the table's rows before it). DuckDB's optimizer drops an
        // IS NOT NULL filter on a column whose table statistics say it holds no null.
        var alsoNull = Set(commit.evolution.added.map(\.id))
        if (try stats?.optionalInt64("record_count") ?? 0) == 0 { alsoNull = [] }
        for file in files {
            let present = Set(file.file.columns.compactMap { $0.fieldId.map(Int64.init) })
            for id in TableSchema.fieldsById(commit.schema).keys where !present.contains(id) { alsoNull.insert(id) }
        }
        try await updateColumnStatistics(
            connection, files.map(\.file), schema: commit.schema, tableId: table.id, alsoNull: alsoNull)
        if let key = commit.idempotencyKey {
            try await connection.execute(
                "INSERT INTO lakegate_commits (idempotency_key, table_id, snapshot_id, committed_at) VALUES (?, ?, ?, ?)",
                [.text(key), tableId, .integer(newSnapshot), .text(CatalogTime.text())])
        }
        return .committed(snapshot: newSnapshot, files: files.count, rows: Int(addedRows))
    }

    /// DuckDB inlines small inserts into the inlined-data table of the table's latest schema
    /// version it knows of, and creates one with each schema change. A table that has such
    /// tables gets one for the new version here too, as DuckDB's ALTER would create it;
    /// otherwise DuckDB would inline rows of the new schema into the old table's columns.
    /// (A table without any is left so: DuckDB creates the first when it needs one.)
    static nonisolated(nonsending) func createInlinedTable(
        _ connection: any SQLConnection, table: Int64, schemaVersion: Int64, schema: Schema
    ) async throws {
        guard
            try await connection.queryFirst(
                "SELECT table_name FROM ducklake_inlined_data_tables WHERE table_id = ? LIMIT 1", [.integer(table)]) != nil
        else { return }
        let name = "ducklake_inlined_data_\(table)_\(schemaVersion)"
        var columns = ["row_id BIGINT", "begin_snapshot BIGINT", "end_snapshot BIGINT"]
        for field in schema.fields {
            let type = DuckLakeTypes.inlinedColumnType(try DuckLakeTypes.name(of: field.type), dialect: connection.dialect)
            columns.append(identifier(field.name) + " " + type)
        }
        try await connection.execute("CREATE TABLE IF NOT EXISTS \(name)(\(columns.joined(separator: ", ")))")
        try await connection.execute(
            "INSERT INTO ducklake_inlined_data_tables (table_id, table_name, schema_version) VALUES (?, ?, ?)",
            [.integer(table), .text(name), .integer(schemaVersion)])
    }

    /// A column name as DuckDB writes it in DDL: bare when it is a plain lower-case word.
    private static func identifier(_ name: String) -> String {
        let plain = name.utf8.enumerated().allSatisfy { index, byte in
            (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || (index > 0 && byte >= 0x30 && byte <= 0x39)
        }
        let reserved: Set<String> = ["select", "from", "where", "order", "group", "table", "user", "default", "limit", "offset", "check", "column", "primary", "key", "references", "all", "and", "or", "not", "null", "true", "false", "as", "by", "desc", "asc", "case", "when", "then", "else", "end", "in", "is", "on", "to", "with", "union", "distinct", "having", "create", "unique", "foreign", "constraint", "between", "like", "into", "values", "join"]
        return plain && !name.isEmpty && !reserved.contains(name) ? name : quoted(name)
    }

    /// Commits between the table's read and now: which ones this append can go after.
    private static nonisolated(nonsending) func checkConcurrentChanges(_ connection: any SQLConnection, _ commit: AppendCommit, latest: SnapshotRow)
        async throws
    {
        let table = commit.table
        let subject = table.identifier.description
        let id = String(table.id)
        var altered = false
        for text in try await CatalogQueries.changes(connection, after: table.snapshot.id) {
            for (kind, argument) in CatalogQueries.parseChanges(text) where argument == id {
                switch kind {
                case "dropped_table":
                    throw TableError(.conflict, "the table was dropped by a concurrent commit", subject: subject)
                case "altered_table":
                    altered = true
                default:
                    break  // appends, compactions, deletes: files of others, no conflict
                }
            }
        }
        guard altered else { return }
        guard let current = try await CatalogQueries.loadTable(connection, table.identifier, at: latest), current.id == table.id
        else {
            throw TableError(.conflict, "the table was replaced by a concurrent commit", subject: subject)
        }
        guard commit.evolution.isEmpty else {
            throw TableError(
                .conflict, "the table's schema was changed by a concurrent commit while this append changed it too",
                subject: subject)
        }
        guard current.partitionId == table.partitionId else {
            throw TableError(.conflict, "the table's partitioning was changed by a concurrent commit", subject: subject)
        }
        // Each file column must still be the table column with its id, of its type or wider.
        let now = TableSchema.fieldsById(current.schema)
        for (id, field) in TableSchema.fieldsById(commit.schema) {
            guard let column = now[id], column.name == field.name,
                column.type.isNested == field.type.isNested,
                column.type.isNested || DuckLakeTypes.widens(field.type, to: column.type)
            else {
                throw TableError(
                    .conflict, "column '\(field.name)' was changed by a concurrent commit", subject: subject)
            }
        }
    }

    private static func extraInfo(_ key: String) -> String {
        var out = Array(#"{"lakegate_idempotency_key":"#.utf8)
        Array(key.utf8).withUnsafeBytes { TextFormatting.appendJSONString($0, to: &out) }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}

/// A data file as `ducklake_data_file` and its companion tables record it.
struct FileRecord: Sendable {
    var id: Int64
    var path: String
    var file: WrittenDataFile
    var rowIdStart: Int64
    var partitionId: Int64?
    var partitionValues: [String?]
}

extension DuckLakeCatalog {
    /// Inserts files, their per-leaf statistics and partition values, many rows per statement.
    static nonisolated(nonsending) func insertFiles(_ connection: any SQLConnection, _ files: [FileRecord], tableId: Int64, snapshot: Int64)
        async throws
    {
        for chunk in files.chunked(100) {
            var sql =
                "INSERT INTO ducklake_data_file (data_file_id, table_id, begin_snapshot, end_snapshot, file_order, path, path_is_relative, file_format, record_count, file_size_bytes, footer_size, row_id_start, partition_id, encryption_key, mapping_id, partial_max) VALUES "
            var binds: [SQLValue] = []
            for (index, record) in chunk.enumerated() {
                sql += (index == 0 ? "" : ", ") + "(?, ?, ?, NULL, NULL, ?, ?, 'parquet', ?, ?, ?, ?, ?, NULL, NULL, NULL)"
                binds += [
                    .integer(record.id), .integer(tableId), .integer(snapshot), .text(record.path), .boolean(true),
                    .integer(Int64(record.file.recordCount)), .integer(Int64(record.file.fileSize)),
                    .integer(Int64(record.file.footerSize)), .integer(record.rowIdStart),
                    record.partitionId.map { .integer($0) } ?? .null,
                ]
            }
            try await connection.execute(sql, binds)
        }
        var statistics: [[SQLValue]] = []
        var partitions: [[SQLValue]] = []
        for record in files {
            for leaf in record.file.columns {
                guard let fieldId = leaf.fieldId else { continue }
                let floating = leaf.type == .float32 || leaf.type == .float64 || leaf.type == .float16
                statistics.append([
                    .integer(record.id), .integer(tableId), .integer(Int64(fieldId)), .integer(Int64(leaf.compressedBytes)),
                    .integer(Int64(leaf.valueCount)), .integer(Int64(leaf.nullCount)),
                    StatisticsText.lower(leaf).map { .text($0) } ?? .null,
                    StatisticsText.upper(leaf).map { .text($0) } ?? .null,
                    floating ? .boolean(leaf.containsNaN ?? false) : .null,
                ])
            }
            for (index, value) in record.partitionValues.enumerated() {
                partitions.append([.integer(record.id), .integer(tableId), .integer(Int64(index)), value.map { .text($0) } ?? .null])
            }
        }
        for chunk in statistics.chunked(200) {
            let sql =
                "INSERT INTO ducklake_file_column_stats (data_file_id, table_id, column_id, column_size_bytes, value_count, null_count, min_value, max_value, contains_nan, extra_stats) VALUES "
                + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", count: chunk.count).joined(separator: ", ")
            try await connection.execute(sql, chunk.flatMap { $0 })
        }
        for chunk in partitions.chunked(200) {
            let sql =
                "INSERT INTO ducklake_file_partition_value (data_file_id, table_id, partition_key_index, partition_value) VALUES "
                + Array(repeating: "(?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            try await connection.execute(sql, chunk.flatMap { $0 })
        }
    }

    /// Widens `ducklake_table_column_stats` by the new files' statistics: bounds compared as
    /// typed values (the stored texts parsed), null and NaN flags or-ed.
    static nonisolated(nonsending) func updateColumnStatistics(
        _ connection: any SQLConnection, _ files: [WrittenDataFile], schema: Schema, tableId: Int64, alsoNull: Set<Int64> = []
    ) async throws {
        var merged: [Int64: ColumnStatistics] = [:]
        var order: [Int64] = []
        for file in files {
            for leaf in file.columns {
                guard let id = leaf.fieldId.map(Int64.init) else { continue }
                if let existing = merged[id] {
                    merged[id] = existing.merged(with: leaf)
                } else {
                    merged[id] = leaf
                    order.append(id)
                }
            }
        }
        guard !merged.isEmpty else { return }
        let rows = try await connection.query(
            "SELECT column_id, contains_null, contains_nan, min_value, max_value FROM ducklake_table_column_stats WHERE table_id = ?",
            [.integer(tableId)])
        var existing: [Int64: SQLRow] = [:]
        for row in rows { existing[try row.int64("column_id")] = row }
        let types = TableSchema.fieldsById(schema)
        var inserts: [[SQLValue]] = []
        for id in order {
            let leaf = merged[id]!
            let type = types[id]?.type ?? leaf.type
            let floating = type == .float32 || type == .float64
            let lower = StatisticsText.lower(leaf)
            let upper = StatisticsText.upper(leaf)
            guard let row = existing[id] else {
                inserts.append([
                    .integer(tableId), .integer(id), .boolean(leaf.nullCount > 0 || alsoNull.contains(id)),
                    floating ? .boolean(leaf.containsNaN ?? false) : .null, lower.map { .text($0) } ?? .null,
                    upper.map { .text($0) } ?? .null,
                ])
                continue
            }
            let oldMin = try row.optionalString("min_value")
            let oldMax = try row.optionalString("max_value")
            let hadValues = oldMin != nil || oldMax != nil
            let hasValues = leaf.valueCount > 0
            let newMin = StatisticsText.widen(oldMin, lower, type: type, smaller: true, hadValues: hadValues, hasValues: hasValues)
            let newMax = StatisticsText.widen(oldMax, upper, type: type, smaller: false, hadValues: hadValues, hasValues: hasValues)
            let containsNull = (try row.optionalBool("contains_null") ?? false) || leaf.nullCount > 0 || alsoNull.contains(id)
            let containsNaN: SQLValue =
                floating ? .boolean((try row.optionalBool("contains_nan") ?? false) || (leaf.containsNaN ?? false)) : .null
            try await connection.execute(
                "UPDATE ducklake_table_column_stats SET contains_null = ?, contains_nan = ?, min_value = ?, max_value = ? WHERE table_id = ? AND column_id = ?",
                [
                    .boolean(containsNull), containsNaN, newMin.map { .text($0) } ?? .null, newMax.map { .text($0) } ?? .null,
                    .integer(tableId), .integer(id),
                ])
        }
        for chunk in inserts.chunked(200) {
            let sql =
                "INSERT INTO ducklake_table_column_stats (table_id, column_id, contains_null, contains_nan, min_value, max_value, extra_stats) VALUES "
                + Array(repeating: "(?, ?, ?, ?, ?, ?, NULL)", count: chunk.count).joined(separator: ", ")
            try await connection.execute(sql, chunk.flatMap { $0 })
        }
    }
}

/// Statistics as DuckLake's text columns hold them.
enum StatisticsText {
    /// Longer strings are not kept whole: a prefix is still a lower bound; an upper bound is
    /// then left unknown (NULL), which DuckDB reads as "may hold anything".
    static let maxStringBytes = 256

    static func lower(_ leaf: ColumnStatistics) -> String? {
        guard let minimum = leaf.minimum, var text = DuckText.format(minimum, type: leaf.type) else { return nil }
        if case .string = leaf.type, text.utf8.count > maxStringBytes {
            var cut = ""
            for character in text {
                if cut.utf8.count + character.utf8.count > maxStringBytes { break }
                cut.append(character)
            }
            text = cut
        }
        return text
    }

    static func upper(_ leaf: ColumnStatistics) -> String? {
        guard let maximum = leaf.maximum, let text = DuckText.format(maximum, type: leaf.type) else { return nil }
        if case .string = leaf.type, text.utf8.count > maxStringBytes { return nil }
        return text
    }

    /// The wider of a stored bound and a new one (`smaller`: the lower bound). A NULL bound
    /// beside values means unknown and stays so (both stored NULL: no values yet); a bound
    /// that does not parse as `type` becomes unknown too.
    static func widen(_ old: String?, _ new: String?, type: DataType, smaller: Bool, hadValues: Bool, hasValues: Bool)
        -> String?
    {
        guard hasValues else { return old }
        guard let old else { return hadValues ? nil : new }
        guard let new else { return nil }
        guard let a = DuckText.parse(old, type: type), let b = DuckText.parse(new, type: type) else { return nil }
        let newIsWider = smaller ? ValueOrder.less(b, a) : ValueOrder.less(a, b)
        return newIsWider ? new : old
    }
}
