import Columnar
import Compression
import LakegateCore

/// Writes record batches as an Avro object container file to a byte sink.
///
/// The header (magic, metadata with `avro.schema` and `avro.codec`, sync marker) is written
/// when the writer is made. Rows are encoded as they arrive into the current block; once the
/// block's encoded bytes reach `AvroWriteOptions.blockBytes` it is compressed and written, so
/// memory is bounded by about one block. `close()` writes the last block; the sink is not
/// committed or closed (a `LocalFileSink` still needs `commit()`).
///
/// ```swift
/// let writer = try AvroFileWriter(sink: sink, schema: schema, options: .init(codec: .deflate()))
/// try writer.write(batch)
/// try writer.close()
/// ```
///
/// The schema mapping is `WriteMapping`'s (nullable fields as `["null", T]` with default null,
/// field ids as `field-id`). After an error the writer is unusable: every later call throws.
public final class AvroFileWriter {
    public let schema: Schema
    public let options: AvroWriteOptions
    /// The schema as written to the header's `avro.schema`.
    public let avroSchemaJSON: String
    /// The sink, as it stands.
    public private(set) var sink: any ByteSink
    /// Rows written so far, flushed or buffered.
    public private(set) var rowCount = 0
    /// Blocks written so far.
    public private(set) var blockCount = 0

    private let encoders: [ColumnEncoder]
    private let sync: [UInt8]
    private var compressor: Compressor
    private var block: [UInt8] = []
    private var blockRows = 0
    private var compressed: [UInt8] = []
    private var state = State.open

    private enum State {
        case open, closed, failed
    }

    /// Starts a file: maps the schema and writes the header.
    public init(sink: any ByteSink, schema: Schema, options: AvroWriteOptions = AvroWriteOptions()) throws(AvroError) {
        guard options.blockBytes > 0 else {
            throw AvroError(.invalidArgument, "blockBytes must be positive")
        }
        guard WriteMapping.isValidFullName(options.recordName) else {
            throw AvroError(.invalidArgument, "record name \(options.recordName) is not a valid Avro full name")
        }
        if let marker = options.syncMarker {
            guard marker.count == 16 else { throw AvroError(.invalidArgument, "a sync marker has 16 bytes, not \(marker.count)") }
            sync = marker
        } else {
            var generator = SystemRandomNumberGenerator()
            sync = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        for pair in options.metadata where pair.key.hasPrefix("avro.") {
            throw AvroError(.invalidArgument, "metadata key \(pair.key) is reserved for Avro")
        }
        self.schema = schema
        self.options = options
        self.sink = sink
        var mapping = WriteMapping(topName: options.recordName, icebergTypes: options.icebergTypes)
        let (avroSchema, encoders) = try mapping.map(schema, recordName: options.recordName)
        self.encoders = encoders
        avroSchemaJSON = AvroJSON.schema(avroSchema)
        do {
            compressor = try Compressor(codec: options.codec.compressionCodec)
        } catch {
            throw AvroError(.invalidArgument, "codec \(options.codec) cannot compress", underlying: "\(error)")
        }

        var metadata = KeyValueMetadata()
        metadata["avro.schema"] = avroSchemaJSON
        metadata["avro.codec"] = options.codec.name
        for pair in schema.metadata where !pair.key.hasPrefix("avro.") { metadata[pair.key] = pair.value }
        for pair in options.metadata { metadata[pair.key] = pair.value }
        var header: [UInt8] = [0x4F, 0x62, 0x6A, 0x01]
        AvroBinaryEncoder.appendLong(Int64(metadata.pairs.count), to: &header)
        for pair in metadata {
            AvroBinaryEncoder.appendString(pair.key, to: &header)
            AvroBinaryEncoder.appendString(pair.value, to: &header)
        }
        header.append(0)
        header.append(contentsOf: sync)
        try put(header)
    }

    /// Writes a batch whose columns match the schema's fields (by position and type).
    public func write(_ batch: RecordBatch) throws(AvroError) {
        try checkOpen()
        guard batch.columns.count == schema.fields.count else {
            throw AvroError(
                .invalidArgument, "a batch of \(batch.columns.count) columns for a schema of \(schema.fields.count)")
        }
        for (field, column) in zip(schema.fields, batch.columns) where column.type != field.type {
            throw AvroError(
                .invalidArgument, "a column of type \(column.type) for a field of type \(field.type)", field: field.name)
        }
        for (encoder, column) in zip(encoders, batch.columns) { encoder.bind(column) }
        do {
            for row in 0..<batch.rowCount {
                for encoder in encoders { try encoder.encode(row, &block) }
                blockRows += 1
                rowCount += 1
                if block.count >= options.blockBytes { try flush() }
            }
        } catch {
            state = .failed
            throw error
        }
    }

    /// Compresses and writes the rows buffered so far as one block (nothing when none are).
    public func flush() throws(AvroError) {
        try checkOpen()
        guard blockRows > 0 else { return }
        compressed.removeAll(keepingCapacity: true)
        let result: Result<Int, CompressionError> = block.withUnsafeBytes { raw in
            Result { () throws(CompressionError) in try compressor.compress(raw, appendingTo: &compressed) }
        }
        do {
            _ = try result.get()
        } catch {
            state = .failed
            throw AvroError(.invalidArgument, "compressing a block failed", offset: sink.position, underlying: "\(error)")
        }
        if case .snappy = options.codec {
            let crc = CRC32.checksum(block)
            withUnsafeBytes(of: crc.bigEndian) { compressed.append(contentsOf: $0) }
        }
        var head: [UInt8] = []
        AvroBinaryEncoder.appendLong(Int64(blockRows), to: &head)
        AvroBinaryEncoder.appendLong(Int64(compressed.count), to: &head)
        try put(head)
        try put(compressed)
        try put(sync)
        blockCount += 1
        blockRows = 0
        block.removeAll(keepingCapacity: true)
    }

    /// Writes the last block. Later calls to `write` throw; `close` again does nothing.
    public func close() throws(AvroError) {
        if state == .closed { return }
        try flush()
        state = .closed
    }

    private func checkOpen() throws(AvroError) {
        switch state {
        case .open: return
        case .closed: throw AvroError(.invalidArgument, "the writer is closed")
        case .failed: throw AvroError(.invalidArgument, "the writer failed earlier and cannot continue")
        }
    }

    private func put(_ bytes: [UInt8]) throws(AvroError) {
        do {
            try sink.write(bytes)
        } catch {
            state = .failed
            let retryable = (error as? ByteIOError)?.isRetryable ?? false
            throw AvroError(
                .io, "writing to the sink failed", offset: sink.position, underlying: "\(error)", isRetryable: retryable)
        }
    }
}

extension AvroFileWriter {
    /// Writes `batches` as a whole file into memory and returns its bytes.
    public static func bytes(
        schema: Schema, batches: [RecordBatch], options: AvroWriteOptions = AvroWriteOptions()
    ) throws(AvroError) -> [UInt8] {
        let sink = MemoryByteSink()
        let writer = try AvroFileWriter(sink: sink, schema: schema, options: options)
        for batch in batches { try writer.write(batch) }
        try writer.close()
        return sink.bytes
    }
}
