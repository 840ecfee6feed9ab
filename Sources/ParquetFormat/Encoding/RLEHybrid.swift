// The RLE / bit-packed hybrid (Encodings.md "Run Length Encoding / Bit-Packing Hybrid"):
// a sequence of runs, each a ULEB128 header then either one repeated value (`count << 1`,
// value in ceil(width/8) bytes little-endian) or `groups * 8` values bit-packed LSB-first
// (`groups << 1 | 1`). Used for levels, dictionary indices and RLE booleans.

/// Decodes an RLE / bit-packed hybrid stream of values `bitWidth` (0…32) bits wide.
///
/// The decoder reads the buffer it was created with; that buffer must stay valid while the
/// decoder is used. It decodes in as many calls as the caller likes (runs may span calls).
/// A bit-packed run may hold more values than the caller needs (its last group is padded) or
/// may be cut short by the end of the input: the values it actually holds are decoded, and
/// only a caller asking for more than the input holds gets `.truncated`.
/// With bit width 0 every value is 0 and nothing is read.
public struct RLEHybridDecoder {
    private var input: EncodedBytes
    /// Bits per value, 0…32.
    public let bitWidth: Int
    private let valueByteCount: Int
    private let valueLimit: UInt64
    /// Values left in the current run (clamped to what the input holds).
    private var runRemaining = 0
    private var runIsPacked = false
    private var repeatedValue: UInt32 = 0
    /// Byte offset of the current bit-packed run's first group, and values of it already read.
    private var packedStart = 0
    private var packedIndex = 0

    /// Creates a decoder over `bytes` (the runs only, with no length prefix).
    /// `errorOffset` is added to offsets in errors (the position of `bytes` in an outer buffer).
    public init(_ bytes: UnsafeRawBufferPointer, bitWidth: Int, errorOffset: Int = 0) throws(ParquetFormatError) {
        guard (0...32).contains(bitWidth) else {
            throw ParquetFormatError(.corrupt, "RLE bit width \(bitWidth) outside 0...32", offset: errorOffset)
        }
        self.input = EncodedBytes(bytes, errorBase: errorOffset)
        self.bitWidth = bitWidth
        self.valueByteCount = (bitWidth &+ 7) / 8
        self.valueLimit = UInt64(1) &<< UInt64(bitWidth)
    }

    /// Bytes of the input taken by the runs read so far (headers and whole runs).
    public var bytesConsumed: Int { input.position }

    /// Decodes up to `destination.count` values; returns how many, fewer only when the input
    /// ends. Throws on a malformed run header or repeated value.
    public mutating func decode(into destination: UnsafeMutableBufferPointer<Int32>) throws(ParquetFormatError) -> Int {
        guard let start = destination.baseAddress else { return 0 }
        return try start.withMemoryRebound(to: UInt32.self, capacity: destination.count) {
            (p) throws(ParquetFormatError) -> Int in try decodeValues(p, destination.count)
        }
    }

    /// Decodes up to `destination.count` levels (bit width at most 16); returns how many.
    public mutating func decode(into destination: UnsafeMutableBufferPointer<UInt16>) throws(ParquetFormatError) -> Int {
        guard bitWidth <= 16 else { throw input.corrupt("bit width \(bitWidth) too wide for 16-bit levels", at: 0) }
        guard let start = destination.baseAddress else { return 0 }
        return try decodeValues(start, destination.count)
    }

    /// Decodes up to `destination.count` values of bit width at most 8 (booleans); returns how many.
    public mutating func decode(into destination: UnsafeMutableBufferPointer<UInt8>) throws(ParquetFormatError) -> Int {
        guard bitWidth <= 8 else { throw input.corrupt("bit width \(bitWidth) too wide for 8-bit values", at: 0) }
        guard let start = destination.baseAddress else { return 0 }
        return try decodeValues(start, destination.count)
    }

    /// Decodes exactly `count` values into `destination[0..<count]`; throws `.truncated` when
    /// the input holds fewer.
    public mutating func decode(count: Int, into destination: UnsafeMutableBufferPointer<Int32>) throws(ParquetFormatError) {
        encodingRequire(count >= 0 && count <= destination.count, "destination holds \(destination.count) values, \(count) requested")
        let n = try decode(into: UnsafeMutableBufferPointer(rebasing: destination[0..<count]))
        if n < count { throw input.truncated("RLE stream holds \(n) values, \(count) needed") }
    }

