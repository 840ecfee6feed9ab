import Columnar
import Compression
import ParquetFormat

/// A column chunk whose pages are encoded and compressed: its dictionary page (empty when
/// it has none), then its data pages, and its metadata, whose offsets are relative to the
/// chunk's first byte until the file writer places it.
struct FinishedChunk {
    var dictionaryPage: [UInt8]
    var pages: BlockBytes
    var metadata: ColumnMetaData

    /// The metadata with its offsets moved to where the chunk starts in the file.
    func placed(at offset: Int) -> ColumnMetaData {
        var metadata = metadata
        metadata.dataPageOffset += Int64(offset)
        if let dictionary = metadata.dictionaryPageOffset { metadata.dictionaryPageOffset = dictionary + Int64(offset) }
        return metadata
    }
}

/// Writes one leaf column of the current row group: collects levels and values into the open
/// data page, closes pages at the size limit, and keeps the closed (compressed) pages until
/// the row group is flushed.
final class ColumnChunkWriter {
    let leaf: WriteLeaf
    private let encoder: any LeafValueEncoder
    private let configuredCodec: ParquetFormat.CompressionCodec
    /// The codec of the chunk being written: the configured one, unless the chunk's first
    /// page showed its values do not compress (random ids, hashes), as DuckDB also decides;
    /// then the chunk is stored uncompressed and costs no compression time.
    private var codec: ParquetFormat.CompressionCodec
    private var chunkHasPages = false
    private let pageBytes: Int
    private let v2: Bool
    private let checksums: Bool
    private let definitionWidth: Int
    private let repetitionWidth: Int

    // The open page. A flat column keeps its definition levels as bits.
    private let flatDefinition = DefinitionBits()
    private let definition = GrowableBuffer<UInt8>()
    private let repetition = GrowableBuffer<UInt8>()
    private var pageEntries = 0
    private var pageNulls = 0
    private var pageRows = 0

    // The chunk so far (closed data pages, headers included).
    private var pages = BlockBytes()
    private var uncompressedBytes = 0
    private var entries: Int64 = 0
    private var nulls: Int64 = 0
    private var dataEncodings: [Encoding] = []
    private var pageCounts: [Encoding: Int32] = [:]

    private let positions = GrowableBuffer<Int32>()
    /// The page body being assembled (levels and values), then its compressed form.
    private var body: [UInt8] = []
    private var compressed: [UInt8] = []

    /// Level entries per batch handed to the encoder (as arrow's write batch size); page and
    /// dictionary limits are checked between batches, so a page or dictionary ends at most
    /// one batch past its limit. Small pages take smaller batches.
    private let batchSize: Int

    init(leaf: WriteLeaf, options: ParquetWriteOptions) {
        self.leaf = leaf
        self.pageBytes = max(1, options.pageBytes)
        batchSize = min(1024, max(16, options.pageBytes / 8))
        v2 = options.dataPageVersion == .v2
        checksums = options.writePageChecksums
        configuredCodec = options.codec.parquetCodec
        codec = configuredCodec
        definitionWidth = LevelEncoding.bitWidth(forMaxLevel: leaf.maxDefinition)
        repetitionWidth = LevelEncoding.bitWidth(forMaxLevel: leaf.maxRepetition)
        let integers = leaf.physicalType == .int32 || leaf.physicalType == .int64
        encoder = leaf.makeEncoder(
            ValueEncoderSettings(
                dictionary: options.dictionary, dictionaryLimit: options.dictionaryPageBytes,
                deltaIntegers: integers && options.integerEncoding == .deltaBinaryPacked,
                rleBooleans: v2, truncateLength: max(1, options.statisticsTruncateLength)))
    }

    /// Bytes this chunk holds: closed pages, the open page's estimate and the dictionary.
    var bufferedBytes: Int { pages.count + encoder.estimatedPageBytes + encoder.dictionaryBytes + levelBytes }

    /// The open page's levels, at most.
    private var levelBytes: Int {
        (flatDefinition.count + definition.count * definitionWidth + repetition.count * repetitionWidth) / 8
    }

    /// Whether any level entry was written since the last chunk.
    var isEmpty: Bool { entries == 0 && pageEntries == 0 }

    // MARK: Writing levels and values

