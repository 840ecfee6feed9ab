import Columnar
import Compression
import LakegateCore

/// Reads an Avro object container file, block by block, into Columnar record batches.
///
/// Opening reads the header (magic, metadata map with `avro.schema` and `avro.codec`, sync
/// marker) and maps the schema (see `ReadMapping`). `nextBatch()` then streams: it reads one
/// block at a time from the `ByteRangeSource` (its count, size, data and sync marker in one
/// request), checks its sizes against the limits before allocating, checks the sync marker,
/// decompresses it (null, deflate, snappy with its CRC-32, zstandard) and decodes its rows
/// straight into column buffers. Memory is bounded by one block plus one batch.
///
/// ```swift
/// let reader = try AvroFileReader(source: LocalFileSource(path: path), path: path)
/// while let batch = try reader.nextBatch() { … }
/// ```
///
/// The reader is stateful (a cursor over the file); use one per task. After an error every
/// later call throws.
public final class AvroFileReader {
    /// The Columnar schema: one field per field of the top-level record (or one field named
    /// `value` when the top-level type is not a record), metadata from the header's keys that
    /// do not start with `avro.`.
    public let schema: Schema
    /// The header's `avro.schema`, as written.
    public let avroSchemaJSON: String
    public let codec: AvroCodec
    /// Every header metadata entry, values decoded as UTF-8 (invalid sequences repaired).
    public let metadata: KeyValueMetadata
    public let path: String?
    public let options: AvroReadOptions
    /// Bytes of the header, where the first block starts.
    public let headerSize: Int
    /// Rows returned so far.
    public private(set) var rowsRead = 0

    private let source: any ByteRangeSource
    private let fileSize: Int
    private let sync: [UInt8]
    private let decoders: [ColumnDecoder]
    private let minRowSize: Int
    private let batchBytes: Int
    private var decompressor: Decompressor
    /// File offset of the next block, and the bytes already fetched from there.
    private var nextOffset: Int
    private var pending: [UInt8] = []
    /// The current block's decoded bytes (`blockRange` of `blockStorage`) and cursor.
    private var blockStorage: [UInt8] = []
    private var blockRange = 0..<0
    private var blockPosition = 0
    private var blockRowsLeft = 0
    private var blockOffset = 0
    private var blockDataOffset = 0
    private var blockIsCompressed = false
    private var failed = false

    static let magic: [UInt8] = [0x4F, 0x62, 0x6A, 0x01]

    public init(
        source: any ByteRangeSource, path: String? = nil, options: AvroReadOptions = AvroReadOptions()
    ) throws(AvroError) {
        self.source = source
        self.path = path
        self.options = options
        fileSize = source.size
        guard options.batchRows > 0, options.batchBytes > 0 else {
            throw AvroError(.invalidArgument, "batchRows and batchBytes must be positive", path: path)
        }
        batchBytes = min(options.batchBytes, 512 << 20)
        guard fileSize >= 4 else {
            throw AvroError(.notAvro, "a file of \(fileSize) bytes is too small to be Avro", path: path, offset: 0)
        }

        // The header's length is unknown until it is parsed: read a prefix, and more if needed.
        let limit = min(fileSize, options.limits.maxHeaderSize)
        var length = min(limit, 64 << 10)
        var header: Header
        while true {
            let prefix = try Self.read(source, 0..<length, path: path)
            guard Array(prefix.prefix(4)) == Self.magic else {
                throw AvroError(.notAvro, "the file does not start with the Avro magic Obj\\x01", path: path, offset: 0)
            }
            do {
                header = try Self.parseHeader(prefix)
                break
            } catch where error.code == .truncated && length < limit {
                length = min(limit, length * 4)
            } catch where error.code == .truncated && limit < fileSize {
                throw AvroError(
                    .limitExceeded, "the header is larger than the limit of \(options.limits.maxHeaderSize) bytes",
                    path: path, offset: 0)
            } catch {
                throw error.with(path: path)
            }
        }
        headerSize = header.size
        sync = header.sync
        metadata = header.metadata
        pending = header.rest

        guard let schemaBytes = header.raw["avro.schema"] else {
            throw AvroError(.invalidSchema, "the header has no avro.schema", path: path, offset: 4)
        }
        avroSchemaJSON = String(decoding: schemaBytes, as: UTF8.self)
        let codecName = header.raw["avro.codec"].map { String(decoding: $0, as: UTF8.self) } ?? "null"
        switch codecName {
        case "null": codec = .null
        case "deflate": codec = .deflate()
        case "snappy": codec = .snappy
        case "zstandard": codec = .zstandard()
        default:
            throw AvroError(
                .unsupported, "codec \(codecName) is not supported (null, deflate, snappy, zstandard are)",
                path: path, offset: 4)
        }
        do {
            decompressor = try Decompressor(codec: codec.compressionCodec)
        } catch {
            throw AvroError(.unsupported, "codec \(codecName) is unavailable", path: path, underlying: "\(error)")
        }

        let fields: [Field]
        do {
            let avro = try AvroSchemaParser.parse(
                schemaBytes, maxDepth: options.limits.maxSchemaDepth, maxNodes: options.limits.maxSchemaNodes)
            (fields, decoders) = try ReadMapping(maxZeroSizeItems: options.limits.maxZeroSizeItems).map(avro)
        } catch {
            throw error.with(path: path, offset: 4)
        }
        schema = Schema(fields, metadata: KeyValueMetadata(metadata.pairs.filter { !$0.key.hasPrefix("avro.") }))
        minRowSize = decoders.reduce(0) { $0 &+ $1.minSize }
        let rowNullWidth = decoders.reduce(0) { min($0 &+ $1.nullWidth, Int.max / 2) }
        guard rowNullWidth <= batchBytes else {
            throw AvroError(
                .limitExceeded, "one row of this schema can take \(rowNullWidth) bytes, over the batch limit of \(batchBytes)",
                path: path, offset: 4)
        }
        nextOffset = headerSize
    }

