import Columnar
import Compression
import ParquetFormat

// One column chunk, from its bytes to level streams and dense values (LeafData):
// page headers, CRCs, decompression, levels, value encodings, dictionary gathers, and the
// conversion of physical values to the leaf's Columnar representation.

/// A dictionary page's values, already converted to the leaf's Columnar representation.
struct DictionaryValues {
    var count: Int
    /// Fixed-width values (`count * width` bytes), or the bytes of byte arrays.
    var values: [UInt8]
    /// Byte-array offsets (`count + 1`), empty for fixed-width values.
    var offsets: [Int32]
}

/// Where decoded values go: dense values in the leaf's Columnar representation.
struct ValueSink {
    /// Fixed-width values, or the concatenated bytes of byte arrays.
    var values: GrowableArray<UInt8>
    /// End offsets of byte arrays (with a leading 0); unused for fixed-width values.
    var offsets: GrowableArray<Int32>

    init(valueCapacity: Int, offsetCapacity: Int, byteArrays: Bool) {
        values = GrowableArray(capacity: valueCapacity)
        offsets = GrowableArray(capacity: byteArrays ? offsetCapacity + 1 : 0)
        if byteArrays { offsets.append(0) }
    }
}

struct ColumnChunkReader {
    let leaf: LeafDescriptor
    let metadata: ColumnMetaData
    let options: ParquetReadOptions
    var decompressor: Decompressor?

    private var definitionLevels = GrowableArray<UInt8>()
    private var repetitionLevels = GrowableArray<UInt8>()
    private var sink: ValueSink
    private var levelCount = 0
    private var valueCount = 0
    private var dictionary: DictionaryValues?
    private var sawDataPage = false
    /// Reused buffers: a decompressed page, dictionary indices.
    private var pageBuffer: [UInt8] = []
    private var indexBuffer: [Int32] = []

    /// Initial capacities are guesses from the (untrusted) metadata, capped; buffers grow
    /// as pages are decoded.
    private static let maxInitialEntries = 1 << 24
    private static let maxInitialBytes = 64 << 20

    init(leaf: LeafDescriptor, metadata: ColumnMetaData, options: ParquetReadOptions, decompressor: Decompressor?) {
        self.leaf = leaf
        self.metadata = metadata
        self.options = options
        self.decompressor = decompressor
        let entries = min(Int(clamping: metadata.numValues), Self.maxInitialEntries)
        if leaf.maxDefinitionLevel > 0 { definitionLevels = GrowableArray(capacity: entries) }
        if leaf.maxRepetitionLevel > 0 { repetitionLevels = GrowableArray(capacity: entries) }
        let width = leaf.conversion.outputWidth
        let byteArrays = leaf.conversion == .byteArray
        let valueBytes =
            byteArrays
            ? min(Int(clamping: metadata.totalUncompressedSize), Self.maxInitialBytes)
            : min(entries, Self.maxInitialBytes / max(width, 1)) * width
        sink = ValueSink(valueCapacity: valueBytes, offsetCapacity: byteArrays ? entries : 0, byteArrays: byteArrays)
    }

    /// Decodes every page of the chunk whose bytes are `bytes` (starting at `fileOffset`).
    mutating func read(_ bytes: [UInt8], fileOffset: Int) throws(ParquetError) -> LeafData {
        let expected = Int(clamping: metadata.numValues)
        do {
            try bytes.withUnsafeBytes { raw in try readPages(raw, fileOffset: fileOffset, expected: expected) }
        } catch {
            throw Self.mapError(error, offset: fileOffset)
        }
        var data = LeafData()
        data.levelCount = levelCount
        data.valueCount = valueCount
        data.definitionLevels = definitionLevels.finish()
        data.repetitionLevels = repetitionLevels.finish()
        data.values = sink.values.finish()
        if leaf.conversion == .byteArray { data.offsets = sink.offsets.finish() }
        try Self.validateRepetition(leaf, data)
        return data
    }

