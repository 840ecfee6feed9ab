import Columnar
import Foundation
import Parquet
import Tables

/// One append to a DuckLake table. Batches are fitted to the table's schema (evolving it by
/// name when they bring new or wider columns) and written as Parquet files named
/// `ducklake-<uuid>.parquet` under the table's folder (Hive-style partition folders below it,
/// as DuckDB lays them out). Nothing is visible until `commit`, which records every file in
/// one catalog transaction.
final class DuckLakeAppend: TableAppend {
    private let catalog: DuckLakeCatalog
    private let table: LoadedTable
    private let tableKey: ObjectKey
    private let transforms: [CalendarTransform]
    /// The table's schema plus this append's changes so far, with field ids.
    private var writeSchema: Schema
    private var evolution = SchemaEvolution()
    private var maxColumnId: Int64
    private var lastIncoming: Schema?
    private var writer: PartitionedFileWriter
    /// Files finished by writers replaced when the schema evolved.
    private var finished: [WrittenDataFile] = []
    private var done = false

    /// Row groups of 32 MiB, as `lakegate convert` writes: a worker loading a large file holds one
    /// row group in memory, so this bounds its memory (64 MiB ones put a 1 GB load over 256 MB).
    static let writeOptions = ParquetWriteOptions(
        codec: .zstd(level: 3), rowGroupBytes: 32 << 20, createdBy: "lakegate version 0.1.0 (DuckLake)")
    static let targetFileBytes = 128 << 20

    init(catalog: DuckLakeCatalog, table: LoadedTable, maxColumnId: Int64) throws(TableError) {
        guard let tableKey = catalog.key(of: table.path) else {
            throw TableError(
                .unsupported, "the table's folder (\(catalog.pathText(table.path))) is outside the data path",
                subject: table.identifier.description)
        }
        var transforms: [CalendarTransform] = []
        for field in table.partitioning {
            guard let transform = CalendarTransform(rawValue: field.transform) else {
                throw TableError(
                    .unsupported, "partition transform '\(field.transform)' is not supported for writing",
                    subject: table.identifier.description)
            }
            transforms.append(transform)
        }
        self.catalog = catalog
        self.table = table
        self.tableKey = tableKey
        self.transforms = transforms
        self.writeSchema = table.schema
        self.maxColumnId = maxColumnId
        writer = Self.makeWriter(
            store: catalog.store, schema: table.schema, table: table, transforms: transforms, tableKey: tableKey)
    }

    /// Prepares for batches of `schema` (evolving the table's schema if it must).
    func prepare(for schema: Schema) async throws(TableError) {
        guard schema != lastIncoming else { return }
        var maxId = maxColumnId
        let (merged, delta) = try SchemaEvolution.plan(
            table: writeSchema, incoming: schema, maxColumnId: &maxId, tableName: table.identifier.description)
        lastIncoming = schema
        guard !delta.isEmpty else { return }
        // Files already written keep their schema (a reader sees the new columns as null in
        // them); the next ones are written with the new one.
        finished += try await writer.finish()
        writeSchema = merged
        maxColumnId = maxId
        evolution.merge(delta)
        writer = Self.makeWriter(
            store: catalog.store, schema: merged, table: table, transforms: transforms, tableKey: tableKey)
    }

    func write(_ batch: RecordBatch) async throws(TableError) {
        precondition(!done, "write after commit or abort")
        try await prepare(for: batch.schema)
        try await writer.write(try Conform.batch(batch, to: writeSchema, by: .name))
    }

