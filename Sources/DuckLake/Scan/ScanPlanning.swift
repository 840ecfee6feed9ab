import Columnar
import Database
import LakegateCore
import Parquet
import Tables

/// A data file visible in a snapshot, with what a scan or a compaction needs about it.
struct LiveFile: Sendable {
    var id: Int64
    var location: CatalogPath
    /// As `ducklake_data_file.path` holds it (relative to the table's folder, or absolute).
    var storedPath: String
    var recordCount: Int
    var fileSize: Int
    var partitionId: Int64?
    /// (`day`, `5`), (`country`, `CH`) in key order; a nil value is a null partition.
    var partitionValues: [(key: String, value: String?)]
    var partitionKey: [String?] { partitionValues.map(\.value) }
    /// Delete files (DuckDB's DELETE) and inlined deletions of rows of this file.
    var deleteFiles: [CatalogPath] = []
    var inlinedDeletes: [Int64] = []
    var deletedRows: Int = 0
    var hasDeletes: Bool { !deleteFiles.isEmpty || !inlinedDeletes.isEmpty }
}

extension DuckLakeCatalog {
    /// The table's files in its snapshot, with their partition values and deletions.
    func liveFiles(_ table: LoadedTable) async throws(TableError) -> [LiveFile] {
        let s = SQLValue.integer(table.snapshot.id)
        let tableId = SQLValue.integer(table.id)
        return try await guarded("cannot list the table's files", subject: table.identifier.description) {
            try await database.withConnection { connection in
                let rows = try await connection.query(
                    "SELECT data_file_id, path, path_is_relative, record_count, file_size_bytes, partition_id FROM ducklake_data_file WHERE table_id = ? AND \(CatalogQueries.visible) ORDER BY data_file_id",
                    [tableId, s, s])
                var files: [LiveFile] = []
                var index: [Int64: Int] = [:]
                for row in rows {
                    let path = try row.string("path")
                    let id = try row.int64("data_file_id")
                    index[id] = files.count
                    files.append(
                        LiveFile(
                            id: id, location: table.path.appending(path, relative: try row.optionalBool("path_is_relative") ?? true),
                            storedPath: path, recordCount: Int(try row.optionalInt64("record_count") ?? 0),
                            fileSize: Int(try row.optionalInt64("file_size_bytes") ?? 0),
                            partitionId: try row.optionalInt64("partition_id"), partitionValues: []))
                }
                guard !files.isEmpty else { return files }
                // Partition keys of every partitioning the table had (files keep theirs).
                var keys: [Int64: [Int: String]] = [:]
                for row in try await connection.query(
                    #"SELECT partition_id, partition_key_index, column_id, "transform" FROM ducklake_partition_column WHERE table_id = ?"#,
                    [tableId])
                {
                    let transform = try row.string("transform").lowercased()
                    let columnId = try row.int64("column_id")
                    let name = table.columns.first { $0.id == columnId }?.name ?? "column_\(columnId)"
                    keys[try row.int64("partition_id"), default: [:]][Int(try row.int64("partition_key_index"))] =
                        transform == "identity" ? name : transform
                }
                var values: [Int64: [(Int, String?)]] = [:]
                for row in try await connection.query(
                    "SELECT data_file_id, partition_key_index, partition_value FROM ducklake_file_partition_value WHERE table_id = ?",
                    [tableId])
                {
                    let id = try row.int64("data_file_id")
                    guard index[id] != nil else { continue }
                    values[id, default: []].append((Int(try row.int64("partition_key_index")), try row.optionalString("partition_value")))
                }
                for (id, pairs) in values {
                    let position = index[id]!
                    let names = files[position].partitionId.flatMap { keys[$0] } ?? [:]
                    files[position].partitionValues = pairs.sorted { $0.0 < $1.0 }.map { (names[$0.0] ?? "key\($0.0)", $0.1) }
                }
                for row in try await connection.query(
                    "SELECT data_file_id, path, path_is_relative, delete_count FROM ducklake_delete_file WHERE table_id = ? AND \(CatalogQueries.visible)",
                    [tableId, s, s])
                {
                    guard let position = index[try row.int64("data_file_id")] else { continue }
                    files[position].deleteFiles.append(
                        table.path.appending(try row.string("path"), relative: try row.optionalBool("path_is_relative") ?? true))
                    files[position].deletedRows += Int(try row.optionalInt64("delete_count") ?? 0)
                }
                let inlinedDeletes = "ducklake_inlined_delete_\(table.id)"
                if try await connection.queryFirst(CatalogDDL.existsQuery(connection.dialect), [.text(inlinedDeletes)]) != nil {
                    for row in try await connection.query(
                        "SELECT file_id, row_id FROM \(quoted(inlinedDeletes)) WHERE begin_snapshot <= ?", [s])
                    {
                        guard let position = index[try row.int64("file_id")] else { continue }
                        files[position].inlinedDeletes.append(try row.int64("row_id"))
                        files[position].deletedRows += 1
                    }
                }
                return files
            }
        }
    }

