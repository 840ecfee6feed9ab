import Columnar
import Compression
import LakegateCore
import ParquetFormat
import ThriftCompact

/// Reads a Parquet file, row group by row group, into Columnar record batches.
///
/// The reader fetches bytes through a `ByteRangeSource` (a local file, an object in storage,
/// memory): the footer's tail in one request when it is at most 64 KiB, then the pages of each
/// column chunk in windows of about 1 MiB as they are decoded. Types and values follow
/// pyarrow's reading of the same file.
///
/// `batches(rowGroup:columns:options:)` streams a row group in bounded batches;
/// `readRowGroup` returns it as one.
///
/// The reader holds no mutable state after `init`, so one instance may be shared between
/// threads and tasks; every `readRowGroup` or `batches` call works on its own buffers.
public final class ParquetFileReader: Sendable {
    /// The decoded footer.
    public let metadata: FileMetaData
    /// The Columnar schema: one field per top-level Parquet field, field ids from `field_id`,
    /// the file's key/value metadata (without `ARROW:schema`).
    public let schema: Schema
    public let path: String?
    public let options: ParquetReadOptions

    let source: any ByteRangeSource
    let readSchema: ReadSchema
    /// File offset where the serialized footer starts (column data must end before it).
    let footerOffset: Int
    /// Old parquet-mr versions left the dictionary page header out of the chunk size.
    let chunkSizePadding: Int

    /// Bytes fetched from the end of the file in the first request.
    static let tailRequestSize = 64 << 10

    public var rowGroupCount: Int { metadata.rowGroups.count }

    /// Rows in the file: the sum of the row groups' counts (which is what reading returns;
    /// some writers leave the footer's own `num_rows` at 0).
    public var rowCount: Int {
        metadata.rowGroups.reduce(0) { $0 &+ Int(clamping: $1.numRows) }
    }

    /// Rows in one row group.
    public func rowCount(ofRowGroup index: Int) -> Int {
        guard index >= 0, index < metadata.rowGroups.count else { return 0 }
        return Int(clamping: metadata.rowGroups[index].numRows)
    }

