// Internal helpers shared by the value and level encodings: bounds-checked little-endian reads,
// ULEB128 and zigzag varints, and the errors they raise.
//
// Every encoding in this folder works on raw buffers. A decoder reads only through
// `EncodedBytes`, whose reads check the remaining length first, so a malformed page raises
// `ParquetFormatError` instead of reading outside its buffer. Offsets in errors are relative to
// the buffer the public entry point was given.

#if _endian(big)
#error("The Parquet encodings assume a little-endian host (as Parquet's byte order is).")
#endif

/// A read cursor over an encoded buffer. `position` and `end` are offsets from `base`;
/// `errorBase` is added to offsets in errors so nested decoders report offsets in the outer buffer.
struct EncodedBytes {
    let base: UnsafeRawPointer?
    let end: Int
    var position: Int
    let errorBase: Int

    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer, errorBase: Int = 0) {
        self.base = bytes.baseAddress
        self.end = bytes.count
        self.position = 0
        self.errorBase = errorBase
    }

    @inline(__always)
    var remaining: Int { end &- position }

    /// The base pointer; only called once a read of at least one byte is known to be in bounds.
    @inline(__always)
    var pointer: UnsafeRawPointer { base.unsafelyUnwrapped }

    @inline(__always)
    func truncated(_ message: String, at offset: Int? = nil) -> ParquetFormatError {
        ParquetFormatError(.truncated, message, offset: errorBase &+ (offset ?? position))
    }

    @inline(__always)
    func corrupt(_ message: String, at offset: Int? = nil) -> ParquetFormatError {
        ParquetFormatError(.corrupt, message, offset: errorBase &+ (offset ?? position))
    }

    @inline(__always)
    func limitExceeded(_ message: String, at offset: Int? = nil) -> ParquetFormatError {
        ParquetFormatError(.limitExceeded, message, offset: errorBase &+ (offset ?? position))
    }

    @inline(__always)
    mutating func readByte() throws(ParquetFormatError) -> UInt8 {
        guard position < end else { throw truncated("input ends inside a value") }
        let byte = pointer.load(fromByteOffset: position, as: UInt8.self)
        position &+= 1
        return byte
    }

    @inline(__always)
    mutating func readUInt32LE() throws(ParquetFormatError) -> UInt32 {
        guard remaining >= 4 else { throw truncated("input ends inside a 4-byte length") }
        let value = UInt32(littleEndian: pointer.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position &+= 4
        return value
    }

    /// Reads `byteCount` (0…8) bytes as a little-endian unsigned integer.
    @inline(__always)
    mutating func readLittleEndian(byteCount: Int) throws(ParquetFormatError) -> UInt64 {
        guard remaining >= byteCount else { throw truncated("input ends inside a run value") }
        var value: UInt64 = 0
        var index = 0
        while index < byteCount {
            value |= UInt64(pointer.load(fromByteOffset: position &+ index, as: UInt8.self)) &<< UInt64(8 &* index)
            index &+= 1
        }
        position &+= byteCount
        return value
    }

    /// Reads an unsigned LEB128 varint of at most 64 bits (10 bytes).
    @inline(__always)
    mutating func readULEB128() throws(ParquetFormatError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw truncated("input ends inside a varint", at: start) }
            let byte = pointer.load(fromByteOffset: position, as: UInt8.self)
            position &+= 1
            let payload = UInt64(byte & 0x7f)
            if shift == 63 && payload > 1 { throw corrupt("varint overflows 64 bits", at: start) }
            result |= payload &<< shift
            if byte & 0x80 == 0 { return result }
            shift &+= 7
            if shift > 63 { throw corrupt("varint longer than 10 bytes", at: start) }
        }
    }

    /// Reads an unsigned LEB128 varint that must fit in 32 bits (5 bytes at most).
    @inline(__always)
    mutating func readULEB128UInt32() throws(ParquetFormatError) -> UInt32 {
        let start = position
        // Fast path: one byte, the common case for run headers.
        if position < end {
            let byte = pointer.load(fromByteOffset: position, as: UInt8.self)
            if byte & 0x80 == 0 {
                position &+= 1
                return UInt32(byte)
            }
        }
        let value = try readULEB128()
        guard value <= UInt64(UInt32.max) else { throw corrupt("varint exceeds 32 bits", at: start) }
        return UInt32(truncatingIfNeeded: value)
    }

    /// Reads a zigzag LEB128 varint as a 64-bit signed value.
    @inline(__always)
    mutating func readZigZag() throws(ParquetFormatError) -> Int64 {
        let raw = try readULEB128()
        return Int64(bitPattern: (raw &>> 1) ^ (0 &- (raw & 1)))
    }
}