    /// Decodes exactly `count` levels into `destination[0..<count]`.
    public mutating func decode(count: Int, into destination: UnsafeMutableBufferPointer<UInt16>) throws(ParquetFormatError) {
        encodingRequire(count >= 0 && count <= destination.count, "destination holds \(destination.count) values, \(count) requested")
        let n = try decode(into: UnsafeMutableBufferPointer(rebasing: destination[0..<count]))
        if n < count { throw input.truncated("RLE stream holds \(n) values, \(count) needed") }
    }

    /// Decodes exactly `count` 8-bit values into `destination[0..<count]`.
    public mutating func decode(count: Int, into destination: UnsafeMutableBufferPointer<UInt8>) throws(ParquetFormatError) {
        encodingRequire(count >= 0 && count <= destination.count, "destination holds \(destination.count) values, \(count) requested")
        let n = try decode(into: UnsafeMutableBufferPointer(rebasing: destination[0..<count]))
        if n < count { throw input.truncated("RLE stream holds \(n) values, \(count) needed") }
    }

    // MARK: - Core

    @_specialize(where T == UInt8)
    @_specialize(where T == UInt16)
    @_specialize(where T == UInt32)
    private mutating func decodeValues<T: FixedWidthInteger & UnsignedInteger>(
        _ destination: UnsafeMutablePointer<T>, _ count: Int
    ) throws(ParquetFormatError) -> Int {
        if bitWidth == 0 {
            destination.update(repeating: 0, count: count)
            return count
        }
        var produced = 0
        while produced < count {
            if runRemaining == 0 {
                if try !readRunHeader() { break }
                continue
            }
            let take = min(runRemaining, count &- produced)
            if runIsPacked {
                BitUnpacking.unpackRange(
                    base: input.base, start: packedStart, limit: input.end, width: bitWidth,
                    first: packedIndex, count: take, into: destination + produced)
                packedIndex &+= take
            } else {
                (destination + produced).update(repeating: T(truncatingIfNeeded: repeatedValue), count: take)
            }
            runRemaining &-= take
            produced &+= take
        }
        return produced
    }

    /// Reads the next run header (and an RLE run's value). Returns false at the end of input.
    private mutating func readRunHeader() throws(ParquetFormatError) -> Bool {
        guard input.position < input.end else { return false }
        let headerOffset = input.position
        let header = try input.readULEB128UInt32()
        let length = Int(header &>> 1)
        if header & 1 == 1 {
            // `length` groups of 8 values, `length * bitWidth` bytes; a run cut short by the
            // end of the input yields the values its bytes hold.
            let byteCount = length &* bitWidth
            packedStart = input.position
            packedIndex = 0
            runIsPacked = true
            let available = input.remaining
            if byteCount <= available {
                runRemaining = length &* 8
                input.position &+= byteCount
            } else {
                runRemaining = (available &* 8) / bitWidth
                input.position = input.end
            }
        } else {
            let value = try input.readLittleEndian(byteCount: valueByteCount)
            guard value < valueLimit else {
                throw input.corrupt("RLE run value wider than \(bitWidth) bits", at: headerOffset)
            }
            repeatedValue = UInt32(truncatingIfNeeded: value)
            runIsPacked = false
            runRemaining = length
        }
        return true
    }
}

/// Encodes values of `bitWidth` (0…32) bits as an RLE / bit-packed hybrid stream, as
/// parquet-mr and Arrow do: values are buffered 8 at a time; a value repeated at least 8 times
/// becomes an RLE run, everything else is bit-packed in runs of up to 63 groups (so every
/// bit-packed header is one byte). The last group is padded with zeros.
public struct RLEHybridEncoder {
    /// Bits per value, 0…32.
    public let bitWidth: Int
    private let valueMask: UInt32
    private let valueByteCount: Int
    private var storage: [UInt8]
    private var length = 0
    private var buffered: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var bufferedCount = 0
    private var previous: UInt32 = 0
    private var repeatCount = 0
    private var packedGroupCount = 0
    /// Index in `storage` of the open bit-packed run's header byte, or -1.
    private var packedHeaderIndex = -1

    /// Creates an encoder; `expectedCount` presizes its buffer.
    public init(bitWidth: Int, expectedCount: Int = 0) {
        encodingRequire((0...32).contains(bitWidth), "RLE bit width \(bitWidth) outside 0...32")
        self.bitWidth = bitWidth
        self.valueMask = bitWidth == 32 ? .max : (UInt32(1) &<< UInt32(bitWidth)) &- 1
        self.valueByteCount = (bitWidth &+ 7) / 8
        self.storage = [UInt8](repeating: 0, count: max(64, Self.maxEncodedSize(count: expectedCount, bitWidth: bitWidth)))
    }

