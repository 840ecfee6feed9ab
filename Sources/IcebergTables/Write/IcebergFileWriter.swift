import Columnar
import Iceberg
import Parquet
import Tables

/// A data file written for a commit: its object key and the manifest's record of it.
struct WrittenFile: Sendable {
    var key: ObjectKey
    var dataFile: DataFile
}

/// Writes batches of one table schema into Parquet data files, one open file per partition
/// (`<table>/data/<partition path>/<uuid>.parquet`), each with its Iceberg column metrics. A
/// file is closed past `targetFileBytes`; past `maxOpenFiles` partitions, the least recently
/// written one is closed early.
final class IcebergFileWriter {
    let store: any ObjectStore
    let schema: IcebergSchema
    let columnar: Schema
    let spec: PartitionSpec
    let tableKey: ObjectKey
    let options: ParquetWriteOptions
    let targetFileBytes: Int
    let maxOpenFiles: Int

    private struct OpenFile {
        var writer: DataFileWriter
        var metrics: ColumnMetrics
    }
    private var open: [PartitionValues: OpenFile] = [:]
    private var order: [PartitionValues] = []
    private(set) var written: [WrittenFile] = []

    init(
        store: any ObjectStore, schema: IcebergSchema, spec: PartitionSpec, tableKey: ObjectKey,
        options: ParquetWriteOptions, targetFileBytes: Int, maxOpenFiles: Int
    ) {
        self.store = store
        self.schema = schema
        self.columnar = schema.columnarSchema()
        self.spec = spec
        self.tableKey = tableKey
        self.options = options
        self.targetFileBytes = targetFileBytes
        self.maxOpenFiles = max(1, maxOpenFiles)
    }

    /// Keys of every file started, finished or not (what an abort must remove).
    var allKeys: [ObjectKey] { written.map(\.key) + open.values.map(\.writer.key) }

    /// Writes a batch already cast to `columnar`.
    func write(_ batch: RecordBatch) async throws(TableError) {
        guard batch.rowCount > 0 else { return }
        let groups: [PartitionSpec.RowGroup]
        do {
            groups = try spec.split(batch, schema: schema)
        } catch {
            throw TableError.iceberg(error, "computing partition values", subject: tableKey.path)
        }
        for group in groups {
            let rows = group.rows.count == batch.rowCount ? batch : batch.gather(group.rows)
            try await write(rows, to: group.values)
        }
    }

    private func write(_ batch: RecordBatch, to partition: PartitionValues) async throws(TableError) {
        var file: OpenFile
        if let existing = open.removeValue(forKey: partition) {
            file = existing
            order.removeAll { $0 == partition }
        } else {
            if open.count >= maxOpenFiles, let oldest = order.first {
                try await finish(oldest)
            }
            let key = try fileKey(partition)
            file = OpenFile(
                writer: try DataFileWriter(store: store, key: key, schema: columnar, options: options),
                metrics: ColumnMetrics(schema: schema))
        }
        do {
            try file.metrics.add(batch)
        } catch {
            file.writer.abort()
            throw TableError.iceberg(error, "collecting column metrics", subject: file.writer.key.path)
        }
        do {
            try file.writer.write(batch)
        } catch {
            file.writer.abort()
            throw error
        }
        open[partition] = file
        order.append(partition)
        if file.writer.bytesWritten >= targetFileBytes { try await finish(partition) }
    }

    private func fileKey(_ partition: PartitionValues) throws(TableError) -> ObjectKey {
        var path = "data/"
        if !spec.fields.isEmpty {
            do {
                path += try spec.partitionPath(partition, schema: schema) + "/"
            } catch {
                throw TableError.iceberg(error, "naming a partition folder", subject: tableKey.path)
            }
        }
        return try tableKey.appending(path + Random.uuid() + ".parquet")
    }

    private func finish(_ partition: PartitionValues) async throws(TableError) {
        order.removeAll { $0 == partition }
        guard let file = open.removeValue(forKey: partition) else { return }
        let published = try await file.writer.finish(store: store)
        var sizes: [Int32: Int64] = [:]
        for column in published.columns {
            if let id = column.fieldId { sizes[id, default: 0] += Int64(column.compressedBytes) }
        }
        let dataFile = file.metrics.dataFile(
            path: published.url, partition: partition, fileSizeInBytes: Int64(published.fileSize), columnSizes: sizes)
        written.append(WrittenFile(key: published.key, dataFile: dataFile))
    }

    /// Closes every open file; returns all files written.
    func finish() async throws(TableError) -> [WrittenFile] {
        for partition in order { try await finish(partition) }
        return written
    }

    /// Drops the open files; returns the keys of files already published (the caller deletes them).
    func abort() -> [ObjectKey] {
        for file in open.values { file.writer.abort() }
        open = [:]
        order = []
        return written.map(\.key)
    }
}
