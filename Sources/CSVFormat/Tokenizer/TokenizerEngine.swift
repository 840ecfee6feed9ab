/// The tokenizer's state and buffers, behind `CSVTokenizer` (which copies it on write).
///
/// Records that lie wholly inside a chunk are scanned in place (`scanRecords`). A record cut by
/// the end of a chunk is copied into `tail` while `PartialRecord` follows it byte by byte, so that
/// bounds and errors are checked as it grows; once its end arrives, the completed copy is scanned
/// like any other record.
final class TokenizerEngine {
    let dialect: CSVDialect
    let dialectError: CSVError?

    // The dialect, resolved for the scanner. A missing quote or escape is 0x100, which no byte equals.
    let delimiter: UInt8
    let quoteKey: UInt16
    let escapeKey: UInt16
    let delimiterPattern: UInt64
    let quotePattern: UInt64
    let escapePattern: UInt64
    let maxFieldBytes: Int
    let maxRecordBytes: Int
    let maxFields: Int
    let hasHeader: Bool

    // Position in the input.
    /// Line of the next byte to scan (outside a partial record).
    var line = 1
    /// Input offset of the first byte of the chunk being fed.
    var consumed = 0
    var recordIndex = 0
    /// The last record ended with a CR at the very end of a chunk: an LF that starts the next
    /// chunk belongs to it.
    var pendingCR = false
    var bomMatched = 0
    var bomDone = false

    // Buffers, reused from record to record.
    var slots: UnsafeMutablePointer<FieldSlot>
    var slotCapacity: Int
    var scratch: UnsafeMutableRawPointer
    var scratchCapacity: Int
    var tail: UnsafeMutableRawPointer?
    var tailCount = 0
    var tailCapacity = 0
    var partial: PartialRecord?

    init(dialect: CSVDialect) {
        self.dialect = dialect
        do {
            try dialect.validate()
            dialectError = nil
        } catch {
            dialectError = error
        }
        delimiter = dialect.delimiter
        quoteKey = dialect.quote.map { UInt16($0) } ?? 0x100
        let escape = dialect.escape.flatMap { $0 == dialect.quote ? nil : $0 }
        escapeKey = escape.map { UInt16($0) } ?? 0x100
        delimiterPattern = broadcast(dialect.delimiter)
        quotePattern = broadcast(dialect.quote ?? dialect.delimiter)
        escapePattern = broadcast(escape ?? dialect.quote ?? dialect.delimiter)
        maxFieldBytes = max(dialect.maxFieldBytes, 0)
        maxRecordBytes = max(dialect.maxRecordBytes, dialect.maxFieldBytes, 0)
        maxFields = max(dialect.maxFieldsPerRecord, 1)
        hasHeader = dialect.hasHeader
        slotCapacity = min(64, maxFields)
        slots = .allocate(capacity: slotCapacity)
        scratchCapacity = 256
        scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
    }

    deinit {
        slots.deallocate()
        scratch.deallocate()
        tail?.deallocate()
    }

    /// A copy with the same position and partial record, for copy-on-write.
    func copy() -> TokenizerEngine {
        let other = TokenizerEngine(dialect: dialect)
        other.line = line
        other.consumed = consumed
        other.recordIndex = recordIndex
        other.pendingCR = pendingCR
        other.bomMatched = bomMatched
        other.bomDone = bomDone
        other.partial = partial
        if let tail, tailCount > 0 {
            other.appendToTail(UnsafeRawPointer(tail), from: 0, to: tailCount)
        }
        return other
    }

    /// Back to the start of an input, keeping the buffers.
    func reset() {
        line = 1
        consumed = 0
        recordIndex = 0
        pendingCR = false
        bomMatched = 0
        bomDone = false
        tailCount = 0
        partial = nil
        if tailCapacity > 1 << 20 {
            tail?.deallocate()
            tail = nil
            tailCapacity = 0
        }
    }

    // MARK: Feeding

    private static let bom: (UInt8, UInt8, UInt8) = (0xEF, 0xBB, 0xBF)

    private static func bomByte(_ i: Int) -> UInt8 {
        i == 0 ? bom.0 : i == 1 ? bom.1 : bom.2
    }