    /// An upper bound on the bytes `count` values of `bitWidth` bits encode to.
    public static func maxEncodedSize(count: Int, bitWidth: Int) -> Int {
        // Each bit-packed group of 8 costs `bitWidth` bytes plus at most one header byte; each
        // RLE run covers at least 8 values and costs at most one header byte per 8 values plus
        // the value's bytes. One extra group for padding, a few bytes for a long run header.
        (max(count, 0) / 8 &+ 2) &* (bitWidth &+ 1) &+ 10
    }

    /// Appends one value (which must fit in `bitWidth` bits).
    @inline(__always)
    public mutating func append(_ value: UInt32) {
        encodingRequire(value & ~valueMask == 0, "value \(value) wider than \(bitWidth) bits")
        if value == previous {
            repeatCount &+= 1
            if repeatCount >= 8 { return }  // an RLE run: keep counting
        } else {
            if repeatCount >= 8 { writeRepeatedRun() }
            repeatCount = 1
            previous = value
        }
        withUnsafeMutableBytes(of: &buffered) {
            $0.storeBytes(of: value, toByteOffset: bufferedCount &* 4, as: UInt32.self)
        }
        bufferedCount &+= 1
        if bufferedCount == 8 { writePackedGroup() }
    }

    /// Appends `values` (each must fit in `bitWidth` bits).
    public mutating func append(contentsOf values: UnsafeBufferPointer<UInt16>) {
        for value in values { append(UInt32(value)) }
    }

    /// Appends `values` (each must fit in `bitWidth` bits; negative values never do).
    public mutating func append(contentsOf values: UnsafeBufferPointer<Int32>) {
        for value in values { append(UInt32(bitPattern: value)) }
    }

    /// Appends `values` (each must fit in `bitWidth` bits).
    public mutating func append(contentsOf values: UnsafeBufferPointer<UInt8>) {
        for value in values { append(UInt32(value)) }
    }

    /// Flushes buffered values and appends the encoded runs to `output`; the encoder is then
    /// empty and can be reused.
    public mutating func finish(appendingTo output: inout [UInt8]) {
        flush()
        storage.withUnsafeBytes { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        reset()
    }

    /// Flushes buffered values and returns the encoded runs; the encoder is then empty.
    public mutating func finish() -> [UInt8] {
        flush()
        var result = storage
        result.removeSubrange(length...)
        reset()
        return result
    }

    /// Encodes `values` in one call, appending to `output`.
    public static func encode(_ values: UnsafeBufferPointer<UInt16>, bitWidth: Int, appendingTo output: inout [UInt8]) {
        var encoder = RLEHybridEncoder(bitWidth: bitWidth, expectedCount: values.count)
        encoder.append(contentsOf: values)
        encoder.finish(appendingTo: &output)
    }

    /// Encodes `values` in one call, appending to `output`.
    public static func encode(_ values: UnsafeBufferPointer<Int32>, bitWidth: Int, appendingTo output: inout [UInt8]) {
        var encoder = RLEHybridEncoder(bitWidth: bitWidth, expectedCount: values.count)
        encoder.append(contentsOf: values)
        encoder.finish(appendingTo: &output)
    }

    /// Encodes `values` in one call, appending to `output`.
    public static func encode(_ values: UnsafeBufferPointer<UInt8>, bitWidth: Int, appendingTo output: inout [UInt8]) {
        var encoder = RLEHybridEncoder(bitWidth: bitWidth, expectedCount: values.count)
        encoder.append(contentsOf: values)
        encoder.finish(appendingTo: &output)
    }

    // MARK: - Runs

    private mutating func reset() {
        length = 0
        bufferedCount = 0
        previous = 0
        repeatCount = 0
        packedGroupCount = 0
        packedHeaderIndex = -1
    }

    private mutating func flush() {
        if repeatCount >= 8 {
            writeRepeatedRun()
        } else if bufferedCount > 0 {
            withUnsafeMutableBytes(of: &buffered) {
                for i in bufferedCount..<8 { $0.storeBytes(of: 0, toByteOffset: i &* 4, as: UInt32.self) }
            }
            bufferedCount = 8
            writePackedGroup()
            closePackedRun()
        } else {
            closePackedRun()
        }
    }

    @inline(__always)
    private mutating func reserve(_ byteCount: Int) {
        if storage.count &- length < byteCount {
            ByteCopy.appendZeros(&storage, max(storage.count, byteCount))
        }
    }

    private mutating func writePackedGroup() {
        if packedGroupCount >= 63 { closePackedRun() }
        reserve(bitWidth &+ 1)
        let width = bitWidth
        var at = length
        let opensRun = packedHeaderIndex < 0
        storage.withUnsafeMutableBytes { out in
            let base = out.baseAddress.unsafelyUnwrapped
            if opensRun {
                base.storeBytes(of: 0, toByteOffset: at, as: UInt8.self)
                at &+= 1
            }
            withUnsafeBytes(of: &buffered) { values in
                at &+= BitPacking.pack(
                    values.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt32.self),
                    count: 8, width: width, into: base + at)
            }
        }
        if opensRun { packedHeaderIndex = length }
        length = at
        bufferedCount = 0
        repeatCount = 0
        packedGroupCount &+= 1
    }