    /// The next batch of at most `options.batchRows` rows, or nil at the end of the file.
    public func nextBatch() throws(AvroError) -> RecordBatch? {
        guard !failed else { throw AvroError(.invalidArgument, "the reader failed earlier and cannot continue", path: path) }
        do throws(AvroError) {
            var rows = 0
            var budget = batchBytes
            while rows < options.batchRows && budget > 0 {
                if blockRowsLeft == 0 {
                    guard try loadNextBlock() else { break }
                    continue
                }
                try decodeRows(min(options.batchRows - rows, blockRowsLeft), rows: &rows, budget: &budget)
            }
            guard rows > 0 else { return nil }
            rowsRead += rows
            if decoders.isEmpty { return RecordBatch(emptySchemaRows: rows) }
            do {
                return try RecordBatch(schema: schema, columns: decoders.map { $0.finish() })
            } catch {
                throw AvroError(.corrupt, "decoded columns do not form a batch", path: path, underlying: "\(error)")
            }
        } catch {
            failed = true
            throw error
        }
    }

    /// Every remaining batch.
    public func readAll() throws(AvroError) -> [RecordBatch] {
        var batches: [RecordBatch] = []
        while let batch = try nextBatch() { batches.append(batch) }
        return batches
    }

    // MARK: - Blocks