    func feed(_ chunk: UnsafeRawBufferPointer, _ body: (borrowing CSVRecord) throws -> Void) throws {
        if let dialectError { throw dialectError }
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let count = chunk.count
        var start = 0
        if !bomDone {
            let before = bomMatched
            while start < count, bomMatched < 3, base.load(fromByteOffset: start, as: UInt8.self) == Self.bomByte(bomMatched) {
                bomMatched += 1
                start += 1
            }
            if bomMatched == 3 {
                bomDone = true
            } else if start == count {
                consumed += count  // all of it may still be a BOM
                return
            } else {
                // Not a BOM: the bytes held back from earlier chunks are data, and so is this chunk.
                bomDone = true
                start = 0
                if before > 0 {
                    try withBOMBytes { try process($0, from: 0, to: before, chunkOffset: consumed - before, body) }
                }
            }
        }
        try process(base, from: start, to: count, chunkOffset: consumed, body)
        consumed += count
    }

    func finish(_ body: (borrowing CSVRecord) throws -> Void) throws {
        if let dialectError { throw dialectError }
        if !bomDone, bomMatched > 0 {
            bomDone = true
            let held = bomMatched
            try withBOMBytes { try process($0, from: 0, to: held, chunkOffset: consumed - held, body) }
        }
        if let record = partial {
            partial = nil
            let tailBase = UnsafeRawPointer(tail!)
            _ = try scanRecords(tailBase, from: 0, to: tailCount, atEnd: true, chunkOffset: record.offset, body)
            tailCount = 0
        }
        reset()
    }

    /// The BOM's bytes, for the start of an input that turned out not to be one.
    private func withBOMBytes(_ body: (UnsafeRawPointer) throws -> Void) rethrows {
        let bytes: (UInt8, UInt8, UInt8) = Self.bom
        try withUnsafeBytes(of: bytes) { try body($0.baseAddress!) }
    }

    /// Scans `base[start..<end]`, the continuation of the input, whose byte 0 is at `chunkOffset`.
    private func process(_ base: UnsafeRawPointer, from start: Int, to end: Int, chunkOffset: Int,
                         _ body: (borrowing CSVRecord) throws -> Void) throws {
        var start = start
        if var record = partial {
            // Continue the record cut by the previous chunk.
            let stop = try record.advance(base, from: start, to: end, self)
            appendToTail(base, from: start, to: stop ?? end)
            guard let stop else {
                partial = record
                return
            }
            partial = nil
            let scanned = try scanRecords(UnsafeRawPointer(tail!), from: 0, to: tailCount, atEnd: false,
                                          chunkOffset: record.offset, body)
            assert(scanned == tailCount, "the scanner and the partial-record tracker disagree on a record's end")
            tailCount = 0
            start = stop
        }
        let stop = try scanRecords(base, from: start, to: end, atEnd: false, chunkOffset: chunkOffset, body)
        if stop < end {
            var record = PartialRecord(offset: chunkOffset + stop, line: line)
            let done = try record.advance(base, from: stop, to: end, self)
            assert(done == nil, "the scanner and the partial-record tracker disagree on a record's end")
            partial = record
            appendToTail(base, from: stop, to: end)
        }
    }

    private func appendToTail(_ base: UnsafeRawPointer, from start: Int, to end: Int) {
        let n = end - start
        guard n > 0 else { return }
        if tailCount + n > tailCapacity {
            let capacity = max(tailCapacity * 2, tailCount + n, 256)
            let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            if let tail {
                grown.copyMemory(from: tail, byteCount: tailCount)
                tail.deallocate()
            }
            tail = grown
            tailCapacity = capacity
        }
        (tail! + tailCount).copyMemory(from: base + start, byteCount: n)
        tailCount += n
    }

    // MARK: Growing buffers (out of line: rare)

    /// Room for one more field after `count`, or `tooManyFields`.
    @inline(never)
    func growSlots(count: Int, line: Int, offset: Int) throws(CSVError) {
        if count >= maxFields { throw .tooManyFields(limit: maxFields, line: line, offset: offset) }
        let capacity = min(slotCapacity * 2, maxFields)
        let grown = UnsafeMutablePointer<FieldSlot>.allocate(capacity: capacity)
        grown.moveInitialize(from: slots, count: count)
        slots.deallocate()
        slots = grown
        slotCapacity = capacity
    }

    @inline(never)
    func growScratch(to needed: Int, keeping used: Int) {
        let capacity = max(scratchCapacity * 2, needed)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        grown.copyMemory(from: scratch, byteCount: used)
        scratch.deallocate()
        scratch = grown
        scratchCapacity = capacity
    }
}