    private mutating func closePackedRun() {
        guard packedHeaderIndex >= 0 else { return }
        storage[packedHeaderIndex] = UInt8(truncatingIfNeeded: packedGroupCount &<< 1 | 1)
        packedHeaderIndex = -1
        packedGroupCount = 0
    }

    private mutating func writeRepeatedRun() {
        closePackedRun()
        reserve(10 &+ valueByteCount)
        let header = UInt64(repeatCount) &<< 1
        let value = previous
        let valueBytes = valueByteCount
        var at = length
        storage.withUnsafeMutableBytes { out in
            let base = out.baseAddress.unsafelyUnwrapped
            at &+= EncodingWriter.writeULEB128(header, at: base + at)
            var v = value
            for _ in 0..<valueBytes {
                base.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: at, as: UInt8.self)
                v &>>= 8
                at &+= 1
            }
        }
        length = at
        repeatCount = 0
        bufferedCount = 0
    }
}

/// Definition and repetition levels: the V1 block (u32 length + hybrid runs), the V2 stream
/// (hybrid runs, length in the page header) and the legacy BIT_PACKED encoding.
///
/// A level stream whose maximum level is 0 is not stored: decoding it fills zeros and reads
/// nothing, encoding it writes nothing. Decoded levels are checked against `maxLevel`.
public enum LevelEncoding {
    /// The bit width of levels up to `maxLevel`: ceil(log2(maxLevel + 1)), 0 for 0.
    public static func bitWidth(forMaxLevel maxLevel: Int) -> Int {
        maxLevel <= 0 ? 0 : bitsNeeded(UInt64(maxLevel))
    }

    /// Decodes a V1 level block (u32 LE byte length, then hybrid runs) into
    /// `destination[0..<count]`; returns the bytes the block takes (4 + length).
    public static func decodeV1(
        _ bytes: UnsafeRawBufferPointer, maxLevel: Int, count: Int,
        into destination: UnsafeMutableBufferPointer<UInt16>
    ) throws(ParquetFormatError) -> Int {
        try checkArguments(maxLevel: maxLevel, count: count, destination: destination)
        if maxLevel == 0 {
            fill(destination, count)
            return 0
        }
        var input = EncodedBytes(bytes)
        let length = Int(try input.readUInt32LE())
        guard length <= input.remaining else {
            throw input.truncated("level block of \(length) bytes, \(input.remaining) left", at: 0)
        }
        try decodeRuns(
            UnsafeRawBufferPointer(rebasing: bytes[4..<(4 &+ length)]), errorOffset: 4,
            maxLevel: maxLevel, count: count, into: destination)
        return 4 &+ length
    }

    /// Decodes a V2 level stream (`bytes` is exactly the stream, whose length the page header
    /// gives) into `destination[0..<count]`.
    public static func decodeV2(
        _ bytes: UnsafeRawBufferPointer, maxLevel: Int, count: Int,
        into destination: UnsafeMutableBufferPointer<UInt16>
    ) throws(ParquetFormatError) {
        try checkArguments(maxLevel: maxLevel, count: count, destination: destination)
        if maxLevel == 0 {
            fill(destination, count)
            return
        }
        try decodeRuns(bytes, errorOffset: 0, maxLevel: maxLevel, count: count, into: destination)
    }