    // MARK: Planning

    public func plan(_ table: TableIdentifier, filter: ScanFilter?) async throws(TableError) -> ScanPlan {
        let loaded = try await requireTable(table)
        var files = try await liveFiles(loaded)
        var pruned = 0
        if let filter {
            let predicate = try ScanPredicate(filter, schema: loaded.schema, table: table.description)
            let statistics = try await fileStatistics(loaded, columnId: predicate.columnId)
            let partitionIndex = loaded.partitioning.first { $0.columnId == predicate.columnId && $0.transform == "identity" }
            let before = files.count
            files = files.filter { file in
                if let partitionIndex, file.partitionId == loaded.partitionId, partitionIndex.keyIndex < file.partitionValues.count,
                    !predicate.partitionMayMatch(file.partitionValues[partitionIndex.keyIndex].value)
                {
                    return false
                }
                // No statistics row (a column added after the file was written): keep it.
                guard let stats = statistics[file.id] else { return true }
                return predicate.mayMatch(stats)
            }
            pruned = before - files.count
        }
        var tasks: [ScanPlan.Task] = []
        var inlined: [RecordBatch] = []
        for file in files {
            if file.hasDeletes {
                // The plan has no place for deletion vectors: the file's surviving rows go in
                // as decoded rows instead.
                inlined += try await survivingRows(of: file, table: loaded)
            } else {
                tasks.append(ScanPlan.Task(url: url(of: file.location), recordCount: file.recordCount))
            }
        }
        inlined += try await inlinedRows(loaded)
        return ScanPlan(schema: loaded.schema, tasks: tasks, prunedFiles: pruned, inlinedRows: inlined)
    }

    private func fileStatistics(_ table: LoadedTable, columnId: Int64) async throws(TableError) -> [Int64: FileColumnStatistics] {
        try await guarded("cannot read file statistics", subject: table.identifier.description) {
            try await database.withConnection { connection in
                var result: [Int64: FileColumnStatistics] = [:]
                for row in try await connection.query(
                    "SELECT data_file_id, value_count, null_count, min_value, max_value, contains_nan FROM ducklake_file_column_stats WHERE table_id = ? AND column_id = ?",
                    [.integer(table.id), .integer(columnId)])
                {
                    result[try row.int64("data_file_id")] = FileColumnStatistics(
                        valueCount: try row.optionalInt64("value_count"), minimum: try row.optionalString("min_value"),
                        maximum: try row.optionalString("max_value"), containsNaN: try row.optionalBool("contains_nan"))
                }
                return result
            }
        }
    }

    // MARK: Rows outside plain data files