/// Byte-level writing helpers.
enum EncodingWriter {
    @inline(__always)
    static func appendULEB128(_ value: UInt64, to output: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v &>>= 7
        }
        output.append(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    static func appendZigZag(_ value: Int64, to output: inout [UInt8]) {
        appendULEB128(UInt64(bitPattern: (value &<< 1) ^ (value &>> 63)), to: &output)
    }

    @inline(__always)
    static func appendUInt32LE(_ value: UInt32, to output: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { output.append(contentsOf: $0) }
    }

    /// Overwrites 4 bytes at `index` with `value` little-endian (a length prefix written after its body).
    @inline(__always)
    static func patchUInt32LE(_ value: UInt32, at index: Int, in output: inout [UInt8]) {
        output.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: index, as: UInt32.self) }
    }

    /// Writes a ULEB128 varint at `pointer`; returns the bytes written (at most 10).
    @inline(__always)
    static func writeULEB128(_ value: UInt64, at pointer: UnsafeMutableRawPointer) -> Int {
        var v = value
        var index = 0
        while v >= 0x80 {
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: index, as: UInt8.self)
            v &>>= 7
            index &+= 1
        }
        pointer.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: index, as: UInt8.self)
        return index &+ 1
    }
}

/// Stops on a programming error of the caller (a destination too small, a value wider than its
/// declared bit width). Unlike `precondition` it is kept in `-Ounchecked` builds, so a wrong call
/// never writes outside a buffer.
@inline(__always)
func encodingRequire(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}

/// The number of bits needed to store every value in `0...maxValue` (0 for 0).
@inline(__always)
func bitsNeeded(_ maxValue: UInt64) -> Int {
    64 &- maxValue.leadingZeroBitCount
}

/// Fast buffer helpers for the byte array encodings.
enum ByteCopy {
    /// Zeros to append from: `Array.append(contentsOf: repeatElement(...))` goes element by
    /// element, appending a slice of these is one `memcpy`.
    static let zeroBytes = [UInt8](repeating: 0, count: 1 << 16)
    static let zeroInt32s = [Int32](repeating: 0, count: 1 << 14)

    /// Appends `count` zero bytes.
    @inline(__always)
    static func appendZeros(_ array: inout [UInt8], _ count: Int) {
        var left = count
        if left > zeroBytes.count { array.reserveCapacity(array.count &+ left) }
        while left > 0 {
            let n = min(left, zeroBytes.count)
            array.append(contentsOf: zeroBytes[0..<n])
            left &-= n
        }
    }

    /// Appends `count` zero offsets.
    @inline(__always)
    static func appendZeros(_ array: inout [Int32], _ count: Int) {
        var left = count
        if left > zeroInt32s.count { array.reserveCapacity(array.count &+ left) }
        while left > 0 {
            let n = min(left, zeroInt32s.count)
            array.append(contentsOf: zeroInt32s[0..<n])
            left &-= n
        }
    }

    /// Copies `count` bytes from `source` to `destination` (the `count`-byte regions must not
    /// overlap). Values of up to 32 bytes are copied with 8-byte loads, all done before the
    /// stores, with no `memcpy` call, when `sourceRoom` and `destinationRoom` (readable and
    /// writable bytes from each pointer) allow it: the bytes written past `count` belong to
    /// values the caller writes later, and bytes read past `count` are not used.
    @inline(__always)
    static func copy(
        _ destination: UnsafeMutableRawPointer, room destinationRoom: Int,
        from source: UnsafeRawPointer, room sourceRoom: Int, count: Int
    ) {
        if count <= 16, sourceRoom >= 16, destinationRoom >= 16 {
            let a = source.loadUnaligned(as: UInt64.self)
            let b = source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            destination.storeBytes(of: a, as: UInt64.self)
            destination.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
        } else if count <= 32, sourceRoom >= 32, destinationRoom >= 32 {
            let a = source.loadUnaligned(as: UInt64.self)
            let b = source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            let c = source.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
            let d = source.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            destination.storeBytes(of: a, as: UInt64.self)
            destination.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
            destination.storeBytes(of: c, toByteOffset: 16, as: UInt64.self)
            destination.storeBytes(of: d, toByteOffset: 24, as: UInt64.self)
        } else if count > 0 {
            destination.copyMemory(from: source, byteCount: count)
        }
    }
}
