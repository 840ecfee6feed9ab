// DELTA_BINARY_PACKED (Encodings.md "Delta Encoding"): a header (ULEB block size, ULEB
// miniblocks per block, ULEB total count, zigzag first value), then blocks of
// (zigzag min delta, one width byte per miniblock, each miniblock's `delta - min` bit-packed
// LSB-first). Arithmetic wraps.

/// Decodes a DELTA_BINARY_PACKED stream of INT32 or INT64 values.
///
/// The decoder reads the buffer it was created with; that buffer must stay valid while it is
/// used. Values can be taken in several calls; use one integer type per stream. The header's
/// total count may be larger than what a caller needs: decode what is needed, then
/// `skipToEnd()` finds where the stream ends (DELTA_LENGTH_BYTE_ARRAY's bytes start there).
///
/// Accepted beyond the letter of the spec, as real readers do: any block size whose
/// miniblocks hold a multiple of 8 values (the spec's own examples use blocks of 8), arbitrary
/// width bytes for unused miniblocks, and a last miniblock cut short after its needed values.
public struct DeltaBinaryPackedDecoder {
    private var input: EncodedBytes
    /// Values per block, from the header.
    public let blockSize: Int
    /// Miniblocks per block, from the header.
    public let miniblocksPerBlock: Int
    private let valuesPerMiniblock: Int
    /// The number of values the stream holds, from the header.
    public let totalCount: Int
    /// Values not yet decoded or skipped.
    public private(set) var valuesRemaining: Int
    private var last: UInt64
    private var firstPending: Bool
    private var minDelta: UInt64 = 0
    private var widthsOffset = 0
    private var miniblockIndex: Int
    private var miniblockWidth = 0
    private var miniblockStart = 0
    private var miniblockUsed = 0
    private var miniblockLeft = 0

    /// Reads the header. Throws when it is malformed or when its count cannot fit in the bytes
    /// that follow (each block takes at least `1 + miniblocksPerBlock` bytes), so `totalCount`
    /// is safe to size buffers with. `errorOffset` is added to offsets in errors.
    public init(_ bytes: UnsafeRawBufferPointer, errorOffset: Int = 0) throws(ParquetFormatError) {
        var input = EncodedBytes(bytes, errorBase: errorOffset)
        let blockSize = try input.readULEB128()
        let miniblocks = try input.readULEB128()
        let countOffset = input.position
        let total = try input.readULEB128()
        let first = try input.readZigZag()
        guard blockSize > 0, blockSize <= 1 << 24, miniblocks > 0, miniblocks <= blockSize,
            blockSize % miniblocks == 0, (blockSize / miniblocks) % 8 == 0
        else {
            throw input.corrupt("DELTA_BINARY_PACKED block of \(blockSize) values in \(miniblocks) miniblocks", at: 0)
        }
        guard total <= UInt64(Int32.max) else {
            throw input.limitExceeded("DELTA_BINARY_PACKED count \(total) above 2^31-1", at: countOffset)
        }
        self.blockSize = Int(blockSize)
        self.miniblocksPerBlock = Int(miniblocks)
        self.valuesPerMiniblock = Int(blockSize / miniblocks)
        self.totalCount = Int(total)
        if totalCount > 1 {
            let blocks = (totalCount &- 1 &+ self.blockSize &- 1) / self.blockSize
            guard blocks <= input.remaining / (1 &+ miniblocksPerBlock) else {
                throw input.truncated("DELTA_BINARY_PACKED count \(total) cannot fit in \(input.remaining) bytes", at: countOffset)
            }
        }
        self.input = input
        self.valuesRemaining = totalCount
        self.last = UInt64(bitPattern: first)
        self.firstPending = totalCount > 0
        self.miniblockIndex = miniblocksPerBlock
    }

    /// Bytes of the input read so far: the header and every miniblock begun.
    public var bytesConsumed: Int { input.position }

    /// Decodes up to `destination.count` values; returns how many (fewer only when the stream's
    /// count is reached).
    public mutating func decode(into destination: UnsafeMutableBufferPointer<Int64>) throws(ParquetFormatError) -> Int {
        guard let start = destination.baseAddress else { return 0 }
        return try start.withMemoryRebound(to: UInt64.self, capacity: destination.count) {
            (p) throws(ParquetFormatError) -> Int in try decodeValues(p, destination.count)
        }
    }