    private mutating func readPages(_ raw: UnsafeRawBufferPointer, fileOffset: Int, expected: Int) throws(ParquetError) {
        var position = 0
        while position < raw.count && levelCount < expected {
            let pageStart = position
            let header: PageHeader
            let headerLength: Int
            do throws(ParquetFormatError) {
                (header, headerLength) = try PageHeader.decode(
                    from: UnsafeRawBufferPointer(rebasing: raw[position...]), fileOffset: fileOffset + position)
            } catch {
                throw ParquetError(error).with(offset: fileOffset + position)
            }
            position += headerLength
            let compressedSize = Int(header.compressedPageSize)
            let uncompressedSize = Int(header.uncompressedPageSize)
            guard compressedSize <= raw.count - position else {
                throw ParquetError(
                    .truncated, "page of \(compressedSize) bytes runs past the end of the column chunk",
                    offset: fileOffset + pageStart)
            }
            guard compressedSize <= options.limits.maxPageSize, uncompressedSize <= options.limits.maxPageSize else {
                throw ParquetError(
                    .limitExceeded, "page of \(max(compressedSize, uncompressedSize)) bytes exceeds the limit",
                    offset: fileOffset + pageStart)
            }
            let body = UnsafeRawBufferPointer(rebasing: raw[position..<(position + compressedSize)])
            if options.verifyChecksums, let crc = header.crc {
                guard CRC32.checksum(body) == UInt32(bitPattern: crc) else {
                    throw ParquetError(
                        .checksumMismatch, "page CRC-32 does not match its bytes", offset: fileOffset + pageStart)
                }
            }
            do {
                switch header.type {
                case .dictionaryPage: try readDictionaryPage(header, body)
                case .dataPage: try readDataPageV1(header, body)
                case .dataPageV2: try readDataPageV2(header, body)
                default: break  // index pages and page kinds added later are skipped
                }
            } catch {
                throw Self.mapError(error, offset: fileOffset + pageStart)
            }
            position += compressedSize
        }
    }

    static func mapError(_ error: any Error, offset: Int) -> ParquetError {
        switch error {
        case let error as ParquetError:
            return error.with(offset: offset)
        case let error as ParquetFormatError:
            // Offsets of the encodings are relative to the buffer they were given: report the page.
            var mapped = ParquetError(error)
            mapped.offset = offset
            return mapped
        case let error as CompressionError:
            let code: ParquetError.Code = error.code == .limitExceeded ? .limitExceeded : .corrupt
            return ParquetError(code, "page does not decompress", offset: offset, underlying: error.description)
        default:
            return ParquetError(.corrupt, "page does not decode", offset: offset, underlying: "\(error)")
        }
    }

    // MARK: Pages

    private mutating func readDictionaryPage(_ header: PageHeader, _ body: UnsafeRawBufferPointer) throws {
        guard dictionary == nil else { throw ParquetError(.corrupt, "a second dictionary page") }
        guard !sawDataPage else { throw ParquetError(.corrupt, "a dictionary page after data pages") }
        guard let dictionaryHeader = header.dictionaryPageHeader else {
            throw ParquetError(.corrupt, "dictionary page without a dictionary page header")
        }
        let count = Int(dictionaryHeader.numValues)
        guard count >= 0 else { throw ParquetError(.corrupt, "negative dictionary size") }
        guard count <= options.limits.maxDictionarySize,
            Int(header.uncompressedPageSize) <= options.limits.maxDictionarySize
        else {
            throw ParquetError(.limitExceeded, "dictionary of \(count) entries exceeds the limit")
        }
        guard dictionaryHeader.encoding == .plain || dictionaryHeader.encoding == .plainDictionary else {
            throw ParquetError(.unsupported, "dictionary page encoding \(dictionaryHeader.encoding)")
        }
        var page = pageBuffer
        pageBuffer = []
        defer { pageBuffer = page }
        let bytes = try decompressWhole(body, uncompressedSize: Int(header.uncompressedPageSize), into: &page)
        let byteArrays = leaf.conversion == .byteArray
        var values = ValueSink(valueCapacity: 0, offsetCapacity: 0, byteArrays: byteArrays)
        if leaf.conversion != .null {
            try Self.withBytes(bytes, page) { section in
                // Every value takes at least one byte (one bit for booleans): check before allocating.
                let minimum = leaf.physicalType == .boolean ? (count + 7) / 8 : count
                guard minimum <= section.count else {
                    throw ParquetError(.truncated, "dictionary of \(count) values in \(section.count) bytes")
                }
                try Self.decodePlain(section, count: count, leaf: leaf, into: &values)
            }
        }
        dictionary = DictionaryValues(
            count: count, values: values.values.finish(), offsets: byteArrays ? values.offsets.finish() : [])
    }

    /// The page body decompressed (or the body itself when the chunk is uncompressed).
    private enum PageBytes {
        case body(UnsafeRawBufferPointer)
        case buffer(Int)
    }