    /// Writes `rows` of a top-level primitive column: definition levels from its validity.
    func writeFlat(_ column: Column, rows: Range<Int>, compressor: inout Compressor) throws(ParquetError) {
        let optional = leaf.maxDefinition > 0
        let allNull = column.type == .null
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(rows.upperBound, start + batchSize)
            let n = end - start
            if allNull {
                flatDefinition.appendZeros(n)
                pageNulls += n
            } else if let validity = column.validity {
                positions.removeAll()
                let out = positions.appendUninitialized(n)
                var valid = 0
                validity.bytes.withUnsafeBufferPointer { bits in
                    if optional { flatDefinition.appendBits(bits, from: start, count: n) }
                    for i in start..<end where bits[i >> 3] & (1 << UInt8(i & 7)) != 0 {
                        out[valid] = Int32(truncatingIfNeeded: i)
                        valid += 1
                    }
                }
                guard optional || valid == n else {
                    throw ParquetError(.invalidArgument, "a null in a non-nullable field", column: leaf.dottedPath)
                }
                try encoder.appendPositions(column, UnsafeBufferPointer(start: positions.base, count: valid))
                pageNulls += n - valid
            } else {
                if optional { flatDefinition.appendOnes(n) }
                try encoder.appendRange(column, start..<end)
            }
            pageEntries += n
            pageRows += n
            try endOfBatch(compressor: &compressor)
            start = end
        }
    }

    /// Writes the level entries of a shredded nested leaf. Pages end only where a row starts.
    func write(_ shredded: ShreddedLeaf, compressor: inout Compressor) throws(ParquetError) {
        let count = shredded.count
        let top = UInt8(leaf.maxDefinition)
        let repeated = !shredded.repetition.isEmpty
        var entry = 0
        var position = 0
        while entry < count {
            var end = min(count, entry + batchSize)
            if repeated { while end < count && shredded.repetition[end] != 0 { end += 1 } }
            var values = 0
            var rows = 0
            shredded.definition.withUnsafeBufferPointer { levels in
                for i in entry..<end where levels[i] == top { values += 1 }
            }
            if repeated {
                shredded.repetition.withUnsafeBufferPointer { levels in
                    for i in entry..<end where levels[i] == 0 { rows += 1 }
                }
                shredded.repetition.withUnsafeBufferPointer {
                    repetition.append(contentsOf: UnsafeBufferPointer(rebasing: $0[entry..<end]))
                }
            } else {
                rows = end - entry
            }
            if leaf.maxDefinition > 0 {
                shredded.definition.withUnsafeBufferPointer {
                    definition.append(contentsOf: UnsafeBufferPointer(rebasing: $0[entry..<end]))
                }
            }
            try shredded.positions.withUnsafeBufferPointer { all throws(ParquetError) in
                try encoder.appendPositions(
                    shredded.column, UnsafeBufferPointer(rebasing: all[position..<(position + values)]))
            }
            position += values
            pageEntries += end - entry
            pageNulls += end - entry - values
            pageRows += rows
            try endOfBatch(compressor: &compressor)
            entry = end
        }
    }

    private func endOfBatch(compressor: inout Compressor) throws(ParquetError) {
        if encoder.dictionaryFull {
            try finishPage(compressor: &compressor)
            encoder.fallBack()
        } else if encoder.estimatedPageBytes + levelBytes >= pageBytes || pageEntries >= Self.maxPageEntries {
            try finishPage(compressor: &compressor)
        }
    }

    /// Entries per page at most (as parquet-cpp's row limit per page): a page of a few
    /// distinct values encodes to so few bytes that its byte budget would let it buffer
    /// millions of 4-byte dictionary indices and levels.
    static let maxPageEntries = 1 << 17

    // MARK: Pages

    /// Encodes, compresses and keeps the open data page (nothing when it is empty).
    func finishPage(compressor: inout Compressor) throws(ParquetError) {
        guard pageEntries > 0 else { return }
        guard pageEntries <= Int(Int32.max) else {
            throw ParquetError(.limitExceeded, "more than 2^31 level entries in one page", column: leaf.dottedPath)
        }
        body.removeAll(keepingCapacity: true)
        compressed.removeAll(keepingCapacity: true)
        let header: PageHeader
        if v2 {
            // Levels uncompressed, then the values, compressed on their own.
            appendLevels(repetition, width: repetitionWidth, prefixed: false, to: &body)
            let repetitionLength = body.count
            appendDefinitionLevels(prefixed: false, to: &body)
            let levelsLength = body.count
            let encoding = encoder.finishPage(into: &body)
            let valuesLength = body.count - levelsLength
            if codec != .uncompressed {
                compressed.append(contentsOf: body[0..<levelsLength])
                try compress(body, from: levelsLength, appendingTo: &compressed, compressor: &compressor)
                decideCodecOnFirstPage(encoding)
            }
            header = PageHeader(
                type: .dataPageV2, uncompressedPageSize: try size(levelsLength + valuesLength),
                compressedPageSize: try size(codec == .uncompressed ? body.count : compressed.count),
                dataPageHeaderV2: DataPageHeaderV2(
                    numValues: Int32(pageEntries), numNulls: Int32(pageNulls), numRows: Int32(pageRows),
                    encoding: encoding, definitionLevelsByteLength: Int32(levelsLength - repetitionLength),
                    repetitionLevelsByteLength: Int32(repetitionLength), isCompressed: codec != .uncompressed))
            record(encoding)
        } else {
            appendLevels(repetition, width: repetitionWidth, prefixed: true, to: &body)
            appendDefinitionLevels(prefixed: true, to: &body)
            let encoding = encoder.finishPage(into: &body)
            if codec != .uncompressed {
                try compress(body, from: 0, appendingTo: &compressed, compressor: &compressor)
                decideCodecOnFirstPage(encoding)
            }
            header = PageHeader(
                type: .dataPage, uncompressedPageSize: try size(body.count),
                compressedPageSize: try size(codec == .uncompressed ? body.count : compressed.count),
                dataPageHeader: DataPageHeader(
                    numValues: Int32(pageEntries), encoding: encoding, definitionLevelEncoding: .rle,
                    repetitionLevelEncoding: .rle))
            record(encoding)
        }
        chunkHasPages = true
        let uncompressed = Int(header.uncompressedPageSize)
        let headerLength = codec == .uncompressed ? appendPage(header, body, to: &pages) : appendPage(header, compressed, to: &pages)
        uncompressedBytes += headerLength + uncompressed
        entries += Int64(pageEntries)
        nulls += Int64(pageNulls)
        flatDefinition.removeAll()
        definition.removeAll()
        repetition.removeAll()
        pageEntries = 0
        pageNulls = 0
        pageRows = 0
    }

    /// Closes the chunk: the dictionary page first, then the data pages, and the chunk's
    /// metadata. The writer is then empty, ready for the next row group.
    func finishChunk(compressor: inout Compressor) throws(ParquetError) -> FinishedChunk {
        try finishPage(compressor: &compressor)
        let (dictionary, minMax) = encoder.finishChunk()
        var bytes: [UInt8] = []
        var uncompressed = uncompressedBytes
        var encodings: [Encoding] = []
        var encodingStats: [PageEncodingStats] = []
        if let dictionary {
            var stored: [UInt8] = []
            if codec == .uncompressed {
                stored = dictionary.bytes
            } else {
                try compress(dictionary.bytes, from: 0, appendingTo: &stored, compressor: &compressor)
            }
            guard dictionary.count <= Int(Int32.max) else {
                throw ParquetError(.limitExceeded, "dictionary too large", column: leaf.dottedPath)
            }
            let header = PageHeader(
                type: .dictionaryPage, uncompressedPageSize: try size(dictionary.bytes.count),
                compressedPageSize: try size(stored.count),
                dictionaryPageHeader: DictionaryPageHeader(numValues: Int32(dictionary.count), encoding: .plain))
            uncompressed += appendPage(header, stored, to: &bytes) + dictionary.bytes.count
            encodings.append(.plain)
            encodingStats.append(PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1))
        }
        let dataPageOffset = bytes.count
        // RLE for the levels; listed even for a required column, as pyarrow does (its V1
        // page headers name RLE as the level encoding either way).
        if !encodings.contains(.rle) { encodings.append(.rle) }
        for encoding in dataEncodings where !encodings.contains(encoding) { encodings.append(encoding) }
        let pageType: PageType = v2 ? .dataPageV2 : .dataPage
        for encoding in dataEncodings {
            encodingStats.append(PageEncodingStats(pageType: pageType, encoding: encoding, count: pageCounts[encoding] ?? 0))
        }
        let statistics =
            minMax?.statistics(nullCount: nulls, legacy: leaf.writesLegacyStatistics) ?? Statistics(nullCount: nulls)
        let metadata = ColumnMetaData(
            type: leaf.physicalType, encodings: encodings, pathInSchema: leaf.path, codec: codec,
            numValues: entries, totalUncompressedSize: Int64(uncompressed), totalCompressedSize: Int64(bytes.count + pages.count),
            dataPageOffset: Int64(dataPageOffset), dictionaryPageOffset: dictionary == nil ? nil : 0,
            statistics: statistics, encodingStats: encodingStats)
        let finished = FinishedChunk(dictionaryPage: bytes, pages: pages, metadata: metadata)
        pages = BlockBytes()
        uncompressedBytes = 0
        entries = 0
        nulls = 0
        dataEncodings = []
        pageCounts = [:]
        codec = configuredCodec
        chunkHasPages = false
        return finished
    }

    // MARK: Helpers

    /// After compressing a chunk's first data page: when compression saved under 3%, the
    /// chunk goes uncompressed from this page on (the page header is built after this call).
    /// Only plain values are judged (dictionary indices look random but later pages, after a
    /// fallback, may compress well), and only large pages (a codec's frame overhead alone can
    /// exceed 3% of a small one).
    private func decideCodecOnFirstPage(_ encoding: Encoding) {
        guard !chunkHasPages, encoding != .rleDictionary, body.count >= 16 * 1024,
            compressed.count * 100 >= body.count * 97
        else { return }
        codec = .uncompressed
    }

    private func record(_ encoding: Encoding) {
        if !dataEncodings.contains(encoding) { dataEncodings.append(encoding) }
        pageCounts[encoding, default: 0] += 1
    }

    /// Appends a page header (with the CRC of `stored` when configured) and `stored`; returns
    /// the header's length.
    private func appendPage(_ header: PageHeader, _ stored: [UInt8], to output: inout [UInt8]) -> Int {
        let headerBytes = encodeHeader(header, stored)
        output.append(contentsOf: headerBytes)
        output.append(contentsOf: stored)
        return headerBytes.count
    }

    private func appendPage(_ header: PageHeader, _ stored: [UInt8], to output: inout BlockBytes) -> Int {
        let headerBytes = encodeHeader(header, stored)
        output.append(headerBytes)
        output.append(stored)
        return headerBytes.count
    }

    private func encodeHeader(_ header: PageHeader, _ stored: [UInt8]) -> [UInt8] {
        var header = header
        if checksums { header.crc = Int32(bitPattern: CRC32.checksum(stored)) }
        return header.encode()
    }

    /// Appends a level stream: hybrid runs at `width`, behind a u32 length when `prefixed`
    /// (V1). Nothing for a level whose maximum is 0.
    private func appendLevels(_ levels: GrowableBuffer<UInt8>, width: Int, prefixed: Bool, to output: inout [UInt8]) {
        guard width > 0 else { return }
        let lengthIndex = output.count
        if prefixed { output.append(contentsOf: [0, 0, 0, 0]) }
        RLEHybridEncoder.encode(levels.buffer, bitWidth: width, appendingTo: &output)
        if prefixed { patchLength(at: lengthIndex, in: &output) }
    }

    /// The definition levels: from bits for a flat column, else like the repetition levels.
    private func appendDefinitionLevels(prefixed: Bool, to output: inout [UInt8]) {
        guard leaf.isFlat else {
            appendLevels(definition, width: definitionWidth, prefixed: prefixed, to: &output)
            return
        }
        guard definitionWidth > 0 else { return }
        let lengthIndex = output.count
        if prefixed { output.append(contentsOf: [0, 0, 0, 0]) }
        flatDefinition.encode(appendingTo: &output)
        if prefixed { patchLength(at: lengthIndex, in: &output) }
    }

    private func patchLength(at index: Int, in output: inout [UInt8]) {
        let length = UInt32(output.count - index - 4)
        for k in 0..<4 { output[index + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
    }

    /// Compresses `input[start...]`, appending to `output`.
    private func compress(
        _ input: [UInt8], from start: Int, appendingTo output: inout [UInt8], compressor: inout Compressor
    ) throws(ParquetError) {
        let result = input.withUnsafeBytes { raw in
            Result { () throws(CompressionError) in
                try compressor.compress(UnsafeRawBufferPointer(rebasing: raw[start...]), appendingTo: &output)
            }
        }
        do {
            _ = try result.get()
        } catch {
            throw ParquetError(
                .io, "compressing a page failed", column: leaf.dottedPath, underlying: String(describing: error))
        }
    }

    private func size(_ count: Int) throws(ParquetError) -> Int32 {
        guard count <= Int(Int32.max) else {
            throw ParquetError(.limitExceeded, "a page of \(count) bytes is larger than Parquet allows", column: leaf.dottedPath)
        }
        return Int32(count)
    }
}

extension ParquetWriteOptions.Codec {
    /// The codec id written in the column metadata.
    var parquetCodec: ParquetFormat.CompressionCodec {
        switch self {
        case .none: .uncompressed
        case .snappy: .snappy
        case .gzip: .gzip
        case .zstd: .zstd
        case .lz4Raw: .lz4Raw
        }
    }

    /// The compression library's codec, with its level.
    var compressionCodec: Compression.CompressionCodec {
        switch self {
        case .none: .none
        case .snappy: .snappy
        case .gzip(let level): .gzip(level: Int32(clamping: level))
        case .zstd(let level): .zstd(level: Int32(clamping: level))
        case .lz4Raw: .lz4Raw
        }
    }
}
