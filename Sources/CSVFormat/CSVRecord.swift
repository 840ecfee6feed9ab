/// Where one field's bytes are: an offset into the record's input buffer or into the
/// tokenizer's scratch buffer, its length, and whether it was quoted.
@usableFromInline
struct FieldSlot {
    @usableFromInline var start: Int
    /// `length << 2 | (inScratch ? 2 : 0) | (quoted ? 1 : 0)`.
    @usableFromInline var meta: Int

    @inline(__always)
    init(start: Int, meta: Int) {
        self.start = start
        self.meta = meta
    }

    @inlinable static var quotedFlag: Int { 1 }
    @inlinable static var scratchFlag: Int { 2 }
}

/// One record's fields, handed to the callback of `CSVTokenizer.feed` and `finish`.
///
/// It points into the chunk being fed and into the tokenizer's own buffers, so it and the
/// buffers `field(_:)` returns are valid only during the callback: copy what must outlive it.
public struct CSVRecord {
    @usableFromInline let slots: UnsafePointer<FieldSlot>
    @usableFromInline let input: UnsafeRawPointer
    @usableFromInline let scratch: UnsafeRawPointer
    /// Number of fields (at least 1: an empty line is skipped, not a record of one empty field).
    public let count: Int
    /// 1-based physical line where the record starts.
    public let line: Int
    /// Byte offset of the record's first byte in the input (a skipped BOM counts).
    public let offset: Int
    /// 0-based number of the record in the input, the header included.
    public let index: Int
    /// Whether the dialect says the input has a header and this is its first record.
    public let isHeader: Bool

    @inline(__always)
    init(slots: UnsafePointer<FieldSlot>, input: UnsafeRawPointer, scratch: UnsafeRawPointer, count: Int,
         line: Int, offset: Int, index: Int, isHeader: Bool) {
        self.slots = slots
        self.input = input
        self.scratch = scratch
        self.count = count
        self.line = line
        self.offset = offset
        self.index = index
        self.isHeader = isHeader
    }

    /// Field `index`'s bytes, quotes removed and escapes resolved.
    @inlinable @inline(__always)
    public func field(_ index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "field index out of range")
        let slot = slots[index]
        let base = slot.meta & FieldSlot.scratchFlag != 0 ? scratch : input
        return UnsafeRawBufferPointer(start: base + slot.start, count: slot.meta &>> 2)
    }

    /// Whether field `index` was quoted. An empty field that was not quoted (`a,,b`) is usually
    /// read as null, an empty quoted one (`a,"",b`) as the empty string.
    @inlinable @inline(__always)
    public func wasQuoted(_ index: Int) -> Bool {
        precondition(index >= 0 && index < count, "field index out of range")
        return slots[index].meta & FieldSlot.quotedFlag != 0
    }

    /// Throws `raggedRow` unless the record has exactly `expected` fields. The error's column is
    /// the first extra field, or the first missing one.
    @inlinable
    public func requireFieldCount(_ expected: Int) throws(CSVError) {
        if count != expected { throw raggedRow(expected: expected) }
    }

    @usableFromInline
    func raggedRow(expected: Int) -> CSVError {
        CSVError(.raggedRow, "expected \(expected) fields, found \(count)", line: line, offset: offset,
                 column: min(count, expected) + 1)
    }

    /// Field `index` as a String, invalid UTF-8 repaired (convenient for headers and tests; the
    /// hot path reads `field(_:)`).
    public func string(_ index: Int) -> String {
        String(decoding: field(index), as: UTF8.self)
    }

    /// Copies of every field's bytes.
    public func copyFields() -> [[UInt8]] {
        (0..<count).map { Array(field($0)) }
    }
}
