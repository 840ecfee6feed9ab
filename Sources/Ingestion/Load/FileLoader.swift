import Columnar
import FileFormats
import Foundation
import LakegateCore
import Tables

/// Loads one trusted file into its table: reads it as `lakegate convert` would (any supported
/// format, detected from its bytes unless the route says), applies the route's transforms,
/// and commits everything in one commit whose idempotency key is the job id. A retry of a job
/// that committed changes nothing and says so.
public struct FileLoader: Sendable {
    public var batchRows: Int
    /// Decompressed bytes allowed per compressed input.
    public var maxDecompressedBytes: Int

    public init(batchRows: Int = 32_768, maxDecompressedBytes: Int = 16 << 30) {
        self.batchRows = batchRows
        self.maxDecompressedBytes = maxDecompressedBytes
    }

    /// Reads the file at a local `path` into `route.table`.
    public func load(
        path: String, route: TableRoute, catalog: any TableCatalog, jobId: String, message: String? = nil
    ) async throws -> CommitOutcome {
        let producer = try makeProducer(path: path, format: route.format)
        let batches = BatchPipe()
        batches.start(producer)
        defer { batches.cancel() }
        var append: (any TableAppend)?
        var transform: (any BatchTransform)?
        var transformedFor: Schema?
        do {
            for try await input in batches.stream {
                var batch = input
                if let prepare = route.transform {
                    // A JSON input may grow columns in a later batch: prepare again then.
                    if transformedFor != input.schema {
                        transform = try prepare(input.schema)
                        transformedFor = input.schema
                    }
                    batch = try transform!.apply(input)
                }
                if append == nil {
                    append = try await Self.beginAppend(catalog, route.table, schema: batch.schema, partitionBy: route.partitionBy)
                }
                if batch.rowCount > 0 { try await append!.write(batch) }
                batches.consumed()
            }
            guard let append else {
                throw IngestionError(.badInput, "the file holds no records", jobId: jobId)
            }
            return try await append.commit(idempotencyKey: jobId, message: message ?? "lakegate ingest job \(jobId)")
        } catch {
            await append?.abort()
            throw error
        }
    }

    /// Opens an append, creating the table from the schema when it does not exist.
    public static func beginAppend(_ catalog: any TableCatalog, _ table: TableIdentifier, schema: Schema, partitionBy: [String])
        async throws -> any TableAppend
    {
        do {
            return try await catalog.beginAppend(table, schema: schema)
        } catch where error.code == .notFound {
            do {
                try await catalog.createTable(table, schema: schema, partitionBy: partitionBy)
            } catch where error.code == .alreadyExists {
                // Another worker created it first: append to theirs.
            }
            return try await catalog.beginAppend(table, schema: schema)
        }
    }

    func makeProducer(path: String, format: InputFormat?) throws -> any RecordBatchProducer {
        let file = try InputFile(path: path)
        let detected = try format ?? InputFormat.detect(file)
        let badRecords = try BadRecordLog(policy: BadRecordPolicy())
        let decompressionLimit = file.compression == nil ? Int.max : maxDecompressedBytes
        switch detected {
        case .json, .ndjson:
            var options = JSONReadOptions()
            if detected == .ndjson { options.layout = .ndjson }
            options.batchRows = batchRows
            options.maxDecompressedBytes = decompressionLimit
            return JSONBatchProducer(file: file, options: options, badRecords: badRecords)
        case .csv:
            var options = CSVReadOptions()
            options.batchRows = batchRows
            options.maxDecompressedBytes = decompressionLimit
            return CSVBatchProducer(file: file, options: options, badRecords: badRecords)
        case .parquet:
            return try ParquetBatchProducer(path: path)
        case .avro:
            return try AvroBatchProducer(path: path)
        }
    }
}

/// A trusted object as a local file the readers can open: the file itself on a local store,
/// else a download into a temporary file (streamed, bounded memory) removed by `cleanup`.
struct LocalCopy {
    let path: String
    let temporary: Bool

    static func make(_ store: any ObjectStore, _ key: ObjectKey) async throws -> LocalCopy {
        if let local = store as? LocalObjectStore { return LocalCopy(path: local.path(of: key), temporary: false) }
        let source = try await store.reader(for: key)
        let path = NSTemporaryDirectory() + "lakegate-load-\(UUID().uuidString)-" + key.lastSegment
        guard let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil)
            ? FileHandle(forWritingAtPath: path) : nil)
        else { throw IngestionError(.unavailable, "cannot create a temporary file for the download", subject: key.path) }
        defer { try? handle.close() }
        do {
            try await ChunkedReader.forEachChunk(source, chunkSize: 4 << 20) { chunk in try handle.write(contentsOf: chunk) }
        } catch {
            unlink(path)
            throw error
        }
        return LocalCopy(path: path, temporary: true)
    }

    func cleanup() {
        if temporary { unlink(path) }
    }
}
