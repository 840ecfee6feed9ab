// PLAIN (Encodings.md "Plain"): booleans bit-packed LSB-first; INT32, INT64, INT96, FLOAT,
// DOUBLE and FIXED_LEN_BYTE_ARRAY as their little-endian bytes back to back; BYTE_ARRAY as a
// u32 LE length then the bytes, for each value.

/// PLAIN decoding and encoding for every physical type.
///
/// Byte arrays decode into Arrow's layout: `offsets` (Int32, one more than the values) into a
/// `data` buffer of concatenated bytes, both appended to, so pages of a column chunk can be
/// decoded one after another into the same buffers.
public enum PlainEncoding {
    // MARK: Booleans

    /// Decodes `count` bit-packed booleans into bytes 0/1; returns the bytes taken, ceil(count / 8).
    public static func decodeBooleans(
        _ bytes: UnsafeRawBufferPointer, count: Int, into destination: UnsafeMutableBufferPointer<UInt8>
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count >= 0 && count <= destination.count, "destination holds \(destination.count) values, \(count) requested")
        let byteCount = count / 8 &+ (count & 7 == 0 ? 0 : 1)
        guard byteCount <= bytes.count else {
            throw ParquetFormatError(.truncated, "\(count) booleans need \(byteCount) bytes, \(bytes.count) left", offset: 0)
        }
        if count == 0 { return 0 }
        let source = bytes.baseAddress.unsafelyUnwrapped
        let out = UnsafeMutableRawPointer(destination.baseAddress.unsafelyUnwrapped)
        let wholeBytes = count / 8
        for i in 0..<wholeBytes {
            // Spread the 8 bits of a byte into 8 bytes of 0/1.
            var x = UInt64(source.load(fromByteOffset: i, as: UInt8.self))
            x = (x | x &<< 28) & 0x0000_000F_0000_000F
            x = (x | x &<< 14) & 0x0003_0003_0003_0003
            x = (x | x &<< 7) & 0x0101_0101_0101_0101
            out.storeBytes(of: x.littleEndian, toByteOffset: i &* 8, as: UInt64.self)
        }
        if count & 7 != 0 {
            let last = source.load(fromByteOffset: wholeBytes, as: UInt8.self)
            for j in 0..<(count & 7) {
                out.storeBytes(of: (last &>> UInt8(j)) & 1, toByteOffset: wholeBytes &* 8 &+ j, as: UInt8.self)
            }
        }
        return byteCount
    }

    /// Appends `values` (bytes 0 or 1; only the lowest bit is read) bit-packed LSB-first,
    /// the last byte padded with zeros.
    public static func encodeBooleans(_ values: UnsafeBufferPointer<UInt8>, appendingTo output: inout [UInt8]) {
        let count = values.count
        if count == 0 { return }
        let byteCount = count / 8 &+ (count & 7 == 0 ? 0 : 1)
        let start = output.count
        ByteCopy.appendZeros(&output, byteCount)
        let source = UnsafeRawPointer(values.baseAddress.unsafelyUnwrapped)
        output.withUnsafeMutableBytes { raw in
            let out = raw.baseAddress.unsafelyUnwrapped + start
            let wholeBytes = count / 8
            for i in 0..<wholeBytes {
                // Gather the low bits of 8 bytes into one byte (value i to bit i).
                let x = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self)) & 0x0101_0101_0101_0101
                out.storeBytes(of: UInt8(truncatingIfNeeded: (x &* 0x0102_0408_1020_4080) &>> 56), toByteOffset: i, as: UInt8.self)
            }
            if count & 7 != 0 {
                var last: UInt8 = 0
                for j in 0..<(count & 7) {
                    last |= (source.load(fromByteOffset: wholeBytes &* 8 &+ j, as: UInt8.self) & 1) &<< UInt8(j)
                }
                out.storeBytes(of: last, toByteOffset: wholeBytes, as: UInt8.self)
            }
        }
    }

    // MARK: Fixed width

    /// Copies `count` values of `width` bytes (4 for INT32/FLOAT, 8 for INT64/DOUBLE, 12 for
    /// INT96, the type length for FIXED_LEN_BYTE_ARRAY) into `destination`; returns the bytes
    /// taken, `count * width`.
    public static func decodeFixed(
        _ bytes: UnsafeRawBufferPointer, count: Int, width: Int, into destination: UnsafeMutableRawBufferPointer
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count >= 0 && width >= 0, "negative count or width")
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, byteCount <= bytes.count else {
            throw ParquetFormatError(.truncated, "\(count) values of \(width) bytes, \(bytes.count) bytes left", offset: 0)
        }
        encodingRequire(byteCount <= destination.count, "destination holds \(destination.count) bytes, \(byteCount) needed")
        if byteCount > 0 {
            destination.baseAddress.unsafelyUnwrapped.copyMemory(from: bytes.baseAddress.unsafelyUnwrapped, byteCount: byteCount)
        }
        return byteCount
    }

    /// Copies `count` INT32, INT64, FLOAT or DOUBLE values into `destination[0..<count]`;
    /// returns the bytes taken.
    public static func decode<T: BitwiseCopyable>(
        _ bytes: UnsafeRawBufferPointer, count: Int, into destination: UnsafeMutableBufferPointer<T>
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count <= destination.count, "destination holds \(destination.count) values, \(count) requested")
        return try decodeFixed(bytes, count: count, width: MemoryLayout<T>.stride, into: UnsafeMutableRawBufferPointer(destination))
    }

    /// Appends fixed-width values already in their little-endian layout (any PLAIN type but
    /// BOOLEAN and BYTE_ARRAY): a copy.
    public static func encodeFixed(_ values: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        output.append(contentsOf: values)
    }

    // MARK: Byte arrays

    /// Decodes `count` BYTE_ARRAY values (u32 LE length + bytes each), appending their bytes to
    /// `data` and their end offsets to `offsets` (first appending `data.count` when `offsets`
    /// is empty, so it always holds one more entry than values). Returns the bytes taken.
    /// On error `offsets` and `data` are left as they were.
    public static func decodeByteArrays(
        _ bytes: UnsafeRawBufferPointer, count: Int, offsets: inout [Int32], data: inout [UInt8]
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count >= 0, "negative count")
        // Every value takes at least its 4-byte length.
        guard count <= bytes.count / 4 else {
            throw ParquetFormatError(.truncated, "\(count) byte arrays need at least \(count * 4) bytes, \(bytes.count) left", offset: 0)
        }
        let originalOffsets = offsets.count
        let first = try ByteArrayOutput.begin(count: count, offsets: &offsets, data: data)
        if count == 0 { return 0 }
        // Pass 1: read and check the lengths, writing end offsets.
        let source = bytes.baseAddress.unsafelyUnwrapped
        let end = bytes.count
        var position = 0
        var failure: ParquetFormatError?
        var running = Int(offsets[first &- 1])
        offsets.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress.unsafelyUnwrapped + first
            for i in 0..<count {
                guard end &- position >= 4 else {
                    failure = ParquetFormatError(.truncated, "input ends inside a byte array length", offset: position)
                    return
                }
                let length = Int(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                position &+= 4
                guard length <= end &- position else {
                    failure = ParquetFormatError(.truncated, "byte array of \(length) bytes, \(end - position) left", offset: position &- 4)
                    return
                }
                position &+= length
                running &+= length
                guard running <= Int(Int32.max) else {
                    failure = tooLarge(running)
                    return
                }
                o[i] = Int32(truncatingIfNeeded: running)
            }
        }
        if let failure {
            offsets.removeSubrange(originalOffsets...)
            throw failure
        }
        // Pass 2: one allocation, then copy each value's bytes.
        let dataStart = data.count
        let total = running &- dataStart
        ByteCopy.appendZeros(&data, total)
        data.withUnsafeMutableBytes { raw in
            let out = raw.baseAddress.unsafelyUnwrapped + dataStart
            var written = 0
            var at = 0
            for _ in 0..<count {
                let length = Int(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                ByteCopy.copy(
                    out + written, room: total &- written, from: source + (at &+ 4), room: end &- at &- 4, count: length)
                written &+= length
                at &+= 4 &+ length
            }
        }
        return position
    }

    /// Appends the values `data[offsets[i] ..< offsets[i + 1]]` for each `i` in
    /// `0 ..< offsets.count - 1` as u32 LE length + bytes.
    public static func encodeByteArrays(
        offsets: UnsafeBufferPointer<Int32>, data: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]
    ) {
        let count = max(offsets.count &- 1, 0)
        if count == 0 { return }
        let first = Int(offsets[0])
        let last = Int(offsets[count])
        encodingRequire(first >= 0 && first <= last && last <= data.count, "offsets outside the data")
        let start = output.count
        let total = count &* 4 &+ (last &- first)
        ByteCopy.appendZeros(&output, total)
        output.withUnsafeMutableBytes { raw in
            let out = raw.baseAddress.unsafelyUnwrapped + start
            let source = data.baseAddress.unsafelyUnwrapped
            let sourceEnd = data.count
            var at = 0
            var previous = first
            for i in 1...count {
                let next = Int(offsets[i])
                encodingRequire(next >= previous && next <= last, "offsets decrease")
                let length = next &- previous
                out.storeBytes(of: UInt32(truncatingIfNeeded: length).littleEndian, toByteOffset: at, as: UInt32.self)
                at &+= 4
                ByteCopy.copy(out + at, room: total &- at, from: source + previous, room: sourceEnd &- previous, count: length)
                at &+= length
                previous = next
            }
        }
    }

    static func tooLarge(_ size: Int) -> ParquetFormatError {
        ParquetFormatError(.limitExceeded, "byte array data of \(size) bytes exceeds 32-bit offsets")
    }
}