    /// Reads, checks and decompresses the next block; false at the end of the file.
    private func loadNextBlock() throws(AvroError) -> Bool {
        if blockIsCompressed || !blockStorage.isEmpty {
            // The block just decoded must have used all of its bytes.
            guard blockPosition == blockRange.count else {
                throw AvroError(
                    .corrupt, "the block's rows end \(blockRange.count - blockPosition) bytes before its data does",
                    path: path, offset: blockOffset)
            }
            blockStorage = []
            blockRange = 0..<0
            blockPosition = 0
        }
        guard nextOffset < fileSize else { return false }
        blockOffset = nextOffset
        let headBytes = min(20, fileSize - nextOffset)
        if pending.count < headBytes {
            pending = try Self.read(source, nextOffset..<(nextOffset + headBytes), path: path)
        }
        let (count, size, headLength) = try pending.withUnsafeBytes { (raw) -> Result<(Int64, Int64, Int), AvroError> in
            var r = AvroBinaryDecoder(raw)
            do throws(AvroError) {
                let count = try r.readLong()
                let size = try r.readLong()
                return .success((count, size, r.position))
            } catch {
                return .failure(error)
            }
        }.mapError { $0.relocated(by: blockOffset, path: path) }.get()
        guard count >= 0 else {
            throw AvroError(.corrupt, "negative block count \(count)", path: path, offset: blockOffset)
        }
        guard count <= Int64(options.limits.maxBlockRows) else {
            throw AvroError(
                .limitExceeded, "a block of \(count) rows exceeds the limit of \(options.limits.maxBlockRows)",
                path: path, offset: blockOffset)
        }
        guard size >= 0 else {
            throw AvroError(.corrupt, "negative block size \(size)", path: path, offset: blockOffset)
        }
        guard size <= Int64(options.limits.maxBlockSize) else {
            throw AvroError(
                .limitExceeded, "a block of \(size) bytes exceeds the limit of \(options.limits.maxBlockSize)",
                path: path, offset: blockOffset)
        }
        let dataStart = blockOffset + headLength
        let dataEnd = dataStart + Int(size)
        guard dataEnd + 16 <= fileSize else {
            throw AvroError(
                .truncated, "a block of \(size) bytes and its sync marker run past the end of the file",
                path: path, offset: blockOffset)
        }
        // The data, the sync marker and the start of the next block's header, in one request.
        let fetchEnd = min(fileSize, dataEnd + 16 + 20)
        var fetched = try Self.read(source, dataStart..<fetchEnd, path: path)
        let dataCount = Int(size)
        guard fetched[dataCount..<(dataCount + 16)].elementsEqual(sync) else {
            throw AvroError(.corrupt, "the sync marker after a block does not match the header's", path: path, offset: dataEnd)
        }
        nextOffset = dataEnd + 16
        pending = Array(fetched[(dataCount + 16)...])
        blockDataOffset = dataStart

        switch codec {
        case .null:
            fetched.removeLast(fetched.count - dataCount)
            blockStorage = fetched
            blockIsCompressed = false
        default:
            blockStorage = try decompress(fetched, count: dataCount)
            blockIsCompressed = true
        }
        blockRange = 0..<blockStorage.count
        blockPosition = 0
        if minRowSize > 0, count > Int64(blockStorage.count / minRowSize) {
            throw AvroError(
                .corrupt, "a block declares \(count) rows but holds only \(blockStorage.count) bytes",
                path: path, offset: blockOffset)
        }
        blockRowsLeft = Int(count)
        if count == 0, !blockStorage.isEmpty {
            throw AvroError(.corrupt, "a block of 0 rows holds \(blockStorage.count) bytes", path: path, offset: blockOffset)
        }
        return true
    }

    private func decompress(_ fetched: [UInt8], count: Int) throws(AvroError) -> [UInt8] {
        let maxOutput = options.limits.maxUncompressedBlockSize
        let result: Result<[UInt8], AvroError> = fetched.withUnsafeBytes { raw in
            var data = UnsafeRawBufferPointer(rebasing: raw[0..<count])
            var expectedCRC: UInt32?
            if case .snappy = codec {
                guard count >= 4 else {
                    return .failure(
                        AvroError(.corrupt, "a snappy block of \(count) bytes has no CRC-32", path: path, offset: blockOffset))
                }
                expectedCRC = UInt32(data[count - 4]) << 24 | UInt32(data[count - 3]) << 16
                    | UInt32(data[count - 2]) << 8 | UInt32(data[count - 1])
                data = UnsafeRawBufferPointer(rebasing: data[0..<(count - 4)])
            }
            var output: [UInt8]
            do throws(CompressionError) {
                do throws(CompressionError) {
                    output = try decompressor.decompress(data, maxOutput: maxOutput)
                } catch where error.code == .corrupt {
                    // fastavro ends each deflate block with 3 stray bytes (what is left of
                    // zlib's Adler-32 once it slices the zlib framing off), and Java's and
                    // Python's inflaters ignore bytes after the end of the stream. The
                    // Compression module rejects them, saying how many there are: retry
                    // without them.
                    guard case .deflate = codec, let extra = error.trailingBytes, extra > 0, extra < data.count else {
                        throw error
                    }
                    output = try decompressor.decompress(
                        UnsafeRawBufferPointer(rebasing: data[0..<(data.count - extra)]), maxOutput: maxOutput)
                }
            } catch {
                let code: AvroError.Code = error.code == .limitExceeded ? .limitExceeded : .corrupt
                let reason = code == .limitExceeded
                    ? "a \(codec.name) block inflates past the limit of \(maxOutput) bytes"
                    : "a \(codec.name) block does not decompress"
                return .failure(AvroError(code, reason, path: path, offset: blockOffset, underlying: "\(error)"))
            }
            if let expectedCRC, options.verifyChecksums {
                let actual = CRC32.checksum(output)
                guard actual == expectedCRC else {
                    return .failure(AvroError(
                        .checksumMismatch, "a snappy block's CRC-32 does not match its uncompressed bytes",
                        path: path, offset: blockOffset))
                }
            }
            return .success(output)
        }
        return try result.get()
    }