    /// Decodes legacy BIT_PACKED levels (encoding 4: values packed MSB-first with no header,
    /// ceil(count * width / 8) bytes) into `destination[0..<count]`; returns the bytes taken.
    public static func decodeBitPacked(
        _ bytes: UnsafeRawBufferPointer, maxLevel: Int, count: Int,
        into destination: UnsafeMutableBufferPointer<UInt16>
    ) throws(ParquetFormatError) -> Int {
        try checkArguments(maxLevel: maxLevel, count: count, destination: destination)
        let width = bitWidth(forMaxLevel: maxLevel)
        if width == 0 {
            fill(destination, count)
            return 0
        }
        let byteCount = (count &* width &+ 7) / 8
        guard byteCount <= bytes.count else {
            throw ParquetFormatError(
                .truncated, "BIT_PACKED levels need \(byteCount) bytes, \(bytes.count) left", offset: 0)
        }
        let source = bytes.baseAddress.unsafelyUnwrapped
        let out = destination.baseAddress.unsafelyUnwrapped
        let mask: UInt64 = (1 &<< UInt64(width)) &- 1
        var accumulator: UInt64 = 0
        var bits = 0
        var next = 0
        var maximum: UInt16 = 0
        for i in 0..<count {
            while bits < width {
                accumulator = accumulator &<< 8 | UInt64(source.load(fromByteOffset: next, as: UInt8.self))
                next &+= 1
                bits &+= 8
            }
            bits &-= width
            let level = UInt16(truncatingIfNeeded: (accumulator &>> UInt64(bits)) & mask)
            out[i] = level
            maximum = max(maximum, level)
        }
        guard Int(maximum) <= maxLevel else {
            throw ParquetFormatError(.corrupt, "level \(maximum) above the maximum \(maxLevel)", offset: 0)
        }
        return byteCount
    }

    /// Appends a V1 level block (u32 LE length + hybrid runs) for `levels`; nothing when
    /// `maxLevel` is 0.
    public static func encodeV1(_ levels: UnsafeBufferPointer<UInt16>, maxLevel: Int, appendingTo output: inout [UInt8]) {
        guard maxLevel > 0 else { return }
        let lengthIndex = output.count
        EncodingWriter.appendUInt32LE(0, to: &output)
        RLEHybridEncoder.encode(levels, bitWidth: bitWidth(forMaxLevel: maxLevel), appendingTo: &output)
        EncodingWriter.patchUInt32LE(UInt32(output.count &- lengthIndex &- 4), at: lengthIndex, in: &output)
    }

    /// Appends a V2 level stream (hybrid runs, no prefix) for `levels`; nothing when
    /// `maxLevel` is 0. Its length, for the page header, is the growth of `output`.
    public static func encodeV2(_ levels: UnsafeBufferPointer<UInt16>, maxLevel: Int, appendingTo output: inout [UInt8]) {
        guard maxLevel > 0 else { return }
        RLEHybridEncoder.encode(levels, bitWidth: bitWidth(forMaxLevel: maxLevel), appendingTo: &output)
    }

    /// Appends levels in the legacy BIT_PACKED encoding (MSB-first). For tests and old tools
    /// only: writers use RLE.
    public static func encodeBitPacked(_ levels: UnsafeBufferPointer<UInt16>, maxLevel: Int, appendingTo output: inout [UInt8]) {
        let width = bitWidth(forMaxLevel: maxLevel)
        guard width > 0 else { return }
        var accumulator: UInt64 = 0
        var bits = 0
        for level in levels {
            encodingRequire(Int(level) <= maxLevel, "level \(level) above the maximum \(maxLevel)")
            accumulator = accumulator &<< UInt64(width) | UInt64(level)
            bits &+= width
            while bits >= 8 {
                bits &-= 8
                output.append(UInt8(truncatingIfNeeded: accumulator &>> UInt64(bits)))
            }
        }
        if bits > 0 { output.append(UInt8(truncatingIfNeeded: accumulator &<< UInt64(8 &- bits))) }
    }

    private static func checkArguments(
        maxLevel: Int, count: Int, destination: UnsafeMutableBufferPointer<UInt16>
    ) throws(ParquetFormatError) {
        guard (0...Int(UInt16.max)).contains(maxLevel) else {
            throw ParquetFormatError(.limitExceeded, "maximum level \(maxLevel) outside 0...65535")
        }
        encodingRequire(count >= 0 && count <= destination.count, "destination holds \(destination.count) levels, \(count) requested")
    }

    private static func fill(_ destination: UnsafeMutableBufferPointer<UInt16>, _ count: Int) {
        if count > 0 { destination.baseAddress.unsafelyUnwrapped.update(repeating: 0, count: count) }
    }

