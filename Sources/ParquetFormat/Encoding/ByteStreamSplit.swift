// BYTE_STREAM_SPLIT (Encodings.md "Byte Stream Split"): for values of K bytes, K streams of N
// bytes each, stream i holding byte i of every value, concatenated with no header. N comes from
// the size of the values section: N = bytes / K.

/// BYTE_STREAM_SPLIT decoding and encoding for any value width (4 for FLOAT and INT32, 8 for
/// DOUBLE and INT64, the type length for FIXED_LEN_BYTE_ARRAY). Widths 2, 4, 8 and 16 have
/// specialised loops.
public enum ByteStreamSplit {
    /// Decodes the first `count` values of `width` bytes from `bytes` (the whole values section
    /// of the page, `N * width` bytes) into `destination` as `count * width` bytes of values
    /// back to back; returns the bytes the section takes (`bytes.count`).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, width: Int, count: Int, into destination: UnsafeMutableRawBufferPointer
    ) throws(ParquetFormatError) -> Int {
        encodingRequire(width > 0 && count >= 0, "width must be positive and count non-negative")
        guard bytes.count % width == 0 else {
            throw ParquetFormatError(.corrupt, "BYTE_STREAM_SPLIT section of \(bytes.count) bytes is not a multiple of \(width)", offset: 0)
        }
        let stride = bytes.count / width
        guard count <= stride else {
            throw ParquetFormatError(.truncated, "BYTE_STREAM_SPLIT section holds \(stride) values, \(count) needed", offset: 0)
        }
        encodingRequire(count &* width <= destination.count, "destination holds \(destination.count) bytes, \(count * width) needed")
        if count == 0 { return bytes.count }
        let source = bytes.baseAddress.unsafelyUnwrapped
        let out = destination.baseAddress.unsafelyUnwrapped
        switch width {
        case 1: out.copyMemory(from: source, byteCount: count)
        case 2: interleave(source, stride, out, count, 2)
        case 4: interleave(source, stride, out, count, 4)
        case 8: interleave(source, stride, out, count, 8)
        case 16: interleaveBlocked(source, stride, out, count, 16)
        default: interleaveBlocked(source, stride, out, count, width)
        }
        return bytes.count
    }

    /// Appends the encoding of `values.count / width` values of `width` bytes.
    public static func encode(_ values: UnsafeRawBufferPointer, width: Int, appendingTo output: inout [UInt8]) {
        encodingRequire(width > 0 && values.count % width == 0, "values are not a whole number of \(width)-byte values")
        let count = values.count / width
        if count == 0 { return }
        let start = output.count
        ByteCopy.appendZeros(&output, values.count)
        let source = values.baseAddress.unsafelyUnwrapped
        output.withUnsafeMutableBytes { raw in
            let out = raw.baseAddress.unsafelyUnwrapped + start
            switch width {
            case 1: out.copyMemory(from: source, byteCount: count)
            case 2: scatter(source, out, count, 2)
            case 4: scatter(source, out, count, 4)
            case 8: scatter(source, out, count, 8)
            case 16: scatterBlocked(source, out, count, 16)
            default: scatterBlocked(source, out, count, width)
            }
        }
    }

    /// value[i] byte k = stream k [i]. With a small constant `width` the inner loop unrolls and
    /// LLVM vectorises the interleaved stores.
    @inline(__always)
    private static func interleave(
        _ source: UnsafeRawPointer, _ stride: Int, _ out: UnsafeMutableRawPointer, _ count: Int, _ width: Int
    ) {
        let s = source.assumingMemoryBound(to: UInt8.self)
        let o = out.assumingMemoryBound(to: UInt8.self)
        for i in 0..<count {
            for k in 0..<width { o[i &* width &+ k] = s[k &* stride &+ i] }
        }
    }

    @inline(__always)
    private static func scatter(_ source: UnsafeRawPointer, _ out: UnsafeMutableRawPointer, _ count: Int, _ width: Int) {
        let s = source.assumingMemoryBound(to: UInt8.self)
        let o = out.assumingMemoryBound(to: UInt8.self)
        for i in 0..<count {
            for k in 0..<width { o[k &* count &+ i] = s[i &* width &+ k] }
        }
    }

    /// The same for wide values: blocks of 64 values, one stream at a time, so that the many
    /// streams do not all compete for the cache at once.
    @inline(__always)
    private static func interleaveBlocked(
        _ source: UnsafeRawPointer, _ stride: Int, _ out: UnsafeMutableRawPointer, _ count: Int, _ width: Int
    ) {
        let s = source.assumingMemoryBound(to: UInt8.self)
        let o = out.assumingMemoryBound(to: UInt8.self)
        var i = 0
        while i < count {
            let n = min(64, count &- i)
            for k in 0..<width {
                let stream = s + (k &* stride &+ i)
                let target = o + (i &* width &+ k)
                for j in 0..<n { target[j &* width] = stream[j] }
            }
            i &+= n
        }
    }

    @inline(__always)
    private static func scatterBlocked(_ source: UnsafeRawPointer, _ out: UnsafeMutableRawPointer, _ count: Int, _ width: Int) {
        let s = source.assumingMemoryBound(to: UInt8.self)
        let o = out.assumingMemoryBound(to: UInt8.self)
        var i = 0
        while i < count {
            let n = min(64, count &- i)
            for k in 0..<width {
                let stream = o + (k &* count &+ i)
                let from = s + (i &* width &+ k)
                for j in 0..<n { stream[j] = from[j &* width] }
            }
            i &+= n
        }
    }
}
