import Columnar
import Compression
import ParquetFormat

// One column chunk, from its bytes to level streams and dense values (LeafData), a page at a
// time: page headers, CRCs, decompression, levels, value encodings, dictionary gathers, and
// the conversion of physical values to the leaf's Columnar representation.
//
// The reader buffers the entries of the pages it has decoded; `take(records:)` hands over a
// prefix that ends at a record boundary and keeps the rest. Values of dictionary pages stay
// dictionary indices until they are taken, so a batch gathers only the values it holds.

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

    /// The chunk's bytes; nil for a chunk without values (whose offsets writers leave unset).
    private var window: ChunkWindow?
    /// The next page's header, decoded ahead (to learn its size) and not yet used.
    private var nextHeader: (header: PageHeader, length: Int)?
    /// Level entries the chunk says it holds (num_values); reading stops there.
    private let expected: Int
    /// Level entries decoded from the chunk so far.
    private var decodedEntries = 0
    /// No page is left to decode.
    private(set) var isExhausted = false
    private var dictionary: DictionaryValues?
    private var sawDataPage = false

    // Buffered entries: storage positions `entryHead ..< entryEnd` of the level arrays (which
    // stay empty for a leaf without levels), not taken yet.
    private var definitionLevels = GrowableArray<UInt8>()
    private var repetitionLevels = GrowableArray<UInt8>()
    private var entryHead = 0
    private var entryEnd = 0
    /// Buffered entries at repetition level 0 (record starts), for a repeated leaf.
    private var recordStarts = 0
    /// Definition level of the last entry decoded (a page may continue its list).
    private var lastDefinition: UInt8 = 0

    // Buffered values: those already in the sink (positions `valueHead ..< sinkCount`, bytes
    // from `byteHead`) and dictionary indices not gathered yet (`pendingHead ..< count`). The
    // sink's values come first, except after a dictionary fallback (`pendingFirst`): PLAIN
    // values that follow pending ones go to the sink without gathering those first, so a
    // record that ends on a dictionary page never makes the next page's values wait for room.
    private var sink: ValueSink
    private var sinkCount = 0
    private var valueHead = 0
    private var byteHead = 0
    private var pending = GrowableArray<Int32>()
    private var pendingHead = 0
    /// Bytes the buffered pending values take once gathered.
    private var pendingBytes = 0
    /// The pending values come before the sink's.
    private var pendingFirst = false

    /// A decompressed page, reused from page to page unless it is very large.
    private var pageBuffer: [UInt8] = []
    private static let maxRetainedPageBuffer = 64 << 20

    private let byteArrays: Bool
    private let width: Int

    /// Initial capacities are guesses from the (untrusted) metadata, capped; buffers grow
    /// as pages are decoded.
    private static let maxInitialEntries = 1 << 24
    private static let maxInitialBytes = 64 << 20
    /// Page headers are read from a window of this many bytes, and once from a larger one
    /// when the header does not fit (large statistics).
    static let headerWindow = 64 << 10
    static let maxHeaderWindow = 16 << 20

    /// Buffers a drained reader leaves for the next chunk of its leaf (the next row group), so
    /// a stream of row groups does not allocate them again.
    struct Buffers {
        var definitionLevels = GrowableArray<UInt8>()
        var repetitionLevels = GrowableArray<UInt8>()
        var sink: ValueSink?
        var pending = GrowableArray<Int32>()
        var pageBuffer: [UInt8] = []
    }

    /// A reader of the chunk's pages in `window` (nil when the chunk holds no values), with
    /// the buffers of the previous chunk of the leaf when there is one. `batchShare` is the
    /// part of the chunk a batch is expected to hold (initial buffers are sized by it).
    init(
        leaf: LeafDescriptor, metadata: ColumnMetaData, options: ParquetReadOptions, decompressor: Decompressor?,
        window: ChunkWindow?, batchShare: Double = 1, recycled: Buffers? = nil
    ) {
        self.leaf = leaf
        self.metadata = metadata
        self.options = options
        self.decompressor = decompressor
        self.window = window
        expected = Int(clamping: metadata.numValues)
        byteArrays = leaf.conversion == .byteArray
        width = leaf.conversion.outputWidth
        isExhausted = window == nil || expected <= 0 || window!.remaining == 0
        if var recycled, let sink = recycled.sink {
            recycled.definitionLevels.truncate(to: 0)
            recycled.repetitionLevels.truncate(to: 0)
            recycled.pending.truncate(to: 0)
            definitionLevels = recycled.definitionLevels
            repetitionLevels = recycled.repetitionLevels
            pending = recycled.pending
            pageBuffer = recycled.pageBuffer
            self.sink = sink
            self.sink.values.truncate(to: 0)
            self.sink.offsets.truncate(to: 0)
            if byteArrays { self.sink.offsets.append(0) }
            return
        }
        let share = min(max(batchShare, 0), 1)
        let entries =
            isExhausted ? 0 : min(Int((Double(max(metadata.numValues, 0)) * share).rounded(.up)), Self.maxInitialEntries)
        if leaf.maxDefinitionLevel > 0 { definitionLevels = GrowableArray(capacity: entries) }
        if leaf.maxRepetitionLevel > 0 { repetitionLevels = GrowableArray(capacity: entries) }
        let valueBytes =
            byteArrays
            ? min(Int((Double(max(metadata.totalUncompressedSize, 0)) * share).rounded(.up)), Self.maxInitialBytes)
            : min(entries, Self.maxInitialBytes / max(width, 1)) * width
        sink = ValueSink(
            valueCapacity: isExhausted ? 0 : valueBytes, offsetCapacity: byteArrays ? entries : 0, byteArrays: byteArrays)
    }

    /// The buffers, for the next chunk of the leaf; the reader is left without them.
    mutating func releaseBuffers() -> Buffers {
        let buffers = Buffers(
            definitionLevels: definitionLevels, repetitionLevels: repetitionLevels, sink: sink, pending: pending,
            pageBuffer: pageBuffer)
        definitionLevels = GrowableArray()
        repetitionLevels = GrowableArray()
        pending = GrowableArray()
        pageBuffer = []
        sink = ValueSink(valueCapacity: 0, offsetCapacity: 0, byteArrays: byteArrays)
        return buffers
    }

    // MARK: What is buffered

    /// Entries decoded and not taken.
    var bufferedEntries: Int { entryEnd - entryHead }

    /// Bytes of the values decoded and not taken (pending dictionary values counted at their
    /// gathered size).
    var bufferedBytes: Int { sink.values.count - byteHead + pendingBytes }

    /// Records whose every entry is buffered. A repeated leaf's last record may continue on
    /// the next page, so it counts only once the chunk is exhausted.
    var completeRecords: Int {
        guard leaf.maxRepetitionLevel > 0 else { return entryEnd - entryHead }
        return isExhausted ? recordStarts : max(recordStarts - 1, 0)
    }

    /// Uncompressed size of the next page, nil when the chunk is exhausted.
    mutating func nextPageSize() throws(ParquetError) -> Int? {
        guard !isExhausted else { return nil }
        return Int(try peekHeader().header.uncompressedPageSize)
    }

    // MARK: Pages

    /// Decodes pages up to and including the next data page (or to the end of the chunk).
    mutating func decodeNextPage() throws(ParquetError) {
        compact()
        while !isExhausted {
            let wasData = try decodePage()
            if decodedEntries >= expected || window!.remaining == 0 { isExhausted = true }
            if wasData { return }
        }
    }

    /// Moves the buffered entries and values to the front of their buffers before more are
    /// appended (at most about a page and a batch are moved, once per batch).
    private mutating func compact() {
        if entryHead > 0 {
            definitionLevels.removeFirst(min(entryHead, definitionLevels.count))
            repetitionLevels.removeFirst(min(entryHead, repetitionLevels.count))
            entryEnd -= entryHead
            entryHead = 0
        }
        if valueHead > 0 {
            sink.values.removeFirst(byteHead)
            if byteArrays {
                sink.offsets.removeFirst(valueHead)
                if byteHead > 0 {
                    let shift = Int32(truncatingIfNeeded: byteHead)
                    sink.offsets.withUnsafeMutableBufferPointer { offsets in
                        for i in offsets.indices { offsets[i] &-= shift }
                    }
                }
            }
            sinkCount -= valueHead
            valueHead = 0
            byteHead = 0
        }
        if pendingHead > 0 {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
    }

    /// The header of the next page, decoded from a window of the chunk (grown once when the
    /// header does not fit in it).
    private mutating func peekHeader() throws(ParquetError) -> (header: PageHeader, length: Int) {
        if let nextHeader { return nextHeader }
        var window = self.window!
        defer { self.window = window }
        let position = window.position
        var wanted = min(window.remaining, Self.headerWindow)
        while true {
            try window.require(wanted)
            let (bytes, offset) = window.view
            let available = window.available
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(ParquetFormatError) in
                    try PageHeader.decode(
                        from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + available)]), fileOffset: position)
                }
            }
            switch result {
            case .success(let decoded):
                nextHeader = (decoded.header, decoded.headerLength)
                return (decoded.header, decoded.headerLength)
            case .failure(let error):
                if error.code == .truncated && available < window.remaining && wanted < Self.maxHeaderWindow {
                    wanted = min(window.remaining, Self.maxHeaderWindow)
                    continue
                }
                throw ParquetError(error).with(offset: position)
            }
        }
    }

    /// Decodes one page; returns whether it was a data page.
    private mutating func decodePage() throws(ParquetError) -> Bool {
        let (header, headerLength) = try peekHeader()
        nextHeader = nil
        let pageStart = window!.position
        let compressedSize = Int(header.compressedPageSize)
        let uncompressedSize = Int(header.uncompressedPageSize)
        guard compressedSize >= 0 else {
            throw ParquetError(.corrupt, "negative compressed page size", offset: pageStart)
        }
        guard compressedSize <= window!.remaining - headerLength else {
            throw ParquetError(
                .truncated, "page of \(compressedSize) bytes runs past the end of the column chunk", offset: pageStart)
        }
        guard compressedSize <= options.limits.maxPageSize, uncompressedSize <= options.limits.maxPageSize else {
            throw ParquetError(
                .limitExceeded, "page of \(max(compressedSize, uncompressedSize)) bytes exceeds the limit",
                offset: pageStart)
        }
        try window!.require(headerLength + compressedSize)
        let (bytes, offset) = window!.view
        let isData: Bool
        do {
            isData = try bytes.withUnsafeBytes { raw in
                let body = UnsafeRawBufferPointer(
                    rebasing: raw[(offset + headerLength)..<(offset + headerLength + compressedSize)])
                if options.verifyChecksums, let crc = header.crc {
                    guard CRC32.checksum(body) == UInt32(bitPattern: crc) else {
                        throw ParquetError(.checksumMismatch, "page CRC-32 does not match its bytes")
                    }
                }
                switch header.type {
                case .dictionaryPage:
                    try readDictionaryPage(header, body)
                    return false
                case .dataPage:
                    try readDataPageV1(header, body)
                    return true
                case .dataPageV2:
                    try readDataPageV2(header, body)
                    return true
                default:
                    return false  // index pages and page kinds added later are skipped
                }
            }
        } catch {
            throw Self.mapError(error, offset: pageStart)
        }
        window!.advance(headerLength + compressedSize)
        if pageBuffer.count > Self.maxRetainedPageBuffer { pageBuffer = [] }
        return isData
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
        if leaf.conversion == .null {
            dictionary = DictionaryValues(count: count, values: [], offsets: [])
            return
        }
        // Every value takes at least one byte (one bit for booleans): check before allocating.
        let minimum = leaf.physicalType == .boolean ? (count + 7) / 8 : count
        let available: Int
        switch bytes {
        case .body(let raw): available = raw.count
        case .buffer(let size): available = size
        }
        guard minimum <= available else {
            throw ParquetError(.truncated, "dictionary of \(count) values in \(available) bytes")
        }
        if byteArrays, case .buffer(let size) = bytes {
            // The page is ours: drop the lengths in place and keep its buffer as the values
            // (a dictionary of huge strings is then held once, not twice).
            let (offsets, total) = try page.withUnsafeMutableBytes { raw in
                try ValueDecoding.compactPlainByteArrays(UnsafeMutableRawBufferPointer(rebasing: raw[0..<size]), count: count)
            }
            var values = page
            page = []
            values.removeLast(values.count - total)
            dictionary = DictionaryValues(count: count, values: values, offsets: offsets)
            return
        }
        var values = ValueSink(valueCapacity: 0, offsetCapacity: 0, byteArrays: byteArrays)
        try Self.withBytes(bytes, page) { section in
            try Self.decodePlain(section, count: count, leaf: leaf, into: &values)
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
            page = []
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
            entryEnd += count
            decodedEntries += count
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
        entryEnd += count
        decodedEntries += count
    }

    private func checkPageCount(_ count: Int) throws(ParquetError) {
        guard count >= 0 else { throw ParquetError(.corrupt, "negative number of values in a page") }
        guard count <= options.limits.maxValuesPerPage else {
            throw ParquetError(.limitExceeded, "page of \(count) values exceeds the limit")
        }
    }

    /// Checks the levels just decoded for a page of `count` entries (the last `count` of the
    /// level arrays) and counts the records they start; returns the number of values present
    /// (entries at the maximum definition level).
    private mutating func checkLevels(_ count: Int) throws(ParquetError) -> Int {
        if leaf.maxRepetitionLevel > 0 {
            let maxRep = UInt8(truncatingIfNeeded: leaf.maxRepetitionLevel)
            let summary = repetitionLevels.withUnsafeBufferPointer { levels in
                LevelKernels.summary(UnsafeBufferPointer(rebasing: levels[(levels.count - count)...]), target: 0)
            }
            guard summary.highest <= maxRep else {
                throw ParquetError(.corrupt, "repetition level \(summary.highest) above the maximum \(maxRep)")
            }
            try validateRepetition(count)
            recordStarts += summary.matches
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
    /// the previous entry reached (the previous entry may be on the previous page).
    private mutating func validateRepetition(_ count: Int) throws(ParquetError) {
        guard count > 0 else { return }
        guard definitionLevels.count == repetitionLevels.count else {
            throw ParquetError(.corrupt, "level streams of different lengths")
        }
        let first = decodedEntries == 0
        var previous = lastDefinition
        var failure: ParquetError?
        repetitionLevels.withUnsafeBufferPointer { allReps in
            definitionLevels.withUnsafeBufferPointer { allDefs in
                let start = allReps.count - count
                if first && allReps[start] != 0 {
                    failure = ParquetError(.corrupt, "the first repetition level is \(allReps[start]), not 0")
                    return
                }
                leaf.repeatedDefinitionLevels.withUnsafeBufferPointer { needed in
                    for i in start..<allReps.count {
                        let rep = Int(allReps[i])
                        if rep > 0 && Int(previous) < needed[rep - 1] {
                            failure = ParquetError(
                                .corrupt, "repetition level \(rep) continues a list that is empty or null")
                            return
                        }
                        previous = allDefs[i]
                    }
                }
            }
        }
        if let failure { throw failure }
        lastDefinition = previous
    }

    // MARK: Taking records

    /// The number of the first `records` buffered records whose byte arrays fit in `limit`
    /// bytes (all of them for a leaf of fixed-width values).
    func recordsFitting(bytes limit: Int, upTo records: Int) -> Int {
        guard byteArrays, records > 0, bufferedBytes > limit else { return records }
        let maxDef = UInt8(truncatingIfNeeded: leaf.maxDefinitionLevel)
        let repeated = leaf.maxRepetitionLevel > 0
        let sinkLive = sinkCount - valueHead
        let pendingLive = pending.count - pendingHead
        let pendingFirst = pendingFirst
        var fitting = 0
        sink.offsets.withUnsafeBufferPointer { offsets in
            pending.withUnsafeBufferPointer { indices in
                (dictionary?.offsets ?? []).withUnsafeBufferPointer { dictionaryOffsets in
                    definitionLevels.withUnsafeBufferPointer { defs in
                        repetitionLevels.withUnsafeBufferPointer { reps in
                            var total = 0
                            var value = 0  // live values seen
                            var entry = entryHead
                            while fitting < records {
                                // One record: its first entry, and entries that continue it.
                                var recordEnd = entry + 1
                                if repeated {
                                    while recordEnd < entryEnd && reps[recordEnd] != 0 { recordEnd += 1 }
                                }
                                for i in entry..<recordEnd where defs.isEmpty || defs[i] == maxDef {
                                    // The value's place in the sink, or among the pending ones.
                                    let inSink = pendingFirst ? value - pendingLive : value
                                    if inSink >= 0 && inSink < sinkLive {
                                        total += Int(offsets[valueHead + inSink + 1]) - Int(offsets[valueHead + inSink])
                                    } else {
                                        let index = Int(indices[pendingHead + (pendingFirst ? value : value - sinkLive)])
                                        total += Int(dictionaryOffsets[index + 1]) - Int(dictionaryOffsets[index])
                                    }
                                    value += 1
                                }
                                if total > limit { return }
                                fitting += 1
                                entry = recordEnd
                            }
                        }
                    }
                }
            }
        }
        return fitting
    }

    /// Hands over the first `records` buffered records (at most `completeRecords`) as level
    /// streams and dense values, offsets starting at 0; keeps the rest.
    mutating func take(records: Int) throws(ParquetError) -> LeafData {
        precondition(records >= 0 && records <= completeRecords)
        // Entries of those records.
        let entries: Int
        if leaf.maxRepetitionLevel > 0 {
            entries = repetitionLevels.withUnsafeBufferPointer { reps in
                LevelKernels.recordStart(
                    records, in: UnsafeBufferPointer(rebasing: reps[entryHead..<entryEnd]))
            }
            recordStarts -= records
        } else {
            entries = records
        }
        // Values they hold.
        let values: Int
        if leaf.conversion == .null {
            values = 0
        } else if leaf.maxDefinitionLevel == 0 {
            values = entries
        } else {
            let maxDef = UInt8(truncatingIfNeeded: leaf.maxDefinitionLevel)
            values = definitionLevels.withUnsafeBufferPointer { defs in
                LevelKernels.summary(UnsafeBufferPointer(rebasing: defs[entryHead..<(entryHead + entries)]), target: maxDef)
                    .matches
            }
        }

        var data = LeafData()
        data.levelCount = entries
        data.valueCount = values
        let remainder = entryEnd - entryHead - entries
        if entryHead == 0 && entries > 0 && remainder <= entries {
            // Hand over the buffers and keep the (shorter) rest in new ones.
            // Room for as many entries as this batch had, for the next one.
            let room = isExhausted ? remainder : entries + remainder
            if leaf.maxDefinitionLevel > 0 {
                data.definitionLevels = definitionLevels.split(taking: entries, keepingFrom: entries, capacity: room)
            }
            if leaf.maxRepetitionLevel > 0 {
                data.repetitionLevels = repetitionLevels.split(taking: entries, keepingFrom: entries, capacity: room)
            }
            entryEnd = remainder
        } else {
            if leaf.maxDefinitionLevel > 0 {
                data.definitionLevels = definitionLevels.copy(entryHead..<(entryHead + entries))
            }
            if leaf.maxRepetitionLevel > 0 {
                data.repetitionLevels = repetitionLevels.copy(entryHead..<(entryHead + entries))
            }
            entryHead += entries
        }
        if leaf.conversion != .null {
            try takeValues(values, into: &data)
        } else if byteArrays {
            data.offsets = [0]
        }
        return data
    }

    /// Moves the first `count` buffered values into `data`: from the sink and from pending
    /// dictionary indices (gathered), in their order.
    private mutating func takeValues(_ count: Int, into data: inout LeafData) throws(ParquetError) {
        guard count > 0 else {
            if byteArrays { data.offsets = [0] }
            return
        }
        let sinkLive = sinkCount - valueHead
        let pendingLive = pending.count - pendingHead
        let fromPending = pendingFirst ? min(count, pendingLive) : max(0, count - sinkLive)
        let fromSink = count - fromPending
        guard fromSink <= sinkLive, fromPending <= pendingLive else {
            throw ParquetError(
                .corrupt, "the levels call for \(count) values where the pages hold \(sinkLive + pendingLive)")
        }
        let keptInSink = sinkLive - fromSink
        if fromPending == 0 && valueHead == 0 && keptInSink <= fromSink {
            // Hand over the sink's buffers; the (shorter) rest moves to new ones.
            takeSinkBuffers(fromSink, into: &data)
            return
        }
        let sinkBytes =
            byteArrays
            ? sink.offsets.withUnsafeBufferPointer { Int($0[valueHead + fromSink]) - Int($0[valueHead]) }
            : count * width
        var out = ValueSink(
            valueCapacity: sinkBytes, offsetCapacity: byteArrays ? count : 0, byteArrays: byteArrays)
        if pendingFirst {
            try takePending(fromPending, into: &out)
            copySinkValues(fromSink, into: &out)
        } else {
            copySinkValues(fromSink, into: &out)
            try takePending(fromPending, into: &out)
        }
        if pending.count == pendingHead { pendingFirst = false }
        data.values = out.values.finish()
        if byteArrays { data.offsets = out.offsets.finish() }
    }

    /// Hands over the sink's first `count` values (the sink is not read from its front yet).
    private mutating func takeSinkBuffers(_ count: Int, into data: inout LeafData) {
        let end = byteArrays ? sink.offsets.withUnsafeBufferPointer { Int($0[count]) } : count * width
        let keptBytes = sink.values.count - end
        // Room for as many values as the sink held, for the next batch.
        let byteRoom = isExhausted ? keptBytes : sink.values.count
        if byteArrays {
            let kept = sinkCount - count
            let room = isExhausted ? kept + 1 : sinkCount + 1
            data.offsets = sink.offsets.split(taking: count + 1, keepingFrom: count, capacity: room)
            if end > 0 {
                let shift = Int32(truncatingIfNeeded: end)
                sink.offsets.withUnsafeMutableBufferPointer { offsets in
                    for i in offsets.indices { offsets[i] &-= shift }
                }
            }
        }
        data.values = sink.values.split(taking: end, keepingFrom: end, capacity: byteRoom)
        sinkCount -= count
    }

    /// Appends copies of the sink's next `count` values to `out`.
    private mutating func copySinkValues(_ count: Int, into out: inout ValueSink) {
        guard count > 0 else { return }
        if byteArrays {
            let (start, end) = sink.offsets.withUnsafeBufferPointer {
                (Int($0[valueHead]), Int($0[valueHead + count]))
            }
            let shift = Int32(truncatingIfNeeded: start - out.values.count)
            let head = valueHead
            sink.offsets.withUnsafeBufferPointer { offsets in
                out.offsets.append(uninitialized: count) { target in
                    for i in 0..<count { target[i] = offsets[head + 1 + i] &- shift }
                }
            }
            sink.values.withUnsafeBufferPointer { bytes in
                out.values.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            }
            byteHead = end
        } else {
            let start = valueHead * width
            let end = start + count * width
            sink.values.withUnsafeBufferPointer { bytes in
                out.values.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            }
            byteHead = end
        }
        valueHead += count
    }

    /// Gathers the next `count` pending values into `out`.
    private mutating func takePending(_ count: Int, into out: inout ValueSink) throws(ParquetError) {
        guard count > 0 else { return }
        let before = out.values.count
        try gatherPending(count, into: &out)
        pendingBytes -= out.values.count - before
    }

    /// Gathers the first `count` pending dictionary values into `out`.
    private mutating func gatherPending(_ count: Int, into out: inout ValueSink) throws(ParquetError) {
        guard let dictionary else { throw ParquetError(.corrupt, "a dictionary-encoded page without a dictionary page") }
        let head = pendingHead
        let byteArrays = byteArrays
        let width = width
        let result = pending.withUnsafeBufferPointer { indices in
            Result { () throws(ParquetError) in
                let used = UnsafeBufferPointer(rebasing: indices[head..<(head + count)])
                if byteArrays {
                    try ValueDecoding.gatherByteArrays(used, dictionary: dictionary, into: &out)
                } else {
                    ValueDecoding.gatherFixed(used, dictionary: dictionary, width: width, into: &out.values)
                }
            }
        }
        try result.get()
        pendingHead += count
    }

    /// Gathers every pending value into the sink, after the sink's values.
    private mutating func materializePending() throws(ParquetError) {
        let count = pending.count - pendingHead
        guard count > 0 else { return }
        var target = sink
        sink = ValueSink(valueCapacity: 0, offsetCapacity: 0, byteArrays: false)
        defer { sink = target }
        try gatherPending(count, into: &target)
        sinkCount += count
        pending.truncate(to: 0)
        pendingHead = 0
        pendingBytes = 0
    }

    /// Gathers every pending value into a new sink, followed by the sink's values (pending
    /// values that came first, before another dictionary page).
    private mutating func materializeBeforeSink() throws(ParquetError) {
        let pendingLive = pending.count - pendingHead
        let sinkLive = sinkCount - valueHead
        var combined = ValueSink(
            valueCapacity: pendingBytes + sink.values.count - byteHead, offsetCapacity: pendingLive + sinkLive,
            byteArrays: byteArrays)
        try takePending(pendingLive, into: &combined)
        copySinkValues(sinkLive, into: &combined)
        sink = combined
        sinkCount = pendingLive + sinkLive
        valueHead = 0
        byteHead = 0
        pending.truncate(to: 0)
        pendingHead = 0
        pendingBytes = 0
        pendingFirst = false
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
        case .plainDictionary, .rleDictionary:
            try appendIndices(section, count: count)
            return
        default:
            // Values of another encoding follow the pending dictionary values: after them in
            // the sink when it holds nothing before them, else gathered first.
            if pending.count > pendingHead {
                if pendingFirst || sinkCount == valueHead {
                    pendingFirst = true
                } else {
                    try materializePending()
                }
            }
        }
        switch encoding {
        case .plain:
            try Self.decodePlain(section, count: count, leaf: leaf, into: &sink)
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
        sinkCount += count
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

    /// Dictionary indices, kept pending: values are gathered when they are taken.
    private mutating func appendIndices(_ section: UnsafeRawBufferPointer, count: Int) throws {
        guard let dictionary else {
            throw ParquetError(.corrupt, "a dictionary-encoded page without a dictionary page")
        }
        if pendingFirst {
            // Dictionary values again after a fallback: keep a single order.
            if sinkCount > valueHead { try materializeBeforeSink() }
            pendingFirst = false
        }
        let start = pending.count
        try pending.append(uninitialized: count) { indices in
            try DictionaryIndices.decode(section, count: count, dictionaryCount: dictionary.count, into: indices)
        }
        if byteArrays {
            var total = 0
            pending.withUnsafeBufferPointer { indices in
                dictionary.offsets.withUnsafeBufferPointer { offsets in
                    for i in start..<indices.count {
                        let index = Int(indices[i])
                        total &+= Int(offsets[index &+ 1]) &- Int(offsets[index])
                    }
                }
            }
            pendingBytes += total
        } else {
            pendingBytes += count * width
        }
    }
}