    public init(source: any ByteRangeSource, path: String? = nil, options: ParquetReadOptions = .init()) throws {
        self.source = source
        self.path = path
        self.options = options
        let size = source.size
        guard size >= 12 else {
            throw ParquetError(.notParquet, "a file of \(size) bytes is too small to be Parquet", path: path)
        }
        let tailLength = min(size, Self.tailRequestSize)
        let tail = try Self.read(source, (size - tailLength)..<size, path: path)
        guard tail.count == tailLength else {
            throw ParquetError(.io, "the source returned \(tail.count) bytes for \(tailLength) requested", path: path)
        }
        let trailer = Array(tail[(tailLength - 4)...])
        if trailer == Array("PARE".utf8) {
            throw ParquetError(.unsupported, "encrypted footers are not supported", path: path, offset: size - 4)
        }
        guard trailer == Array("PAR1".utf8) else {
            throw ParquetError(.notParquet, "the file does not end with the PAR1 magic", path: path, offset: size - 4)
        }
        let head = tailLength == size ? Array(tail[0..<4]) : try Self.read(source, 0..<4, path: path)
        guard head == Array("PAR1".utf8) else {
            throw ParquetError(.notParquet, "the file does not start with the PAR1 magic", path: path, offset: 0)
        }
        let footerLength = tail.withUnsafeBytes {
            Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: tailLength - 8, as: UInt32.self)))
        }
        guard footerLength <= size - 12 else {
            throw ParquetError(
                .corrupt, "footer length \(footerLength) does not fit in a file of \(size) bytes",
                path: path, offset: size - 8)
        }
        guard footerLength <= options.limits.maxFooterSize else {
            throw ParquetError(
                .limitExceeded, "footer of \(footerLength) bytes exceeds the limit of \(options.limits.maxFooterSize)",
                path: path, offset: size - 8)
        }
        let footerStart = size - 8 - footerLength
        let footer: [UInt8]
        if footerLength + 8 <= tailLength {
            footer = Array(tail[(tailLength - 8 - footerLength)..<(tailLength - 8)])
        } else {
            footer = try Self.read(source, footerStart..<(size - 8), path: path)
        }
        let limits = ThriftCompactReader.Limits(
            maxDepth: 64, maxCollectionCount: max(1024, options.limits.maxSchemaElements))
        let metadata: FileMetaData
        do {
            metadata = try FileMetaData.decode(footer, fileOffset: footerStart, limits: limits)
        } catch {
            throw ParquetError(error, path: path)
        }
        guard metadata.schema.count <= options.limits.maxSchemaElements else {
            throw ParquetError(
                .limitExceeded, "the schema has \(metadata.schema.count) elements", path: path, offset: footerStart)
        }
        let converted: ReadSchema
        do {
            converted = try SchemaConverter.convert(metadata, maxDepth: options.limits.maxNestingDepth)
        } catch {
            throw error.with(path: path, offset: footerStart)
        }
        for (index, group) in metadata.rowGroups.enumerated() {
            guard group.columns.count == converted.leaves.count else {
                throw ParquetError(
                    .corrupt,
                    "row group \(index) has \(group.columns.count) column chunks for \(converted.leaves.count) schema columns",
                    path: path, offset: footerStart)
            }
        }
        self.metadata = metadata
        self.readSchema = converted
        self.schema = converted.schema
        self.footerOffset = footerStart
        self.chunkSizePadding = Self.needsDictionaryHeaderPadding(metadata.createdBy) ? 100 : 0
    }

    /// Reads one row group whole. `columns` selects top-level fields by name, in the order
    /// given (nested fields come whole); nil reads every field. A row group whose strings or
    /// binaries take more than 2 GiB in one column cannot be one batch: read it with
    /// `batches(rowGroup:columns:options:)`.
    public func readRowGroup(_ index: Int, columns: [String]? = nil) throws -> RecordBatch {
        var reader = try batches(rowGroup: index, columns: columns, options: .whole)
        guard let batch = try reader.next() else {
            do {
                return try reader.emptyBatch()
            } catch {
                throw error.with(path: path)
            }
        }
        try reader.expectEnd()
        return batch
    }

    func selectFields(_ names: [String]?) throws(ParquetError) -> [FieldPlan] {
        guard let names else { return readSchema.fields }
        var plans: [FieldPlan] = []
        plans.reserveCapacity(names.count)
        for name in names {
            guard let position = schema.index(of: name) else {
                throw ParquetError(.invalidArgument, "no top-level column named '\(name)'", path: path)
            }
            plans.append(readSchema.fields[position])
        }
        return plans
    }

    // MARK: Column chunks

    /// The byte range of a column chunk, checked against the file.
    func chunkRange(_ chunk: ColumnChunk, leaf: LeafDescriptor) throws(ParquetError) -> (ColumnMetaData, Range<Int>) {
        guard let meta = chunk.metaData else {
            throw ParquetError(.unsupported, "column chunk without metadata", path: path, column: leaf.dottedPath)
        }
        if let external = chunk.filePath, !external.isEmpty {
            throw ParquetError(
                .unsupported, "column chunk stored in another file", path: path, column: leaf.dottedPath)
        }
        guard meta.type == leaf.physicalType else {
            throw ParquetError(
                .corrupt, "column chunk type \(meta.type) differs from the schema's \(leaf.physicalType)",
                path: path, column: leaf.dottedPath)
        }
        let start = meta.chunkStartOffset
        let length = meta.totalCompressedSize
        let (end, overflow) = start.addingReportingOverflow(length)
        guard start >= 4, length >= 0, !overflow, end <= Int64(footerOffset) else {
            throw ParquetError(
                .corrupt, "column chunk range \(start)+\(length) lies outside the data of the file",
                path: path, offset: Int(clamping: start), column: leaf.dottedPath)
        }
        let lower = Int(start)
        var upper = Int(end)
        if chunkSizePadding > 0 { upper = min(upper + chunkSizePadding, footerOffset) }
        guard upper - lower <= options.limits.maxColumnChunkSize else {
            throw ParquetError(
                .limitExceeded, "column chunk of \(upper - lower) bytes exceeds the limit",
                path: path, offset: lower, column: leaf.dottedPath)
        }
        return (meta, lower..<upper)
    }

    /// A reader of one column chunk's pages, fetching its bytes from the source as it goes.
    func chunkReader(
        _ chunk: ColumnChunk, leaf: LeafDescriptor, decompressors: inout DecompressorCache, batchShare: Double,
        recycled: ColumnChunkReader.Buffers?
    ) throws(ParquetError) -> ColumnChunkReader {
        if let meta = chunk.metaData, meta.numValues == 0 {
            // An empty chunk: nothing to read (writers leave its offsets unset).
            return ColumnChunkReader(
                leaf: leaf, metadata: meta, options: options, decompressor: nil, window: nil, recycled: recycled)
        }
        let (meta, range) = try chunkRange(chunk, leaf: leaf)
        let decompressor = try decompressors.decompressor(for: meta.codec, path: path, column: leaf.dottedPath)
        return ColumnChunkReader(
            leaf: leaf, metadata: meta, options: options, decompressor: decompressor,
            window: ChunkWindow(source: source, path: path, range: range), batchShare: batchShare, recycled: recycled)
    }

    static func read(_ source: any ByteRangeSource, _ range: Range<Int>, path: String?) throws(ParquetError) -> [UInt8] {
        do {
            return try source.read(range)
        } catch let error as ByteIOError {
            throw ParquetError(
                .io, "reading bytes \(range.lowerBound)..<\(range.upperBound) failed", path: path,
                offset: range.lowerBound, underlying: error.description, isRetryable: error.isRetryable)
        } catch {
            throw ParquetError(
                .io, "reading bytes \(range.lowerBound)..<\(range.upperBound) failed", path: path,
                offset: range.lowerBound, underlying: "\(error)")
        }
    }

    /// parquet-mr before 1.2.9 wrote chunk sizes without the dictionary page header
    /// (PARQUET-816); parquet-cpp pads such chunks by up to 100 bytes, and so do we. A
    /// `created_by` of "parquet-mr" with no version counts as old, as in parquet-cpp.
    static func needsDictionaryHeaderPadding(_ createdBy: String?) -> Bool {
        guard let createdBy else { return false }
        let words = createdBy.split(separator: " ")
        guard words.first == "parquet-mr" else { return false }
        guard words.count >= 3, words[1] == "version" else { return true }
        let version = words[2].prefix { $0.isNumber || $0 == "." }
        var parts = version.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        while parts.count < 3 { parts.append(0) }
        return (parts[0], parts[1], parts[2]) < (1, 2, 9)
    }
}