    /// Decodes up to `destination.count` values; returns how many. Miniblocks wider than 32
    /// bits are rejected as corrupt for INT32.
    public mutating func decode(into destination: UnsafeMutableBufferPointer<Int32>) throws(ParquetFormatError) -> Int {
        guard let start = destination.baseAddress else { return 0 }
        return try start.withMemoryRebound(to: UInt32.self, capacity: destination.count) {
            (p) throws(ParquetFormatError) -> Int in try decodeValues(p, destination.count)
        }
    }

    /// Passes over the values not yet decoded, reading only block headers; returns the byte
    /// length of the whole stream.
    public mutating func skipToEnd() throws(ParquetFormatError) -> Int {
        if firstPending {
            firstPending = false
            valuesRemaining &-= 1
        }
        valuesRemaining &-= miniblockLeft
        miniblockLeft = 0
        while valuesRemaining > 0 {
            try startMiniblock(maxWidth: 64)
            valuesRemaining &-= miniblockLeft
            miniblockLeft = 0
        }
        return input.position
    }

    /// Decodes exactly `count` values into `destination[0..<count]`; returns the bytes read
    /// (up to the end of the last miniblock used, which is the end of the stream when `count`
    /// is the header's total).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, into destination: UnsafeMutableBufferPointer<Int64>
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count >= 0 && count <= destination.count, "destination holds \(destination.count) values, \(count) requested")
        var decoder = try DeltaBinaryPackedDecoder(bytes)
        try decoder.checkHolds(count)
        _ = try decoder.decode(into: UnsafeMutableBufferPointer(rebasing: destination[0..<count]))
        return decoder.bytesConsumed
    }

    /// Decodes exactly `count` INT32 values into `destination[0..<count]`; returns the bytes read.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, into destination: UnsafeMutableBufferPointer<Int32>
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count >= 0 && count <= destination.count, "destination holds \(destination.count) values, \(count) requested")
        var decoder = try DeltaBinaryPackedDecoder(bytes)
        try decoder.checkHolds(count)
        _ = try decoder.decode(into: UnsafeMutableBufferPointer(rebasing: destination[0..<count]))
        return decoder.bytesConsumed
    }

    /// Throws `.truncated` unless the stream still holds `count` values.
    func checkHolds(_ count: Int) throws(ParquetFormatError) {
        guard count <= valuesRemaining else {
            throw input.truncated("DELTA_BINARY_PACKED stream holds \(valuesRemaining) values, \(count) needed", at: 0)
        }
    }

    // MARK: - Core

    @_specialize(where T == UInt32)
    @_specialize(where T == UInt64)
    private mutating func decodeValues<T: FixedWidthInteger & UnsignedInteger>(
        _ destination: UnsafeMutablePointer<T>, _ count: Int
    ) throws(ParquetFormatError) -> Int {
        let wanted = min(count, valuesRemaining)
        if wanted <= 0 { return 0 }
        var produced = 0
        if firstPending {
            destination[0] = T(truncatingIfNeeded: last)
            firstPending = false
            valuesRemaining &-= 1
            produced = 1
        }
        let maxWidth = T.bitWidth
        var previous = T(truncatingIfNeeded: last)
        while produced < wanted {
            if miniblockLeft == 0 { try startMiniblock(maxWidth: maxWidth) }
            let take = min(miniblockLeft, wanted &- produced)
            let out = destination + produced
            BitUnpacking.unpackRange(
                base: input.base, start: miniblockStart, limit: input.end, width: miniblockWidth,
                first: miniblockUsed, count: take, into: out)
            let delta = T(truncatingIfNeeded: minDelta)
            var i = 0
            while i < take {
                previous = previous &+ delta &+ out[i]
                out[i] = previous
                i &+= 1
            }
            miniblockUsed &+= take
            miniblockLeft &-= take
            valuesRemaining &-= take
            produced &+= take
        }
        last = UInt64(truncatingIfNeeded: previous)
        return wanted
    }

    /// Moves to the next miniblock (reading a block header first when the block is done) and
    /// checks that the bytes for the values it must supply are present.
    private mutating func startMiniblock(maxWidth: Int) throws(ParquetFormatError) {
        if miniblockIndex == miniblocksPerBlock {
            minDelta = UInt64(bitPattern: try input.readZigZag())
            guard input.remaining >= miniblocksPerBlock else {
                throw input.truncated("input ends inside miniblock bit widths")
            }
            widthsOffset = input.position
            input.position &+= miniblocksPerBlock
            miniblockIndex = 0
        }
        let widthOffset = widthsOffset &+ miniblockIndex
        let width = Int(input.pointer.load(fromByteOffset: widthOffset, as: UInt8.self))
        guard width <= maxWidth else {
            throw input.corrupt("miniblock bit width \(width) above \(maxWidth)", at: widthOffset)
        }
        miniblockIndex &+= 1
        // Values still to come, all deltas now (the first value, from the header, is taken
        // before any miniblock starts).
        let values = min(valuesPerMiniblock, valuesRemaining)
        let fullBytes = valuesPerMiniblock &* width / 8
        let neededBytes = (values &* width &+ 7) / 8
        guard neededBytes <= input.remaining else {
            throw input.truncated("miniblock needs \(neededBytes) bytes, \(input.remaining) left")
        }
        miniblockWidth = width
        miniblockStart = input.position
        miniblockUsed = 0
        miniblockLeft = values
        input.position &+= min(fullBytes, input.remaining)
    }
}

