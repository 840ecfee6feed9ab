public import Columnar
public import Parquet

/// Splits a table's incoming batches by partition and writes each partition's rows to data
/// files of about `targetFileBytes` (a file is closed and a new one started past it).
/// `partitionKeys` gives each row's partition (nil: the table is not partitioned);
/// `fileKey` names a new file of a partition (unique names: files are written before any
/// commit and must never collide).
public final class PartitionedFileWriter {
    public typealias Partitioner = (RecordBatch) throws(TableError) -> [PartitionKey]

    private let store: any ObjectStore
    private let schema: Schema
    private let options: ParquetWriteOptions
    private let targetFileBytes: Int
    private let partitionKeys: Partitioner?
    private let fileKey: (PartitionKey) throws(TableError) -> ObjectKey
    private var open: [PartitionKey: DataFileWriter] = [:]
    /// Least recently written first: past `maxOpenFiles`, the oldest is finished early.
    private var order: [PartitionKey] = []
    private let maxOpenFiles: Int
    public private(set) var written: [WrittenDataFile] = []

    public init(
        store: any ObjectStore, schema: Schema, options: ParquetWriteOptions, targetFileBytes: Int = 128 << 20,
        maxOpenFiles: Int = 32, partitionKeys: Partitioner?, fileKey: @escaping (PartitionKey) throws(TableError) -> ObjectKey
    ) {
        self.store = store
        self.schema = schema
        self.options = options
        self.targetFileBytes = targetFileBytes
        self.maxOpenFiles = max(1, maxOpenFiles)
        self.partitionKeys = partitionKeys
        self.fileKey = fileKey
    }

    public func write(_ batch: RecordBatch) async throws(TableError) {
        guard batch.rowCount > 0 else { return }
        guard let partitionKeys else {
            try await write(batch, to: PartitionKey([]))
            return
        }
        let keys = try partitionKeys(batch)
        var rowsByKey: [PartitionKey: [Int]] = [:]
        var firstSeen: [PartitionKey] = []
        for (row, key) in keys.enumerated() {
            if rowsByKey[key] == nil { firstSeen.append(key) }
            rowsByKey[key, default: []].append(row)
        }
        if firstSeen.count == 1 {
            try await write(batch, to: firstSeen[0])
            return
        }
        for key in firstSeen { try await write(batch.gather(rowsByKey[key]!), to: key) }
    }

    private func write(_ batch: RecordBatch, to partition: PartitionKey) async throws(TableError) {
        let writer: DataFileWriter
        if let existing = open[partition] {
            writer = existing
            order.removeAll { $0 == partition }
        } else {
            if open.count >= maxOpenFiles, let oldest = order.first {
                order.removeFirst()
                try await finish(oldest)
            }
            writer = try DataFileWriter(store: store, key: try fileKey(partition), schema: schema, options: options)
            open[partition] = writer
        }
        order.append(partition)
        try writer.write(batch)
        if writer.bytesWritten >= targetFileBytes {
            order.removeAll { $0 == partition }
            try await finish(partition)
        }
    }

    private func finish(_ partition: PartitionKey) async throws(TableError) {
        guard let writer = open.removeValue(forKey: partition) else { return }
        var file = try await writer.finish(store: store)
        file.partition = partition
        written.append(file)
    }

    /// Finishes every open file; returns all files written, in the order they were finished.
    public func finish() async throws(TableError) -> [WrittenDataFile] {
        for partition in order { try await finish(partition) }
        order = []
        return written
    }

    /// Drops open files. Files already finished stay in storage (unreferenced until a commit
    /// names them; the sweep of unreferenced files removes them later).
    public func abort() {
        for writer in open.values { writer.abort() }
        open = [:]
        order = []
    }
}

extension RecordBatch {
    /// The rows at `indices`, in that order (copies).
    public func gather(_ indices: [Int]) -> RecordBatch {
        let gathered = columns.map { column -> Column in
            let builder = ColumnBuilder(type: column.type, capacity: indices.count)
            for index in indices { builder.append(from: column, at: index) }
            return builder.finish()
        }
        return try! RecordBatch(schema: schema, columns: gathered)
    }
}