/// One decompressor per codec for the duration of a read.
struct DecompressorCache {
    private var cache: [Int32: Decompressor] = [:]

    mutating func decompressor(
        for codec: ParquetFormat.CompressionCodec, path: String?, column: String
    ) throws(ParquetError) -> Decompressor? {
        if codec == .uncompressed { return nil }
        if let existing = cache[codec.rawValue] { return existing }
        let kind: Compression.CompressionCodec
        switch codec {
        case .snappy: kind = .snappy
        case .gzip: kind = .gzip()
        case .zstd: kind = .zstd()
        case .lz4Raw: kind = .lz4Raw
        case .lz4: kind = .lz4Hadoop
        case .brotli: kind = .brotli()
        default:
            throw ParquetError(.unsupported, "compression codec \(codec)", path: path, column: column)
        }
        do {
            let made = try Decompressor(codec: kind)
            cache[codec.rawValue] = made
            return made
        } catch {
            throw ParquetError(
                .unsupported, "compression codec \(codec) is unavailable", path: path, column: column,
                underlying: error.description)
        }
    }
}

extension ParquetError {
    /// Wraps an error of the ParquetFormat layer.
    init(_ error: ParquetFormatError, path: String? = nil, column: String? = nil) {
        let code: Code =
            switch error.code {
            case .truncated: .truncated
            case .corrupt: .corrupt
            case .limitExceeded: .limitExceeded
            case .unsupported: .unsupported
            case .checksumMismatch: .checksumMismatch
            }
        self.init(code, error.message, path: path, offset: error.offset, column: error.column ?? column)
    }
}
