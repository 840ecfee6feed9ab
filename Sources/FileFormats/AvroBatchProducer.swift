import Avro
import Columnar
import LakegateCore
import StorageLocal

/// Reads an Avro object container file's batches (bounded: one block at a time).
public final class AvroBatchProducer: RecordBatchProducer {
    public let path: String
    public var onProgress: ((InputProgress) -> Void)?
    public private(set) var progress = InputProgress()
    public let schema: Schema
    private let reader: AvroFileReader

    public init(path: String) throws {
        self.path = path
        let source = try LocalFileSource(path: path)
        reader = try AvroFileReader(source: source, path: path)
        schema = reader.schema
        progress.bytesTotal = source.size
    }

    public func run(_ consume: (RecordBatch) throws -> Void) throws {
        while let batch = try reader.nextBatch() {
            progress.records += batch.rowCount
            onProgress?(progress)
            try consume(batch)
        }
        progress.bytesRead = progress.bytesTotal
    }
}

/// Avro output: the schema of the first batch (or of `finish`) is the file's.
public final class AvroBatchWriter: RecordBatchWriter {
    private let sink: LocalFileSink
    private let options: AvroWriteOptions
    private var writer: AvroFileWriter?

    public init(path: String, options: AvroWriteOptions) throws(FileFormatError) {
        sink = try openSink(path)
        self.options = options
    }

    public var bytesWritten: Int { sink.position }

    public func write(_ batch: RecordBatch) throws {
        if writer == nil { writer = try AvroFileWriter(sink: sink, schema: batch.schema, options: options) }
        guard batch.schema.fields.count == writer!.schema.fields.count else {
            throw FileFormatError(.unsupported, "Avro output cannot add columns after the header", path: sink.path)
        }
        try writer!.write(batch)
    }

    public func finish(schema: Schema) throws {
        if writer == nil { writer = try AvroFileWriter(sink: sink, schema: schema, options: options) }
        try writer!.close()
        try commit(sink)
    }

    public func abort() { sink.abort() }
}
