import Columnar
import Compression
import LakegateCore
import ParquetFormat

/// Writes record batches as a Parquet file to a byte sink.
///
/// Batches of any size are encoded into pages as they arrive. The pages of the current row
/// group stay in memory, compressed, until the row group reaches
/// `ParquetWriteOptions.rowGroupBytes` (or `flushRowGroup()` is called); they are then written
/// to the sink column by column. Memory is bounded by about one row group plus the open pages.
/// `close()` writes the footer; the sink is not committed or closed (a `LocalFileSink` still
/// needs `commit()`).
///
/// ```swift
/// let sink = try LocalFileSink(path: "out.parquet")
/// let writer = try ParquetFileWriter(sink: sink, schema: schema)
/// try writer.write(batch)
/// let footer = try writer.close()
/// try sink.commit()
/// ```
///
/// After an error the writer is unusable: every later call throws.
public final class ParquetFileWriter {
    /// The schema, including fields added by `addFields`.
    public private(set) var schema: Schema
    public let options: ParquetWriteOptions
    /// The sink, as it stands (for a value-type sink such as `MemoryByteSink`, read the
    /// bytes from here after `close()`).
    public private(set) var sink: any ByteSink
    /// Rows written so far, flushed or buffered.
    public private(set) var rowCount = 0
    /// The footer's length (the Thrift FileMetaData, without the length word and magic), after `close()`.
    public private(set) var footerLength: Int?
    /// Bytes written from the first magic to the last, after `close()`.
    public private(set) var fileSize: Int?
    /// The metadata of the row groups flushed so far.
    public private(set) var rowGroups: [RowGroup] = []

    private var layout: WriteSchema
    private var columns: [ColumnChunkWriter]
    private var compressor: Compressor
    private let base: Int
    private var bufferedRows = 0
    private var state = State.open

    private enum State {
        case open, closed, failed
    }

    /// Starts a file: checks that the schema can be stored and writes the leading magic.
    public init(sink: any ByteSink, schema: Schema, options: ParquetWriteOptions = ParquetWriteOptions())
        throws(ParquetError)
    {
        guard !schema.fields.isEmpty else {
            throw ParquetError(.invalidArgument, "a Parquet file needs at least one column")
        }
        guard options.rowGroupBytes > 0, options.pageBytes > 0, options.dictionaryPageBytes >= 0 else {
            throw ParquetError(.invalidArgument, "row group, page and dictionary sizes must be positive")
        }
        self.schema = schema
        self.options = options
        self.sink = sink
        layout = try WriteSchema(schema)
        columns = layout.leaves.map { ColumnChunkWriter(leaf: $0, options: options) }
        do {
            compressor = try Compressor(codec: options.codec.compressionCodec)
        } catch {
            throw ParquetError(
                .invalidArgument, "codec \(options.codec) cannot compress", underlying: String(describing: error))
        }
        base = sink.position
        try writeToSink(FileMetaData.magic)
    }

    /// Writes a batch whose columns match the schema's fields (by position and type).
    public func write(_ batch: RecordBatch) throws(ParquetError) {
        try checkOpen()
        guard batch.columns.count == schema.fields.count else {
            throw ParquetError(
                .invalidArgument, "a batch of \(batch.columns.count) columns for a schema of \(schema.fields.count)")
        }
        for (field, column) in zip(schema.fields, batch.columns) where column.type != field.type {
            throw ParquetError(.invalidArgument, "the column's type \(column.type) is not \(field.type)", column: field.name)
        }
        do {
            let inputBytesPerRow = max(1, batch.columns.reduce(0) { $0 + $1.bufferBytes } / max(1, batch.rowCount))
            var row = 0
            while row < batch.rowCount {
                let n = nextSliceRows(remaining: batch.rowCount - row, inputBytesPerRow: inputBytesPerRow)
                try writeRows(batch, row..<(row + n))
                row += n
                bufferedRows += n
                rowCount += n
                if bufferedBytes >= options.rowGroupBytes { try flushBufferedRowGroup() }
            }
        } catch {
            state = .failed
            throw error
        }
    }