    /// Live rows of DuckDB's inlined tables (one per schema version of the table), fitted to
    /// the current schema by column name.
    func inlinedRows(_ table: LoadedTable) async throws(TableError) -> [RecordBatch] {
        let s = SQLValue.integer(table.snapshot.id)
        return try await guarded("cannot read inlined rows", subject: table.identifier.description) {
            try await database.withConnection { connection in
                var batches: [RecordBatch] = []
                for entry in try await connection.query(
                    "SELECT table_name FROM ducklake_inlined_data_tables WHERE table_id = ? ORDER BY schema_version",
                    [.integer(table.id)])
                {
                    let name = try entry.string(0)
                    let columns = try await connection.query(CatalogDDL.columnsQuery(connection.dialect), [.text(name)])
                    guard !columns.isEmpty else { continue }
                    var select: [String] = []
                    var targets: [Int?] = []
                    for column in columns {
                        let columnName = try column.string(0)
                        guard !["row_id", "begin_snapshot", "end_snapshot"].contains(columnName) else { continue }
                        targets.append(table.schema.index(of: columnName))
                        let declared = (try column.optionalString(at: 1) ?? "").lowercased()
                        // PostgreSQL types the Database module does not decode come as text.
                        let decodable = ["bigint", "integer", "smallint", "boolean", "double precision", "real", "numeric",
                            "bytea", "uuid", "character varying", "text"]
                        if connection.dialect == .postgres && !decodable.contains(declared) {
                            select.append("CAST(\(quoted(columnName)) AS VARCHAR)")
                        } else {
                            select.append(quoted(columnName))
                        }
                    }
                    guard !select.isEmpty else { continue }
                    let rows = try await connection.query(
                        "SELECT \(select.joined(separator: ", ")) FROM \(quoted(name)) WHERE \(CatalogQueries.visible) ORDER BY row_id",
                        [s, s])
                    guard !rows.isEmpty else { continue }
                    batches.append(try Self.batch(rows, targets: targets, schema: table.schema, table: table.identifier))
                }
                return batches
            }
        }
    }

    func inlinedRowCount(_ table: LoadedTable) async throws(TableError) -> Int {
        try await inlinedRows(table).reduce(0) { $0 + $1.rowCount }
    }

    private static func batch(_ rows: [SQLRow], targets: [Int?], schema: Schema, table: TableIdentifier) throws(TableError)
        -> RecordBatch
    {
        let builders = schema.fields.map { ColumnBuilder(type: $0.type, capacity: rows.count) }
        for row in rows {
            for (position, target) in targets.enumerated() {
                guard let target else { continue }
                let field = schema.fields[target]
                guard let value = InlinedValues.value(row[position], type: field.type) else {
                    throw TableError(.corrupt, "an inlined value of column '\(field.name)' does not read as \(field.type)", subject: table.description)
                }
                do {
                    try builders[target].append(value)
                } catch {
                    throw TableError(.corrupt, "an inlined value of column '\(field.name)' does not fit \(field.type)", subject: table.description)
                }
            }
            for builder in builders { builder.padWithNulls(to: builders.map(\.count).max() ?? 0) }
        }
        do {
            return try RecordBatch(schema: schema, columns: builders.map { $0.finish() })
        } catch {
            throw TableError(.corrupt, "inlined rows: \(error)", subject: table.description)
        }
    }

    /// A file's rows without those its delete files and inlined deletions remove.
    func survivingRows(of file: LiveFile, table: LoadedTable) async throws(TableError) -> [RecordBatch] {
        var deleted = Set(file.inlinedDeletes)
        for path in file.deleteFiles {
            for batch in try await readFile(path, schema: nil, table: table) {
                guard let positions = batch.column(named: "pos") else {
                    throw TableError(.corrupt, "a delete file has no pos column", subject: pathText(path))
                }
                for index in 0..<positions.count where !positions.isNull(index) {
                    if case .int(let position) = positions.value(at: index) { deleted.insert(position) }
                }
            }
        }
        var result: [RecordBatch] = []
        var offset: Int64 = 0
        for batch in try await readFile(file.location, schema: table.schema, table: table) {
            let keep = (0..<batch.rowCount).filter { !deleted.contains(offset + Int64($0)) }
            offset += Int64(batch.rowCount)
            if keep.count == batch.rowCount {
                result.append(batch)
            } else if !keep.isEmpty {
                result.append(batch.gather(keep))
            }
        }
        return result
    }

    /// Every batch of a Parquet file, fitted to `schema` by field id (nil: as stored).
    func readFile(_ path: CatalogPath, schema: Schema?, table: LoadedTable) async throws(TableError) -> [RecordBatch] {
        var batches: [RecordBatch] = []
        try await forEachBatch(path, schema: schema) { batches.append($0) }
        return batches
    }

