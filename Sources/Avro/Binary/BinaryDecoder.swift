/// A cursor over Avro binary-encoded bytes (a decompressed block, a header).
///
/// Every read checks the bytes that remain: a length or count larger than what is left is an
/// error before anything is allocated or copied. Errors carry `offset` relative to the start
/// of `bytes`; the file reader turns them into file offsets.
struct AvroBinaryDecoder {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    /// Bytes the column decoders may still add to the batch being built; they subtract what
    /// they append (null slots included), and the reader ends the batch when it runs out.
    var budget = Int.max
    /// How far below zero `budget` may go inside one row before the row is refused.
    var budgetFloor = Int.min

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }
    var isAtEnd: Bool { position >= bytes.count }

    func error(_ code: AvroError.Code, _ reason: String) -> AvroError {
        AvroError(code, reason, offset: position)
    }

    /// An unsigned LEB128 varint of at most 10 bytes (64 bits).
    @inline(__always)
    mutating func readVarint() throws(AvroError) -> UInt64 {
        var p = position
        let end = bytes.count
        guard p < end else { throw error(.truncated, "a varint runs past the end of the data") }
        let first = bytes[p]
        if first < 0x80 {
            position = p + 1
            return UInt64(first)
        }
        var result = UInt64(first & 0x7F)
        var shift: UInt64 = 7
        p += 1
        while true {
            guard p < end else { throw error(.truncated, "a varint runs past the end of the data") }
            let byte = bytes[p]
            p += 1
            if shift == 63 && byte > 1 {
                throw error(.corrupt, "a varint overflows 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
            if shift > 63 { throw error(.corrupt, "a varint is longer than 10 bytes") }
        }
        position = p
        return result
    }

    /// A zig-zag encoded `long`.
    @inline(__always)
    mutating func readLong() throws(AvroError) -> Int64 {
        let n = try readVarint()
        return Int64(bitPattern: n >> 1) ^ -Int64(bitPattern: n & 1)
    }

    /// A zig-zag encoded `int` (a `long` that must fit 32 bits).
    @inline(__always)
    mutating func readInt() throws(AvroError) -> Int32 {
        let start = position
        let value = try readLong()
        guard let int = Int32(exactly: value) else {
            throw AvroError(.corrupt, "an int value does not fit 32 bits", offset: start)
        }
        return int
    }

    @inline(__always)
    mutating func readBoolean() throws(AvroError) -> Bool {
        guard position < bytes.count else { throw error(.truncated, "a boolean runs past the end of the data") }
        let byte = bytes[position]
        guard byte <= 1 else { throw error(.corrupt, "a boolean byte is neither 0 nor 1") }
        position += 1
        return byte == 1
    }

    /// `n` raw bytes (a `fixed`, a float), checked against what remains.
    @inline(__always)
    mutating func readFixed(_ n: Int) throws(AvroError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= bytes.count - position else {
            throw error(.truncated, "\(n) bytes requested with \(bytes.count - position) left")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
        position += n
        return slice
    }

    @inline(__always)
    mutating func readFloat() throws(AvroError) -> Float {
        let raw = try readFixed(4)
        return Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
    }

    @inline(__always)
    mutating func readDouble() throws(AvroError) -> Double {
        let raw = try readFixed(8)
        return Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)))
    }

    /// A `long` length that must be non-negative and no larger than the bytes that remain.
    @inline(__always)
    mutating func readLength() throws(AvroError) -> Int {
        let start = position
        let length = try readLong()
        guard length >= 0 else { throw AvroError(.corrupt, "negative length \(length)", offset: start) }
        guard length <= Int64(bytes.count - position) else {
            throw AvroError(
                .truncated, "a length of \(length) bytes with \(bytes.count - position) left", offset: start)
        }
        return Int(length)
    }

    /// A `bytes` or `string` value: a length, then that many bytes (not copied).
    @inline(__always)
    mutating func readBytes() throws(AvroError) -> UnsafeRawBufferPointer {
        let length = try readLength()
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)])
        position += length
        return slice
    }

    /// The header of one block of an array or a map: the item count (0 ends the value) and,
    /// for a negative count, the block's byte size that follows it.
    ///
    /// `minItemSize` is the fewest bytes one item can take; a count that cannot fit the bytes
    /// that remain is an error, and items of size 0 are bounded by `maxZeroSizeItems`.
    @inline(__always)
    mutating func readBlockHeader(minItemSize: Int, maxZeroSizeItems: Int) throws(AvroError) -> (count: Int, byteSize: Int?) {
        let start = position
        var count = try readLong()
        var byteSize: Int?
        if count < 0 {
            guard count != Int64.min else { throw AvroError(.corrupt, "block count overflows", offset: start) }
            count = -count
            let sizeStart = position
            let size = try readLong()
            guard size >= 0, size <= Int64(remaining) else {
                throw AvroError(.corrupt, "block byte size \(size) with \(remaining) bytes left", offset: sizeStart)
            }
            byteSize = Int(size)
        }
        if minItemSize > 0 {
            guard count <= Int64(remaining / minItemSize) else {
                throw AvroError(
                    .truncated, "a block of \(count) items cannot fit in the \(remaining) bytes left", offset: start)
            }
        } else {
            guard count <= Int64(maxZeroSizeItems) else {
                throw AvroError(
                    .limitExceeded, "a block of \(count) empty items exceeds the limit of \(maxZeroSizeItems)",
                    offset: start)
            }
        }
        return (Int(count), byteSize)
    }
}
