import Columnar
import Parquet
import StorageLocal

/// Reads a Parquet file's batches (bounded: pages are fetched as batches need them).
public final class ParquetBatchProducer: RecordBatchProducer {
    public let path: String
    public var onProgress: ((InputProgress) -> Void)?
    public private(set) var progress = InputProgress()
    public private(set) var schema: Schema
    private let reader: ParquetFileReader

    public init(path: String) throws {
        self.path = path
        let source = try LocalFileSource(path: path)
        reader = try ParquetFileReader(source: source, path: path)
        var schema = reader.schema
        // pyarrow's serialized Arrow schema describes this file, not what is written from it.
        schema.metadata["ARROW:schema"] = nil
        self.schema = schema
        progress.bytesTotal = source.size
    }

    public func run(_ consume: (RecordBatch) throws -> Void) throws {
        var batches = try reader.batches()
        let total = max(1, reader.rowCount)
        while let batch = try batches.next() {
            progress.records += batch.rowCount
            progress.bytesRead = Int(Double(progress.bytesTotal) * Double(progress.records) / Double(total))
            onProgress?(progress)
            try consume(RecordBatch(schema: schema, columns: batch.columns))
        }
    }
}
