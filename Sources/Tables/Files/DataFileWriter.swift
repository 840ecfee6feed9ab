public import Columnar
public import Parquet
import LakegateCore

/// One Parquet data file of a table, written to an object store: batches go in, and
/// `finish()` publishes the file and returns what catalogs record about it (exact size,
/// footer size, row count, per-leaf statistics).
public final class DataFileWriter {
    public let key: ObjectKey
    public let schema: Schema
    private let writer: any ObjectWriter
    private let parquet: ParquetFileWriter
    private var statistics: StatisticsCollector
    public private(set) var rowCount = 0
    private var finished = false

    public init(store: any ObjectStore, key: ObjectKey, schema: Schema, options: ParquetWriteOptions) throws(TableError) {
        self.key = key
        self.schema = schema
        writer = try store.makeWriter(for: key)
        do {
            parquet = try ParquetFileWriter(sink: writer, schema: schema, options: options)
        } catch {
            writer.abort()
            throw TableError(.invalidArgument, "cannot write Parquet: \(error)", subject: key.path)
        }
        statistics = StatisticsCollector(schema: schema)
    }

    /// Bytes written to storage so far (the row group being built is not counted).
    public var bytesWritten: Int { writer.position }

    public func write(_ batch: RecordBatch) throws(TableError) {
        do {
            try parquet.write(batch)
        } catch {
            throw TableError(.io, "cannot write Parquet: \(error)", subject: key.path)
        }
        statistics.observe(batch)
        rowCount += batch.rowCount
    }

    /// Writes the footer, publishes the object and describes it.
    public func finish(store: any ObjectStore) async throws(TableError) -> WrittenDataFile {
        precondition(!finished, "finish() called twice")
        finished = true
        let metadata: ParquetFileMetadataSummary
        do {
            let footer = try parquet.close()
            var sizes = [Int](repeating: 0, count: statistics.leaves.count)
            for group in footer.rowGroups {
                for (index, chunk) in group.columns.enumerated() where index < sizes.count {
                    sizes[index] += Int(chunk.metaData?.totalCompressedSize ?? 0)
                }
            }
            metadata = ParquetFileMetadataSummary(chunkSizes: sizes, footerLength: parquet.footerLength ?? 0)
        } catch {
            writer.abort()
            throw TableError(.io, "cannot write Parquet: \(error)", subject: key.path)
        }
        statistics.addChunkSizes(metadata.chunkSizes)
        let size = writer.position
        try await writer.publish()
        return WrittenDataFile(
            key: key, url: store.url(of: key), fileSize: size, footerSize: metadata.footerLength, recordCount: rowCount,
            columns: statistics.leaves)
    }

    public func abort() {
        guard !finished else { return }
        finished = true
        writer.abort()
    }

    private struct ParquetFileMetadataSummary {
        var chunkSizes: [Int]
        var footerLength: Int
    }
}

/// A published data file, as catalogs record it.
public struct WrittenDataFile: Sendable, Hashable {
    public var key: ObjectKey
    /// Absolute location (`file:///…`, `s3://…`).
    public var url: String
    /// Exact size in bytes.
    public var fileSize: Int
    /// Length of the Parquet footer (the Thrift FileMetaData, without length word and magic).
    public var footerSize: Int
    public var recordCount: Int
    public var columns: [ColumnStatistics]
    /// The partition the file belongs to (empty when the table is not partitioned).
    public var partition: PartitionKey

    public init(
        key: ObjectKey, url: String, fileSize: Int, footerSize: Int, recordCount: Int, columns: [ColumnStatistics],
        partition: PartitionKey = PartitionKey([])
    ) {
        self.key = key
        self.url = url
        self.fileSize = fileSize
        self.footerSize = footerSize
        self.recordCount = recordCount
        self.columns = columns
        self.partition = partition
    }
}

/// The partition values of a row or a file, one per partition field (null stays null).
public struct PartitionKey: Sendable, Hashable {
    public var values: [Value]
    public init(_ values: [Value]) { self.values = values }
}