    /// Decodes `n` rows of the current block into the column decoders (fewer when the batch's
    /// byte budget runs out).
    private func decodeRows(_ n: Int, rows: inout Int, budget: inout Int) throws(AvroError) {
        let decoders = self.decoders
        let floor = -batchBytes
        let range = blockRange
        let start = blockPosition
        let result: Result<(Int, Int, Int), AvroError> = blockStorage.withUnsafeBytes { raw in
            var r = AvroBinaryDecoder(UnsafeRawBufferPointer(rebasing: raw[range]), position: start)
            r.budget = budget
            r.budgetFloor = floor
            var done = 0
            do throws(AvroError) {
                while done < n {
                    for decoder in decoders { try decoder.decode(&r) }
                    r.budget &-= 1
                    done += 1
                    if r.budget < floor {
                        throw AvroError(.limitExceeded, "one row needs more memory than the batch limit allows")
                    }
                    if r.budget <= 0 { break }
                }
            } catch {
                return .failure(error)
            }
            return .success((done, r.position, r.budget))
        }
        let (done, position, left): (Int, Int, Int)
        do {
            (done, position, left) = try result.get()
        } catch {
            throw relocate(error)
        }
        rows += done
        blockRowsLeft -= done
        blockPosition = position
        budget = left
    }

    /// An error whose offset is relative to the block's decoded bytes, made a file offset.
    private func relocate(_ error: AvroError) -> AvroError {
        var copy = error
        if blockIsCompressed {
            if let offset = error.offset { copy.reason += " (byte \(offset) of the decompressed block)" }
            copy.offset = blockOffset
        } else {
            copy.offset = blockDataOffset + (error.offset ?? 0)
        }
        copy.path = copy.path ?? path
        return copy
    }

    // MARK: - Header

    private struct Header {
        var metadata: KeyValueMetadata
        var raw: [String: [UInt8]]
        var sync: [UInt8]
        var size: Int
        /// Bytes of the prefix after the header (the start of the first block).
        var rest: [UInt8]
    }

    private static func parseHeader(_ bytes: [UInt8]) throws(AvroError) -> Header {
        let result: Result<Header, AvroError> = bytes.withUnsafeBytes { raw in
            do throws(AvroError) {
                var r = AvroBinaryDecoder(raw, position: 4)
                // Keys in the order first seen; a repeated key keeps its last value.
                var keys: [String] = []
                var rawValues: [String: [UInt8]] = [:]
                while true {
                    let (count, _) = try r.readBlockHeader(minItemSize: 2, maxZeroSizeItems: 0)
                    if count == 0 { break }
                    for _ in 0..<count {
                        let key = String(decoding: try r.readBytes(), as: UTF8.self)
                        let value = Array(try r.readBytes())
                        if rawValues.updateValue(value, forKey: key) == nil { keys.append(key) }
                    }
                }
                let metadata = KeyValueMetadata(keys.map { (key: $0, value: String(decoding: rawValues[$0]!, as: UTF8.self)) })
                let sync = Array(try r.readFixed(16))
                return .success(
                    Header(metadata: metadata, raw: rawValues, sync: sync, size: r.position, rest: Array(raw[r.position...])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func read(_ source: any ByteRangeSource, _ range: Range<Int>, path: String?) throws(AvroError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try source.read(range)
        } catch {
            let retryable = (error as? ByteIOError)?.isRetryable ?? false
            throw AvroError(
                .io, "reading \(range.count) bytes failed", path: path, offset: range.lowerBound, underlying: "\(error)",
                isRetryable: retryable)
        }
        guard bytes.count == range.count else {
            throw AvroError(
                .io, "the source returned \(bytes.count) bytes for \(range.count) requested", path: path,
                offset: range.lowerBound)
        }
        return bytes
    }
}

extension AvroError {
    /// The error with its offset moved by `base` (from relative to absolute).
    func relocated(by base: Int, path: String?) -> AvroError {
        var copy = self
        copy.offset = base + (offset ?? 0)
        if copy.path == nil { copy.path = path }
        return copy
    }
}
