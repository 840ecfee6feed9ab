// DELTA_LENGTH_BYTE_ARRAY (lengths as DELTA_BINARY_PACKED, then the bytes concatenated) and
// DELTA_BYTE_ARRAY (prefix lengths as DELTA_BINARY_PACKED, then the suffixes as
// DELTA_LENGTH_BYTE_ARRAY; each value is that many bytes of the previous value plus its suffix).
//
// Both decode into the layout of `PlainEncoding.decodeByteArrays`: end offsets appended to
// `offsets` (Int32, one more entry than values) and bytes appended to `data`.

/// DELTA_LENGTH_BYTE_ARRAY decoding and encoding.
public enum DeltaLengthByteArray {
    /// Decodes `count` values, appending their bytes to `data` and their end offsets to
    /// `offsets` (first appending `data.count` when `offsets` is empty; otherwise its last entry
    /// must be `data.count`). Returns the bytes taken. On error both are left as they were.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, offsets: inout [Int32], data: inout [UInt8]
    ) throws(ParquetFormatError) -> Int {
        let originalOffsets = offsets.count
        do {
            return try decodeValues(bytes, count: count, offsets: &offsets, data: &data)
        } catch {
            offsets.removeSubrange(originalOffsets...)
            throw error
        }
    }

    private static func decodeValues(
        _ bytes: UnsafeRawBufferPointer, count: Int, offsets: inout [Int32], data: inout [UInt8]
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count >= 0, "negative count")
        var lengths = try DeltaBinaryPackedDecoder(bytes)
        try lengths.checkHolds(count)
        let first = try ByteArrayOutput.begin(count: count, offsets: &offsets, data: data)
        // Decode the lengths straight into the new offset slots, then turn them into offsets.
        try offsets.withUnsafeMutableBufferPointer { (buffer) throws(ParquetFormatError) in
            _ = try lengths.decode(into: UnsafeMutableBufferPointer(rebasing: buffer[first..<(first &+ count)]))
        }
        let dataStart = try lengths.skipToEnd()
        let available = bytes.count &- dataStart
        let base = Int(offsets[first &- 1])
        var running = base
        var failure: ParquetFormatError?
        offsets.withUnsafeMutableBufferPointer { buffer in
            let o = buffer.baseAddress.unsafelyUnwrapped + first
            for i in 0..<count {
                let length = Int(o[i])
                guard length >= 0 else {
                    failure = ParquetFormatError(.corrupt, "negative byte array length \(length)", offset: 0)
                    return
                }
                running &+= length
                guard running &- base <= available else {
                    failure = ParquetFormatError(
                        .truncated, "byte arrays need more than the \(available) bytes left", offset: dataStart)
                    return
                }
                o[i] = Int32(truncatingIfNeeded: running)
            }
        }
        if let failure { throw failure }
        let total = running &- base
        guard running <= Int(Int32.max) else { throw PlainEncoding.tooLarge(running) }
        if total > 0 {
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[dataStart..<(dataStart &+ total)]))
        }
        return dataStart &+ total
    }

    /// Appends the encoding of the values `data[offsets[i] ..< offsets[i + 1]]`.
    public static func encode(
        offsets: UnsafeBufferPointer<Int32>, data: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]
    ) {
        let count = max(offsets.count &- 1, 0)
        let lengths = ByteArrayOutput.lengths(offsets: offsets, dataCount: data.count)
        lengths.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, appendingTo: &output) }
        if count > 0 {
            let first = Int(offsets[0])
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[first..<Int(offsets[count])]))
        }
    }
}