    private static func decodeRuns(
        _ bytes: UnsafeRawBufferPointer, errorOffset: Int, maxLevel: Int, count: Int,
        into destination: UnsafeMutableBufferPointer<UInt16>
    ) throws(ParquetFormatError) {
        var decoder = try RLEHybridDecoder(bytes, bitWidth: bitWidth(forMaxLevel: maxLevel), errorOffset: errorOffset)
        try decoder.decode(count: count, into: destination)
        // Levels must not exceed the maximum (a wider width can hold larger values).
        if maxLevel < (1 << decoder.bitWidth) &- 1 {
            var maximum: UInt16 = 0
            for i in 0..<count { maximum = max(maximum, destination[i]) }
            guard Int(maximum) <= maxLevel else {
                throw ParquetFormatError(.corrupt, "level \(maximum) above the maximum \(maxLevel)", offset: errorOffset)
            }
        }
    }
}

/// Dictionary indices in a data page (RLE_DICTIONARY / PLAIN_DICTIONARY): one byte of bit
/// width (0…32), then hybrid runs with no length prefix, to the end of the page.
public enum DictionaryIndices {
    /// Decodes `count` indices into `destination[0..<count]`, checking each is below
    /// `dictionaryCount`.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, dictionaryCount: Int,
        into destination: UnsafeMutableBufferPointer<Int32>
    ) throws(ParquetFormatError) {
        encodingRequire(count >= 0 && count <= destination.count, "destination holds \(destination.count) indices, \(count) requested")
        if count == 0 { return }
        var input = EncodedBytes(bytes)
        let width = Int(try input.readByte())
        guard width <= 32 else { throw input.corrupt("dictionary index bit width \(width) above 32", at: 0) }
        var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: bytes[1...]), bitWidth: width, errorOffset: 1)
        try decoder.decode(count: count, into: destination)
        // One pass over the indices (vectorised): every index must name a dictionary entry.
        let limit = UInt32(clamping: max(dictionaryCount, 0))
        var maximum: UInt32 = 0
        destination.baseAddress.unsafelyUnwrapped.withMemoryRebound(to: UInt32.self, capacity: count) { p in
            for i in 0..<count { maximum = max(maximum, p[i]) }
        }
        guard maximum < limit else {
            throw ParquetFormatError(.corrupt, "dictionary index \(maximum) beyond \(dictionaryCount) entries", offset: 1)
        }
    }

    /// The bit width used for indices into a dictionary of `dictionaryCount` entries.
    public static func bitWidth(forDictionaryCount dictionaryCount: Int) -> Int {
        dictionaryCount <= 1 ? 0 : bitsNeeded(UInt64(dictionaryCount &- 1))
    }

    /// Appends the width byte and the hybrid runs for `indices` (each in 0..<dictionaryCount).
    public static func encode(_ indices: UnsafeBufferPointer<Int32>, dictionaryCount: Int, appendingTo output: inout [UInt8]) {
        let width = bitWidth(forDictionaryCount: dictionaryCount)
        output.append(UInt8(width))
        RLEHybridEncoder.encode(indices, bitWidth: width, appendingTo: &output)
    }
}

/// BOOLEAN values in the RLE encoding: a u32 LE byte length, then hybrid runs of width 1
/// (the same in V1 and V2 data pages). Values are bytes 0 or 1.
public enum RLEBooleans {
    /// Decodes `count` booleans into `destination[0..<count]`; returns the bytes taken (4 + length).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, into destination: UnsafeMutableBufferPointer<UInt8>
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count >= 0 && count <= destination.count, "destination holds \(destination.count) values, \(count) requested")
        var input = EncodedBytes(bytes)
        let length = Int(try input.readUInt32LE())
        guard length <= input.remaining else {
            throw input.truncated("RLE boolean block of \(length) bytes, \(input.remaining) left", at: 0)
        }
        var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: bytes[4..<(4 &+ length)]), bitWidth: 1, errorOffset: 4)
        try decoder.decode(count: count, into: destination)
        return 4 &+ length
    }

    /// Appends the u32 length and the hybrid runs for `values` (each 0 or 1).
    public static func encode(_ values: UnsafeBufferPointer<UInt8>, appendingTo output: inout [UInt8]) {
        let lengthIndex = output.count
        EncodingWriter.appendUInt32LE(0, to: &output)
        RLEHybridEncoder.encode(values, bitWidth: 1, appendingTo: &output)
        EncodingWriter.patchUInt32LE(UInt32(output.count &- lengthIndex &- 4), at: lengthIndex, in: &output)
    }
}
