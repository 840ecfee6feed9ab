import Columnar
import LakegateCore
import Parquet
import StorageLocal

/// An output file written batch by batch and published whole: it appears under its name
/// after `finish` succeeds, and not at all after `abort` or a failure.
public protocol RecordBatchWriter: AnyObject {
    /// Writes a batch. Its schema is the one of the batches before it, or extends it with
    /// columns at the end (see `RecordBatchProducer`); a writer that cannot add columns
    /// throws `unsupported`.
    func write(_ batch: RecordBatch) throws
    /// Completes the file and publishes it; `schema` serves an input without any rows.
    func finish(schema: Schema) throws
    /// Drops the output.
    func abort()
    /// Bytes written so far.
    var bytesWritten: Int { get }
}

/// The output formats `lakegate convert` writes, chosen by the file's extension.
public enum OutputFormat: String, Sendable, CaseIterable {
    case parquet, avro, csv, jsonl

    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".parquet") || lower.hasSuffix(".pq") {
            self = .parquet
        } else if lower.hasSuffix(".avro") {
            self = .avro
        } else if lower.hasSuffix(".csv") {
            self = .csv
        } else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            self = .jsonl
        } else {
            return nil
        }
    }
}

func openSink(_ path: String) throws(FileFormatError) -> LocalFileSink {
    do {
        return try LocalFileSink(path: path)
    } catch {
        throw FileFormatError(.io, "cannot create the output: \(error)", path: path)
    }
}

func commit(_ sink: LocalFileSink) throws(FileFormatError) {
    do {
        try sink.commit()
    } catch {
        throw FileFormatError(.io, "publishing the output failed: \(error)", path: sink.path)
    }
}

/// Columns a batch adds to `schema` (nil when it does not extend it).
func addedFields(_ batch: Schema, to schema: Schema) -> [Field]? {
    guard batch.fields.count >= schema.fields.count,
        zip(batch.fields, schema.fields).allSatisfy({ $0.name == $1.name && $0.type == $1.type })
    else { return nil }
    return Array(batch.fields[schema.fields.count...])
}

/// Parquet output through our writer; columns added by later batches are added to the file.
public final class ParquetBatchWriter: RecordBatchWriter {
    private let sink: LocalFileSink
    private let options: ParquetWriteOptions
    private var writer: ParquetFileWriter?

    public init(path: String, options: ParquetWriteOptions) throws(FileFormatError) {
        sink = try openSink(path)
        self.options = options
    }

    public var bytesWritten: Int { sink.position }

    public func write(_ batch: RecordBatch) throws {
        if writer == nil { writer = try ParquetFileWriter(sink: sink, schema: batch.schema, options: options) }
        let writer = writer!
        if batch.schema.fields.count != writer.schema.fields.count {
            guard let added = addedFields(batch.schema, to: writer.schema) else {
                throw FileFormatError(.invalidArgument, "a batch's columns differ from the file's", path: sink.path)
            }
            try writer.addFields(added)
        }
        try writer.write(batch)
    }

    public func finish(schema: Schema) throws {
        if writer == nil { writer = try ParquetFileWriter(sink: sink, schema: schema, options: options) }
        try writer!.close()
        try commit(sink)
    }

    public func abort() { sink.abort() }
}

/// JSON lines output: one object per row, values spelled as `lakegate parquet cat` does.
public final class JSONLinesBatchWriter: RecordBatchWriter {
    private let sink: LocalFileSink
    private var buffer: [UInt8] = []

    public init(path: String) throws(FileFormatError) { sink = try openSink(path) }

    public var bytesWritten: Int { sink.position }

    public func write(_ batch: RecordBatch) throws {
        buffer.removeAll(keepingCapacity: true)
        JSONLinesEncoder().encode(batch, to: &buffer)
        try buffer.withUnsafeBytes { try sink.write($0) }
    }

    public func finish(schema: Schema) throws { try commit(sink) }

    public func abort() { sink.abort() }
}

/// CSV output with a header row. Its columns are fixed by the first batch (the header is
/// written then): a later batch with more columns is an error.
public final class CSVBatchWriter: RecordBatchWriter {
    private let sink: LocalFileSink
    private let encoder: CSVEncoder
    private var schema: Schema?
    private var buffer: [UInt8] = []

    public init(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(FileFormatError) {
        sink = try openSink(path)
        encoder = CSVEncoder(delimiter: delimiter)
    }

    public var bytesWritten: Int { sink.position }

    private func header(_ schema: Schema) throws {
        self.schema = schema
        buffer.removeAll(keepingCapacity: true)
        encoder.encodeHeader(schema, to: &buffer)
        try buffer.withUnsafeBytes { try sink.write($0) }
    }

    public func write(_ batch: RecordBatch) throws {
        if let schema {
            guard batch.schema.fields.count == schema.fields.count else {
                let added = addedFields(batch.schema, to: schema)?.map(\.name).joined(separator: ", ") ?? "?"
                throw FileFormatError(
                    .unsupported,
                    "new columns (\(added)) appeared after the CSV header was written; infer from the whole input (--sample all) or give --schema",
                    path: sink.path)
            }
        } else {
            try header(batch.schema)
        }
        buffer.removeAll(keepingCapacity: true)
        encoder.encode(batch, to: &buffer)
        try buffer.withUnsafeBytes { try sink.write($0) }
    }

    public func finish(schema: Schema) throws {
        if self.schema == nil { try header(schema) }
        try commit(sink)
    }

    public func abort() { sink.abort() }
}