/// DELTA_BYTE_ARRAY decoding and encoding, for BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY.
///
/// A small input can describe a large output (every value repeating a long prefix), so
/// decoding takes a limit on the bytes it may produce.
public enum DeltaByteArray {
    /// Decodes `count` values into `offsets` and `data` as `DeltaLengthByteArray.decode` does;
    /// throws `.limitExceeded` before allocating when the values would take more than
    /// `maxDataBytes`. Returns the bytes taken. On error both are left as they were.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, count: Int, offsets: inout [Int32], data: inout [UInt8],
        maxDataBytes: Int = Int(Int32.max)
    ) throws(ParquetFormatError) -> Int {
        let originalOffsets = offsets.count
        do {
            return try decodeValues(bytes, count: count, offsets: &offsets, data: &data, maxDataBytes: maxDataBytes)
        } catch {
            offsets.removeSubrange(originalOffsets...)
            throw error
        }
    }

    private static func decodeValues(
        _ bytes: UnsafeRawBufferPointer, count: Int, offsets: inout [Int32], data: inout [UInt8],
        maxDataBytes: Int
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count >= 0, "negative count")
        let streams = try LengthStreams(bytes, count: count)
        let first = try ByteArrayOutput.begin(count: count, offsets: &offsets, data: data)
        let base = Int(offsets[first &- 1])
        // Pass 1: check prefixes and suffixes, write end offsets.
        var running = base
        var previousLength = 0
        var suffixTotal = 0
        var failure: ParquetFormatError?
        let available = bytes.count &- streams.suffixStart
        streams.prefixes.withUnsafeBufferPointer { prefixes in
            streams.suffixes.withUnsafeBufferPointer { suffixes in
                offsets.withUnsafeMutableBufferPointer { buffer in
                    let o = buffer.baseAddress.unsafelyUnwrapped + first
                    for i in 0..<count {
                        let prefix = Int(prefixes[i])
                        let suffix = Int(suffixes[i])
                        guard prefix >= 0, prefix <= previousLength, suffix >= 0 else {
                            failure = ParquetFormatError(
                                .corrupt, "value \(i): prefix \(prefix) of a \(previousLength)-byte value, suffix \(suffix)",
                                offset: 0)
                            return
                        }
                        suffixTotal &+= suffix
                        guard suffixTotal <= available else {
                            failure = ParquetFormatError(
                                .truncated, "suffixes need more than the \(available) bytes left", offset: streams.suffixStart)
                            return
                        }
                        previousLength = prefix &+ suffix
                        running &+= previousLength
                        guard running &- base <= maxDataBytes, running <= Int(Int32.max) else {
                            failure = ParquetFormatError(
                                .limitExceeded, "DELTA_BYTE_ARRAY values exceed \(min(maxDataBytes, Int(Int32.max))) bytes",
                                offset: 0)
                            return
                        }
                        o[i] = Int32(truncatingIfNeeded: running)
                    }
                }
            }
        }
        if let failure { throw failure }
        // Pass 2: one allocation, then each value = previous value's prefix + suffix.
        ByteCopy.appendZeros(&data, running &- base)
        let source = bytes.baseAddress
        let sourceEnd = bytes.count
        streams.prefixes.withUnsafeBufferPointer { prefixes in
            offsets.withUnsafeBufferPointer { o in
                data.withUnsafeMutableBytes { raw in
                    guard let out = raw.baseAddress else { return }
                    let dataEnd = raw.count
                    var suffixAt = streams.suffixStart
                    var previousStart = base
                    var start = base
                    for i in 0..<count {
                        let end = Int(o[first &+ i])
                        let prefix = Int(prefixes[i])
                        let suffix = end &- start &- prefix
                        // The previous value ends where this one starts, so the prefix
                        // source lies wholly before its destination.
                        ByteCopy.copy(
                            out + start, room: dataEnd &- start,
                            from: out + previousStart, room: dataEnd &- previousStart, count: prefix)
                        ByteCopy.copy(
                            out + (start &+ prefix), room: dataEnd &- start &- prefix,
                            from: source.unsafelyUnwrapped + suffixAt, room: sourceEnd &- suffixAt, count: suffix)
                        suffixAt &+= suffix
                        previousStart = start
                        start = end
                    }
                }
            }
        }
        return streams.suffixStart &+ suffixTotal
    }

    /// Decodes `count` FIXED_LEN_BYTE_ARRAY values of `width` bytes, appending `count * width`
    /// bytes to `data`; every value must be exactly `width` bytes. Returns the bytes taken.
    public static func decodeFixed(
        _ bytes: UnsafeRawBufferPointer, count: Int, width: Int, data: inout [UInt8],
        maxDataBytes: Int = Int(Int32.max)
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(count >= 0 && width >= 0, "negative count or width")
        let streams = try LengthStreams(bytes, count: count)
        let (total, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, total <= maxDataBytes else {
            throw ParquetFormatError(.limitExceeded, "\(count) values of \(width) bytes exceed \(maxDataBytes) bytes", offset: 0)
        }
        var suffixTotal = 0
        var failure: ParquetFormatError?
        let available = bytes.count &- streams.suffixStart
        streams.prefixes.withUnsafeBufferPointer { prefixes in
            streams.suffixes.withUnsafeBufferPointer { suffixes in
                for i in 0..<count {
                    let prefix = Int(prefixes[i])
                    let suffix = Int(suffixes[i])
                    guard prefix >= 0, prefix <= (i == 0 ? 0 : width), suffix >= 0, prefix &+ suffix == width else {
                        failure = ParquetFormatError(
                            .corrupt, "value \(i): prefix \(prefix) + suffix \(suffix) is not \(width) bytes", offset: 0)
                        return
                    }
                    suffixTotal &+= suffix
                    guard suffixTotal <= available else {
                        failure = ParquetFormatError(
                            .truncated, "suffixes need more than the \(available) bytes left", offset: streams.suffixStart)
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        let base = data.count
        ByteCopy.appendZeros(&data, total)
        let source = bytes.baseAddress
        streams.prefixes.withUnsafeBufferPointer { prefixes in
            data.withUnsafeMutableBytes { raw in
                let out = raw.baseAddress
                var suffixAt = streams.suffixStart
                var start = base
                for i in 0..<count {
                    let prefix = Int(prefixes[i])
                    if prefix > 0 {
                        (out.unsafelyUnwrapped + start).copyMemory(from: out.unsafelyUnwrapped + (start &- width), byteCount: prefix)
                    }
                    let suffix = width &- prefix
                    if suffix > 0 {
                        (out.unsafelyUnwrapped + (start &+ prefix)).copyMemory(from: source.unsafelyUnwrapped + suffixAt, byteCount: suffix)
                    }
                    suffixAt &+= suffix
                    start &+= width
                }
            }
        }
        return streams.suffixStart &+ suffixTotal
    }

    /// Appends the encoding of the values `data[offsets[i] ..< offsets[i + 1]]`.
    public static func encode(
        offsets: UnsafeBufferPointer<Int32>, data: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]
    ) {
        let count = max(offsets.count &- 1, 0)
        var prefixes = [Int32](repeating: 0, count: count)
        var suffixes = ByteArrayOutput.lengths(offsets: offsets, dataCount: data.count)
        var suffixTotal = 0
        if count > 0 {
            let bytes = data.baseAddress.unsafelyUnwrapped
            prefixes.withUnsafeMutableBufferPointer { p in
                suffixes.withUnsafeMutableBufferPointer { s in
                    var previousStart = 0
                    var previousLength = 0
                    for i in 0..<count {
                        let start = Int(offsets[i])
                        let length = Int(s[i])
                        let prefix = commonPrefix(bytes + previousStart, bytes + start, min(previousLength, length))
                        p[i] = Int32(truncatingIfNeeded: prefix)
                        s[i] = Int32(truncatingIfNeeded: length &- prefix)
                        suffixTotal &+= length &- prefix
                        previousStart = start
                        previousLength = length
                    }
                }
            }
        }
        output.reserveCapacity(
            output.count &+ 2 &* DeltaBinaryPackedEncoder.maxEncodedSize(count: count) &+ suffixTotal)
        prefixes.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, appendingTo: &output) }
        suffixes.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, appendingTo: &output) }
        if suffixTotal > 0 {
            let start = output.count
            ByteCopy.appendZeros(&output, suffixTotal)
            suffixes.withUnsafeBufferPointer { s in
                output.withUnsafeMutableBytes { raw in
                    let out = raw.baseAddress.unsafelyUnwrapped + start
                    let bytes = data.baseAddress.unsafelyUnwrapped
                    let dataEnd = data.count
                    var at = 0
                    for i in 0..<count {
                        let suffix = Int(s[i])
                        let from = Int(offsets[i &+ 1]) &- suffix
                        ByteCopy.copy(out + at, room: suffixTotal &- at, from: bytes + from, room: dataEnd &- from, count: suffix)
                        at &+= suffix
                    }
                }
            }
        }
    }

    /// Appends the encoding of `values.count / width` FIXED_LEN_BYTE_ARRAY values of `width` bytes.
    public static func encodeFixed(_ values: UnsafeRawBufferPointer, width: Int, appendingTo output: inout [UInt8]) {
        encodingRequire(width > 0 && values.count % width == 0, "values are not a whole number of \(width)-byte values")
        encodingRequire(values.count <= Int(Int32.max), "values exceed 32-bit offsets")
        let count = values.count / width
        var offsets = [Int32](repeating: 0, count: count &+ 1)
        for i in 0...count { offsets[i] = Int32(truncatingIfNeeded: i &* width) }
        offsets.withUnsafeBufferPointer { encode(offsets: $0, data: values, appendingTo: &output) }
    }

    /// The length of the common prefix of `a[0..<limit]` and `b[0..<limit]`, 8 bytes at a time.
    @inline(__always)
    static func commonPrefix(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ limit: Int) -> Int {
        var i = 0
        while i &+ 8 <= limit {
            let x = a.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if x != 0 { return i &+ (UInt64(littleEndian: x).trailingZeroBitCount &>> 3) }
            i &+= 8
        }
        while i < limit, a.load(fromByteOffset: i, as: UInt8.self) == b.load(fromByteOffset: i, as: UInt8.self) {
            i &+= 1
        }
        return i
    }

    /// The two length streams of DELTA_BYTE_ARRAY, decoded, and where the suffix bytes start.
    private struct LengthStreams {
        var prefixes: [Int32]
        var suffixes: [Int32]
        var suffixStart: Int

        init(_ bytes: UnsafeRawBufferPointer, count: Int) throws(ParquetFormatError) {
            var prefixDecoder = try DeltaBinaryPackedDecoder(bytes)
            try prefixDecoder.checkHolds(count)
            // `count` is now bounded by what the input can describe: safe to allocate.
            prefixes = [Int32](repeating: 0, count: count)
            try prefixes.withUnsafeMutableBufferPointer { (p) throws(ParquetFormatError) in _ = try prefixDecoder.decode(into: p) }
            let suffixLengthsStart = try prefixDecoder.skipToEnd()
            var suffixDecoder = try DeltaBinaryPackedDecoder(
                UnsafeRawBufferPointer(rebasing: bytes[suffixLengthsStart...]), errorOffset: suffixLengthsStart)
            try suffixDecoder.checkHolds(count)
            suffixes = [Int32](repeating: 0, count: count)
            try suffixes.withUnsafeMutableBufferPointer { (p) throws(ParquetFormatError) in _ = try suffixDecoder.decode(into: p) }
            suffixStart = suffixLengthsStart &+ (try suffixDecoder.skipToEnd())
        }
    }
}