    /// Streams a Parquet file's batches (one row group's worth of memory at a time).
    func forEachBatch(
        _ path: CatalogPath, schema: Schema?, _ body: (RecordBatch) async throws(TableError) -> Void
    ) async throws(TableError) {
        guard let key = key(of: path) else {
            throw TableError(.unsupported, "a data file outside the data path cannot be read", subject: pathText(path))
        }
        let source = try await store.reader(for: key)
        var iterator: ParquetBatchReader
        do {
            iterator = try ParquetFileReader(source: source, path: key.path).batches()
        } catch {
            throw TableError(.io, "cannot read Parquet: \(error)", subject: key.path)
        }
        while true {
            let next: RecordBatch?
            do {
                next = try iterator.next()
            } catch {
                throw TableError(.io, "cannot read Parquet: \(error)", subject: key.path)
            }
            guard let batch = next else { return }
            try await body(try schema.map { schema throws(TableError) in try Conform.batch(batch, to: schema, by: .fieldId) } ?? batch)
        }
    }
}

/// One file's statistics for the filtered column, as stored.
struct FileColumnStatistics: Sendable {
    var valueCount: Int64?
    var minimum: String?
    var maximum: String?
    var containsNaN: Bool?
}

/// `column op literal` against a table column: whether a file may hold a matching row,
/// comparing typed values (numbers as numbers, dates and timestamps as instants), never texts.
struct ScanPredicate {
    let columnId: Int64
    let type: DataType
    let op: ScanFilter.Operator
    let literal: Value

    init(_ filter: ScanFilter, schema: Schema, table: String) throws(TableError) {
        // `a.b` reaches into structs.
        var fields = schema.fields
        var found: Field?
        for part in filter.column.split(separator: ".", omittingEmptySubsequences: false) {
            guard let field = fields.first(where: { $0.name == String(part) }) else {
                throw TableError(.invalidArgument, "no column '\(filter.column)'", subject: table)
            }
            found = field
            if case .structure(let children) = field.type { fields = children } else { fields = [] }
        }
        guard let field = found, let id = field.id, !field.type.isNested else {
            throw TableError(.invalidArgument, "cannot filter on the nested column '\(filter.column)'", subject: table)
        }
        guard let literal = DuckText.parse(filter.literal, type: field.type) else {
            throw TableError(.invalidArgument, "'\(filter.literal)' is not a \(field.type) value for '\(filter.column)'", subject: table)
        }
        columnId = Int64(id)
        type = field.type
        op = filter.op
        self.literal = literal
    }

    private var comparable: Bool {
        switch type {
        case .binary, .fixedSizeBinary, .null: return false
        default: return true
        }
    }

    func mayMatch(_ stats: FileColumnStatistics) -> Bool {
        // Only nulls: no comparison holds.
        if let count = stats.valueCount, count == 0 { return false }
        guard comparable else { return true }
        if stats.containsNaN == true { return true }
        let low = stats.minimum.flatMap { DuckText.parse($0, type: type) }
        let high = stats.maximum.flatMap { DuckText.parse($0, type: type) }
        return Self.mayMatch(low: low, high: high, op: op, literal: literal)
    }

    /// An identity partition's value is every row's value (nil: every row is null).
    func partitionMayMatch(_ text: String?) -> Bool {
        guard let text else { return false }
        guard comparable, let value = DuckText.parse(text, type: type) else { return true }
        return Self.mayMatch(low: value, high: value, op: op, literal: literal)
    }

    static func mayMatch(low: Value?, high: Value?, op: ScanFilter.Operator, literal: Value) -> Bool {
        func less(_ a: Value, _ b: Value) -> Bool { ValueOrder.less(a, b) }
        switch op {
        case .equal:
            if let low, less(literal, low) { return false }
            if let high, less(high, literal) { return false }
            return true
        case .notEqual:
            if let low, let high, !less(low, literal), !less(literal, low), !less(high, literal), !less(literal, high) {
                return false
            }
            return true
        case .less:
            guard let low else { return true }
            return less(low, literal)
        case .lessOrEqual:
            guard let low else { return true }
            return !less(literal, low)
        case .greater:
            guard let high else { return true }
            return less(literal, high)
        case .greaterOrEqual:
            guard let high else { return true }
            return !less(high, literal)
        }
    }
}
