import Columnar
import Compression
import ParquetFormat

/// A column chunk whose pages are encoded and compressed: its dictionary page (empty when
/// it has none), then its data pages, and its metadata, whose offsets are relative to the
/// chunk's first byte until the file writer places it.
struct FinishedChunk {
    var dictionaryPage: [UInt8]
    var pages: [UInt8]
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
    private let codec: ParquetFormat.CompressionCodec
    private let pageBytes: Int
    private let v2: Bool
    private let checksums: Bool
    private let definitionWidth: Int
    private let repetitionWidth: Int

    // The open page.
    private var definition: [UInt8] = []
    private var repetition: [UInt8] = []
    private var pageEntries = 0
    private var pageNulls = 0
    private var pageRows = 0

    // The chunk so far (closed data pages, headers included).
    private var pages: [UInt8] = []
    private var uncompressedBytes = 0
    private var entries: Int64 = 0
    private var nulls: Int64 = 0
    private var dataEncodings: [Encoding] = []
    private var pageCounts: [Encoding: Int32] = [:]

    private var positions: [Int32] = []
    private var scratch: [UInt8] = []

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
        codec = options.codec.parquetCodec
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
    var bufferedBytes: Int {
        pages.count + encoder.estimatedPageBytes + encoder.dictionaryBytes
            + (definition.count * definitionWidth + repetition.count * repetitionWidth) / 8
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
                definition.append(contentsOf: repeatElement(0, count: n))
                pageNulls += n
            } else if let validity = column.validity {
                positions.removeAll(keepingCapacity: true)
                validity.bytes.withUnsafeBufferPointer { bits in
                    for i in start..<end {
                        let valid = bits[i >> 3] & (1 << UInt8(i & 7)) != 0
                        if valid { positions.append(Int32(truncatingIfNeeded: i)) }
                        if optional { definition.append(valid ? 1 : 0) }
                    }
                }
                guard optional || positions.count == n else {
                    throw ParquetError(.invalidArgument, "a null in a non-nullable field", column: leaf.dottedPath)
                }
                try positions.withUnsafeBufferPointer { buffer throws(ParquetError) in try encoder.appendPositions(column, buffer) }
                pageNulls += n - positions.count
            } else {
                if optional { definition.append(contentsOf: repeatElement(1, count: n)) }
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
                repetition.append(contentsOf: shredded.repetition[entry..<end])
            } else {
                rows = end - entry
            }
            if leaf.maxDefinition > 0 { definition.append(contentsOf: shredded.definition[entry..<end]) }
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
        } else if encoder.estimatedPageBytes + (definition.count * definitionWidth + repetition.count * repetitionWidth) / 8
            >= pageBytes
        {
            try finishPage(compressor: &compressor)
        }
    }

    // MARK: Pages

    /// Encodes, compresses and keeps the open data page (nothing when it is empty).
    func finishPage(compressor: inout Compressor) throws(ParquetError) {
        guard pageEntries > 0 else { return }
        guard pageEntries <= Int(Int32.max) else {
            throw ParquetError(.limitExceeded, "more than 2^31 level entries in one page", column: leaf.dottedPath)
        }
        let (encoding, values) = encoder.finishPage()
        var stored: [UInt8] = []
        let header: PageHeader
        if v2 {
            appendLevels(repetition, width: repetitionWidth, prefixed: false, to: &stored)
            let repetitionLength = stored.count
            appendLevels(definition, width: definitionWidth, prefixed: false, to: &stored)
            let definitionLength = stored.count - repetitionLength
            let uncompressed = stored.count + values.count
            try compress(values, appendingTo: &stored, compressor: &compressor)
            header = PageHeader(
                type: .dataPageV2, uncompressedPageSize: try size(uncompressed), compressedPageSize: try size(stored.count),
                dataPageHeaderV2: DataPageHeaderV2(
                    numValues: Int32(pageEntries), numNulls: Int32(pageNulls), numRows: Int32(pageRows),
                    encoding: encoding, definitionLevelsByteLength: Int32(definitionLength),
                    repetitionLevelsByteLength: Int32(repetitionLength), isCompressed: codec != .uncompressed))
        } else {
            scratch.removeAll(keepingCapacity: true)
            appendLevels(repetition, width: repetitionWidth, prefixed: true, to: &scratch)
            appendLevels(definition, width: definitionWidth, prefixed: true, to: &scratch)
            scratch.append(contentsOf: values)
            try compress(scratch, appendingTo: &stored, compressor: &compressor)
            header = PageHeader(
                type: .dataPage, uncompressedPageSize: try size(scratch.count), compressedPageSize: try size(stored.count),
                dataPageHeader: DataPageHeader(
                    numValues: Int32(pageEntries), encoding: encoding, definitionLevelEncoding: .rle,
                    repetitionLevelEncoding: .rle))
        }
        let uncompressed = Int(header.uncompressedPageSize)
        let written = appendPage(header, stored, to: &pages)
        uncompressedBytes += written.header + uncompressed
        if !dataEncodings.contains(encoding) { dataEncodings.append(encoding) }
        pageCounts[encoding, default: 0] += 1
        entries += Int64(pageEntries)
        nulls += Int64(pageNulls)
        definition.removeAll(keepingCapacity: true)
        repetition.removeAll(keepingCapacity: true)
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
            try compress(dictionary.bytes, appendingTo: &stored, compressor: &compressor)
            guard dictionary.count <= Int(Int32.max) else {
                throw ParquetError(.limitExceeded, "dictionary too large", column: leaf.dottedPath)
            }
            let header = PageHeader(
                type: .dictionaryPage, uncompressedPageSize: try size(dictionary.bytes.count),
                compressedPageSize: try size(stored.count),
                dictionaryPageHeader: DictionaryPageHeader(numValues: Int32(dictionary.count), encoding: .plain))
            let written = appendPage(header, stored, to: &bytes)
            uncompressed += written.header + dictionary.bytes.count
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
        pages = []
        uncompressedBytes = 0
        entries = 0
        nulls = 0
        dataEncodings = []
        pageCounts = [:]
        return finished
    }

    // MARK: Helpers

    /// Appends a page header (with the CRC of `stored` when configured) and `stored`.
    private func appendPage(_ header: PageHeader, _ stored: [UInt8], to output: inout [UInt8]) -> (header: Int, body: Int) {
        var header = header
        if checksums { header.crc = Int32(bitPattern: CRC32.checksum(stored)) }
        let headerBytes = header.encode()
        output.append(contentsOf: headerBytes)
        output.append(contentsOf: stored)
        return (headerBytes.count, stored.count)
    }

    /// Appends a level stream: hybrid runs at `width`, behind a u32 length when `prefixed`
    /// (V1). Nothing for a level whose maximum is 0.
    private func appendLevels(_ levels: [UInt8], width: Int, prefixed: Bool, to output: inout [UInt8]) {
        guard width > 0 else { return }
        let lengthIndex = output.count
        if prefixed { output.append(contentsOf: [0, 0, 0, 0]) }
        levels.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, appendingTo: &output) }
        if prefixed {
            let length = UInt32(output.count - lengthIndex - 4)
            for k in 0..<4 { output[lengthIndex + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
        }
    }

    private func compress(_ input: [UInt8], appendingTo output: inout [UInt8], compressor: inout Compressor) throws(ParquetError) {
        if codec == .uncompressed {
            output.append(contentsOf: input)
            return
        }
        let result = input.withUnsafeBytes { bytes in
            Result { () throws(CompressionError) in try compressor.compress(bytes, appendingTo: &output) }
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