/// Shared by the byte array decoders and encoders.
enum ByteArrayOutput {
    /// Appends the start offset when `offsets` is empty and `count` zeroed slots; returns the
    /// index of the first slot.
    static func begin(count: Int, offsets: inout [Int32], data: [UInt8]) throws(ParquetFormatError) -> Int {
        if offsets.isEmpty {
            guard data.count <= Int(Int32.max) else { throw PlainEncoding.tooLarge(data.count) }
            offsets.append(Int32(data.count))
        }
        encodingRequire(Int(offsets[offsets.count &- 1]) == data.count, "the last offset must be data.count")
        let first = offsets.count
        ByteCopy.appendZeros(&offsets, count)
        return first
    }

    /// The lengths of the values described by `offsets`, checking they lie in the data.
    static func lengths(offsets: UnsafeBufferPointer<Int32>, dataCount: Int) -> [Int32] {
        let count = max(offsets.count &- 1, 0)
        var lengths = [Int32](repeating: 0, count: count)
        if count > 0 {
            encodingRequire(offsets[0] >= 0 && Int(offsets[count]) <= dataCount, "offsets outside the data")
            for i in 0..<count {
                let length = offsets[i &+ 1] &- offsets[i]
                encodingRequire(length >= 0, "offsets decrease")
                lengths[i] = length
            }
        }
        return lengths
    }
}