    /// Writes the buffered rows as a row group now (nothing when none are buffered).
    public func flushRowGroup() throws(ParquetError) {
        try checkOpen()
        do {
            try flushBufferedRowGroup()
        } catch {
            state = .failed
            throw error
        }
    }

    /// Flushes the last row group and writes the footer. Returns the footer's metadata.
    @discardableResult
    public func close() throws(ParquetError) -> FileMetaData {
        try checkOpen()
        do {
            try flushBufferedRowGroup()
            var keyValues = schema.metadata.pairs.map { KeyValue(key: $0.key, value: $0.value) }
            keyValues += options.keyValueMetadata.pairs.map { KeyValue(key: $0.key, value: $0.value) }
            let metadata = FileMetaData(
                version: 1, schema: layout.elements, numRows: Int64(rowCount), rowGroups: rowGroups,
                keyValueMetadata: keyValues.isEmpty ? nil : keyValues, createdBy: options.createdBy,
                columnOrders: layout.leaves.map { _ in .typeDefinedOrder })
            let footer = metadata.encode()
            try writeToSink(footer)
            let length = UInt32(truncatingIfNeeded: footer.count)
            try writeToSink((0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * UInt32($0))) } + FileMetaData.magic)
            footerLength = footer.count
            fileSize = sink.position - base
            state = .closed
            return metadata
        } catch {
            state = .failed
            throw error
        }
    }

    // MARK: Internals

    private func checkOpen() throws(ParquetError) {
        switch state {
        case .open: return
        case .closed: throw ParquetError(.invalidArgument, "the writer is closed")
        case .failed: throw ParquetError(.invalidArgument, "the writer failed earlier and cannot continue")
        }
    }

    /// Bytes the current row group holds (compressed pages, open pages, dictionaries).
    private var bufferedBytes: Int { columns.reduce(0) { $0 + $1.bufferedBytes } }

    /// How many rows to encode before checking the row group's size again: what should
    /// still fit, judged by the bytes per row so far (or the input's size for the first rows).
    private func nextSliceRows(remaining: Int, inputBytesPerRow: Int) -> Int {
        let buffered = bufferedBytes
        let perRow = bufferedRows > 0 && buffered > 0 ? max(1, buffered / bufferedRows) : inputBytesPerRow
        let room = max(0, options.rowGroupBytes - buffered)
        // A floor keeps slices from shrinking to single rows as the group nears its limit.
        return min(remaining, max(64, room / perRow))
    }

    private func writeRows(_ batch: RecordBatch, _ rows: Range<Int>) throws(ParquetError) {
        for index in schema.fields.indices {
            try write(batch.columns[index], field: index, rows: rows, into: columns)
        }
    }

    /// Writes rows of one top-level field's column to the writers of its leaves.
    private func write(_ column: Column, field index: Int, rows: Range<Int>, into writers: [ColumnChunkWriter])
        throws(ParquetError)
    {
        let field = schema.fields[index]
        let leaves = layout.leafRanges[index]
        if leaves.count == 1, layout.leaves[leaves.lowerBound].isFlat {
            try writers[leaves.lowerBound].writeFlat(column, rows: rows, compressor: &compressor)
        } else {
            let shredded = try LevelShredder.shred(column, field: field, rows: rows, path: field.name)
            for (leaf, part) in zip(leaves, shredded) {
                try writers[leaf].write(part, compressor: &compressor)
            }
        }
    }

    /// Adds nullable fields after the existing ones, for inputs whose later records bring new
    /// fields. Rows already written hold nulls in them: for each row group already flushed,
    /// an all-null column chunk is written now (a chunk may sit anywhere in the file; the
    /// footer locates it), and the buffered rows get nulls too. Later batches carry the
    /// new columns.
    public func addFields(_ fields: [Field]) throws(ParquetError) {
        try checkOpen()
        guard !fields.isEmpty else { return }
        for field in fields where !field.nullable {
            throw ParquetError(.invalidArgument, "a field added to a file must be nullable", column: field.name)
        }
        do {
            let firstNew = schema.fields.count
            schema.fields += fields
            layout = try WriteSchema(schema)
            let newLeaves = layout.leafRanges[firstNew].lowerBound..<layout.leaves.count
            for (group, rowGroup) in rowGroups.enumerated() {
                // Writers for this row group's new chunks, after the (untouched) open ones.
                let writers = columns + newLeaves.map { ColumnChunkWriter(leaf: layout.leaves[$0], options: options) }
                let rows = Int(rowGroup.numRows)
                for index in firstNew..<schema.fields.count {
                    let nulls = ColumnBuilder(type: schema.fields[index].type)
                    nulls.padWithNulls(to: rows)
                    try write(nulls.finish(), field: index, rows: 0..<rows, into: writers)
                }
                for leaf in newLeaves {
                    let finished = try writers[leaf].finishChunk(compressor: &compressor)
                    let offset = sink.position - base
                    try writeToSink(finished.dictionaryPage)
                    for block in finished.pages.blocks { try writeToSink(block) }
                    let metadata = finished.placed(at: offset)
                    rowGroups[group].columns.append(ColumnChunk(fileOffset: 0, metaData: metadata))
                    rowGroups[group].totalByteSize += metadata.totalUncompressedSize
                    rowGroups[group].totalCompressedSize = (rowGroups[group].totalCompressedSize ?? 0) + metadata.totalCompressedSize
                }
            }
            let added = newLeaves.map { ColumnChunkWriter(leaf: layout.leaves[$0], options: options) }
            columns += added
            if bufferedRows > 0 {
                for index in firstNew..<schema.fields.count {
                    let nulls = ColumnBuilder(type: schema.fields[index].type)
                    nulls.padWithNulls(to: bufferedRows)
                    try write(nulls.finish(), field: index, rows: 0..<bufferedRows, into: columns)
                }
            }
        } catch {
            state = .failed
            throw error
        }
    }

    private func flushBufferedRowGroup() throws(ParquetError) {
        guard bufferedRows > 0 else { return }
        let start = sink.position - base
        var chunks: [ColumnChunk] = []
        chunks.reserveCapacity(columns.count)
        var uncompressed: Int64 = 0
        var compressed: Int64 = 0
        for column in columns {
            let finished = try column.finishChunk(compressor: &compressor)
            let offset = sink.position - base
            try writeToSink(finished.dictionaryPage)
            for block in finished.pages.blocks { try writeToSink(block) }
            let metadata = finished.placed(at: offset)
            uncompressed += metadata.totalUncompressedSize
            compressed += metadata.totalCompressedSize
            chunks.append(ColumnChunk(fileOffset: 0, metaData: metadata))
        }
        rowGroups.append(
            RowGroup(
                columns: chunks, totalByteSize: uncompressed, numRows: Int64(bufferedRows), fileOffset: Int64(start),
                totalCompressedSize: compressed, ordinal: rowGroups.count <= Int(Int16.max) ? Int16(rowGroups.count) : nil))
        bufferedRows = 0
    }

    private func writeToSink(_ bytes: [UInt8]) throws(ParquetError) {
        if bytes.isEmpty { return }
        do {
            try bytes.withUnsafeBytes { try sink.write($0) }
        } catch let error as ByteIOError {
            throw ParquetError(
                .io, "writing to the sink failed", path: error.path, underlying: error.description,
                isRetryable: error.isRetryable)
        } catch {
            throw ParquetError(.io, "writing to the sink failed", underlying: String(describing: error))
        }
    }
}

extension ParquetFileWriter {
    /// A whole file in memory: `batches` written with `options`, then closed.
    public static func bytes(
        schema: Schema, batches: [RecordBatch], options: ParquetWriteOptions = ParquetWriteOptions()
    ) throws(ParquetError) -> [UInt8] {
        let writer = try ParquetFileWriter(sink: MemoryByteSink(), schema: schema, options: options)
        for batch in batches { try writer.write(batch) }
        try writer.close()
        return (writer.sink as! MemoryByteSink).bytes
    }
}

extension Column {
    /// Bytes held by the column's buffers, children included (a size estimate for batching).
    var bufferBytes: Int {
        values.count + offsets.count * 4 + (validity?.bytes.count ?? 0) + children.reduce(0) { $0 + $1.bufferBytes }
    }
}