    func commit(idempotencyKey: String?, message: String?) async throws(TableError) -> CommitOutcome {
        precondition(!done, "commit after commit or abort")
        done = true
        let files: [WrittenDataFile]
        do {
            files = finished + (try await writer.finish())
        } catch {
            writer.abort()
            await deleteQuietly(finished)
            throw error
        }
        guard !files.isEmpty || !evolution.isEmpty else {
            return .committed(snapshot: table.snapshot.id, files: 0, rows: 0)
        }
        var prepared: [PreparedFile] = []
        for file in files {
            let relative = String(file.key.path.dropFirst(tableKey.path.count + 1))
            var values: [String?] = []
            for (index, value) in file.partition.values.enumerated() {
                values.append(Self.partitionText(value, field: table.partitioning[index], schema: writeSchema))
            }
            prepared.append(PreparedFile(file: file, path: relative, partitionValues: values))
        }
        let commit = AppendCommit(
            table: table, files: prepared, schema: writeSchema, evolution: evolution, idempotencyKey: idempotencyKey,
            message: message)
        let tracker = CommitTracker()
        do {
            let outcome = try await catalog.commitAppend(commit, tracker: tracker)
            if case .alreadyCommitted = outcome { await deleteQuietly(files) }
            return outcome
        } catch {
            // A commit that may have landed references these files: they stay.
            if !tracker.outcomeUnknown { await deleteQuietly(files) }
            throw error
        }
    }

    func abort() async {
        guard !done else { return }
        done = true
        writer.abort()
        let written = (try? await writer.finish()) ?? []
        await deleteQuietly(finished + written)
    }

    private func deleteQuietly(_ files: [WrittenDataFile]) async {
        for file in files { try? await catalog.store.delete(file.key) }
    }

    // MARK: Layout

    private static func makeWriter(
        store: any ObjectStore, schema: Schema, table: LoadedTable, transforms: [CalendarTransform], tableKey: ObjectKey
    ) -> PartitionedFileWriter {
        let fields = table.partitioning
        let partitioner: PartitionedFileWriter.Partitioner?
        if fields.isEmpty {
            partitioner = nil
        } else {
            partitioner = { batch throws(TableError) in
                var keys: [PartitionKey] = []
                keys.reserveCapacity(batch.rowCount)
                let columns = fields.map { batch.columns[$0.columnIndex] }
                for row in 0..<batch.rowCount {
                    var values: [Value] = []
                    values.reserveCapacity(fields.count)
                    for (index, column) in columns.enumerated() { values.append(try transforms[index].apply(column, at: row)) }
                    keys.append(PartitionKey(values))
                }
                return keys
            }
        }
        return PartitionedFileWriter(
            store: store, schema: schema, options: writeOptions, targetFileBytes: targetFileBytes,
            partitionKeys: partitioner,
            fileKey: { partition throws(TableError) in
                var path = ""
                for (index, value) in partition.values.enumerated() {
                    let text = partitionText(value, field: fields[index], schema: schema)
                    path += PartitionPath.segment(key: fields[index].folderKey, value: text) + "/"
                }
                return try tableKey.appending(path + "ducklake-\(UUIDv7.make()).parquet")
            })
    }

    /// A partition value as DuckLake records it: the value's DuckDB text for identity, the
    /// calendar part's number otherwise; nil for null.
    static func partitionText(_ value: Value, field: PartitionField, schema: Schema) -> String? {
        if case .null = value { return nil }
        if field.transform != "identity", case .int(let part) = value { return String(part) }
        return DuckText.format(value, type: schema.fields[field.columnIndex].type)
    }
}

/// Whether a commit attempt ended with an unknown outcome that was never resolved: then the
/// files must stay, since the commit may reference them.
final class CommitTracker {
    var outcomeUnknown = false
}

/// A written file as the commit records it.
struct PreparedFile: Sendable {
    var file: WrittenDataFile
    /// Relative to the table's folder (`day=5/ducklake-….parquet`).
    var path: String
    var partitionValues: [String?]
}

struct AppendCommit: Sendable {
    var table: LoadedTable
    var files: [PreparedFile]
    /// The schema the files were written with (the last one; earlier files may lack columns).
    var schema: Schema
    var evolution: SchemaEvolution
    var idempotencyKey: String?
    var message: String?
}

extension DuckLakeCatalog {
    public func beginAppend(_ table: TableIdentifier, schema: Schema) async throws(TableError) -> any TableAppend {
        let loaded = try await requireTable(table)
        let maxColumnId = try await guarded("cannot read the table", subject: table.description) {
            try await database.withConnection { try await CatalogQueries.maxColumnId($0, tableId: loaded.id) }
        }
        let append = try DuckLakeAppend(catalog: self, table: loaded, maxColumnId: maxColumnId)
        try await append.prepare(for: schema)
        return append
    }
}