    private mutating func decompressWhole(
        _ body: UnsafeRawBufferPointer, uncompressedSize: Int, into page: inout [UInt8]
    ) throws -> PageBytes {
        guard var decompressor else { return .body(body) }
        guard uncompressedSize >= 0 else { throw ParquetError(.corrupt, "negative uncompressed page size") }
        if page.count < uncompressedSize {
            // Uninitialized: the decompressor writes every byte that is read afterwards, and a
            // page whose data falls short fails without touching the rest.
            page = [UInt8](unsafeUninitializedCapacity: uncompressedSize) { _, count in count = uncompressedSize }
        }
        try page.withUnsafeMutableBytes { out in
            try decompressor.decompress(body, uncompressedSize: uncompressedSize, into: out)
        }
        self.decompressor = decompressor
        return .buffer(uncompressedSize)
    }

    private static func withBytes<R>(
        _ bytes: PageBytes, _ page: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        switch bytes {
        case .body(let raw): return try body(raw)
        case .buffer(let count):
            return try page.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    private mutating func readDataPageV1(_ header: PageHeader, _ body: UnsafeRawBufferPointer) throws {
        guard let pageHeader = header.dataPageHeader else {
            throw ParquetError(.corrupt, "data page without a data page header")
        }
        sawDataPage = true
        let count = Int(pageHeader.numValues)
        try checkPageCount(count)
        var page = pageBuffer
        pageBuffer = []
        defer { pageBuffer = page }
        let bytes = try decompressWhole(body, uncompressedSize: Int(header.uncompressedPageSize), into: &page)
        try Self.withBytes(bytes, page) { section in
            var cursor = 0
            if leaf.maxRepetitionLevel > 0 {
                cursor += try Self.decodeLevelsV1(
                    UnsafeRawBufferPointer(rebasing: section[cursor...]), encoding: pageHeader.repetitionLevelEncoding,
                    maxLevel: leaf.maxRepetitionLevel, count: count, into: &repetitionLevels)
            }
            if leaf.maxDefinitionLevel > 0 {
                cursor += try Self.decodeLevelsV1(
                    UnsafeRawBufferPointer(rebasing: section[cursor...]), encoding: pageHeader.definitionLevelEncoding,
                    maxLevel: leaf.maxDefinitionLevel, count: count, into: &definitionLevels)
            }
            let present = try checkLevels(count)
            try decodeValues(
                UnsafeRawBufferPointer(rebasing: section[cursor...]), encoding: pageHeader.encoding, count: present)
            levelCount += count
        }
    }

    private mutating func readDataPageV2(_ header: PageHeader, _ body: UnsafeRawBufferPointer) throws {
        guard let pageHeader = header.dataPageHeaderV2 else {
            throw ParquetError(.corrupt, "data page v2 without its header")
        }
        sawDataPage = true
        let count = Int(pageHeader.numValues)
        try checkPageCount(count)
        let repLength = Int(pageHeader.repetitionLevelsByteLength)
        let defLength = Int(pageHeader.definitionLevelsByteLength)
        guard repLength >= 0, defLength >= 0, repLength <= body.count, defLength <= body.count - repLength else {
            throw ParquetError(.corrupt, "level lengths \(repLength) and \(defLength) exceed the page of \(body.count) bytes")
        }
        if leaf.maxRepetitionLevel > 0 {
            try Self.decodeRLELevels(
                UnsafeRawBufferPointer(rebasing: body[0..<repLength]), maxLevel: leaf.maxRepetitionLevel,
                count: count, into: &repetitionLevels)
        }
        if leaf.maxDefinitionLevel > 0 {
            try Self.decodeRLELevels(
                UnsafeRawBufferPointer(rebasing: body[repLength..<(repLength + defLength)]),
                maxLevel: leaf.maxDefinitionLevel, count: count, into: &definitionLevels)
        }
        let present = try checkLevels(count)
        let valuesSection = UnsafeRawBufferPointer(rebasing: body[(repLength + defLength)...])
        if pageHeader.isCompressed && decompressor != nil && !valuesSection.isEmpty {
            let uncompressed = Int(header.uncompressedPageSize) - repLength - defLength
            guard uncompressed >= 0 else {
                throw ParquetError(.corrupt, "uncompressed page size smaller than its level streams")
            }
            var page = pageBuffer
            pageBuffer = []
            defer { pageBuffer = page }
            let bytes = try decompressWhole(valuesSection, uncompressedSize: uncompressed, into: &page)
            try Self.withBytes(bytes, page) { section in
                try decodeValues(section, encoding: pageHeader.encoding, count: present)
            }
        } else {
            try decodeValues(valuesSection, encoding: pageHeader.encoding, count: present)
        }
        levelCount += count
    }

    private func checkPageCount(_ count: Int) throws(ParquetError) {
        guard count >= 0 else { throw ParquetError(.corrupt, "negative number of values in a page") }
        guard count <= options.limits.maxValuesPerPage else {
            throw ParquetError(.limitExceeded, "page of \(count) values exceeds the limit")
        }
    }

    /// Checks the levels just decoded for a page of `count` entries; returns the number of
    /// values present (entries at the maximum definition level).
    private func checkLevels(_ count: Int) throws(ParquetError) -> Int {
        if leaf.maxRepetitionLevel > 0 {
            let maxRep = UInt8(truncatingIfNeeded: leaf.maxRepetitionLevel)
            let summary = repetitionLevels.withUnsafeBufferPointer { levels in
                LevelKernels.summary(UnsafeBufferPointer(rebasing: levels[(levels.count - count)...]), target: maxRep)
            }
            guard summary.highest <= maxRep else {
                throw ParquetError(.corrupt, "repetition level \(summary.highest) above the maximum \(maxRep)")
            }
        }
        guard leaf.maxDefinitionLevel > 0 else { return count }
        let maxDef = UInt8(truncatingIfNeeded: leaf.maxDefinitionLevel)
        let summary = definitionLevels.withUnsafeBufferPointer { levels in
            LevelKernels.summary(UnsafeBufferPointer(rebasing: levels[(levels.count - count)...]), target: maxDef)
        }
        guard summary.highest <= maxDef else {
            throw ParquetError(.corrupt, "definition level \(summary.highest) above the maximum \(maxDef)")
        }
        return summary.matches
    }

    /// Every record starts at repetition level 0, and an entry can continue only a list that
    /// the previous entry reached.
    static func validateRepetition(_ leaf: LeafDescriptor, _ data: LeafData) throws(ParquetError) {
        guard leaf.maxRepetitionLevel > 0, data.levelCount > 0 else { return }
        let repeatedDefs = leaf.repeatedDefinitionLevels.map { UInt8(truncatingIfNeeded: $0) }
        var failure: ParquetError?
        data.repetitionLevels.withUnsafeBufferPointer { reps in
            data.definitionLevels.withUnsafeBufferPointer { defs in
                guard reps.count == data.levelCount, defs.count == data.levelCount else {
                    failure = ParquetError(.corrupt, "level streams of different lengths")
                    return
                }
                guard reps[0] == 0 else {
                    failure = ParquetError(.corrupt, "the first repetition level is \(reps[0]), not 0")
                    return
                }
                repeatedDefs.withUnsafeBufferPointer { needed in
                    for i in 1..<reps.count {
                        let rep = Int(reps[i])
                        if rep > 0 && defs[i - 1] < needed[rep - 1] {
                            failure = ParquetError(
                                .corrupt, "repetition level \(rep) continues a list that is empty or null")
                            return
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
    }

    // MARK: Levels

    /// Decodes a V1 level block; returns the bytes it takes.
    static func decodeLevelsV1(
        _ bytes: UnsafeRawBufferPointer, encoding: Encoding, maxLevel: Int, count: Int,
        into levels: inout GrowableArray<UInt8>
    ) throws -> Int {
        switch encoding {
        case .rle:
            guard bytes.count >= 4 else { throw ParquetError(.truncated, "page ends inside a level block length") }
            let length = Int(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
            guard length <= bytes.count - 4 else {
                throw ParquetError(.truncated, "level block of \(length) bytes runs past the page")
            }
            try decodeRLELevels(
                UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + length)]), maxLevel: maxLevel, count: count, into: &levels)
            return 4 + length
        case .bitPacked:
            // Legacy (MSB-first); check the size before allocating for it.
            let width = LevelEncoding.bitWidth(forMaxLevel: maxLevel)
            guard count <= bytes.count * 8 / max(width, 1) else {
                throw ParquetError(.truncated, "BIT_PACKED levels run past the page")
            }
            var wide = [UInt16](repeating: 0, count: count)
            let used = try wide.withUnsafeMutableBufferPointer { out in
                try LevelEncoding.decodeBitPacked(bytes, maxLevel: maxLevel, count: count, into: out)
            }
            levels.append(uninitialized: count) { out in
                for i in 0..<count { out[i] = UInt8(truncatingIfNeeded: wide[i]) }
            }
            return used
        default:
            throw ParquetError(.unsupported, "level encoding \(encoding)")
        }
    }

    /// Decodes `count` levels of RLE / bit-packed hybrid runs, appending them to `levels`
    /// (checked against the maximum by the caller).
    static func decodeRLELevels(
        _ bytes: UnsafeRawBufferPointer, maxLevel: Int, count: Int, into levels: inout GrowableArray<UInt8>
    ) throws {
        let width = LevelEncoding.bitWidth(forMaxLevel: maxLevel)
        guard width <= 8 else { throw ParquetError(.limitExceeded, "levels above 255") }
        var decoder = try RLEHybridDecoder(bytes, bitWidth: width)
        try levels.append(uninitialized: count) { out in
            try decoder.decode(count: count, into: out)
        }
    }

    // MARK: Values

    private mutating func decodeValues(_ section: UnsafeRawBufferPointer, encoding: Encoding, count: Int) throws {
        if count == 0 || leaf.conversion == .null { return }
        switch encoding {
        case .plain:
            try Self.decodePlain(section, count: count, leaf: leaf, into: &sink)
        case .plainDictionary, .rleDictionary:
            try gather(section, count: count)
        case .rle:
            guard leaf.physicalType == .boolean else {
                throw ParquetError(.unsupported, "RLE encoding of \(leaf.physicalType) values")
            }
            _ = try sink.values.append(uninitialized: count) { out in
                try RLEBooleans.decode(section, count: count, into: out)
            }
        case .deltaBinaryPacked, .deltaLengthByteArray, .deltaByteArray, .byteStreamSplit:
            try ValueDecoding.decodeOther(section, encoding: encoding, count: count, leaf: leaf, into: &sink)
        default:
            throw ParquetError(.unsupported, "value encoding \(encoding)")
        }
        valueCount += count
    }

    /// Decodes `count` PLAIN values, appending them in the leaf's Columnar representation.
    static func decodePlain(
        _ section: UnsafeRawBufferPointer, count: Int, leaf: LeafDescriptor, into sink: inout ValueSink
    ) throws {
        switch leaf.physicalType {
        case .boolean:
            guard count <= section.count * 8 else {
                throw ParquetError(.truncated, "\(count) booleans need more than the \(section.count) bytes left")
            }
            _ = try sink.values.append(uninitialized: count) { out in
                try PlainEncoding.decodeBooleans(section, count: count, into: out)
            }
        case .byteArray:
            if leaf.conversion == .byteArray {
                try ValueDecoding.decodePlainByteArrays(section, count: count, into: &sink)
            } else {
                try ValueDecoding.decodePlainByteArrayDecimals(section, count: count, into: &sink.values)
            }
        default:
            let width = try ValueDecoding.physicalWidth(leaf)
            let (needed, overflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow, needed <= section.count else {
                throw ParquetError(.truncated, "\(count) values of \(width) bytes need more than the \(section.count) bytes left")
            }
            guard let base = section.baseAddress else { return }
            ValueDecoding.appendConverted(base, count: count, physicalWidth: width, leaf.conversion, to: &sink.values)
        }
    }

    /// Dictionary indices, gathered from the dictionary into the output.
    private mutating func gather(_ section: UnsafeRawBufferPointer, count: Int) throws {
        guard let dictionary else {
            throw ParquetError(.corrupt, "a dictionary-encoded page without a dictionary page")
        }
        if indexBuffer.count < count {
            indexBuffer = [Int32](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        }
        try indexBuffer.withUnsafeMutableBufferPointer { indices in
            try DictionaryIndices.decode(section, count: count, dictionaryCount: dictionary.count, into: indices)
        }
        try indexBuffer.withUnsafeBufferPointer { indices in
            let used = UnsafeBufferPointer(rebasing: indices[0..<count])
            if leaf.conversion == .byteArray {
                try ValueDecoding.gatherByteArrays(used, dictionary: dictionary, into: &sink)
            } else {
                ValueDecoding.gatherFixed(
                    used, dictionary: dictionary, width: leaf.conversion.outputWidth, into: &sink.values)
            }
        }
    }
}