/// Encodes INT32 or INT64 values as DELTA_BINARY_PACKED with blocks of 128 values in 4
/// miniblocks of 32 (as parquet-mr and Arrow write). Differences wrap in the value's width, so
/// INT32 miniblocks are at most 32 bits wide.
public enum DeltaBinaryPackedEncoder {
    static let blockSize = 128
    static let miniblocksPerBlock = 4
    static let valuesPerMiniblock = 32

    /// An upper bound on the encoded size of `count` values.
    public static func maxEncodedSize(count: Int) -> Int {
        let blocks = count <= 1 ? 0 : (count &- 1 &+ blockSize &- 1) / blockSize
        return 30 &+ blocks &* (10 &+ miniblocksPerBlock &+ blockSize &* 8)
    }

    /// Appends the encoding of `values`.
    public static func encode(_ values: UnsafeBufferPointer<Int32>, appendingTo output: inout [UInt8]) {
        encodeValues(values, appendingTo: &output)
    }

    /// Appends the encoding of `values`.
    public static func encode(_ values: UnsafeBufferPointer<Int64>, appendingTo output: inout [UInt8]) {
        encodeValues(values, appendingTo: &output)
    }

    @_specialize(where T == Int32)
    @_specialize(where T == Int64)
    static func encodeValues<T: FixedWidthInteger & SignedInteger>(
        _ values: UnsafeBufferPointer<T>, appendingTo output: inout [UInt8]
    ) {
        let count = values.count
        output.reserveCapacity(output.count &+ maxEncodedSize(count: count))
        EncodingWriter.appendULEB128(UInt64(blockSize), to: &output)
        EncodingWriter.appendULEB128(UInt64(miniblocksPerBlock), to: &output)
        EncodingWriter.appendULEB128(UInt64(count), to: &output)
        EncodingWriter.appendZigZag(count == 0 ? 0 : Int64(values[0]), to: &output)
        if count <= 1 { return }
        let blockBytes = 10 &+ miniblocksPerBlock &+ blockSize &* 8
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: blockSize) { relative in
            withUnsafeTemporaryAllocation(byteCount: blockBytes, alignment: 8) { block in
                let rel = relative.baseAddress.unsafelyUnwrapped
                let out = block.baseAddress.unsafelyUnwrapped
                var next = 1
                while next < count {
                    let n = min(blockSize, count &- next)
                    // The frame of reference: the smallest difference in the block.
                    var minDelta = T.max
                    for j in 0..<n {
                        minDelta = min(minDelta, values[next &+ j] &- values[next &+ j &- 1])
                    }
                    for j in 0..<n {
                        let delta = values[next &+ j] &- values[next &+ j &- 1]
                        rel[j] = UInt64(truncatingIfNeeded: T.Magnitude(truncatingIfNeeded: delta &- minDelta))
                    }
                    if n < blockSize { (rel + n).update(repeating: 0, count: blockSize &- n) }
                    var at = EncodingWriter.writeULEB128(
                        UInt64(bitPattern: (Int64(minDelta) &<< 1) ^ (Int64(minDelta) &>> 63)), at: out)
                    let widthsAt = at
                    at &+= miniblocksPerBlock
                    for m in 0..<miniblocksPerBlock {
                        let first = m &* valuesPerMiniblock
                        guard first < n else {
                            out.storeBytes(of: 0, toByteOffset: widthsAt &+ m, as: UInt8.self)
                            continue
                        }
                        var bits: UInt64 = 0
                        for j in first..<(first &+ valuesPerMiniblock) { bits |= rel[j] }
                        let width = bitsNeeded(bits)
                        out.storeBytes(of: UInt8(width), toByteOffset: widthsAt &+ m, as: UInt8.self)
                        at &+= BitPacking.pack(rel + first, count: valuesPerMiniblock, width: width, into: out + at)
                    }
                    output.append(contentsOf: UnsafeRawBufferPointer(start: out, count: at))
                    next &+= n
                }
            }
        }
    }
}
